/*
 * dsn - delivery status notifications (RFC 3464), as Postfix's bounce(8)
 * writes them: non-delivery notices from the bounce log (bounce/ID) and
 * delay warnings from the defer log (defer/[hash]/ID), submitted as new
 * mail through cleanup (in process) with the null sender.
 *
 * The notice is multipart/report; report-type=delivery-status with three
 * parts: a text/plain explanation with one "<addr>: reason" paragraph per
 * recipient; message/delivery-status (Reporting-MTA, X-Postfix-Queue-ID,
 * X-Postfix-Sender, Arrival-Date, then per recipient Final-Recipient,
 * Original-Recipient, Action, Status, Remote-MTA, Diagnostic-Code); and
 * the original, whole (message/rfc822) or its headers only
 * (text/rfc822-headers) when it is over bounce_size_limit, when the
 * sender asked RET=HDRS, and always for delay warnings. The field names
 * X-Postfix-* are kept on purpose: bounce processors look for them.
 *
 * Who gets it: the original envelope sender. A message with the null
 * sender is a bounce itself: its notice goes to 2bounce_notice_recipient
 * as a "double bounce", from double_bounce_sender; a message from
 * double_bounce_sender that fails is only logged and dropped, so that
 * bounces cannot loop. notify_classes "bounce" and "delay" add a
 * headers-only copy to bounce_notice_recipient / delay_notice_recipient.
 * Recipients that asked NOTIFY without FAILURE (or DELAY) are left out of
 * the sender's notice.
 *
 * Text from outside (reasons, a remote server's reply, addresses) has
 * every control character masked as '?', and long lines are folded with
 * leading white space, so nothing can start a new header or field.
 *
 * Both calls return 0 with the new queue id in newid (empty when nothing
 * had to be sent: no recipient wants the notice, or a double bounce was
 * dropped), or -1 with the reason in err: the caller keeps the message
 * and tries later. Neither removes the log or the queue file: the caller
 * does that once 0 is returned.
 */
#ifndef MTA_DSN_H
#define MTA_DSN_H

#include "buf.h"
#include "config.h"
#include "qid.h"
#include "spool.h"

int mta_dsn_bounce(struct mta_config *cfg, const struct mta_spool *sp,
                   const char *queue, const char *id, char newid[MTA_QID_SIZE],
                   struct mta_buf *err);
int mta_dsn_delay(struct mta_config *cfg, const struct mta_spool *sp,
                  const char *queue, const char *id, char newid[MTA_QID_SIZE],
                  struct mta_buf *err);

#endif
