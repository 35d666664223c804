/*
 * qid - Postfix queue ids, short and long, byte for byte.
 *
 * Short: the microseconds as exactly 5 upper-case hex digits, then the
 * file's inode in upper-case hex ("1E24012D687"). Long: seconds in base 52
 * padded to at least 6, microseconds in base 52 padded to exactly 4, the
 * separator 'z', the inode in base 51 ("4SVLCh0sf8z9HdB"); the alphabet is
 * digits and consonants, so 'z' (the 52nd symbol) never occurs in the
 * base-51 part. An id is long when its last 'z' is at index 10 or later.
 * A valid id is 1..255 ASCII letters, digits or '_'.
 */
#ifndef MTA_QID_H
#define MTA_QID_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define MTA_QID_MAX 255
#define MTA_QID_SIZE (MTA_QID_MAX + 1)

bool mta_qid_valid(const char *id);
bool mta_qid_is_long(const char *id);
int mta_qid_make(char *out, size_t size, bool long_form, time_t sec,
		 long usec, unsigned long long ino);
int mta_qid_hash_key(const char *id, char out[6]);
int mta_qid_inode(const char *id, unsigned long long *ino);

#endif
