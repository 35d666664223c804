/*
 * cleanup - fuzz the whole of cleanup: arbitrary envelope addresses,
 * header and body bytes (NUL, CR, bare pieces of lines, folding, huge
 * headers) into a scratch spool. Properties checked: no crash; a message
 * accepted is a sound queue file (qfile.h); a message refused leaves no
 * file behind.
 *
 * Input: byte 0 picks the flags; then '\n'-separated lines: the sender,
 * the recipient, then the message. A 0x01 byte cuts a line into a piece
 * whose rest follows (complete == false).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "mem.h"
#include "qfile.h"

static char dir[] = "/tmp/mta-fuzz-cleanup.XXXXXX";
static struct mta_spool sp;
static struct mta_config *cfg;

/* setup - one scratch spool and configuration for the whole run */
static void
setup(void)
{
	char path[1024];
	struct mta_buf err = MTA_BUF_INIT(256);
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/incoming", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	fp = fopen(path, "w");
	fprintf(fp, "myhostname = host.example.com\nmydomain = example.com\n"
	            "masquerade_domains = !sub.example.com, example.com\n"
	            "masquerade_exceptions = root\nhopcount_limit = 5\n"
	            "header_size_limit = 2048\nline_length_limit = 100\n"
	            "message_size_limit = 100000\nappend_dot_mydomain = yes\n");
	fclose(fp);
	if ((cfg = mta_config_load(dir, &err)) == NULL ||
	    mta_spool_open(&sp, dir, "deferred", 1, false, &err) < 0)
		abort();
	mta_buf_release(&err);
}

/* next_line - the next line of the input into a C string */
static char *
next_line(const char **p, const char *end, size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);
	char *s = mta_malloc(n + 1);

	memcpy(s, *p, n);
	s[n] = '\0';

	*len = n;
	*p = nl ? nl + 1 : end;
	return s;
}

/* check_file - an accepted message is sound; remove it after */
static void
check_file(const char *id)
{
	char rel[MTA_SPOOL_PATH_MAX], path[2048];
	struct mta_buf why = MTA_BUF_INIT(256);
	FILE *fp;

	mta_spool_path(&sp, MTA_QUEUE_INCOMING, id, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((fp = fopen(path, "r")) == NULL)
		abort();
	if (mta_qfile_validate(fp, 0, &why) != 0) {
		fprintf(stderr, "unsound queue file %s: %s\n", path,
		        why.data ? why.data : "");
		abort();
	}
	fclose(fp);
	unlink(path);
	mta_buf_release(&why);
}

/* incoming_empty - nothing is left in incoming/ */
static int
incoming_empty(void)
{
	char path[1024];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/incoming", dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1,
	           *end = (const char *)data + size;
	struct mta_buf err = MTA_BUF_INIT(256), why = MTA_BUF_INIT(256);
	char id[MTA_QID_SIZE], *line, *cut;
	struct mta_cleanup *c;
	size_t len;

	if (cfg == NULL)
		setup();
	if (size < 1 ||
	    (c = mta_cleanup_open(cfg, &sp, data[0] & 7, &err)) == NULL)
		return 0;
	line = next_line(&p, end, &len);
	mta_cleanup_sender(c, line);
	free(line);
	line = next_line(&p, end, &len);
	mta_cleanup_recipient(c, line, NULL, data[0] >> 4, NULL);
	free(line);
	while (p < end) {
		bool last = memchr(p, '\n', (size_t)(end - p)) == NULL;

		line = next_line(&p, end, &len);
		if ((cut = memchr(line, 1, len)) != NULL) {
			mta_cleanup_text(c, line, (size_t)(cut - line), false);
			mta_cleanup_text(c, cut + 1,
			                 len - (size_t)(cut - line) - 1, !last);
		} else {
			mta_cleanup_text(c, line, len, !last);
		}
		free(line);
	}
	if (mta_cleanup_close(c, id, &why) == MTA_CLEANUP_OK)
		check_file(id);
	if (!incoming_empty())
		abort();
	mta_buf_release(&err);
	mta_buf_release(&why);
	return 0;
}
