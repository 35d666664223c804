/* mapsrc - the text source of a lookup table (see mapsrc.h). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "map.h"
#include "mapsrc.h"
#include "msg.h"
#include "str.h"

/* Room for the longest key, the longest value and the blanks between. */
#define MAPSRC_MAX_LINE (MTA_MAP_MAX_KEY + MTA_MAP_MAX_VALUE + 1024)

/* mta_mapsrc_open - read the named file; -1 with err and errno if not */
int
mta_mapsrc_open(struct mta_mapsrc *src, const char *path, struct mta_buf *err)
{
	memset(src, 0, sizeof(*src));
	if (mta_line_open(&src->lr, path, MAPSRC_MAX_LINE, MTA_LINE_LOGICAL) <
	    0) {
		int saved = errno;

		mta_buf_clear(err);
		mta_buf_printf(err, "open %s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	mta_buf_init(&src->error, 1024);
	return 0;
}

/* mta_mapsrc_attach - read an open stream (stdin for -i); name for messages */
void
mta_mapsrc_attach(struct mta_mapsrc *src, FILE *fp, const char *name)
{
	memset(src, 0, sizeof(*src));
	mta_line_attach(&src->lr, fp, name, MAPSRC_MAX_LINE, MTA_LINE_LOGICAL);
	mta_buf_init(&src->error, 1024);
}

/* mta_mapsrc_close - release the reader */
void
mta_mapsrc_close(struct mta_mapsrc *src)
{
	mta_line_close(&src->lr);
	mta_buf_release(&src->error);
}

/* mta_mapsrc_name - the file name used in messages */
const char *
mta_mapsrc_name(const struct mta_mapsrc *src)
{
	return src->lr.path;
}

/* mapsrc_warn - "FILE, line N: text" and count it */
static void MTA_PRINTF(2, 3)
mapsrc_warn(struct mta_mapsrc *src, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	src->warnings++;
	if (src->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mta_msg_warn("%s, line %d: %s", src->lr.path, src->lr.lineno, text);
}

/* utf8_seq_len - length of the UTF-8 sequence that starts with c, or 0 */
static size_t
utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* mta_utf8_valid - is s[0..len) well-formed UTF-8 (no overlong forms) */
int
mta_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		size_t n = utf8_seq_len(*p);

		if (n == 0 || (size_t)(end - p) < n)
			return 0;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f) ||
		    (p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		p += n;
	}
	return 1;
}

/*
 * mapsrc_split - cut the line into key and value in place. Returns 0, or
 * -1 for an unbalanced quote (the caller warns).
 */
static int
mapsrc_split(char *line, char **key, char **value)
{
	int in_quotes = 0;
	char *cp;

	for (cp = line; *cp; cp++) {
		if (*cp == '\\') {
			if (*++cp == '\0')
				break;
		} else if (*cp == '"') {
			in_quotes = !in_quotes;
		} else if (mta_is_space((unsigned char)*cp) && !in_quotes) {
			break;
		}
	}
	if (in_quotes)
		return -1;
	if (*cp)
		*cp++ = '\0';
	*key = line;
	*value = mta_str_trim(cp);
	return 0;
}

/* mapsrc_check - is this line usable; warn and return 0 when not */
static int
mapsrc_check(struct mta_mapsrc *src, char *line, size_t len, char **key,
	     char **value)
{
	if (strlen(line) != len)
		mapsrc_warn(src, "NUL byte in line -- ignoring this line");
	else if (!mta_utf8_valid(line, len))
		mapsrc_warn(src, "not UTF-8 -- ignoring this line");
	else if (mapsrc_split(line, key, value) < 0)
		mapsrc_warn(src, "unbalanced '\"' -- ignoring this line");
	else if (**key == '\0' || **value == '\0')
		mapsrc_warn(src, "expected format: key whitespace value -- "
			    "ignoring this line");
	else if (strlen(*key) > MTA_MAP_MAX_KEY)
		mapsrc_warn(src, "key longer than %d bytes -- ignoring this "
			    "line", MTA_MAP_MAX_KEY);
	else if (strlen(*value) > MTA_MAP_MAX_VALUE)
		mapsrc_warn(src, "value longer than %d bytes -- ignoring this "
			    "line", MTA_MAP_MAX_VALUE);
	else
		return 1;
	return 0;
}

/*
 * mta_mapsrc_next - the next usable entry: 1 (key, value, lineno set;
 * valid until the next call), 0 at the end, -1 on a read error.
 */
int
mta_mapsrc_next(struct mta_mapsrc *src, char **key, char **value,
		int *lineno)
{
	char *line;
	size_t len;
	int rc;

	for (;;) {
		rc = mta_line_read(&src->lr, &line, &len);
		if (rc == MTA_LINE_EOF)
			return 0;
		if (rc == MTA_LINE_ERROR) {
			mta_buf_clear(&src->error);
			mta_buf_printf(&src->error, "read %s: %s", src->lr.path,
				       strerror(errno));
			return -1;
		}
		if (rc == MTA_LINE_TOOLONG) {
			mapsrc_warn(src, "line longer than %d bytes -- ignoring "
				    "it", MAPSRC_MAX_LINE);
			continue;
		}
		if (!mapsrc_check(src, line, len, key, value))
			continue;
		if ((*key)[strlen(*key) - 1] == ':')
			mapsrc_warn(src, "record is in \"key: value\" format; "
				    "is this an alias file?");
		*lineno = src->lr.lineno;
		return 1;
	}
}
