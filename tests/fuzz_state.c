/*
 * Fuzz target: the daemon's and upload's own state files, as a crash, a
 * full disk or a hand edit may leave them: a batch's .json (metadata and
 * the input checkpoint it carries, spool_read_meta and
 * spool_read_checkpoint) and its .stage (ledger_read).
 *
 * The input is written as both files of one batch.  A crash, a sanitizer
 * report, an error without a reason, or a checkpoint that does not read
 * back the same after it is written (checkpoint_to_json, then
 * checkpoint_from_json) is a finding.
 */
#include <cJSON.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "fuzz_tmp.h"
#include "ledger.h"
#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_state_cleanup(void);

static char state_dir[64];
static char state_gz[128];

void
fuzz_state_cleanup(void)
{
	char p[256];

	if (state_dir[0] == '\0')
		return;
	snprintf(p, sizeof(p), "%s/b.json", state_dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/b.stage", state_dir);
	unlink(p);
	rmdir(state_dir);
	state_dir[0] = '\0';
}

static void
state_write(const char *path, const uint8_t *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1)
		abort();
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			abort();
		p += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* The checkpoint as compact JSON text (malloc'd), or NULL. */
static char *
state_print(const struct checkpoint *c)
{
	cJSON *o = checkpoint_to_json(c);
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch_meta m;
	struct ledger_entry e = {0};
	struct checkpoint c = {0}, again = {0};
	char p[256], err[512];

	if (state_dir[0] == '\0') {
		if (fuzz_tmp(state_dir, sizeof(state_dir), "fuzz_state", true))
			abort();
		snprintf(state_gz, sizeof(state_gz), "%s/b.log.gz", state_dir);
	}
	snprintf(p, sizeof(p), "%s/b.json", state_dir);
	state_write(p, data, size);
	snprintf(p, sizeof(p), "%s/b.stage", state_dir);
	state_write(p, data, size);

	(void)spool_read_meta(state_gz, &m);
	if (memchr(m.data_source, '\0', sizeof(m.data_source)) == NULL ||
	    memchr(m.source_type, '\0', sizeof(m.source_type)) == NULL)
		abort();

	err[0] = '\0';
	if (ledger_read(state_gz, &e, err, sizeof(err)) == -1 &&
	    (err[0] == '\0' || e.stage != LEDGER_SEALED || e.url != NULL))
		abort();
	if ((unsigned)e.stage >= LEDGER_NSTAGES ||
	    memchr(e.provider, '\0', sizeof(e.provider)) == NULL)
		abort();
	ledger_entry_clear(&e);

	if (spool_read_checkpoint(state_gz, &c) == 1) {
		char *s1 = state_print(&c), *s2 = NULL;
		cJSON *j = s1 ? cJSON_Parse(s1) : NULL;

		/* What was read is written and read back the same. */
		if (j != NULL && checkpoint_from_json(j, &again) == 0)
			s2 = state_print(&again);
		if (s1 != NULL && (s2 == NULL || strcmp(s1, s2) != 0))
			abort();
		cJSON_Delete(j);
		free(s1);
		free(s2);
	}
	checkpoint_clear(&c);
	checkpoint_clear(&again);
	return 0;
}
