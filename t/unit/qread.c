/*
 * Unit tests for lib/qread, the queue-file reader of local and smtp: a
 * file written by lib/qwriter is read back (content offset and size from
 * the 'C' record, DSN RET and ENVID, 8-bit encoding, the content with its
 * long lines, again after a rewind), its recipients can be marked done
 * through the reader's descriptor, it is share-locked while open, and a
 * 'C' record that lies is refused or caught before the content is done.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlv.h"
#include "qread.h"
#include "qwriter.h"
#include "record.h"
#include "tap.h"

#define MANY_RCPT 4000	/* the envelope outgrows the reader's stdio buffer */

static char dir[] = "/tmp/mta-qread.XXXXXX";
static struct mta_spool sp;

/* write_envelope - sender, DSN attributes, recipients (many) */
static void
write_envelope(struct mta_qwriter *w)
{
	char rcpt[64];

	mta_qwriter_str(w, 'T', "1700000000 5312");
	mta_qwriter_str(w, 'A', "create_time=1700000001");
	mta_qwriter_str(w, 'A', "envelope_id=env+2B1");
	mta_qwriter_str(w, 'A', "ret_flags=2");
	mta_qwriter_str(w, 'S', "alice@example.org");
	mta_qwriter_str(w, 'A', "dsn_orig_rcpt=rfc822;bob@example.com");
	mta_qwriter_str(w, 'A', "notify_flags=8");
	mta_qwriter_str(w, 'O', "bob@example.com");
	mta_qwriter_str(w, 'R', "bob@example.com");
	for (int i = 0; i < MANY_RCPT; i++) {
		snprintf(rcpt, sizeof(rcpt), "user%d@example.net", i);
		mta_qwriter_str(w, 'R', rcpt);
	}
	mta_qwriter_str(w, 'M', "");
}

/*
 * write_message - a message through qwriter; body, when not NULL, is one
 * more content line (of any bytes). Its id in id, offsets in *data, *xtra.
 */
static int
write_message(const char *body, size_t body_len, char *id, long long *data,
	      long long *xtra)
{
	struct mta_qwriter w;
	char big[5000];

	memset(big, 'b', sizeof(big));
	if (mta_qwriter_open(&w, &sp, MTA_QUEUE_ACTIVE) < 0)
		return -1;
	write_envelope(&w);
	mta_qwriter_line(&w, "Delivered-To: bob@example.com", 29);
	mta_qwriter_line(&w, "Subject: test", 13);
	mta_qwriter_line(&w, "", 0);
	mta_qwriter_line(&w, "hello", 5);
	mta_qwriter_line(&w, big, sizeof(big));
	if (body)
		mta_qwriter_line(&w, body, body_len);
	mta_qwriter_str(&w, 'X', "");
	mta_qwriter_str(&w, 'A', "encoding=8bit");
	mta_qwriter_str(&w, 'E', "");
	strlcpy(id, w.id, MTA_QID_SIZE);
	*data = w.data_offset;
	*xtra = w.xtra_offset;
	return mta_qwriter_close(&w);
}

/* file_path - the full path of a queue file of the active queue */
static void
file_path(const char *id, char *out, size_t size)
{
	char path[MTA_SPOOL_PATH_MAX];

	mta_spool_path(&sp, MTA_QUEUE_ACTIVE, id, path, sizeof(path));
	snprintf(out, size, "%s/%s", dir, path);
}

/* set_size - rewrite the 'C' record in place: a corrupted or lying file */
static int
set_size(const char *id, long long size, long long offset)
{
	long long f[MTA_REC_SIZE_FIELDS] = {size, offset, 1 + MANY_RCPT, 0,
					    size, 0};
	char payload[MTA_REC_SIZE_PAYLOAD + 1], full[1024];
	int fd, rc;

	file_path(id, full, sizeof(full));
	if (mta_rec_size_format(payload, f) < 0 ||
	    (fd = open(full, O_WRONLY)) < 0)
		return -1;
	/* 'C', one length byte (95), the payload */
	rc = pwrite(fd, payload, MTA_REC_SIZE_PAYLOAD, 2) ==
	     MTA_REC_SIZE_PAYLOAD ? 0 : -1;
	close(fd);
	return rc;
}

/* read_all - the content as text, lines joined by LF; -1 on a read error */
static int
read_all(struct mta_qread *q, struct mta_buf *out, int *pieces)
{
	const char *data;
	size_t len;
	bool more;
	int rc;

	mta_buf_clear(out);
	*pieces = 0;
	if (mta_qread_rewind(q) < 0)
		return -1;
	while ((rc = mta_qread_piece(q, &data, &len, &more)) > 0) {
		mta_buf_add(out, data, len);
		if (!more)
			mta_buf_add(out, "\n", 1);
		(*pieces)++;
	}
	return rc;
}

/* first_rcpt - the offset of the first R record, by a plain walk */
static long
first_rcpt(const char *id)
{
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 20);
	char full[1024];
	long where = -1;
	FILE *fp;
	int type;

	file_path(id, full, sizeof(full));
	if ((fp = fopen(full, "r")) == NULL)
		return -1;
	mta_rec_reader_init(&rr, fp, 1 << 20, 0);
	while (mta_rec_read(&rr, &type, &data) == 1 && type != 'M')
		if (type == 'R') {
			where = (long)rr.offset;
			break;
		}
	fclose(fp);
	mta_buf_release(&data);
	return where;
}

/* test_read_back - what the writer wrote, the reader gives back */
static void
test_read_back(void)
{
	struct mta_buf err = MTA_BUF_INIT(256), text = MTA_BUF_INIT(1 << 16);
	struct mta_qread q;
	char id[MTA_QID_SIZE];
	long long data, xtra;
	int pieces;

	ok(write_message(NULL, 0, id, &data, &xtra) == 0, "a message written");
	ok(data > MTA_QREAD_IOBUF, "its envelope is larger than the buffer");
	ok(mta_qread_open(&sp, MTA_QUEUE_ACTIVE, id, &q, &err) == 0,
	   "qread opens it");
	is_str(err.len ? mta_buf_str(&err) : "", "", "no error");
	is_int((long)q.data_offset, (long)data, "content offset as written");
	is_int((long)q.size, (long)(xtra - data), "content size as written");
	is_int(q.dsn_ret, MTA_QREAD_RET_HDRS, "DSN RET=HDRS (ret_flags)");
	is_str(q.dsn_envid, "env+2B1", "DSN ENVID (envelope_id)");
	ok(q.eightbit, "encoding=8bit from the extracted segment");
	ok(read_all(&q, &text, &pieces) == 0, "the content reads to X");
	ok(text.len == 29 + 1 + 13 + 1 + 1 + 5 + 1 + 5000 + 1 &&
		   strncmp(mta_buf_str(&text), "Delivered-To: bob@example.com\n"
			   "Subject: test\n\nhello\nbbb", 49) == 0 &&
		   text.data[text.len - 2] == 'b',
	   "headers, body and the 5000-byte line, in order");
	ok(pieces > 5, "the long line came in L pieces");
	ok(read_all(&q, &text, &pieces) == 0 && text.len == 5052,
	   "a rewind reads it all again");
	mta_qread_close(&q);
	mta_buf_release(&err);
	mta_buf_release(&text);
}

/* test_recipients - the reader's descriptor marks a recipient done */
static void
test_recipients(void)
{
	struct mta_buf err = MTA_BUF_INIT(256), text = MTA_BUF_INIT(1 << 16);
	struct mta_qread q;
	char id[MTA_QID_SIZE], full[1024], type = 0;
	long long data, xtra;
	long where;
	int pieces, other;

	write_message(NULL, 0, id, &data, &xtra);
	where = first_rcpt(id);
	ok(where > 0 && where < data, "the first recipient is in the envelope");
	mta_qread_open(&sp, MTA_QUEUE_ACTIVE, id, &q, &err);
	ok(mta_dlv_mark_done(q.fd, where) == 0, "marked done through q.fd");
	ok(mta_dlv_mark_done(q.fd, (long)data) < 0,
	   "the content is never marked");
	ok(pread(q.fd, &type, 1, where) == 1 && type == 'D',
	   "the R record became D");
	ok(read_all(&q, &text, &pieces) == 0 && text.len == 5052,
	   "the content still reads");
	file_path(id, full, sizeof(full));
	other = open(full, O_RDONLY);
	ok(other >= 0 && flock(other, LOCK_EX | LOCK_NB) < 0,
	   "qmgr's exclusive lock waits while the agent reads");
	mta_qread_close(&q);
	ok(other >= 0 && flock(other, LOCK_EX | LOCK_NB) == 0,
	   "and is free once the reader is closed");
	if (other >= 0)
		close(other);
	mta_buf_release(&err);
	mta_buf_release(&text);
}

/* refused - does qread refuse the file, saying why (contains want)? */
static bool
refused(const char *id, const char *want)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_qread q;
	bool yes;

	yes = mta_qread_open(&sp, MTA_QUEUE_ACTIVE, id, &q, &err) < 0 &&
	      strstr(mta_buf_str(&err), want) != NULL;
	if (!yes)
		printf("# error: %s\n", mta_buf_str(&err));
	mta_qread_close(&q);
	mta_buf_release(&err);
	return yes;
}

/* test_lying_size - a 'C' record that lies is refused, never followed */
static void
test_lying_size(void)
{
	char id[MTA_QID_SIZE];
	long long data, xtra;

	write_message(NULL, 0, id, &data, &xtra);
	ok(set_size(id, xtra - data, data + 2) == 0 &&
		   refused(id, "size record does not match the content"),
	   "a data offset past the M record: refused");
	ok(set_size(id, xtra - data, data - 3) == 0 &&
		   refused(id, "size record does not match the content"),
	   "a data offset inside the envelope: refused");
	ok(set_size(id, xtra - data - 1, data) == 0 &&
		   refused(id, "size record does not match the content"),
	   "a content size one short: refused");
	ok(set_size(id, xtra - data + 3, data) == 0 &&
		   refused(id, "size record does not match the content"),
	   "a content size past X: refused");
	ok(set_size(id, 999999999999LL, data) == 0 &&
		   refused(id, "size record past the end of the file"),
	   "a content size past the end of the file: refused");
	ok(set_size(id, -5, data) == 0 && refused(id, "bad size record"),
	   "a negative size: refused");
}

/*
 * test_forged_x - content that carries bytes of an X, an A and an E
 * record, with a 'C' size pointing at them: the forged ret_flags= may be
 * seen at open, but reading the content fails at the real X.
 */
static void
test_forged_x(void)
{
	static const char forged[] = "zzX\001aA\013ret_flags=1E\001a";
	struct mta_buf err = MTA_BUF_INIT(256), text = MTA_BUF_INIT(1 << 16);
	struct mta_qread q;
	char id[MTA_QID_SIZE];
	long long data, xtra, at;
	int pieces;

	write_message(forged, sizeof(forged) - 1, id, &data, &xtra);
	/* the last N record: type, one length byte, then the payload */
	at = xtra - (long long)(sizeof(forged) - 1) + 2;
	ok(set_size(id, at - data, data) == 0, "the size points into a line");
	if (mta_qread_open(&sp, MTA_QUEUE_ACTIVE, id, &q, &err) < 0) {
		ok(1, "refused at open");
		ok(1, "(nothing to read)");
	} else {
		ok(read_all(&q, &text, &pieces) < 0 &&
			   strstr(q.rr.error, "size record does not match"),
		   "the content read fails at the real X");
		ok(mta_qread_piece(&q, &(const char *){0}, &(size_t){0},
				   &(bool){0}) < 0,
		   "and keeps failing: the message never completes");
	}
	mta_qread_close(&q);
	mta_buf_release(&err);
	mta_buf_release(&text);
}

/* test_no_size - a file without a 'C' record is read through to X */
static void
test_no_size(void)
{
	struct mta_buf err = MTA_BUF_INIT(256), text = MTA_BUF_INIT(1 << 16);
	struct mta_qread q;
	char id[MTA_QID_SIZE];
	long long data, xtra;
	int pieces;

	write_message(NULL, 0, id, &data, &xtra);
	/* 'w' padding where the C record was: readers skip it */
	{
		char full[1024];
		int fd;

		file_path(id, full, sizeof(full));
		fd = open(full, O_WRONLY);
		ok(fd >= 0 && pwrite(fd, "w", 1, 0) == 1, "C record erased");
		if (fd >= 0)
			close(fd);
	}
	ok(mta_qread_open(&sp, MTA_QUEUE_ACTIVE, id, &q, &err) == 0,
	   "opened without a size record");
	ok(q.size == 0 && q.data_offset == data && q.eightbit,
	   "no size, the content found after M, the extracted segment read");
	ok(read_all(&q, &text, &pieces) == 0 && text.len == 5052,
	   "the content reads");
	mta_qread_close(&q);
	mta_buf_release(&err);
	mta_buf_release(&text);
}

/* test_missing - a file that is not there is an error, not a crash */
static void
test_missing(void)
{
	ok(refused("ABCDEF12345", "cannot open queue file"),
	   "a missing file: cannot open");
}

int
main(void)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	char full[1024];

	ok(mkdtemp(dir) != NULL, "scratch spool");
	snprintf(full, sizeof(full), "%s/active", dir);
	mkdir(full, 0700);
	ok(mta_spool_open(&sp, dir, "deferred", 1, false, &err) == 0,
	   "spool opened");
	test_read_back();
	test_recipients();
	test_lying_size();
	test_forged_x();
	test_no_size();
	test_missing();
	snprintf(full, sizeof(full), "rm -rf %s", dir);
	ok(system(full) == 0, "clean up");
	mta_spool_close(&sp);
	mta_buf_release(&err);
	return done_testing();
}
