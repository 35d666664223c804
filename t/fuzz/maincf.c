/*
 * maincf - libFuzzer harness for main.cf: reading, $name expansion of
 * every value, the --check findings and -e editing, on arbitrary bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[64];
static char path[128];

/* ignore - a report function that drops the findings */
static void
ignore(void *ctx, int level, const char *text)
{
	(void)ctx;
	(void)level;
	(void)text;
}

/* setup - one scratch directory per fuzzing process */
static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mta-fuzz-maincf.%ld", (long)getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
}

/* exercise - everything a loaded configuration can be asked */
static void
exercise(struct mta_config *cfg, const uint8_t *data, size_t size)
{
	struct mta_buf out = MTA_BUF_INIT(MTA_CONFIG_VALUE_MAX);
	struct mta_buf err = MTA_BUF_INIT(4096);
	const char *name, *value;
	size_t pos = 0;
	char *text = strndup((const char *)data, size);

	while (mta_config_next(cfg, &pos, &name, &value))
		(void)mta_config_str(cfg, name);
	(void)mta_config_int(cfg, "smtpd_recipient_limit");
	(void)mta_config_time(cfg, "maximal_queue_lifetime");
	mta_config_check(cfg, ignore, NULL);
	mta_config_expand(cfg, text, &out, &err);
	free(text);
	mta_buf_release(&out);
	mta_buf_release(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_config *cfg;
	char *edit[] = {"relayhost = [fuzz]:25", "mydestination=x"};
	FILE *fp;

	if (dir[0] == '\0')
		setup();
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	cfg = mta_config_load_flags(dir, MTA_CONFIG_NO_VALIDATE, &err);
	if (cfg) {
		exercise(cfg, data, size);
		mta_config_free(cfg);
	}
	mta_buf_clear(&err);
	mta_config_edit(path, edit, 2, 0, &err);
	mta_buf_release(&err);
	return 0;
}
