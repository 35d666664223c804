/* maildate - RFC 5322 dates as Postfix writes them (see maildate.h). */
#include <stdio.h>
#include <time.h>

#include "maildate.h"

/* mta_mail_date - "Sun, 29 Nov 2026 07:11:23 +0000 (UTC)" (two-digit day,
 * as Postfix 3.8 and later) */
void
mta_mail_date(time_t when, char *out, size_t size)
{
	struct tm lt;
	char head[64], zone[64];
	long off;

	localtime_r(&when, &lt);
	off = lt.tm_gmtoff / 60;
	if (strftime(head, sizeof(head), "%a, %d %b %Y %H:%M:%S", &lt) == 0)
		head[0] = '\0';
	if (strftime(zone, sizeof(zone), "%Z", &lt) == 0)
		zone[0] = '\0';
	snprintf(out, size, "%s %c%02ld%02ld (%s)", head, off < 0 ? '-' : '+',
		 (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60, zone);
}
