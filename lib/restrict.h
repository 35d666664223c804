/*
 * restrict - smtpd's access policy: the restriction lists of main.cf
 * (smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, smtpd_relay_restrictions,
 * smtpd_recipient_restrictions, smtpd_data_restrictions) with Postfix's
 * names and semantics: access tables (check_*_access, and a bare
 * type:table in a list), DNSBLs (reject_rbl_client, and the legacy
 * reject_maps_rbl + maps_rbl_domains, translated with a warning),
 * mynetworks, relay control (reject_unauth_destination ...), address and
 * host name syntax checks, smtpd_delay_reject, soft_bounce.
 *
 * Everything a list needs from outside (maps, the resolver) is opened by
 * mta_restrict_new(), before the daemon chroots. A list that names an
 * unknown restriction or a table that cannot be opened is a configuration
 * error: it is logged once, and every check that reaches it answers
 * "451 4.3.5 Server configuration error", as Postfix does: fail closed.
 *
 * smtpd fills a struct mta_rst_client as the session goes and asks
 * mta_restrict_check() at each stage. With smtpd_delay_reject = yes (the
 * default) the client, HELO and sender lists are evaluated at RCPT time,
 * and only then; their verdicts are kept in the session's state so that
 * a DNSBL is asked once a session, not once a recipient.
 */
#ifndef MTA_RESTRICT_H
#define MTA_RESTRICT_H

#include <stdbool.h>

#include "buf.h"
#include "config.h"
#include "dns.h"

struct mta_restrict;

/* What the checks see of the session; smtpd keeps it up to date. */
struct mta_rst_client {
	const char *name;	/* verified client host name, or "unknown" */
	const char *addr;	/* "192.0.2.1", "2001:db8::1" (no brackets) */
	const char *port;	/* "41234" */
	const char *helo;	/* NULL until HELO/EHLO */
	const char *protocol;	/* "SMTP", "ESMTP" */
	const char *sender;	/* NULL until MAIL FROM; "" the null sender */
	const char *recipient;	/* the RCPT TO at hand, else NULL */
	const char *queue_id;	/* NULL: the log says "NOQUEUE" */
	bool unauth_pipelining;	/* input came before a reply allowed it */
	void *state;		/* the module's memory of this session */
};

enum mta_rst_stage {
	MTA_RST_CONNECT,	/* smtpd_client_restrictions */
	MTA_RST_HELO,		/* smtpd_helo_restrictions */
	MTA_RST_MAIL,		/* smtpd_sender_restrictions */
	MTA_RST_RCPT,		/* smtpd_relay_ then smtpd_recipient_ */
	MTA_RST_DATA,		/* smtpd_data_restrictions */
};

enum mta_rst_action {
	MTA_RST_ACCEPT,		/* go on (possibly with discard/hold set) */
	MTA_RST_REJECT,		/* answer code dsn text; 4xx or 5xx */
};

#define MTA_RST_TEXT_MAX 512

struct mta_rst_verdict {
	enum mta_rst_action action;
	int code;		/* 554, 450, 451 ... (soft_bounce applied) */
	char dsn[8];		/* "5.7.1" */
	char text[MTA_RST_TEXT_MAX];	/* "<x@y>: Relay access denied" */
	bool discard;		/* DISCARD: accept, then drop the message */
	bool hold;		/* HOLD: accept into hold/ */
	char reason[MTA_RST_TEXT_MAX];	/* the text of discard/hold, for logs */
};

/* Compile every list of cfg and open its maps and the resolver. */
struct mta_restrict *mta_restrict_new(struct mta_config *cfg,
				      struct mta_dns *dns,
				      struct mta_buf *err);
void mta_restrict_free(struct mta_restrict *r);

/*
 * The verdict of one stage. Returns 0 with v filled (v->action says
 * which), or -1 on an internal error (v then holds a 451 4.3.0). Every
 * reject and warn_if_reject/WARN is also logged, as Postfix logs it:
 *
 *	NOQUEUE: reject: RCPT from host[192.0.2.1]: 554 5.7.1
 *	<x@elsewhere.test>: Relay access denied; from=<a@b>
 *	to=<x@elsewhere.test> proto=ESMTP helo=<h>
 *
 * cmd is the command for that line ("CONNECT", "EHLO", "MAIL", "RCPT",
 * "DATA").
 */
int mta_restrict_check(struct mta_restrict *r, enum mta_rst_stage stage,
		       const char *cmd, struct mta_rst_client *c,
		       struct mta_rst_verdict *v);

/*
 * Log a verdict that smtpd itself reached (a limit, a syntax error) in
 * the same shape: what is "reject", "reject_warning", "discard", "hold".
 */
void mta_restrict_log(const struct mta_rst_client *c, const char *cmd,
		      const char *what, const struct mta_rst_verdict *v);

/*
 * A new mail transaction (MAIL FROM, RSET, end of DATA): forget DISCARD
 * and HOLD. mta_restrict_check(MTA_RST_MAIL) does it too.
 */
void mta_restrict_reset_txn(struct mta_rst_client *c);

/* Forget what the session's state holds (end of session). */
void mta_restrict_session_end(struct mta_rst_client *c);

/* Is addr in mynetworks? */
bool mta_restrict_mynetworks(struct mta_restrict *r, const char *addr);

#endif
