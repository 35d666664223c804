/* bouncelog - defer, bounce and trace logs (see bouncelog.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "bouncelog.h"
#include "mem.h"
#include "str.h"

/* mta_bouncelog_open - read the log at path (relative to dirfd) */
int
mta_bouncelog_open(struct mta_bouncelog *bl, int dirfd, const char *path,
		   bool defer)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	memset(bl, 0, sizeof(*bl));
	if (fd < 0 || (bl->fp = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Logs are small: one buffer of our own, so stdio need not fstat. */
	setvbuf(bl->fp, bl->iobuf, _IOFBF, sizeof(bl->iobuf));
	bl->defer = defer;
	mta_buf_init(&bl->line, MTA_BOUNCELOG_LINE_MAX);
	return 0;
}

/* entry_clear - free the strings of an entry and zero it */
static void
entry_clear(struct mta_bounce_entry *e)
{
	char **fields[] = {&e->recipient, &e->orig_rcpt, &e->dsn_orig_rcpt,
			   &e->status,	  &e->action,	 &e->diag_type,
			   &e->diag_text, &e->mta_type,	 &e->mta_mname,
			   &e->reason};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		free(*fields[i]);
	memset(e, 0, sizeof(*e));
}

/* mta_bouncelog_close - release the reader */
void
mta_bouncelog_close(struct mta_bouncelog *bl)
{
	if (bl->fp)
		fclose(bl->fp);
	bl->fp = NULL;
	entry_clear(&bl->entry);
	mta_buf_release(&bl->line);
}

/*
 * bouncelog_getline - one line without LF, control characters made '?',
 * cut at the buffer's cap (the rest of a longer line is skipped). 0 at EOF.
 */
static int
bouncelog_getline(struct mta_bouncelog *bl)
{
	char chunk[1024];
	size_t start;
	int got = 0;

	mta_buf_clear(&bl->line);
	while (fgets(chunk, sizeof(chunk), bl->fp) != NULL) {
		size_t n = strlen(chunk);
		bool end = n > 0 && chunk[n - 1] == '\n';

		got = 1;
		start = bl->line.len;
		if (mta_buf_add(&bl->line, chunk, end ? n - 1 : n) == 0) {
			for (char *cp = bl->line.data + start; *cp; cp++)
				if (((unsigned char)*cp < 0x20 && *cp != '\t') ||
				    *cp == 0x7f)
					*cp = '?';
		}
		if (end)
			break;
	}
	if (got && bl->line.data == NULL)
		mta_buf_add(&bl->line, "", 0);
	return got;
}

/* set_field - replace one string field */
static void
set_field(char **field, const char *value)
{
	free(*field);
	*field = mta_strdup(value);
}

/* bouncelog_attr - take one "name=value" line into the entry */
static void
bouncelog_attr(struct mta_bounce_entry *e, char *line)
{
	char *eq = strchr(line, '='), *value;

	if (eq == NULL)
		return;
	*eq = '\0';
	value = eq + 1;
	if (strcmp(line, "recipient") == 0)
		set_field(&e->recipient, value);
	else if (strcmp(line, "original_recipient") == 0)
		set_field(&e->orig_rcpt, value);
	else if (strcmp(line, "offset") == 0)
		e->offset = strtol(value, NULL, 10);
	else if (strcmp(line, "dsn_orig_rcpt") == 0)
		set_field(&e->dsn_orig_rcpt, value);
	else if (strcmp(line, "notify_flags") == 0)
		e->notify_flags = (int)strtol(value, NULL, 10);
	else if (strcmp(line, "status") == 0)
		set_field(&e->status, value);
	else if (strcmp(line, "action") == 0)
		set_field(&e->action, value);
	else if (strcmp(line, "diag_type") == 0)
		set_field(&e->diag_type, value);
	else if (strcmp(line, "diag_text") == 0)
		set_field(&e->diag_text, value);
	else if (strcmp(line, "mta_type") == 0)
		set_field(&e->mta_type, value);
	else if (strcmp(line, "mta_mname") == 0)
		set_field(&e->mta_mname, value);
	else if (strcmp(line, "reason") == 0)
		set_field(&e->reason, value);
}

/* bouncelog_legacy - "<addr>: text": used only when no name=value says */
static void
bouncelog_legacy(struct mta_bounce_entry *e, char *line)
{
	char *end = strstr(line, ">: ");

	if (end == NULL)
		return;
	*end = '\0';
	if (e->recipient == NULL)
		set_field(&e->recipient, line + 1);
	if (e->reason == NULL)
		set_field(&e->reason, end + 3);
}

/* bouncelog_fill - Postfix's fill-ins for what an entry left out */
static void
bouncelog_fill(struct mta_bouncelog *bl)
{
	struct mta_bounce_entry *e = &bl->entry;

	if (e->recipient == NULL)
		e->recipient = mta_strdup("(recipient address unavailable)");
	else if (strcmp(e->recipient, "<>") == 0 || e->recipient[0] == '\0')
		set_field(&e->recipient, "(MAILER-DAEMON)");
	if (e->status == NULL)
		e->status = mta_strdup(bl->defer ? "4.0.0" : "5.0.0");
	if (e->action == NULL)
		e->action = mta_strdup(bl->defer ? "delayed" : "failed");
	if (e->reason == NULL)
		e->reason = mta_strdup("(description unavailable)");
}

/*
 * mta_bouncelog_next - the next entry (valid until the next call): 1, or 0
 * at the end of the log.
 */
int
mta_bouncelog_next(struct mta_bouncelog *bl,
		   const struct mta_bounce_entry **entry)
{
	int lines = 0;

	entry_clear(&bl->entry);
	while (bouncelog_getline(bl)) {
		char *line = bl->line.data ? bl->line.data : (char *)"";

		if (*line == '\0') {
			if (lines)
				break;
			continue;
		}
		lines++;
		if (*line == '<')
			bouncelog_legacy(&bl->entry, line);
		else
			bouncelog_attr(&bl->entry, line);
	}
	if (lines == 0)
		return 0;
	bouncelog_fill(bl);
	*entry = &bl->entry;
	return 1;
}

/* add_opt - "name=value\n" when value is set and not empty */
static int
add_opt(struct mta_buf *out, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return 0;
	return mta_buf_printf(out, "%s=%s\n", name, value);
}

/* mta_bouncelog_format - one entry in the log's text form */
int
mta_bouncelog_format(struct mta_buf *out, const struct mta_bounce_entry *e)
{
	const char *rcpt = e->recipient && *e->recipient ? e->recipient : "<>";
	int rc = 0;

	rc |= mta_buf_printf(out, "\n<%s>: %s\nrecipient=%s\n",
			     *rcpt == '<' ? "" : rcpt,
			     e->reason ? e->reason : "", rcpt);
	if (e->orig_rcpt && strcasecmp(e->orig_rcpt, rcpt) != 0)
		rc |= add_opt(out, "original_recipient", e->orig_rcpt);
	if (e->offset > 0)
		rc |= mta_buf_printf(out, "offset=%ld\n", e->offset);
	rc |= add_opt(out, "dsn_orig_rcpt", e->dsn_orig_rcpt);
	if (e->notify_flags)
		rc |= mta_buf_printf(out, "notify_flags=%d\n", e->notify_flags);
	rc |= add_opt(out, "status", e->status);
	rc |= add_opt(out, "action", e->action);
	if (e->diag_type && *e->diag_type && e->diag_text && *e->diag_text) {
		rc |= add_opt(out, "diag_type", e->diag_type);
		rc |= add_opt(out, "diag_text", e->diag_text);
	}
	if (e->mta_type && *e->mta_type && e->mta_mname && *e->mta_mname) {
		rc |= add_opt(out, "mta_type", e->mta_type);
		rc |= add_opt(out, "mta_mname", e->mta_mname);
	}
	rc |= add_opt(out, "reason", e->reason);
	rc |= mta_buf_adds(out, "\n");
	return rc ? -1 : 0;
}

/*
 * mta_bouncelog_append - add one entry to the log at path (created 0600),
 * under an exclusive lock, synced; on a failed write the log is cut back
 * to its old length so that no half entry remains.
 */
int
mta_bouncelog_append(int dirfd, const char *path,
		     const struct mta_bounce_entry *entry)
{
	struct mta_buf text = MTA_BUF_INIT(4 * MTA_BOUNCELOG_LINE_MAX);
	struct stat st;
	int fd, saved, rc = -1;

	if (mta_bouncelog_format(&text, entry) < 0) {
		mta_buf_release(&text);
		errno = EMSGSIZE;
		return -1;
	}
	fd = openat(dirfd, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0)
		goto out;
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0)
		goto out;
	if (mta_write_all(fd, text.data, text.len) < 0 || fsync(fd) < 0) {
		saved = errno;
		if (ftruncate(fd, st.st_size) < 0)
			errno = saved;
		errno = saved;
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	mta_buf_release(&text);
	errno = saved;
	return rc;
}
