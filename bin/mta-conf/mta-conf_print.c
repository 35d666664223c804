/* mta-conf_print - printing parameters and master.cf entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mastercf.h"
#include "mem.h"
#include "mta-conf.h"
#include "param.h"
#include "str.h"

#define VALUE_MAX (4 * 1024 * 1024)

/* squeeze - runs of white space to one space, as postconf prints values */
static void
squeeze(const char *in, struct mta_buf *out)
{
	bool space = false;

	for (in = mta_str_skip_space(in); *in; in++) {
		if (mta_is_space((unsigned char)*in)) {
			space = true;
			continue;
		}
		if (space)
			mta_buf_addc(out, ' ');
		space = false;
		mta_buf_addc(out, *in);
	}
}

/* print_one - "name = value", the value alone, or a JSON object */
static void
print_one(const struct conf_opts *o, const char *name, const char *value)
{
	struct mta_buf b = MTA_BUF_INIT(VALUE_MAX);
	struct mta_buf j = MTA_BUF_INIT(VALUE_MAX * 6 + 64);

	squeeze(value, &b);
	if (o->json) {
		mta_buf_adds(&j, "{\"name\":");
		mta_str_json(&j, name, strlen(name));
		mta_buf_adds(&j, ",\"value\":");
		mta_str_json(&j, b.data ? b.data : "", b.len);
		mta_buf_addc(&j, '}');
		puts(mta_buf_str(&j));
	} else if (o->values) {
		puts(mta_buf_str(&b));
	} else {
		printf("%s =%s%s\n", name, b.len ? " " : "", mta_buf_str(&b));
	}
	mta_buf_release(&b);
	mta_buf_release(&j);
}

/* value_text - the unexpanded text to print for name, or NULL: unknown */
static const char *
value_text(struct mta_config *cfg, const struct conf_opts *o,
	   const char *name)
{
	const char *raw = o->defaults ? NULL : mta_config_raw(cfg, name);

	if (raw)
		return raw;
	if (!o->defaults && strcmp(name, "config_directory") == 0)
		return mta_config_dir(cfg);
	return mta_config_default(cfg, name);
}

/* print_param - one parameter; -1 when it is unknown */
static int
print_param(struct mta_config *cfg, const struct conf_opts *o,
	    const char *name)
{
	struct mta_buf out = MTA_BUF_INIT(MTA_CONFIG_VALUE_MAX);
	struct mta_buf err = MTA_BUF_INIT(4096);
	const char *text = value_text(cfg, o, name);

	if (text == NULL) {
		mta_msg_warn("%s: unknown parameter", name);
		return -1;
	}
	if (o->expand) {
		const struct mta_param *p = mta_param_find(name);

		if (p && (p->flags & MTA_PARAM_RAW))
			mta_buf_set(&out, text);
		else if (mta_config_expand(cfg, text, &out, &err) < 0) {
			mta_msg_warn("%s: %s", name, mta_buf_str(&err));
			mta_buf_set(&out, text);
		}
		text = mta_buf_str(&out);
	}
	print_one(o, name, text);
	mta_buf_release(&out);
	mta_buf_release(&err);
	return 0;
}

/* name_cmp - qsort by name */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* set_names - the names main.cf sets, sorted; NULL-terminated */
static const char **
set_names(struct mta_config *cfg)
{
	const char **names = NULL, *name, *value;
	size_t n = 0, pos = 0;

	while (mta_config_next(cfg, &pos, &name, &value)) {
		names = mta_reallocarray(names, n + 2, sizeof(*names));
		names[n++] = name;
	}
	if (names == NULL)
		return mta_calloc(1, sizeof(*names));
	names[n] = NULL;
	qsort(names, n, sizeof(*names), name_cmp);
	return names;
}

/*
 * conf_print_params - the NAMEs given, else what main.cf sets (-n), else
 * every parameter of the table, in name order. 1 if a NAME is unknown.
 */
int
conf_print_params(struct mta_config *cfg, const struct conf_opts *o,
		  const char **names)
{
	const char **list = NULL;
	int rc = EX_OK;

	if (names && names[0]) {
		for (size_t i = 0; names[i]; i++)
			if (print_param(cfg, o, names[i]) < 0)
				rc = 1;
		return rc;
	}
	if (o->only_set) {
		list = set_names(cfg);
		for (size_t i = 0; list[i]; i++)
			print_param(cfg, o, list[i]);
		free(list);
		return rc;
	}
	for (size_t i = 0; i < mta_param_count; i++)
		print_param(cfg, o, mta_param_table[i].name);
	return rc;
}

/* master_json - one entry as a JSON object */
static void
master_json(const struct mta_master_ent *e)
{
	struct mta_buf j = MTA_BUF_INIT(MTA_MASTER_LINE_MAX * 8);
	static const char *cols[] = {"private", "unpriv", "chroot", "wakeup",
				     "maxproc"};

	mta_buf_adds(&j, "{\"service\":");
	mta_str_json(&j, e->service, strlen(e->service));
	mta_buf_printf(&j, ",\"type\":\"%s\"", mta_master_type_name(e->type));
	for (int i = 0; i < 5; i++) {
		mta_buf_printf(&j, ",\"%s\":", cols[i]);
		mta_str_json(&j, e->col[i], strlen(e->col[i]));
	}
	mta_buf_adds(&j, ",\"command\":");
	mta_str_json(&j, e->command, strlen(e->command));
	mta_buf_adds(&j, ",\"args\":[");
	for (size_t i = 0; i < e->argc; i++) {
		if (i)
			mta_buf_addc(&j, ',');
		mta_str_json(&j, e->argv[i], strlen(e->argv[i]));
	}
	mta_buf_adds(&j, "]}");
	puts(mta_buf_str(&j));
	mta_buf_release(&j);
}

/* master_print - one entry, text or JSON */
static void
master_print(const struct mta_master_ent *e, const struct conf_opts *o)
{
	struct mta_buf b = MTA_BUF_INIT(MTA_MASTER_LINE_MAX * 4);

	if (o->json) {
		master_json(e);
		return;
	}
	mta_master_format(e, o->fold, &b);
	puts(mta_buf_str(&b));
	mta_buf_release(&b);
}

/* master_select - print the entries matching "service" or "service/type" */
static int
master_select(const struct mta_master *m, const struct conf_opts *o,
	      const char *spec)
{
	char *copy = mta_strdup(spec);
	char *type = strchr(copy, '/');
	int found = 0;

	if (type)
		*type++ = '\0';
	for (size_t i = 0; i < m->n; i++) {
		const struct mta_master_ent *e = &m->ents[i];

		if (strcmp(e->service, copy) == 0 &&
		    (type == NULL ||
		     strcmp(mta_master_type_name(e->type), type) == 0)) {
			master_print(e, o);
			found = 1;
		}
	}
	free(copy);
	if (!found)
		mta_msg_warn("%s: no such service in %s", spec, m->path);
	return found;
}

/* conf_print_master - -M: master.cf entries; 1 if a selection matched none */
int
conf_print_master(const char *dir, const struct conf_opts *o,
		  const char **names)
{
	struct mta_buf path = MTA_BUF_INIT(4096), err = MTA_BUF_INIT(4096);
	struct mta_master *m;
	int rc = EX_OK;

	mta_buf_printf(&path, "%s/master.cf", dir);
	m = mta_master_load(mta_buf_str(&path), &err);
	if (m == NULL) {
		fprintf(stderr, "%s: error: %s\n", mta_msg_prog(),
			mta_buf_str(&err));
		rc = EX_CONFIG;
	} else if (names && names[0]) {
		for (size_t i = 0; names[i]; i++)
			if (!master_select(m, o, names[i]))
				rc = 1;
	} else {
		for (size_t i = 0; i < m->n; i++)
			master_print(&m->ents[i], o);
	}
	mta_master_free(m);
	mta_buf_release(&path);
	mta_buf_release(&err);
	return rc;
}
