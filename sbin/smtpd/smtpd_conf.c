/*
 * smtpd_conf - what lasts as long as an smtpd process: main.cf's values
 * read once, the restriction lists compiled and their tables opened, the
 * resolver, the connection table. All of it before the jail.
 */
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "smtpd.h"

/* bare_mode - smtpd_forbid_bare_newline: normalize (yes), reject, no */
static enum smtpd_bare
bare_mode(struct mta_config *cfg)
{
	const char *v = mta_config_str(cfg, "smtpd_forbid_bare_newline");

	if (v && strcasecmp(v, "reject") == 0)
		return SMTPD_BARE_REJECT;
	if (v && (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0))
		return SMTPD_BARE_NO;
	return SMTPD_BARE_NORMALIZE;
}

/* conf_netlist - a network list parameter, or NULL when it is empty */
static struct mta_netlist *
conf_netlist(struct mta_config *cfg, const char *param)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	const char *spec = mta_config_str(cfg, param);
	struct mta_netlist *nl = NULL;

	if (spec && *spec &&
	    (nl = mta_netlist_new(param, spec, 0, &err)) == NULL)
		mta_msg_warn("%s: %s", param, mta_buf_str(&err));
	mta_buf_release(&err);
	return nl;
}

/* conf_numbers - the limits and switches */
static void
conf_numbers(struct smtpd *sd, struct mta_config *cfg)
{
	sd->size_limit = mta_config_size(cfg, "message_size_limit");
	sd->queue_minfree = mta_config_size(cfg, "queue_minfree");
	sd->rcpt_limit = mta_config_int(cfg, "smtpd_recipient_limit");
	sd->hard_errors = mta_config_int(cfg, "smtpd_hard_error_limit");
	sd->soft_errors = mta_config_int(cfg, "smtpd_soft_error_limit");
	sd->junk_limit = mta_config_int(cfg, "smtpd_junk_command_limit");
	sd->error_sleep = mta_config_time(cfg, "smtpd_error_sleep_time");
	sd->timeout = mta_config_time(cfg, "smtpd_timeout");
	sd->line_limit = mta_config_int(cfg, "line_length_limit");
	if (sd->line_limit < 512)	/* RFC 5321 4.5.3.1.4 */
		sd->line_limit = 512;
	sd->min_data_rate = mta_config_int(cfg, "smtpd_min_data_rate");
	sd->conn_limit = mta_config_int(cfg,
					"smtpd_client_connection_count_limit");
	sd->rcpt_overshoot = mta_config_int(cfg,
					    "smtpd_recipient_overshoot_limit");
	sd->bare = bare_mode(cfg);
	sd->bare_reject_code = mta_config_int(cfg,
				"smtpd_forbid_bare_newline_reject_code");
	sd->strict_envelopes = mta_config_bool(cfg, "strict_rfc821_envelopes");
	sd->vrfy = !mta_config_bool(cfg, "disable_vrfy_command");
	sd->helo_required = mta_config_bool(cfg, "smtpd_helo_required");
	sd->forbid_pipelining = mta_config_bool(cfg,
				"smtpd_forbid_unauth_pipelining");
	sd->peername_lookup = mta_config_bool(cfg, "smtpd_peername_lookup");
}

/*
 * smtpd_init - everything a session needs, opened now. lookups false
 * keeps the resolver closed whatever main.cf says (the fuzz harness).
 */
int
smtpd_init(struct smtpd *sd, struct mta_config *cfg, struct mta_spool *spool,
	   const char *service, bool lookups, struct mta_buf *err)
{
	memset(sd, 0, sizeof(*sd));
	sd->cfg = cfg;
	sd->spool = spool;
	sd->service = service;
	sd->myhostname = mta_config_str(cfg, "myhostname");
	sd->banner = mta_config_str(cfg, "smtpd_banner");
	sd->mail_name = mta_config_str(cfg, "mail_name");
	conf_numbers(sd, cfg);
	if (lookups && (sd->dns = mta_dns_init(cfg, err)) == NULL)
		return -1;
	if (!lookups)
		sd->peername_lookup = false;
	if ((sd->rst = mta_restrict_new(cfg, sd->dns, err)) == NULL)
		return -1;
	sd->bare_exclusions = conf_netlist(cfg,
				"smtpd_forbid_bare_newline_exclusions");
	sd->limit_exclusions = conf_netlist(cfg,
				"smtpd_client_event_limit_exceptions");
	(void)smtpd_anvil_open(sd);
	return 0;
}

/* smtpd_release - the end of the process */
void
smtpd_release(struct smtpd *sd)
{
	mta_restrict_free(sd->rst);
	if (sd->dns)
		mta_dns_free(sd->dns);
	mta_netlist_free(sd->bare_exclusions);
	mta_netlist_free(sd->limit_exclusions);
	if (sd->anvil_fd >= 0)
		close(sd->anvil_fd);
}
