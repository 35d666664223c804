/*
 * Unit tests for lib/cleanup: the maildrop files of the Postfix 3.7
 * fixtures go through cleanup and come out record for record as Postfix's
 * pickup+cleanup wrote them (02-incoming), ignoring only what must differ
 * (queue id, create time, the generated Message-Id's value); then each
 * rule: masquerading (the seed's case), Bcc/Return-Path removal, the
 * limits, stray CR, extraction; Postfix's postcat reads what we write.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "mem.h"
#include "qfile.h"
#include "record.h"
#include "tap.h"

#define MAX_RECS 256

struct rec {
	int type;
	char *data;
	size_t len;
};

struct recs {
	struct rec v[MAX_RECS];
	size_t n;
};

static char dir[] = "/tmp/mta-cleanup.XXXXXX";
static struct mta_spool sp;
static struct mta_config *cfg;
static const char *top;

/* load - main.cf = the fixtures' settings + extra, then load it */
static void
load(const char *extra)
{
	char path[1024];
	struct mta_buf err = MTA_BUF_INIT(1024);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/etc/main.cf", dir);
	fp = fopen(path, "w");
	fprintf(fp,
	        "queue_directory = %s\nmyhostname = mx.test.example\n"
	        "mydomain = test.example\nmyorigin = $mydomain\n"
	        "mail_name = Postfix\n%s\n",
	        dir, extra);
	fclose(fp);
	if (cfg)
		mta_config_free(cfg);
	snprintf(path, sizeof(path), "%s/etc", dir);
	cfg = mta_config_load(path, &err);
	if (cfg == NULL)
		printf("# config: %s\n", err.data);
	mta_buf_release(&err);
}

/* read_recs - every record of a file */
static int
read_recs(const char *path, struct recs *out)
{
	FILE *fp = fopen(path, "r");
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 20);
	int type;

	out->n = 0;
	if (fp == NULL)
		return -1;
	mta_rec_reader_init(&rr, fp, 1 << 20, 0);
	while (out->n < MAX_RECS && mta_rec_read(&rr, &type, &data) == 1) {
		out->v[out->n].type = type;
		out->v[out->n].data =
		        mta_memdup(data.data ? data.data : "", data.len + 1);
		out->v[out->n].len = data.len;
		out->n++;
	}
	mta_buf_release(&data);
	fclose(fp);
	return 0;
}

/* free_recs - release what read_recs read */
static void
free_recs(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].data);
	r->n = 0;
}

/* feed - a maildrop file through cleanup, as pickup would; the id */
static int
feed(const char *path, int flags, uid_t uid, bool late_rcpts, char *id)
{
	struct recs in;
	struct mta_buf err = MTA_BUF_INIT(256), why = MTA_BUF_INIT(256);
	struct mta_cleanup *c;
	int segment = 0, status;

	if (read_recs(path, &in) < 0 ||
	    (c = mta_cleanup_open(cfg, &sp, flags, &err)) == NULL)
		return -1;
	mta_cleanup_uid(c, uid);
	for (size_t i = 0; i < in.n; i++) {
		struct rec *r = &in.v[i];
		char *eq;
		long long sec = 0;
		long usec = 0;

		switch (r->type) {
		case 'T':
			sscanf(r->data, "%lld %ld", &sec, &usec);
			mta_cleanup_time(c, (time_t)sec, usec);
			break;
		case 'A':
			if ((eq = strchr(r->data, '=')) != NULL) {
				*eq = '\0';
				mta_cleanup_attr(c, r->data, eq + 1);
			}
			break;
		case 'F':
			mta_cleanup_fullname(c, r->data);
			break;
		case 'S':
			mta_cleanup_sender(c, r->data);
			break;
		case 'R':
			if (segment < 2 || late_rcpts)
				mta_cleanup_recipient(c, r->data, NULL, 0,
				                      NULL);
			break;
		case 'M':
		case 'X':
			segment++;
			break;
		case 'N':
		case 'L':
			mta_cleanup_text(c, r->data, r->len, r->type == 'N');
			break;
		}
	}
	free_recs(&in);
	status = mta_cleanup_close(c, id, &why);
	if (status)
		printf("# cleanup: %d %s\n", status, why.data ? why.data : "");
	mta_buf_release(&err);
	mta_buf_release(&why);
	return status;
}

/* normalize - a payload with the queue id as QID */
static void
normalize(const char *in, const char *id, char *out, size_t size)
{
	const char *p;
	size_t n = 0, idlen = strlen(id);

	while (*in && n + 4 < size) {
		if ((p = strstr(in, id)) == in) {
			memcpy(out + n, "QID", 3);
			n += 3;
			in += idlen;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

/* same_rec - equal but for what must differ */
static bool
same_rec(const struct rec *a, const char *aid, const struct rec *b,
         const char *bid)
{
	static char na[8192], nb[8192];
	regex_t re;
	bool match;

	if (a->type != b->type)
		return false;
	if (a->type == 'A' && strncmp(a->data, "create_time=", 12) == 0)
		return strncmp(b->data, "create_time=", 12) == 0;
	normalize(a->data, aid, na, sizeof(na));
	normalize(b->data, bid, nb, sizeof(nb));
	if (strncmp(na, "Message-Id: <", 13) == 0 &&
	    strncmp(nb, "Message-Id: <", 13) == 0) {
		regcomp(&re,
		        "^Message-Id: <[0-9]{14}\\.QID@mx\\.test\\.example>$",
		        REG_EXTENDED | REG_NOSUB);
		match = regexec(&re, na, 0, NULL, 0) == 0 &&
		        regexec(&re, nb, 0, NULL, 0) == 0;
		regfree(&re);
		return match;
	}
	return strcmp(na, nb) == 0;
}

/* spool_file - the path of a queue file of ours */
static void
spool_file(const char *id, char *out, size_t size)
{
	char rel[MTA_SPOOL_PATH_MAX];

	mta_spool_path(&sp, MTA_QUEUE_INCOMING, id, rel, sizeof(rel));
	snprintf(out, size, "%s/%s", dir, rel);
}

/*
 * compare - our file against Postfix's, record by record; Postfix 3.7
 * writes no message_id attribute (3.8+ does), so ours is skipped.
 */
static bool
compare(const char *id, const char *fixture, const char *fid)
{
	struct recs a, b;
	char path[1024];
	size_t i = 0, j = 0;
	bool same = true;

	spool_file(id, path, sizeof(path));
	read_recs(path, &a);
	snprintf(path, sizeof(path),
	         "%s/t/data/postfix-3.7-spool/short-ids/02-incoming/spool/"
	         "incoming/%s",
	         top, fixture);
	read_recs(path, &b);
	while (same && i < a.n && j < b.n) {
		if (a.v[i].type == 'A' &&
		    strncmp(a.v[i].data, "message_id=", 11) == 0) {
			i++;
			continue;
		}
		same = same_rec(&a.v[i], id, &b.v[j], fid);
		if (!same)
			printf("# record %zu: got %c '%s' want %c '%s'\n", i,
			       a.v[i].type, a.v[i].data, b.v[j].type,
			       b.v[j].data);
		i++;
		j++;
	}
	same = same && i == a.n && j == b.n && b.n > 5;
	free_recs(&a);
	free_recs(&b);
	return same;
}

static const struct {
	const char *maildrop, *incoming, *what;
	uid_t uid;
} pairs[] = {
        {"D6E9E10E034", "A66D210E06B", "M1 sendmail plain", 0},
        {"E4CA110E035", "A790B10E06C", "M2 sendmail -t (Bcc removed)", 1001},
        {"ECABD10E03A", "A545B10E06A", "M3 8-bit DSN", 0},
        {"F3D9310E03B", "A41CF10E069", "M4 truncated at dot line", 0},
        {"06AF510E03C", "9F7C310E067", "M5 headers added", 0},
};

/* test_fixtures - the five maildrop files, as Postfix made them */
static void
test_fixtures(void)
{
	char path[1024], id[MTA_QID_SIZE], what[256];

	load("");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		snprintf(path, sizeof(path),
		         "%s/t/data/postfix-3.7-spool/short-ids/01-maildrop/"
		         "spool/maildrop/%s",
		         top, pairs[i].maildrop);
		snprintf(what, sizeof(what), "%s: same records as Postfix's",
		         pairs[i].what);
		ok(feed(path, MTA_CLEANUP_LOCAL, pairs[i].uid, true, id) == 0 &&
		           compare(id, pairs[i].incoming, pairs[i].incoming),
		   what);
	}
	snprintf(path, sizeof(path),
	         "%s/t/data/postfix-3.7-spool/short-ids/01-maildrop/spool/"
	         "maildrop/E4CA110E035",
	         top);
	ok(feed(path, MTA_CLEANUP_LOCAL | MTA_CLEANUP_EXTRACT, 1001, false,
	        id) == 0 &&
	           compare(id, "A790B10E06C", "A790B10E06C"),
	   "M2 with recipients extracted by cleanup itself: the same file");
}

/* submit - a message from text lines ("\n"-separated); status, id */
static int
submit(int flags, const char *sender, const char *rcpt, const char *text,
       char *id, struct mta_buf *why)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_cleanup *c = mta_cleanup_open(cfg, &sp, flags, &err);
	const char *nl;

	mta_buf_release(&err);
	if (c == NULL)
		return -1;
	mta_cleanup_time(c, 1795936282, 5);
	mta_cleanup_fullname(c, "Ann O'Nym (test)");
	mta_cleanup_sender(c, sender);
	if (rcpt)
		mta_cleanup_recipient(c, rcpt, NULL, 0, NULL);
	while (*text) {
		nl = strchr(text, '\n');
		mta_cleanup_text(c, text,
		                 nl ? (size_t)(nl - text) : strlen(text),
		                 nl != NULL);
		text = nl ? nl + 1 : text + strlen(text);
	}
	return mta_cleanup_close(c, id, why);
}

/* content - the content records of our file as text, N/L kept apart */
static char *
content(const char *id)
{
	static char out[65536];
	struct recs r;
	char path[1024];
	size_t n = 0;

	spool_file(id, path, sizeof(path));
	read_recs(path, &r);
	out[0] = '\0';
	for (size_t i = 0; i < r.n && n + 8 < sizeof(out); i++) {
		if (r.v[i].type != 'N' && r.v[i].type != 'L' &&
		    r.v[i].type != 'R' && r.v[i].type != 'S')
			continue;
		n += (size_t)snprintf(
		        out + n, sizeof(out) - n, "%c:%.*s\n", r.v[i].type,
		        (int)(r.v[i].len > 3000 ? 3000 : r.v[i].len),
		        r.v[i].data);
		if (n >= sizeof(out))
			n = sizeof(out) - 1;
	}
	free_recs(&r);
	return out;
}

/* test_masquerade - the seed's case: masquerade_domains = $mydomain */
static void
test_masquerade(void)
{
	char id[MTA_QID_SIZE], *out;
	struct mta_buf why = MTA_BUF_INIT(256);

	load("mydomain = example.com\nmyorigin = host.example.com\n"
	     "masquerade_domains = !sub.example.com, $mydomain\n"
	     "masquerade_exceptions = root\n");
	ok(submit(MTA_CLEANUP_LOCAL, "a@host.example.com", "b@example.org",
	          "From: Alice A <a@host.example.com>\n"
	          "Sender: root@host.example.com\n"
	          "Reply-To: x@sub.example.com, y@deep.host.example.com\n"
	          "To: bob@example.org,\n\t(Carl) carl@mail.example.com\n"
	          "Cc: bare\n"
	          "Subject: masq a@host.example.com\n\nbody "
	          "a@host.example.com\n",
	          id, &why) == 0,
	   "masquerade: accepted");
	out = content(id);
	ok(strstr(out, "S:a@example.com\n") != NULL,
	   "masquerade: envelope sender (envelope_sender class)");
	ok(strstr(out, "R:b@example.org\n") != NULL,
	   "masquerade: envelope recipient untouched (class not listed)");
	ok(strstr(out, "N:From: Alice A <a@example.com>\n") != NULL,
	   "masquerade: From: keeps its display name");
	ok(strstr(out, "N:Sender: root@host.example.com\n") != NULL,
	   "masquerade: masquerade_exceptions = root keeps root as is");
	ok(strstr(out, "N:Reply-To: x@sub.example.com, y@example.com\n") !=
	           NULL,
	   "masquerade: !sub.example.com stops it, a deeper host is "
	   "masqueraded");
	ok(strstr(out,
	          "N:To: bob@example.org,\nN:\t(Carl) carl@example.com\n") !=
	           NULL,
	   "masquerade: a folded header keeps its lines and comments");
	ok(strstr(out, "N:Cc: bare@host.example.com\n") == NULL &&
	           strstr(out, "N:Cc: bare@example.com\n") != NULL,
	   "masquerade: a bare header address gets @myorigin, then "
	   "masqueraded");
	ok(strstr(out, "N:Subject: masq a@host.example.com\n") != NULL &&
	           strstr(out, "N:body a@host.example.com\n") != NULL,
	   "masquerade: Subject: and body are never touched");
	ok(submit(MTA_CLEANUP_LOCAL | MTA_CLEANUP_BOUNCE, "",
	          "a@host.example.com", "From: x@host.example.com\n\nb\n", id,
	          &why) == 0 &&
	           strstr(content(id), "N:From: x@host.example.com\n") != NULL,
	   "masquerade: never in a bounce we generate");
	mta_buf_release(&why);
}

/* test_headers - removed, added, limits */
static void
test_headers(void)
{
	char id[MTA_QID_SIZE], *out;
	struct mta_buf why = MTA_BUF_INIT(256);
	static char big[6000];

	load("header_size_limit = 1024\nline_length_limit = 2048\n");
	ok(submit(MTA_CLEANUP_LOCAL, "ann", "bob",
	          "Return-Path: <evil@example.net>\nBcc: secret@example.net\n"
	          "Content-Length: 3\nSubject: a\rb\n\nbody\rline\n",
	          id, &why) == 0,
	   "headers: accepted");
	out = content(id);
	ok(strstr(out, "Return-Path") == NULL && strstr(out, "Bcc") == NULL &&
	           strstr(out, "Content-Length") == NULL,
	   "headers: Return-Path, Bcc, Content-Length removed (without -t "
	   "too)");
	ok(strstr(out, "N:Subject: a b\n") && strstr(out, "N:body line\n"),
	   "headers: a stray CR becomes a space");
	ok(strstr(out, "S:ann@test.example\nR:bob@test.example\n") != NULL,
	   "envelope: bare names get @myorigin");
	ok(strstr(out, "N:From: \"Ann O'Nym (test)\" <ann@test.example>\n") !=
	           NULL,
	   "headers: From: added with the full name quoted (it has specials)");
	ok(strstr(out, "N:Received: by mx.test.example (Postfix)\n") != NULL,
	   "headers: Received: added first");

	memset(big, 'h', sizeof(big) - 1);
	memcpy(big, "X-Big: ", 7);
	big[sizeof(big) - 2] = '\n';
	ok(submit(MTA_CLEANUP_LOCAL, "ann", "bob", big, id, &why) == 0,
	   "headers: an over-long header is accepted");
	out = content(id);
	ok(strstr(out, "N:X-Big: hhh") != NULL &&
	           strstr(out, "N:X-Big: ") + 2 + 1024 ==
	                   strchr(strstr(out, "N:X-Big: "), '\n'),
	   "headers: cut at header_size_limit");

	memset(big, 'b', sizeof(big) - 1);
	memcpy(big, "S: x\n\n", 6);
	big[sizeof(big) - 1] = '\0';
	ok(submit(MTA_CLEANUP_LOCAL, "ann", "bob", big, id, &why) == 0,
	   "body: a line of 5994 bytes is accepted");
	out = content(id);
	ok(strstr(out, "L:bbb") != NULL &&
	           strstr(strstr(out, "L:bbb") + 1, "L:bbb") != NULL,
	   "body: it is stored as L pieces of line_length_limit");
	mta_buf_release(&why);
}

/* test_limits - hops, size, recipients: refused, nothing left behind */
static void
test_limits(void)
{
	char id[MTA_QID_SIZE], path[1024];
	struct mta_buf why = MTA_BUF_INIT(256);
	struct stat st;
	int status;

	load("hopcount_limit = 3\nmessage_size_limit = 200\n");
	status = submit(MTA_CLEANUP_LOCAL, "ann", "bob",
	                "Received: from a\nReceived: from b\nSubject: x\n\ny\n",
	                id, &why);
	is_int(status, MTA_CLEANUP_HOPS,
	       "hops: 2 + ours reach hopcount_limit 3");
	spool_file(id, path, sizeof(path));
	ok(stat(path, &st) == -1, "hops: no queue file left");
	is_str(mta_cleanup_dsn(status), "5.4.0 Error: too many hops",
	       "hops: Postfix's reply text");
	ok(submit(MTA_CLEANUP_LOCAL, "ann", "bob", "Received: x\n\ny\n", id,
	          &why) == 0,
	   "hops: below the limit is fine");
	status = submit(MTA_CLEANUP_LOCAL, "ann", "bob",
	                "Subject: x\n\n"
	                "012345678901234567890123456789012345678901234567890123"
	                "4567890123456789\n"
	                "012345678901234567890123456789012345678901234567890123"
	                "4567890123456789\n"
	                "012345678901234567890123456789012345678901234567890123"
	                "4567890123456789\n",
	                id, &why);
	is_int(status, MTA_CLEANUP_SIZE, "size: over message_size_limit");
	is_int(mta_cleanup_smtp(status), 552, "size: 552");
	status = submit(MTA_CLEANUP_LOCAL, "ann", NULL, "Subject: x\n\ny\n", id,
	                &why);
	is_int(status, MTA_CLEANUP_RCPT, "no recipient: refused");
	status = submit(MTA_CLEANUP_LOCAL | MTA_CLEANUP_EXTRACT, "ann", NULL,
	                "To: a, b@example.org\nCc: \"A B\" <b@example.org>\n"
	                "Bcc: hidden\nSubject: x\n\ny\n",
	                id, &why);
	is_int(status, 0, "-t: recipients from To/Cc/Bcc");
	ok(strstr(content(id), "R:a@test.example\nR:b@example.org\n"
	                       "R:hidden@test.example\n") != NULL &&
	           strstr(content(id), "Bcc") == NULL,
	   "-t: each once, in order, qualified; Bcc gone");
	status = submit(0, "ann@example.org", "bob@example.org",
	                "Subject: x\n\ny\n", id, &why);
	is_int(status, MTA_CLEANUP_BAD,
	       "remote: no Received: header is refused, as Postfix does");
	ok(submit(0, "ann@example.org", "bob@example.org",
	          "Received: from x\nFrom: bare\nSubject: x\n\ny\n", id,
	          &why) == 0 &&
	           strstr(content(id), "N:From: bare\n") != NULL &&
	           strstr(content(id), "Message-Id") == NULL &&
	           strstr(content(id), "N:Received: from x\n") != NULL,
	   "remote context: headers not rewritten, none added");
	is_str(mta_cleanup_dsn(MTA_CLEANUP_NOSPACE),
	       "4.3.1 Error: insufficient system storage", "disk full: 4.3.1");
	is_str(mta_cleanup_dsn(MTA_CLEANUP_WRITE),
	       "4.3.0 Error: queue file write error", "write error: 4.3.0");
	mta_buf_release(&why);
}

/* test_sound - what we write is sound, and Postfix's postcat reads it */
static void
test_sound(void)
{
	char id[MTA_QID_SIZE], path[1024], cmd[2048], out[8192];
	struct mta_buf why = MTA_BUF_INIT(256);
	FILE *fp, *p;
	size_t n;

	load("");
	ok(submit(MTA_CLEANUP_LOCAL, "ann", "bob@example.org",
	          "Subject: postcat\n\nhello\n", id, &why) == 0,
	   "sound: accepted");
	spool_file(id, path, sizeof(path));
	fp = fopen(path, "r");
	ok(fp && mta_qfile_validate(fp, 0, &why) == 0, "sound: qfile check");
	if (fp)
		fclose(fp);
	if (access("/usr/sbin/postcat", X_OK) != 0) {
		printf("ok %d # skip postcat not installed (test peer)\n",
		       ++tap_count);
		mta_buf_release(&why);
		return;
	}
	snprintf(cmd, sizeof(cmd), "TZ=UTC /usr/sbin/postcat %s 2>&1", path);
	p = popen(cmd, "r");
	n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	if (p)
		pclose(p);
	ok(strstr(out, "sender: ann@test.example\n") &&
	           strstr(out, "recipient: bob@example.org\n") &&
	           strstr(out, "Subject: postcat\n") &&
	           strstr(out, "named_attribute: message_id=<") &&
	           strstr(out, "*** MESSAGE FILE END") &&
	           !strstr(out, "warning"),
	   "sound: Postfix's postcat reads it");
	mta_buf_release(&why);
}

int
main(void)
{
	char path[1024];
	struct mta_buf err = MTA_BUF_INIT(256);

	top = getenv("MTA_TOP") ? getenv("MTA_TOP") : ".";
	setenv("TZ", "UTC", 1);
	tzset();
	ok(mkdtemp(dir) != NULL, "scratch spool");
	snprintf(path, sizeof(path), "%s/incoming", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/etc", dir);
	mkdir(path, 0700);
	mta_spool_open(&sp, dir, "deferred", 1, false, &err);
	test_fixtures();
	test_masquerade();
	test_headers();
	test_limits();
	test_sound();
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ok(system(path) == 0, "clean up");
	mta_config_free(cfg);
	mta_spool_close(&sp);
	mta_buf_release(&err);
	return done_testing();
}
