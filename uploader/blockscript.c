/*
 * The blockscript command and the local renderers: see blockscript.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockscript.h"
#include "cli.h"
#include "limits.h"
#include "log.h"
#include "mdca.h"

#define PERM_MANAGE "Discovery.manage"

/*
 * The format --render fetches its list from: Zscaler (120), one ".domain"
 * a line.  Of the formats that list domains it is the plainest to read
 * back (no device syntax around the name: BlueCoat's CPL has "url.domain="
 * and an action, FortiGate's quoted "set url"), and it is the one other
 * consumers take the list from (Cloudflare's MDCA integration strips the
 * leading '.', mdca-api.md §8.5).  Its '.' also says what every entry
 * means: the domain and its subdomains.
 */
#define RENDER_SOURCE 120

static const struct {
	const char *name;
	int code;
} appliances[] = {
    {"bluecoat", 102}, {"cisco-asa", 104}, {"fortigate", 108},
    {"paloalto", 112}, {"zscaler", 120},   {"juniper-srx", 129},
    {"websense", 135},
};

static const char *const renders[] = {
    [BS_DOMAINS] = "domains",     [BS_PALOALTO_EDL] = "paloalto-edl",
    [BS_SQUID_ACL] = "squid-acl", [BS_DNSMASQ] = "dnsmasq",
    [BS_UNBOUND] = "unbound",     [BS_HOSTS] = "hosts",
};

int
blockscript_appliance(const char *name)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(appliances) / sizeof(appliances[0]); i++)
		if (strcasecmp(name, appliances[i].name) == 0)
			return appliances[i].code;
	/* Any other number too: the API may know more formats than the
	 * seven documented ones (mdca-api.md §5.3: 202, 204 were tried). */
	errno = 0;
	v = strtol(name, &end, 10);
	if (errno != 0 || end == name || *end != '\0' || v < 1 || v > 9999)
		return -1;
	return (int)v;
}

int
blockscript_render_find(const char *name)
{
	for (size_t i = 0; i < sizeof(renders) / sizeof(renders[0]); i++)
		if (strcmp(name, renders[i]) == 0)
			return (int)i;
	return -1;
}

bool
blockscript_hostname_ok(const char *s, size_t n)
{
	size_t label = 0, labels = 0;
	bool digits = true;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '.';

		if (c == '.') {
			/* LDH: no empty label, no '-' at either end. */
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				return false;
			labels++;
			label = 0;
			if (i < n)
				digits = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
		if (!(c >= '0' && c <= '9'))
			digits = false;
		label++;
	}
	return labels >= 2 && !digits;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
blockscript_domains_free(struct blockscript_domains *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* Take one line: the name in it, normalised, or a drop. */
static int
take_line(struct blockscript_domains *d, const char *p, size_t n,
          size_t *dropped)
{
	char *name;

	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 &&
	       (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (n == 0 || *p == '#' || *p == ';')
		return 0;
	/* ".d" (Zscaler) and "*.d" both mean d and below. */
	if (n >= 2 && p[0] == '*' && p[1] == '.')
		p += 2, n -= 2;
	else if (p[0] == '.')
		p++, n--;
	if (n > 0 && p[n - 1] == '.') /* a fully qualified "d." */
		n--;
	if (n > 253)
		goto drop;
	if ((name = malloc(n + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		name[i] =
		    (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] + 32) : p[i];
	name[n] = '\0';
	if (!blockscript_hostname_ok(name, n)) {
		free(name);
		goto drop;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		char **v = realloc(d->v, cap * sizeof(*v));

		if (v == NULL) {
			free(name);
			return -1;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = name;
	return 0;
drop:
	(*dropped)++;
	return 0;
}

int
blockscript_domains_parse(struct blockscript_domains *d, const char *text,
                          size_t len, size_t *dropped)
{
	const char *p = text, *end = text + len;
	size_t out = 0;

	*dropped = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (take_line(d, p, n, dropped) == -1)
			return -1;
		p += n + 1;
	}
	if (d->n == 0)
		return 0;
	qsort(d->v, d->n, sizeof(*d->v), cmp_str);
	for (size_t i = 0; i < d->n; i++) {
		if (out > 0 && strcmp(d->v[out - 1], d->v[i]) == 0) {
			free(d->v[i]);
			continue;
		}
		d->v[out++] = d->v[i];
	}
	d->n = out;
	return 0;
}

/* Whether a parent domain of name (not name itself) is in the list. */
static bool
covered(const struct blockscript_domains *d, const char *name)
{
	for (const char *p = strchr(name, '.'); p != NULL;
	     p = strchr(p + 1, '.')) {
		const char *key = p + 1;

		if (strchr(key, '.') == NULL)
			break; /* a top-level domain is never listed */
		if (bsearch(&key, d->v, d->n, sizeof(*d->v), cmp_str) != NULL)
			return true;
	}
	return false;
}

int
blockscript_render(enum blockscript_render r,
                   const struct blockscript_domains *d, bool banned,
                   struct buf *out)
{
	const char *what =
	    banned ? "banned (unsanctioned)" : "allowed (sanctioned)";
	const char *acl = banned ? "mdca_banned" : "mdca_allowed";
	bool collapse = r != BS_DOMAINS && r != BS_HOSTS;

	/* A header where the format has comments; no date in it, so an
	 * unchanged list gives the same bytes (blockscript -o). */
	if (r == BS_SQUID_ACL || r == BS_DNSMASQ || r == BS_UNBOUND ||
	    r == BS_HOSTS) {
		if (buf_addf(out,
		             "# Microsoft Defender for Cloud Apps: %s apps.\n"
		             "# Rendered by discolog from the block script; do "
		             "not edit.\n",
		             what) == -1)
			return -1;
	}
	if (r == BS_UNBOUND && buf_adds(out, "server:\n") == -1)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		const char *n = d->v[i];
		int rc = 0;

		if (collapse && covered(d, n))
			continue;
		switch (r) {
		case BS_DOMAINS:
			rc = buf_addf(out, "%s\n", n);
			break;
		case BS_PALOALTO_EDL:
			/*
			 * A URL-list EDL entry: "d/" is the domain (the
			 * trailing '/' stops PAN-OS matching d.other.tld),
			 * "*.d/" every subdomain, which "d/" does not match.
			 */
			rc = buf_addf(out, "%s/\n*.%s/\n", n, n);
			break;
		case BS_SQUID_ACL:
			/* ".d" in dstdomain: d and its subdomains. */
			rc = buf_addf(out, "acl %s dstdomain .%s\n", acl, n);
			break;
		case BS_DNSMASQ:
			/* The name and everything under it. */
			rc = buf_addf(out, "address=/%s/0.0.0.0\n", n);
			break;
		case BS_UNBOUND:
			rc = buf_addf(
			    out, "\tlocal-zone: \"%s.\" always_nxdomain\n", n);
			break;
		case BS_HOSTS:
			rc = buf_addf(out, "0.0.0.0 %s\n", n);
			break;
		default:
			return -1;
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Whether path holds exactly data[0..len). */
static bool
same_content(const char *path, const char *data, size_t len)
{
	char chunk[65536];
	struct stat st;
	size_t off = 0;
	bool same = false;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return false;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != len)
		goto done;
	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got == -1 && errno == EINTR)
			continue;
		if (got < 0)
			goto done;
		if (got == 0)
			break;
		if ((size_t)got > len - off ||
		    memcmp(chunk, data + off, (size_t)got) != 0)
			goto done;
		off += (size_t)got;
	}
	same = off == len;
done:
	close(fd);
	return same;
}

int
blockscript_write(const char *path, const char *data, size_t len, bool *changed,
                  char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char tmp[4096], dir[4096];
	size_t off = 0;
	int fd = -1, dfd;

	*changed = false;
	if (same_content(path, data, len))
		return 0;
	/* The temporary file beside the target, so rename() is atomic. */
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir,
	                     slash ? slash + 1 : path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: the path is too long", path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen,
		         "%s: cannot create a temporary file in %s: %s", path,
		         dir, strerror(errno));
		return -1;
	}
	/* Readable by the owner and group: data, never executable. */
	if (fchmod(fd, 0640) == -1)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	/* The rename itself durable: fsync the directory. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	*changed = true;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

enum {
	OPT_APPLIANCE = CLI_OPT_CMD,
	OPT_TYPE,
	OPT_RENDER,
};

static const struct option bs_opts[] = {
    {"appliance", required_argument, NULL, OPT_APPLIANCE},
    {"type", required_argument, NULL, OPT_TYPE},
    {"output", required_argument, NULL, 'o'},
    {"render", required_argument, NULL, OPT_RENDER},
    {NULL, 0, NULL, 0},
};

static struct {
	const char *appliance, *type, *output, *render;
} opt;

static int
bs_opt(struct cli *cli, int ch, const char *arg)
{
	(void)cli;
	switch (ch) {
	case OPT_APPLIANCE:
		opt.appliance = arg;
		return 0;
	case OPT_TYPE:
		opt.type = arg;
		return 0;
	case 'o':
		opt.output = arg;
		return 0;
	case OPT_RENDER:
		opt.render = arg;
		return 0;
	default:
		return -1;
	}
}

static const char usage[] =
    "usage: discolog blockscript --appliance A [--type banned|allowed]\n"
    "                            [-o FILE] [-t TENANT] [--token-file FILE]\n"
    "       discolog blockscript --render R [--type banned|allowed] [-o "
    "FILE] ...\n"
    "\n"
    "Fetch the block script Discovery generates for the apps tagged\n"
    "unsanctioned (--type banned, the default) or sanctioned (allowed).\n"
    "\n"
    "  --appliance A   bluecoat (102), cisco-asa (104), fortigate (108),\n"
    "                  paloalto (112), zscaler (120), juniper-srx (129),\n"
    "                  websense (135), or the number\n"
    "  --render R      the domain list for a device the API does not know:\n"
    "                  domains, paloalto-edl, squid-acl, dnsmasq, unbound,\n"
    "                  hosts (rendered here from the Zscaler list)\n"
    "  -o, --output F  write to F atomically (mode 0640) instead of "
    "standard\n"
    "                  output; exit status 10 when F changed, 0 when it "
    "already\n"
    "                  held the same script\n"
    "\n"
    "The script is data: review it, then apply it to the device.  discolog\n"
    "never runs it.  Needs the Discovery.manage permission.\n";

/* Check the options; EXIT_OK with *code and *render set. */
static int
check_opts(int *code, int *render, bool *banned)
{
	*render = -1;
	*banned = opt.type == NULL || strcmp(opt.type, "banned") == 0;
	if (opt.type != NULL && !*banned && strcmp(opt.type, "allowed") != 0) {
		log_warnx("--type %s: banned or allowed", opt.type);
		return EXIT_USAGE;
	}
	if (opt.render != NULL) {
		if (opt.appliance != NULL) {
			log_warnx("--appliance and --render: give one "
			          "(--render renders the Zscaler list for a "
			          "device the API does not know)");
			return EXIT_USAGE;
		}
		if ((*render = blockscript_render_find(opt.render)) == -1) {
			log_warnx("--render %s: one of domains, paloalto-edl, "
			          "squid-acl, dnsmasq, unbound, hosts",
			          opt.render);
			return EXIT_USAGE;
		}
		/* A DNS sinkhole of the sanctioned apps would block them. */
		if (!*banned &&
		    (*render == BS_DNSMASQ || *render == BS_UNBOUND ||
		     *render == BS_HOSTS)) {
			log_warnx("--render %s blocks names: it is for --type "
			          "banned; for the allowed list use domains, "
			          "paloalto-edl or squid-acl",
			          opt.render);
			return EXIT_USAGE;
		}
		*code = RENDER_SOURCE;
		return EXIT_OK;
	}
	if (opt.appliance == NULL) {
		log_warnx("--appliance is missing: bluecoat, cisco-asa, "
		          "fortigate, paloalto, zscaler, juniper-srx, websense "
		          "or the number (or --render R)");
		return EXIT_USAGE;
	}
	if ((*code = blockscript_appliance(opt.appliance)) == -1) {
		log_warnx(
		    "--appliance %s: one of bluecoat, cisco-asa, "
		    "fortigate, paloalto, zscaler, juniper-srx, websense, "
		    "or the format number",
		    opt.appliance);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* GET the script into r; EXIT_OK or the status, message printed. */
static int
fetch(struct mdca *m, int code, bool banned, struct http_resp *r)
{
	enum http_result res;
	char path[128], err[1024];

	snprintf(path, sizeof(path),
	         "/api/discovery_block_scripts/?format=%d&type=%s", code,
	         banned ? "banned" : "allowed");
	r->max_body = BLOCKSCRIPT_MAX_BYTES;
	res = mdca_call(m, "GET", path, NULL, "block script", PERM_MANAGE, r,
	                err, sizeof(err));
	if (res != HTTP_OK) {
		log_warnx("%s", err);
		return res == HTTP_AUTH ? EXIT_AUTH : EXIT_RUNTIME;
	}
	if (r->truncated) {
		log_warnx("block script: the tenant's answer is larger than %u "
		          "MiB, more than a block script can be: refused, "
		          "nothing written",
		          BLOCKSCRIPT_MAX_BYTES >> 20);
		return EXIT_RUNTIME;
	}
	if (r->html) {
		log_warnx("block script: the tenant answered an HTML page, not "
		          "a script: check --tenant, it is the API URL of "
		          "Settings > Cloud Apps > About");
		return EXIT_RUNTIME;
	}
	if (memchr(r->body.data ? r->body.data : "", '\0', r->body.len) !=
	    NULL) {
		log_warnx("block script: the tenant's answer is not text (it "
		          "holds NUL bytes): refused, nothing written");
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* The rendered list of the Zscaler script in r, into out. */
static int
render(int which, bool banned, const struct http_resp *r, struct buf *out)
{
	struct blockscript_domains d = {0};
	size_t dropped = 0;
	int status = EXIT_RUNTIME;

	if (blockscript_domains_parse(&d, r->body.data ? r->body.data : "",
	                              r->body.len, &dropped) == -1)
		goto nomem;
	if (dropped > 0 && d.n == 0) {
		/* An empty blocklist would unblock everything: better none. */
		log_warnx("block script: none of its %zu lines is a host name; "
		          "the format may have changed; nothing written",
		          dropped);
		goto done;
	}
	if (dropped > 0)
		log_warnx("block script: %zu lines that are not host names "
		          "were left out",
		          dropped);
	log_verbose("block script: %zu domains", d.n);
	if (blockscript_render((enum blockscript_render)which, &d, banned,
	                       out) == -1)
		goto nomem;
	status = EXIT_OK;
	goto done;
nomem:
	log_warnx("out of memory");
done:
	blockscript_domains_free(&d);
	return status;
}

int
cmd_blockscript(int argc, char **argv)
{
	struct cli cli;
	struct mdca *m = NULL;
	struct http_resp r = {0};
	struct buf rendered;
	const char *data;
	size_t len;
	char err[1024];
	int first, status, code, which;
	bool banned, changed;

	buf_init(&rendered, 2 * (size_t)BLOCKSCRIPT_MAX_BYTES);
	memset(&opt, 0, sizeof(opt));
	if ((status = cli_parse(&cli, argc, argv, "o:", bs_opts, bs_opt, usage,
	                        &first)) != EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	if (first < argc) {
		log_warnx("unexpected argument '%s'", argv[first]);
		fputs(usage, stderr);
		status = EXIT_USAGE;
		goto done;
	}
	if (cli.json || cli.csv) {
		log_warnx("blockscript: --json and --csv do not apply; the "
		          "script is text");
		status = EXIT_USAGE;
		goto done;
	}
	if ((status = check_opts(&code, &which, &banned)) != EXIT_OK)
		goto done;
	if ((m = cli_connect(&cli, &status)) == NULL)
		goto done;
	if ((status = fetch(m, code, banned, &r)) != EXIT_OK)
		goto done;
	data = r.body.data ? r.body.data : "";
	len = r.body.len;
	if (which != -1) {
		if ((status = render(which, banned, &r, &rendered)) != EXIT_OK)
			goto done;
		data = rendered.data ? rendered.data : "";
		len = rendered.len;
	}
	if (opt.output == NULL || strcmp(opt.output, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len ||
		    fflush(stdout) == EOF) {
			log_warnx("standard output: cannot write the script");
			status = EXIT_RUNTIME;
		}
		goto done;
	}
	if (blockscript_write(opt.output, data, len, &changed, err,
	                      sizeof(err)) == -1) {
		log_warnx("%s", err);
		status = EXIT_RUNTIME;
		goto done;
	}
	log_info("%s: %s (%zu bytes)", opt.output,
	         changed ? "changed, written" : "unchanged", len);
	status = changed ? EXIT_CHANGED : EXIT_OK;
done:
	buf_free(&rendered);
	http_resp_free(&r);
	mdca_free(m);
	cli_free(&cli);
	return status;
}
