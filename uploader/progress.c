/*
 * The progress bar: see progress.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "limits.h"
#include "log.h"
#include "progress.h"
#include "ratelimit.h"

static struct {
	bool on;       /* wanted, and stderr is a terminal */
	bool shown;    /* the bar is on the screen now */
	int64_t start; /* of the run */
	int64_t phase; /* start of the current phase */
	int64_t last;  /* last redraw */
	struct progress_view v;
} pg;

/* "12.3 MiB" */
static void
human(char *out, size_t len, uint64_t n)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)n;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%llu B", (unsigned long long)n);
	else
		snprintf(out, len, "%.1f %s", d, unit[u]);
}

char *
progress_format(char *out, size_t outlen, const struct progress_view *v,
                int width)
{
	char a[32], b[32] = "", rate[32], eta[48], bar[48];
	uint64_t done = v->sending ? v->sent : v->read;
	uint64_t total = v->sending ? v->send_total : v->read_total;
	double secs = (double)v->elapsed_ms / 1000, r;
	size_t n;

	if (total > 0 && done > total)
		done = total;
	r = secs > 0 ? (double)done / secs : 0;
	human(rate, sizeof(rate), (uint64_t)r);
	human(a, sizeof(a), done);
	eta[0] = bar[0] = '\0';
	if (total > 0) {
		int pct = (int)(done * 100 / total);

		bar[0] = '[';
		for (int i = 0; i < 20; i++)
			bar[1 + i] = i < pct / 5 ? '#' : '.';
		snprintf(bar + 21, sizeof(bar) - 21, "] %3d%% ", pct);
		human(b, sizeof(b), total);
		if (r > 0) {
			long left = (long)((double)(total - done) / r + 0.5);

			snprintf(eta, sizeof(eta), "  ETA %ld:%02ld", left / 60,
			         left % 60);
		}
	}
	/* What matters first: a narrow terminal cuts the end. */
	if (!v->sending)
		snprintf(out, outlen,
		         "reading %s%s%s%s  %s/s%s  (%llu lines kept)", bar, a,
		         total > 0 ? " of " : "", total > 0 ? b : "", rate, eta,
		         (unsigned long long)v->kept);
	else {
		char c[32];

		human(c, sizeof(c), v->read);
		snprintf(
		    out, outlen,
		    "sending %s%s of %s  %s/s%s  (read %s, %llu lines kept)",
		    bar, a, b, rate, eta, c, (unsigned long long)v->kept);
	}
	/* Never wrap: a wrapped line cannot be erased with \r. */
	n = strlen(out);
	if (width > 1 && n > (size_t)width - 1)
		out[width - 1] = '\0';
	return out;
}

static void
draw(bool force)
{
	struct winsize ws;
	char line[512];
	int64_t now;
	int width = 80;

	if (!pg.on)
		return;
	now = mono_ms();
	if (now - pg.start < PROGRESS_DELAY_MS)
		return;
	if (!force && now - pg.last < PROGRESS_INTERVAL_MS)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	pg.v.elapsed_ms = now - pg.phase;
	progress_format(line, sizeof(line), &pg.v, width);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	pg.shown = true;
	pg.last = now;
}

void
progress_clear(void)
{
	if (!pg.on || !pg.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	pg.shown = false;
}

void
progress_init(bool want)
{
	memset(&pg, 0, sizeof(pg));
	pg.on = want && isatty(STDERR_FILENO);
	pg.start = pg.phase = mono_ms();
	if (pg.on)
		log_set_hook(progress_clear);
}

void
progress_input(uint64_t total)
{
	pg.v.read_total = total;
}

void
progress_read(uint64_t bytes_read)
{
	pg.v.read = bytes_read;
	draw(false);
}

void
progress_kept(uint64_t lines)
{
	pg.v.kept += lines;
}

void
progress_send(uint64_t total)
{
	pg.v.sending = true;
	pg.v.send_total = total;
	pg.v.sent = 0;
	pg.phase = mono_ms();
	if (pg.v.read_total > pg.v.read)
		pg.v.read = pg.v.read_total;
	draw(false);
}

void
progress_sent(uint64_t sent)
{
	pg.v.sent = sent;
	draw(false);
}

void
progress_end(void)
{
	progress_clear();
	if (pg.on)
		log_set_hook(NULL);
	pg.on = false;
}
