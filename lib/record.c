/* record - Postfix queue-file records (see record.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "str.h"

/* mta_rec_reader_init - read records from fp, payloads up to max bytes */
void
mta_rec_reader_init(struct mta_rec_reader *rr, FILE *fp, size_t max,
		    int flags)
{
	rr->fp = fp;
	rr->flags = flags;
	rr->max = max;
	rr->pos = ftello(fp);
	rr->offset = rr->pos;
	rr->jumps = 0;
	rr->error[0] = '\0';
}

/* rec_fail - remember why, return the error result */
static int
rec_fail(struct mta_rec_reader *rr, const char *why)
{
	snprintf(rr->error, sizeof(rr->error), "%s at offset %lld", why,
		 (long long)rr->offset);
	return MTA_REC_ERROR;
}

/* rec_read_raw - one record as it is in the file */
static int
rec_read_raw(struct mta_rec_reader *rr, int *type, struct mta_buf *data)
{
	size_t len = 0;
	int ch, shift;
	char chunk[4096];

	rr->offset = rr->pos;
	if ((ch = getc(rr->fp)) == EOF)
		return ferror(rr->fp) ? rec_fail(rr, "read error") : MTA_REC_EOF;
	*type = ch;
	rr->pos++;
	for (shift = 0;; shift += 7) {
		if (shift + 7 >= 32)
			return rec_fail(rr, "record length too long");
		if ((ch = getc(rr->fp)) == EOF)
			return rec_fail(rr, "truncated record length");
		rr->pos++;
		len |= (size_t)(ch & 0177) << shift;
		if ((ch & 0200) == 0)
			break;
	}
	if (len > rr->max)
		return rec_fail(rr, "record payload too long");
	/* An empty payload is still a string: data->data is never NULL. */
	mta_buf_clear(data);
	if (mta_buf_add(data, "", 0) < 0)
		return rec_fail(rr, "record payload too long");
	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (fread(chunk, 1, n, rr->fp) != n)
			return rec_fail(rr, "truncated record payload");
		rr->pos += (off_t)n;
		if (mta_buf_add(data, chunk, n) < 0)
			return rec_fail(rr, "record payload too long");
		len -= n;
	}
	return 1;
}

/* rec_follow - jump to where a pointer record points */
static int
rec_follow(struct mta_rec_reader *rr, struct mta_buf *data)
{
	char *end;
	long long where;

	errno = 0;
	where = strtoll(mta_buf_str(data), &end, 10);
	if (errno || end == data->data || *mta_str_skip_space(end) != '\0' ||
	    where < 0)
		return rec_fail(rr, "bad pointer record");
	if (where == 0)
		return 0;
	if (++rr->jumps > MTA_REC_MAX_JUMPS)
		return rec_fail(rr, "too many pointer jumps");
	if (fseeko(rr->fp, (off_t)where, SEEK_SET) < 0)
		return rec_fail(rr, "bad pointer record");
	rr->pos = (off_t)where;
	return 0;
}

/*
 * mta_rec_read - the next record: 1 (type and payload set), MTA_REC_EOF at
 * a clean end, MTA_REC_ERROR (rr->error says why) on anything else. With
 * MTA_REC_FOLLOW, pointers are followed and padding skipped.
 */
int
mta_rec_read(struct mta_rec_reader *rr, int *type, struct mta_buf *data)
{
	for (;;) {
		int rc = rec_read_raw(rr, type, data);

		if (rc != 1 || !(rr->flags & MTA_REC_FOLLOW))
			return rc;
		if (*type == MTA_REC_DTXT)
			continue;
		if (*type != MTA_REC_PTR)
			return 1;
		if (rec_follow(rr, data) < 0)
			return MTA_REC_ERROR;
	}
}

/*
 * mta_rec_skip - move len bytes forward (over the content, say). A short
 * distance is read through, which stays inside the stream's buffer; a
 * seek would throw the buffer away and cost two system calls.
 */
int
mta_rec_skip(struct mta_rec_reader *rr, off_t len)
{
	char chunk[4096];
	off_t left = len;

	if (len < 0)
		return -1;
	if (len > 16 * (off_t)sizeof(chunk)) {
		if (fseeko(rr->fp, len, SEEK_CUR) < 0)
			return -1;
		rr->pos += len;
		return 0;
	}
	while (left > 0) {
		size_t n = left < (off_t)sizeof(chunk) ? (size_t)left : sizeof(chunk);

		if (fread(chunk, 1, n, rr->fp) != n)
			return -1;
		left -= (off_t)n;
	}
	rr->pos += len;
	return 0;
}

/* mta_rec_len_encode - the length bytes for len; returns how many */
int
mta_rec_len_encode(unsigned char out[MTA_REC_MAX_LEN_BYTES], size_t len)
{
	int n = 0;

	do {
		unsigned char byte = len & 0177;

		len >>= 7;
		if (len)
			byte |= 0200;
		out[n++] = byte;
	} while (len && n < MTA_REC_MAX_LEN_BYTES);
	return len ? -1 : n;
}

/* mta_rec_write - append one record; -1 (errno) on failure */
int
mta_rec_write(FILE *fp, int type, const void *data, size_t len)
{
	unsigned char head[1 + MTA_REC_MAX_LEN_BYTES];
	int n = mta_rec_len_encode(head + 1, len);

	if (n < 0) {
		errno = EFBIG;
		return -1;
	}
	head[0] = (unsigned char)type;
	if (fwrite(head, 1, (size_t)n + 1, fp) != (size_t)n + 1 ||
	    (len && fwrite(data, 1, len, fp) != len))
		return -1;
	return 0;
}

/* mta_rec_writes - append a record whose payload is a C string */
int
mta_rec_writes(FILE *fp, int type, const char *text)
{
	return mta_rec_write(fp, type, text, strlen(text));
}

/* mta_rec_writef - append a record with a formatted payload */
int
mta_rec_writef(FILE *fp, int type, const char *fmt, ...)
{
	char small[512];
	char *text = small;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(small)) {
		if ((text = malloc((size_t)n + 1)) == NULL)
			return -1;
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rc = mta_rec_write(fp, type, text, (size_t)n);
	if (text != small)
		free(text);
	return rc;
}

/* mta_rec_mark - overwrite the type byte of the record at offset */
int
mta_rec_mark(int fd, off_t offset, int type)
{
	unsigned char byte = (unsigned char)type;

	return pwrite(fd, &byte, 1, offset) == 1 ? 0 : -1;
}

/* mta_rec_size_format - the fixed-width payload of the 'C' record */
int
mta_rec_size_format(char out[MTA_REC_SIZE_PAYLOAD + 1],
		    const long long f[MTA_REC_SIZE_FIELDS])
{
	int n = snprintf(out, MTA_REC_SIZE_PAYLOAD + 1,
			 "%15lld %15lld %15lld %15lld %15lld %15lld", f[0],
			 f[1], f[2], f[3], f[4], f[5]);

	return n == MTA_REC_SIZE_PAYLOAD ? 0 : -1;
}

/*
 * mta_rec_size_parse - the numbers of a 'C' payload; returns how many were
 * read (files from older writers have 3 to 5; missing ones are 0), or -1
 * when the payload holds anything but digits, signs and spaces.
 */
int
mta_rec_size_parse(const char *payload, size_t len,
		   long long fields[MTA_REC_SIZE_FIELDS])
{
	char text[MTA_REC_SIZE_PAYLOAD + 64];
	char *cp = text, *end;
	int n = 0;

	if (len >= sizeof(text))
		return -1;
	memcpy(text, payload, len);
	text[len] = '\0';
	if (text[strspn(text, " -0123456789")] != '\0')
		return -1;
	memset(fields, 0, sizeof(long long) * MTA_REC_SIZE_FIELDS);
	while (n < MTA_REC_SIZE_FIELDS) {
		cp = mta_str_skip_space(cp);
		if (*cp == '\0')
			break;
		errno = 0;
		fields[n] = strtoll(cp, &end, 10);
		if (end == cp || errno)
			return -1;
		n++;
		cp = end;
	}
	return *mta_str_skip_space(cp) ? -1 : n;
}

/*
 * mta_rec_attr_split - "name=value" of an 'A' record, in place: the name
 * is the run before '=' (no white space), the value is trimmed.
 */
int
mta_rec_attr_split(char *payload, char **name, char **value)
{
	char *cp = mta_str_skip_space(payload);
	char *eq;

	*name = cp;
	cp += strcspn(cp, " \t\r\n=");
	if (cp == *name)
		return -1;
	eq = mta_str_skip_space(cp);
	if (*eq != '=')
		return -1;
	*cp = '\0';
	*value = mta_str_trim(eq + 1);
	return 0;
}

/* mta_rec_attr_pseudo - the pseudo type an attribute name stands for */
int
mta_rec_attr_pseudo(const char *name)
{
	static const struct {
		const char *name;
		int type;
	} map[] = {
		{"create_time", MTA_REC_CTIME},
		{"ret_flags", MTA_REC_DSN_RET},
		{"envelope_id", MTA_REC_DSN_ENVID},
		{"dsn_orig_rcpt", MTA_REC_DSN_ORCPT},
		{"notify_flags", MTA_REC_DSN_NOTIFY},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i].name) == 0)
			return map[i].type;
	return MTA_REC_ATTR;
}

/* mta_rec_name - what postcat calls a record type */
const char *
mta_rec_name(int type, bool in_content)
{
	static const struct {
		int type;
		const char *name;
	} names[] = {
		{'C', "message_size"}, {'T', "message_arrival_time"},
		{'c', "queue_file_create_time"}, {'F', "sender_fullname"},
		{'I', "content_inspector"}, {'L', "content_filter"},
		{'S', "sender"}, {'D', "done_recipient"}, {'R', "recipient"},
		{'O', "original_recipient"}, {'/', "canceled_recipient"},
		{'W', "warning_message_time"}, {'A', "named_attribute"},
		{'K', "killed_record"}, {'>', "redirect_to"}, {'f', "flags"},
		{'M', "message_content"}, {'N', "regular_text"},
		{'w', "padding"}, {'X', "extracted_info"},
		{'r', "return_receipt"}, {'e', "errors_to"}, {'P', "priority"},
		{'p', "pointer_record"}, {'V', "verp_delimiters"},
		{'<', "dsn_return_flags"}, {'i', "dsn_envelope_id"},
		{'o', "dsn_original_recipient"}, {'n', "dsn_notify_flags"},
		{'E', "message_end"},
	};

	if (type == 'L' && in_content)
		return "unterminated_text";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return "unknown_record_type";
}

/* mta_rec_allowed - may this type stand in segment 0, 1 or 2 */
bool
mta_rec_allowed(int type, int segment)
{
	static const char *const sets[] = {MTA_REC_ENVELOPE_TYPES,
					   MTA_REC_CONTENT_TYPES,
					   MTA_REC_EXTRACTED_TYPES};

	if (segment < 0 || segment > 2 || type <= 0 || type > 255)
		return false;
	return strchr(sets[segment], type) != NULL;
}
