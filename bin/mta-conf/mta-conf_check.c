/* mta-conf_check - --check (main.cf and master.cf) and --doc. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mastercf.h"
#include "mta-conf.h"
#include "param.h"
#include "str.h"

struct report {
	bool json;
	int errors;
	int warnings;
};

/* report - one finding on stderr ("mta-conf: warning: ...") or as JSON */
static void
report(void *ctx, int level, const char *text)
{
	struct report *r = ctx;
	const char *word = level == MTA_CONFIG_ERROR ? "error" : "warning";

	if (level == MTA_CONFIG_ERROR)
		r->errors++;
	else
		r->warnings++;
	if (r->json) {
		struct mta_buf j = MTA_BUF_INIT(64 * 1024);

		mta_buf_printf(&j, "{\"level\":\"%s\",\"message\":", word);
		mta_str_json(&j, text, strlen(text));
		mta_buf_addc(&j, '}');
		puts(mta_buf_str(&j));
		mta_buf_release(&j);
	} else {
		fprintf(stderr, "%s: %s: %s\n", mta_msg_prog(), word, text);
	}
}

/* check_override - one "-o name=value" of master.cf */
static void
check_override(struct mta_config *cfg, struct report *r,
	       const struct mta_master *m, const struct mta_master_ent *e,
	       size_t i)
{
	const struct mta_param *p = mta_param_find(e->opt_name[i]);
	struct mta_buf out = MTA_BUF_INIT(MTA_CONFIG_VALUE_MAX);
	struct mta_buf why = MTA_BUF_INIT(4096);
	char text[4096];
	const char *sugg;

	if (p == NULL) {
		sugg = mta_param_suggest(e->opt_name[i]);
		snprintf(text, sizeof(text), "%s, line %d: -o %s: %s%s%s",
			 m->path, e->lineno, e->opt_name[i],
			 mta_param_postfix_knows(e->opt_name[i]) ?
				 "a Postfix parameter that mta does not "
				 "support (ignored)" : "unknown parameter",
			 sugg ? "; did you mean " : "", sugg ? sugg : "");
		report(r, MTA_CONFIG_WARNING, text);
	} else if ((!(p->flags & MTA_PARAM_RAW) &&
		    mta_config_expand(cfg, e->opt_value[i], &out, &why) < 0) ||
		   mta_param_check(p, (p->flags & MTA_PARAM_RAW) ?
					      e->opt_value[i] : mta_buf_str(&out),
				   &why) < 0) {
		snprintf(text, sizeof(text), "%s, line %d: -o %s=%s: %s",
			 m->path, e->lineno, e->opt_name[i], e->opt_value[i],
			 mta_buf_str(&why));
		report(r, MTA_CONFIG_ERROR, text);
	}
	mta_buf_release(&out);
	mta_buf_release(&why);
}

/* check_master - master.cf: syntax, and each -o override */
static void
check_master(struct mta_config *cfg, const char *dir, struct report *r)
{
	struct mta_buf path = MTA_BUF_INIT(4096), err = MTA_BUF_INIT(4096);
	struct mta_master *m;

	mta_buf_printf(&path, "%s/master.cf", dir);
	m = mta_master_load(mta_buf_str(&path), &err);
	if (m == NULL) {
		report(r, errno == ENOENT ? MTA_CONFIG_WARNING : MTA_CONFIG_ERROR,
		       mta_buf_str(&err));
	} else {
		for (size_t i = 0; i < m->n; i++)
			for (size_t k = 0; k < m->ents[i].nopt; k++)
				check_override(cfg, r, m, &m->ents[i], k);
	}
	mta_master_free(m);
	mta_buf_release(&path);
	mta_buf_release(&err);
}

/*
 * conf_check - --check: every finding on stderr (or JSON on stdout); exit
 * 78 when there is an error, 0 when there are only warnings or nothing.
 */
int
conf_check(const char *dir, bool json)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct report r = {.json = json};
	struct mta_config *cfg;

	cfg = mta_config_load_flags(dir, MTA_CONFIG_NO_VALIDATE, &err);
	if (cfg == NULL) {
		report(&r, MTA_CONFIG_ERROR, mta_buf_str(&err));
		mta_buf_release(&err);
		return EX_CONFIG;
	}
	mta_config_check(cfg, report, &r);
	check_master(cfg, dir, &r);
	mta_config_free(cfg);
	mta_buf_release(&err);
	return r.errors ? EX_CONFIG : EX_OK;
}

/* roff - text with roff's special characters escaped */
static void
roff(const char *text)
{
	if (*text == '.' || *text == '\'')
		fputs("\\&", stdout);
	for (; *text; text++) {
		if (*text == '\\')
			fputs("\\e", stdout);
		else if (*text == '-')
			fputs("\\-", stdout);
		else
			putchar(*text);
	}
}

/* doc_kind - "time, default unit s" and the like */
static void
doc_kind(const struct mta_param *p)
{
	printf("%s", mta_param_type_name(p->type));
	if (p->type == MTA_PARAM_TIME)
		printf(", default unit %c", p->unit);
	if (p->type == MTA_PARAM_ENUM)
		printf(": %s", p->choices);
	if (p->min || p->max)
		printf(", %lld", p->min);
	if (p->max)
		printf("..%lld", p->max);
	else if (p->min)
		printf(" or more");
	if (p->flags & MTA_PARAM_EXT)
		printf("; an mta extension");
	else if (p->flags & (MTA_PARAM_OURS | MTA_PARAM_MACHINE))
		printf("; mta's default");
	if (p->flags & MTA_PARAM_OBSOLETE)
		printf("; obsolete");
}

/* conf_doc - --doc: the parameter list of mta-main.cf(5), in roff */
int
conf_doc(void)
{
	for (size_t i = 0; i < mta_param_count; i++) {
		const struct mta_param *p = &mta_param_table[i];

		printf(".TP\n.B ");
		roff(p->name);
		printf("\n(");
		doc_kind(p);
		printf(")\n.br\nDefault: ");
		if (p->flags & MTA_PARAM_MACHINE)
			roff("computed from the host name");
		else if (*p->def)
			roff(p->def);
		else
			printf("empty");
		printf(".\n.br\n");
		roff(p->desc);
		printf(".\n");
	}
	return EX_OK;
}
