/* Unit tests for lib/qid: Postfix's short and long queue ids. */
#include <stdio.h>
#include <string.h>

#include "qid.h"
#include "tap.h"

int
main(void)
{
	char id[MTA_QID_SIZE], key[6];
	unsigned long long ino;

	ok(mta_qid_make(id, sizeof(id), false, 0, 123456, 1234567) == 0,
	   "short id made");
	is_str(id, "1E24012D687", "short id: %05X usec, %X inode");
	ok(mta_qid_make(id, sizeof(id), false, 0, 5, 0x10E06E) == 0 &&
		   strcmp(id, "0000510E06E") == 0,
	   "short id usec is zero padded");
	ok(mta_qid_make(id, sizeof(id), true, 1700000000, 123456, 1234567) == 0,
	   "long id made");
	is_str(id, "4SVLCh0sf8z9HdB", "long id: base 52 time, z, base 51 inode");
	ok(mta_qid_make(id, sizeof(id), true, 1795936330, 364808, 1106070) == 0,
	   "long id of a real fixture file");
	is_str(id, "4jcdd62ZvXz8KDd", "matches what Postfix 3.7 wrote");
	ok(mta_qid_make(id, 6, false, 0, 1, 0x12) == -1, "too small a buffer");

	ok(mta_qid_is_long("4jcdd62ZvXz8KDd"), "long id recognised");
	ok(!mta_qid_is_long("0807F10E06E"), "short id recognised");
	ok(mta_qid_inode("3Pt2mN2VXxznjll", &ino) == 0 && ino == 5536956,
	   "inode of Postfix's documented long id");
	ok(mta_qid_inode("0807F10E06E", &ino) == 0 && ino == 0x10E06E,
	   "inode of a short id");
	ok(mta_qid_inode("0807", &ino) == -1, "too short to hold an inode");
	ok(mta_qid_inode("0807Fxyz", &ino) == -1, "inode not hex");

	mta_qid_hash_key("4jcdd62ZvXz8KDd", key);
	is_str(key, "59108", "long id hashes by its microseconds as %05X");
	mta_qid_hash_key("0807F10E06E", key);
	is_str(key, "0807F", "short id hashes by its first five characters");

	ok(mta_qid_valid("0807F10E06E"), "valid id");
	ok(mta_qid_valid("flush_log_1"), "underscore allowed");
	ok(!mta_qid_valid(""), "empty id invalid");
	ok(!mta_qid_valid("12345.678"), "temporary names never valid");
	ok(!mta_qid_valid("../etc"), "path characters invalid");
	memset(id, 'A', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	ok(mta_qid_valid(id), "255 characters allowed");
	{
		char longer[300];

		memset(longer, 'A', 256);
		longer[256] = '\0';
		ok(!mta_qid_valid(longer), "256 characters not");
	}
	return done_testing();
}
