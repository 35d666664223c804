/* qid - Postfix queue ids (see qid.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qid.h"

static const char qid_alphabet[] =
	"0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

#define QID_SEC_MIN 6
#define QID_USEC_LEN 4
#define QID_SEP 'z'

/* mta_qid_valid - the name test every spool scanner applies */
bool
mta_qid_valid(const char *id)
{
	size_t n = 0;

	for (const char *cp = id; *cp; cp++, n++) {
		char c = *cp;

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		      (c >= 'a' && c <= 'z') || c == '_'))
			return false;
	}
	return n > 0 && n <= MTA_QID_MAX;
}

/* mta_qid_is_long - does the id use the long (time-based) form */
bool
mta_qid_is_long(const char *id)
{
	const char *sep = strrchr(id, QID_SEP);

	return sep && sep - id >= QID_SEC_MIN + QID_USEC_LEN;
}

/* qid_encode - value in the given base, most significant digit first */
static int
qid_encode(char *out, size_t size, unsigned long long value, unsigned base,
	   size_t min_width)
{
	char tmp[64];
	size_t n = 0;

	do {
		tmp[n++] = qid_alphabet[value % base];
		value /= base;
	} while (value > 0);
	while (n < min_width && n < sizeof(tmp))
		tmp[n++] = '0';
	if (n + 1 > size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return (int)n;
}

/* qid_decode - a number in the given base; -1 on a foreign character */
static int
qid_decode(const char *text, size_t len, unsigned base,
	   unsigned long long *value)
{
	unsigned long long v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *pos = memchr(qid_alphabet, text[i], base);

		if (pos == NULL || v > (~0ULL - base) / base)
			return -1;
		v = v * base + (unsigned long long)(pos - qid_alphabet);
	}
	*value = v;
	return 0;
}

/* mta_qid_make - the id for a file created at sec.usec with inode ino */
int
mta_qid_make(char *out, size_t size, bool long_form, time_t sec, long usec,
	     unsigned long long ino)
{
	int n, m;

	if (!long_form) {
		n = snprintf(out, size, "%05lX%llX", (unsigned long)usec, ino);
		if (n < 0 || (size_t)n >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return 0;
	}
	if ((n = qid_encode(out, size, (unsigned long long)sec, 52,
			    QID_SEC_MIN)) < 0)
		return -1;
	if ((m = qid_encode(out + n, size - (size_t)n,
			    (unsigned long long)usec, 52, QID_USEC_LEN)) < 0)
		return -1;
	n += m;
	if ((size_t)n + 2 > size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[n++] = QID_SEP;
	return qid_encode(out + n, size - (size_t)n, ino, 51, 1) < 0 ? -1 : 0;
}

/*
 * mta_qid_hash_key - the 5 hex digits that name hashed sub-directories:
 * a short id's first five characters, or a long id's microseconds as
 * %05X ("00000" when they cannot be decoded, as Postfix does).
 */
int
mta_qid_hash_key(const char *id, char out[6])
{
	unsigned long long usec;
	const char *sep;

	if (!mta_qid_is_long(id)) {
		strlcpy(out, id, 6);
		return 0;
	}
	sep = strrchr(id, QID_SEP);
	if (qid_decode(sep - QID_USEC_LEN, QID_USEC_LEN, 52, &usec) < 0 ||
	    usec > 0xFFFFF)
		usec = 0;
	snprintf(out, 6, "%05llX", usec);
	return 0;
}

/* mta_qid_inode - the inode an id claims; -1 if it does not decode */
int
mta_qid_inode(const char *id, unsigned long long *ino)
{
	size_t len = strlen(id);

	if (mta_qid_is_long(id)) {
		const char *sep = strrchr(id, QID_SEP);

		return qid_decode(sep + 1, strlen(sep + 1), 51, ino);
	}
	if (len <= 5)
		return -1;
	*ino = 0;
	for (const char *cp = id + 5; *cp; cp++) {
		static const char hex[] = "0123456789ABCDEF";
		const char *pos = memchr(hex, *cp, 16);

		if (pos == NULL || *ino > (~0ULL >> 4))
			return -1;
		*ino = (*ino << 4) | (unsigned long long)(pos - hex);
	}
	return 0;
}
