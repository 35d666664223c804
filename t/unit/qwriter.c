/*
 * Unit tests for lib/qwriter: a queue file written through the library is
 * sound (qfile), has the sizes Postfix's readers seek by, is complete only
 * when closed, and is read by Debian's Postfix (postcat, qshape) with the
 * same envelope and content where those are installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qfile.h"
#include "qwriter.h"
#include "record.h"
#include "tap.h"

static char dir[] = "/tmp/mta-qwriter.XXXXXX";

/* write_message - one message with a long line, two recipients */
static int
write_message(struct mta_spool *sp, struct mta_qwriter *w)
{
	char big[5000];

	memset(big, 'b', sizeof(big));
	if (mta_qwriter_open(w, sp, MTA_QUEUE_INCOMING) < 0)
		return -1;
	mta_qwriter_str(w, 'T', "1700000000 5312");
	mta_qwriter_str(w, 'A', "create_time=1700000001");
	mta_qwriter_str(w, 'A', "rewrite_context=local");
	mta_qwriter_str(w, 'S', "alice@example.org");
	mta_qwriter_str(w, 'A', "dsn_orig_rcpt=rfc822;bob@example.com");
	mta_qwriter_str(w, 'O', "bob@example.com");
	mta_qwriter_str(w, 'R', "bob@example.com");
	mta_qwriter_str(w, 'A', "dsn_orig_rcpt=rfc822;carol@example.net");
	mta_qwriter_str(w, 'O', "carol@example.net");
	mta_qwriter_str(w, 'R', "carol@example.net");
	mta_qwriter_str(w, 'M', "");
	mta_qwriter_line(w, "Subject: test", 13);
	mta_qwriter_line(w, "", 0);
	mta_qwriter_line(w, "hello", 5);
	mta_qwriter_line(w, big, sizeof(big));
	mta_qwriter_str(w, 'X', "");
	mta_qwriter_str(w, 'A', "message_id=<1@example.org>");
	mta_qwriter_str(w, 'E', "");
	return mta_qwriter_close(w);
}

/* run - a command's output, or NULL */
static char *
run(const char *cmd)
{
	static char out[65536];
	FILE *p = popen(cmd, "r");
	size_t n;

	if (p == NULL)
		return NULL;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	return pclose(p) == 0 ? out : NULL;
}

static void
test_postfix_reads_it(const char *id)
{
	char cmd[1024], *out;
	FILE *fp;

	if (access("/usr/sbin/postcat", X_OK) != 0) {
		printf("ok %d # skip postcat not installed (test peer: "
		       "apt-get install postfix)\n", ++tap_count);
		printf("ok %d # skip qshape not installed\n", ++tap_count);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/pf", dir);
	mkdir(cmd, 0700);
	snprintf(cmd, sizeof(cmd), "%s/pf/main.cf", dir);
	fp = fopen(cmd, "w");
	fprintf(fp, "queue_directory = %s\n", dir);
	fclose(fp);
	snprintf(cmd, sizeof(cmd),
		 "TZ=UTC /usr/sbin/postcat -c %s/pf -q %s 2>&1", dir, id);
	out = run(cmd);
	ok(out && strstr(out, "sender: alice@example.org\n") &&
		   strstr(out, "original_recipient: carol@example.net\n"
			       "recipient: carol@example.net\n") &&
		   strstr(out, "*** MESSAGE CONTENTS") &&
		   strstr(out, "Subject: test\n\nhello\nbbbb") &&
		   strstr(out, "named_attribute: message_id=<1@example.org>\n") &&
		   strstr(out, "*** MESSAGE FILE END") &&
		   !strstr(out, "warning"),
	   "Postfix's postcat reads the envelope and the content");
	snprintf(cmd, sizeof(cmd),
		 "/usr/sbin/qshape -c %s/pf incoming 2>/dev/null", dir);
	out = run(cmd);
	ok(out && strstr(out, "TOTAL  2") && strstr(out, "example.com  1") &&
		   strstr(out, "example.net  1"),
	   "Postfix's qshape counts both recipients");
}

int
main(void)
{
	struct mta_spool sp;
	struct mta_qwriter w;
	struct mta_buf err = MTA_BUF_INIT(256), why = MTA_BUF_INIT(256);
	char path[MTA_SPOOL_PATH_MAX], full[1024];
	long long f[6];
	struct stat st;
	FILE *fp;

	ok(mkdtemp(dir) != NULL, "scratch spool");
	snprintf(full, sizeof(full), "%s/incoming", dir);
	mkdir(full, 0700);
	mta_spool_open(&sp, dir, "deferred", 1, false, &err);
	ok(write_message(&sp, &w) == 0, "a message written and closed");
	mta_spool_path(&sp, "incoming", w.id, path, sizeof(path));
	snprintf(full, sizeof(full), "%s/%s", dir, path);
	ok(stat(full, &st) == 0 && (st.st_mode & 07777) == 0700,
	   "closed means complete: mode 0700");
	fp = fopen(full, "r");
	ok(fp && mta_qfile_validate(fp, 0, &why) == 0, "the file is sound");
	if (fp) {
		struct mta_rec_reader rr;
		struct mta_buf data = MTA_BUF_INIT(1 << 20);
		int type;

		rewind(fp);
		mta_rec_reader_init(&rr, fp, 1 << 20, 0);
		mta_rec_read(&rr, &type, &data);
		ok(mta_rec_size_parse(data.data, data.len, f) == 6 && f[2] == 2 &&
			   f[0] == f[4] && f[3] == 0,
		   "size record: 2 recipients, content length, no mixed flag");
		mta_rec_read(&rr, &type, &data);
		ok(type == 'T', "the second record is T (qshape needs it)");
		mta_buf_release(&data);
		fclose(fp);
	}
	test_postfix_reads_it(w.id);

	ok(mta_qwriter_open(&w, &sp, MTA_QUEUE_INCOMING) == 0, "a second one");
	mta_spool_path(&sp, "incoming", w.id, path, sizeof(path));
	snprintf(full, sizeof(full), "%s/%s", dir, path);
	ok(stat(full, &st) == 0 && (st.st_mode & 0700) == 0600,
	   "while written it is 0600: readers skip it");
	ok(mta_qwriter_rec(&w, 'N', "x", 1) == -1, "content before M refused");
	ok(mta_qwriter_close(&w) == -1, "a failed writer cannot close");
	ok(stat(full, &st) == -1, "and its file is gone");
	ok(mta_qwriter_open(&w, &sp, MTA_QUEUE_INCOMING) == 0 &&
		   mta_qwriter_str(&w, 'S', "a") == 0 && mta_qwriter_close(&w) == -1,
	   "a file without its end record cannot close");
	snprintf(full, sizeof(full), "rm -rf %s", dir);
	ok(system(full) == 0, "clean up");
	mta_spool_close(&sp);
	mta_buf_release(&err);
	mta_buf_release(&why);
	return done_testing();
}
