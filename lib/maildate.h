/*
 * maildate - the date of mail headers (Date:, Received:, Arrival-Date:),
 * RFC 5322 in local time as Postfix writes it:
 * "Sun, 29 Nov 2026 07:11:23 +0000 (UTC)".
 */
#ifndef MTA_MAILDATE_H
#define MTA_MAILDATE_H

#include <stddef.h>
#include <time.h>

#define MTA_MAILDATE_SIZE 64

void mta_mail_date(time_t when, char *out, size_t size);

#endif
