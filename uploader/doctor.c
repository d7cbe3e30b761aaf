/*
 * discolog doctor: what an admin otherwise learns the hard way, checked in
 * order, one line per check ("ok", "warn" or "fail", the check, what was
 * found and what to do):
 *
 *	config       the configuration and the credentials load
 *	dns          the tenant's host, the proxy's, Entra's login host
 *	tls          an HTTPS exchange with the tenant (through the proxy)
 *	clock        skew against the tenant's Date header
 *	token        a token can be had
 *	permissions  the roles the Entra token grants, and which commands
 *	             they make work
 *	privilege    roles held beyond what discolog needs
 *	data source  each configured data source exists (GET streams)
 *	blob         the storage host of an upload URL answers (no PUT)
 *
 * A failure that later checks depend on ends the run.  The exit status is
 * that of the worst failure: 2 configuration, 3 credentials or
 * permissions, 1 network; warnings leave it 0.
 */
#include <cJSON.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "auth.h"
#include "cli.h"
#include "http.h"
#include "jwt.h"
#include "log.h"
#include "mdca.h"

/* Skew at which a warning, and a failure: Entra allows 5 minutes. */
#define CLOCK_WARN_S 60
#define CLOCK_FAIL_S 300
/* A certificate expiring sooner than this is worth a warning. */
#define CERT_WARN_S (30 * 86400)
/* Seconds of retrying one request: a doctor answers soon. */
#define DOCTOR_RETRY_MAX_TIME 20
#define MAX_SOURCES           32

enum verdict { OK, WARN, FAIL };

struct doctor {
	int status; /* worst exit code */
	int nfail, nwarn;
};

static const char *sources[MAX_SOURCES];
static size_t nsources;

static const struct option doctor_opts[] = {
    {"data-source", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

static const char doctor_usage[] =
    "usage: discolog doctor [OPTIONS]\n"
    "\n"
    "Check, in order: the configuration, DNS and TLS to the tenant (and the\n"
    "proxy), the clock, that a token can be had, which permissions it\n"
    "grants, that each data source exists, and that the blob storage host\n"
    "answers (nothing is uploaded).  One line per check: ok, warn or fail.\n"
    "Exit status 0 unless a check failed (2 configuration, 3 credentials or\n"
    "permissions, 1 network).\n"
    "\n"
    "  -s, --data-source NAME  a data source to look for (repeatable;\n"
    "                          default: [upload] data_source)\n"
    "  -t, --tenant URL        the tenant's API host "
    "(DISCOLOG_TENANT)\n" CLI_USAGE_AUTH
    "      --ca-file FILE      extra CA bundle (DISCOLOG_CA_FILE)\n"
    "      --proxy URL         HTTPS proxy (default: https_proxy)\n"
    "  -c, --config FILE       configuration file (DISCOLOG_CONFIG)\n"
    "  -v, -q                  more or less diagnostic output\n";

static int
doctor_opt(struct cli *cli, int ch, const char *arg)
{
	(void)cli;
	if (ch != 's')
		return -1;
	if (nsources == MAX_SOURCES)
		return -1;
	sources[nsources++] = arg;
	return 0;
}

static void say(struct doctor *d, enum verdict v, int code, const char *check,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* One line on stdout; a failure counts with its exit code. */
static void
say(struct doctor *d, enum verdict v, int code, const char *check,
    const char *fmt, ...)
{
	static const char *const names[] = {"ok", "warn", "fail"};
	va_list ap;

	printf("%-4s %s: ", names[v], check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (v == WARN)
		d->nwarn++;
	if (v == FAIL) {
		d->nfail++;
		d->status = exit_worse(d->status, code);
	}
}

/* The host (without brackets) and whether the scheme is https. */
static int
url_host(const char *url, char *host, size_t hostlen, bool *tls)
{
	const char *p = strstr(url, "://"), *end;

	*tls = strncasecmp(url, "https://", 8) == 0;
	p = p ? p + 3 : url;
	if ((end = strpbrk(p, "/?#")) == NULL)
		end = p + strlen(p);
	/* user:password@host: the part after the last '@' */
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			p = q + 1;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return -1;
		p++;
		end = rb;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon != NULL)
			end = colon;
	}
	if (end == p || (size_t)(end - p) >= hostlen)
		return -1;
	snprintf(host, hostlen, "%.*s", (int)(end - p), p);
	return 0;
}

/* scheme://host[:port]/ of url: nothing of its path or query. */
static void
url_origin(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p ? p + 3 : url;
	n = (size_t)(p - url) + strcspn(p, "/?#");
	snprintf(out, outlen, "%.*s/", (int)n, url);
}

/* Resolve host: 0 with up to three addresses in out, or -1 with the
 * resolver's reason in out. */
static int
resolve(const char *host, char *out, size_t outlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	size_t o = 0;
	int e, n = 0;

	if ((e = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		snprintf(out, outlen, "%s", gai_strerror(e));
		return -1;
	}
	out[0] = '\0';
	for (ai = res; ai != NULL && n < 3 && o < outlen; ai = ai->ai_next) {
		char a[NI_MAXHOST];

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL,
		                0, NI_NUMERICHOST) != 0 ||
		    strstr(out, a) != NULL)
			continue;
		o += (size_t)snprintf(out + o, outlen - o, "%s%s",
		                      n ? ", " : "", a);
		n++;
	}
	freeaddrinfo(res);
	return 0;
}

/* The proxy curl will use for https: --proxy, else the environment. */
static const char *
proxy_of(const struct cli *cli)
{
	const char *p = cli->conf.proxy;

	if (p == NULL || *p == '\0')
		p = getenv("https_proxy");
	if (p == NULL || *p == '\0')
		p = getenv("HTTPS_PROXY");
	if (p == NULL || *p == '\0')
		p = getenv("all_proxy");
	return p && *p ? p : NULL;
}

static bool
check_config(struct doctor *d, struct cli *cli, struct mdca *m)
{
	const char *file = cli->config_path && *cli->config_path
	                       ? cli->config_path
	                       : "no configuration file";
	char how[512], err[512];
	struct jwt_cred *cred;
	time_t left;

	if (cli->conf.client_id == NULL || *cli->conf.client_id == '\0') {
		say(d, OK, 0, "config",
		    "%s; tenant %s; legacy API token (Microsoft is retiring "
		    "these: an Entra app is the way forward)",
		    file, mdca_base(m));
		return true;
	}
	if (cli->conf.client_cert == NULL || *cli->conf.client_cert == '\0') {
		say(d, OK, 0, "config",
		    "%s; tenant %s; Entra app %s in directory %s with a "
		    "client secret",
		    file, mdca_base(m), cli->conf.client_id,
		    cli->conf.tenant_id);
		return true;
	}
	/* auth_new loaded it already: this cannot fail but for a race. */
	if ((cred = jwt_cred_load(cli->conf.client_cert, cli->conf.client_key,
	                          err, sizeof(err))) == NULL) {
		say(d, FAIL, EXIT_USAGE, "config", "%s", err);
		return false;
	}
	snprintf(how, sizeof(how),
	         "%s; tenant %s; Entra app %s in directory %s with "
	         "certificate %s",
	         file, mdca_base(m), cli->conf.client_id, cli->conf.tenant_id,
	         jwt_cred_thumbprint(cred));
	left = jwt_cred_not_after(cred) - time(NULL);
	if (left <= 0)
		say(d, FAIL, EXIT_AUTH, "config",
		    "%s: the certificate has expired: make a new one and "
		    "upload it under the app's Certificates & secrets",
		    how);
	else if (left < CERT_WARN_S)
		say(d, WARN, 0, "config",
		    "%s: the certificate expires in %lld days: renew it and "
		    "upload the new one under Certificates & secrets",
		    how, (long long)(left / 86400));
	else
		say(d, OK, 0, "config", "%s, valid %lld more days", how,
		    (long long)(left / 86400));
	jwt_cred_free(cred);
	return left > 0;
}

/* One host's name: fail (and stop) unless a proxy resolves it for us. */
static bool
check_dns_host(struct doctor *d, const char *what, const char *url,
               bool proxied)
{
	char host[256], addrs[256];
	bool tls;

	if (url_host(url, host, sizeof(host), &tls) == -1) {
		say(d, FAIL, EXIT_USAGE, "dns", "%s %s: no host name in it",
		    what, url);
		return false;
	}
	if (resolve(host, addrs, sizeof(addrs)) == 0) {
		say(d, OK, 0, "dns", "%s %s: %s", what, host, addrs);
		return true;
	}
	if (proxied) {
		say(d, WARN, 0, "dns",
		    "%s %s does not resolve here (%s); the proxy must resolve "
		    "it",
		    what, host, addrs);
		return true;
	}
	say(d, FAIL, EXIT_RUNTIME, "dns",
	    "%s %s does not resolve (%s): check the name and this machine's "
	    "DNS, or give --proxy",
	    what, host, addrs);
	return false;
}

static bool
check_dns(struct doctor *d, struct cli *cli, struct mdca *m)
{
	const char *proxy = proxy_of(cli);
	bool ok = true;

	if (proxy != NULL && !check_dns_host(d, "proxy", proxy, false))
		return false;
	ok = check_dns_host(d, "tenant", mdca_base(m), proxy != NULL);
	if (ok && cli->conf.client_id && *cli->conf.client_id)
		ok = check_dns_host(d, "Entra login host",
		                    cli->conf.authority && *cli->conf.authority
		                        ? cli->conf.authority
		                        : "https://login.microsoftonline.com",
		                    proxy != NULL);
	return ok;
}

/* TLS to the tenant, and the clock from its Date header. */
static bool
check_tls_clock(struct doctor *d, struct cli *cli, struct mdca *m)
{
	const char *hdrs[] = {"Accept: */*", NULL};
	const char *proxy = proxy_of(cli);
	struct http_resp r = {0};
	char url[1024], host[256];
	enum http_result res;
	long long skew;
	bool tls;

	snprintf(url, sizeof(url), "%s/", mdca_base(m));
	url_host(url, host, sizeof(host), &tls);
	res = http_once(
	    mdca_http(m),
	    &(struct http_req){
	        .method = "GET", .url = url, .headers = hdrs, .body_fd = -1},
	    &r);
	if (res == HTTP_RETRY_NET) {
		say(d, FAIL, EXIT_RUNTIME, "tls", "%s: %s%s", url, r.error,
		    strstr(r.error, "certificate") || strstr(r.error, "SSL")
		        ? " (behind a TLS-inspecting proxy? give its CA with "
		          "--ca-file)"
		        : "");
		http_resp_free(&r);
		return false;
	}
	if (tls)
		say(d, OK, 0, "tls",
		    "%s answered (HTTP %ld), certificate verified%s%s", host,
		    r.status, proxy ? ", through proxy " : "",
		    proxy ? proxy : "");
	else
		say(d, WARN, 0, "tls",
		    "%s answered (HTTP %ld) over plain HTTP: no TLS (only for "
		    "a local emulator)",
		    host, r.status);
	if (r.date == 0) {
		say(d, WARN, 0, "clock",
		    "the tenant sent no Date header: cannot tell the skew");
	} else {
		skew = (long long)(time(NULL) - r.date);
		if (llabs(skew) <= CLOCK_WARN_S)
			say(d, OK, 0, "clock", "%lld s off the tenant's clock",
			    skew);
		else if (llabs(skew) <= CLOCK_FAIL_S)
			say(d, WARN, 0, "clock",
			    "%lld s off the tenant's clock: set the clock "
			    "right (NTP) before Entra's 5 minutes run out",
			    skew);
		else
			say(d, FAIL, EXIT_RUNTIME, "clock",
			    "%lld s off the tenant's clock: Entra refuses "
			    "client assertions and tokens look expired; set "
			    "the clock right (NTP)",
			    skew);
	}
	http_resp_free(&r);
	return true;
}

/* The claims of the bearer token in an Authorization header, or NULL. */
static cJSON *
bearer_claims(const char *hdr)
{
	const char *p = strstr(hdr, "Bearer ");
	char *s;
	cJSON *j;

	if (p == NULL || (s = jwt_part(p + 7, 1)) == NULL)
		return NULL;
	j = cJSON_Parse(s);
	free(s);
	return j;
}

static bool
has_role(const cJSON *roles, const char *want)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, roles)
	{
		if (cJSON_IsString(r) && strcasecmp(r->valuestring, want) == 0)
			return true;
	}
	return false;
}

/* The token and, for Entra, its roles.  *manage: upload_url may work. */
static bool
check_token(struct doctor *d, struct mdca *m, bool *manage)
{
	char hdr[8192], err[1024], extra[512] = "";
	const cJSON *roles, *exp;
	bool auth_err, read;
	cJSON *cl;
	size_t o = 0;
	int nextra = 0;

	*manage = true;
	if (auth_header(mdca_auth(m), mdca_http(m), hdr, sizeof(hdr), &auth_err,
	                err, sizeof(err)) == -1) {
		say(d, FAIL, auth_err ? EXIT_AUTH : EXIT_RUNTIME, "token", "%s",
		    err);
		return false;
	}
	if (strncmp(hdr, "Authorization: Token ", 21) == 0) {
		explicit_bzero(hdr, sizeof(hdr));
		say(d, OK, 0, "token",
		    "legacy API token (the tenant tests it in the calls "
		    "below)");
		say(d, OK, 0, "permissions",
		    "a legacy token has the rights of the user who made it: "
		    "not readable here; the calls below test them");
		return true;
	}
	cl = bearer_claims(hdr);
	explicit_bzero(hdr, sizeof(hdr));
	if (cl == NULL) {
		say(d, WARN, 0, "token",
		    "obtained, but it is not a JWT: its permissions cannot be "
		    "read");
		return true;
	}
	exp = cJSON_GetObjectItemCaseSensitive(cl, "exp");
	if (cJSON_IsNumber(exp))
		say(d, OK, 0, "token", "Entra token obtained, valid %lld s",
		    (long long)(exp->valuedouble - (double)time(NULL)));
	else
		say(d, OK, 0, "token", "Entra token obtained");
	roles = cJSON_GetObjectItemCaseSensitive(cl, "roles");
	*manage = has_role(roles, "Discovery.manage");
	read = has_role(roles, "Discovery.read");
	if (!cJSON_IsArray(roles) || cJSON_GetArraySize(roles) == 0) {
		say(d, FAIL, EXIT_AUTH, "permissions",
		    "the token grants no role: add the application permission "
		    "Discovery.manage (Microsoft Cloud App Security, APIs my "
		    "organization uses) and grant admin consent");
		cJSON_Delete(cl);
		return false;
	}
	if (*manage)
		say(d, OK, 0, "permissions",
		    "Discovery.manage: upload, blockscript, reports, "
		    "categories and apps will work");
	else if (read)
		say(d, WARN, 0, "permissions",
		    "Discovery.read: reports, categories and apps will work; "
		    "upload and blockscript need Discovery.manage (add it and "
		    "grant admin consent)");
	else
		say(d, FAIL, EXIT_AUTH, "permissions",
		    "no Discovery permission: upload and blockscript need "
		    "Discovery.manage, reports Discovery.read (add it and "
		    "grant admin consent)");
	/* Least privilege, as MDCA advises: Discovery.* and nothing else. */
	const cJSON *r;
	cJSON_ArrayForEach(r, roles)
	{
		if (!cJSON_IsString(r) ||
		    strncasecmp(r->valuestring, "Discovery.", 10) == 0)
			continue;
		o += (size_t)snprintf(extra + o, sizeof(extra) - o, "%s%s",
		                      o ? ", " : "", r->valuestring);
		nextra++;
		if (o >= sizeof(extra))
			break;
	}
	if (extra[0] != '\0')
		say(d, WARN, 0, "privilege",
		    "the app also holds %s, which discolog does not need: "
		    "remove %s from its API permissions (least privilege)",
		    extra, nextra == 1 ? "it" : "them");
	else
		say(d, OK, 0, "privilege",
		    "no permission beyond what discolog needs");
	cJSON_Delete(cl);
	return *manage || read;
}

static int
code_of(enum http_result res)
{
	return res == HTTP_AUTH ? EXIT_AUTH : EXIT_RUNTIME;
}

static const char *
stream_name(const cJSON *s)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(s, "displayName");

	if (!cJSON_IsString(n))
		n = cJSON_GetObjectItemCaseSensitive(s, "name");
	return cJSON_IsString(n) ? n->valuestring : NULL;
}

static bool
check_sources(struct doctor *d, struct cli *cli, struct mdca *m)
{
	struct http_resp r = {0};
	char err[1024], known[512] = "";
	const cJSON *list, *s;
	enum http_result res;
	cJSON *j = NULL;
	size_t o = 0;

	if (nsources == 0 && cli->conf.data_source != NULL)
		sources[nsources++] = cli->conf.data_source;
	if (nsources == 0) {
		if (cli->conf.snapshot != NULL)
			say(d, OK, 0, "data source",
			    "none: uploads go to snapshot report '%s'",
			    cli->conf.snapshot);
		else
			say(d, WARN, 0, "data source",
			    "none configured: give -s NAME (or [upload] "
			    "data_source) to check one");
		return true;
	}
	res = mdca_call(m, "GET", "/api/discovery/streams/", NULL, "streams",
	                "Discovery.read", &r, err, sizeof(err));
	if (res != HTTP_OK) {
		say(d, FAIL, code_of(res), "data source", "%s", err);
		http_resp_free(&r);
		return false;
	}
	j = cJSON_ParseWithLength(r.body.data, r.body.len);
	/* mdca-api.md §3.4: {"streams":[...]}, UNCERTAIN: a bare array too */
	list = cJSON_IsArray(j)
	           ? j
	           : cJSON_GetObjectItemCaseSensitive(j, "streams");
	if (!cJSON_IsArray(list)) {
		say(d, FAIL, EXIT_RUNTIME, "data source",
		    "streams: the answer is not a list of reports (HTTP %ld%s)",
		    r.status, r.html ? ", an HTML page" : "");
		cJSON_Delete(j);
		http_resp_free(&r);
		return false;
	}
	cJSON_ArrayForEach(s, list)
	{
		const char *n = stream_name(s);
		const cJSON *g =
		    cJSON_GetObjectItemCaseSensitive(s, "globalAggregated");

		if (n == NULL || cJSON_IsTrue(g) || o >= sizeof(known))
			continue;
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
		                      o ? ", " : "", n);
	}
	for (size_t i = 0; i < nsources; i++) {
		const cJSON *exact = NULL, *nocase = NULL;

		cJSON_ArrayForEach(s, list)
		{
			const char *n = stream_name(s);

			if (n != NULL && strcmp(n, sources[i]) == 0)
				exact = s;
			else if (n != NULL && strcasecmp(n, sources[i]) == 0)
				nocase = s;
		}
		if (exact != NULL)
			say(d, OK, 0, "data source", "'%s' exists", sources[i]);
		else if (nocase != NULL)
			say(d, WARN, 0, "data source",
			    "'%s' exists as '%s': give the name as the tenant "
			    "spells it",
			    sources[i], stream_name(nocase));
		else
			say(d, FAIL, EXIT_USAGE, "data source",
			    "the tenant has no data source '%s' (it has: %s): "
			    "create it under Settings > Cloud Discovery > "
			    "Automatic log upload, or correct --data-source",
			    sources[i], known[0] ? known : "none");
	}
	cJSON_Delete(j);
	http_resp_free(&r);
	return true;
}

static void
check_blob(struct doctor *d, struct cli *cli, struct mdca *m, bool manage)
{
	struct http_opts ho = {.ca_file = cli->conf.ca_file,
	                       .proxy = cli->conf.proxy};
	struct http_resp r = {0};
	char err[1024], origin[1024], host[256];
	enum http_result res;
	struct http *h = NULL;
	const cJSON *u;
	cJSON *j = NULL;
	bool tls;

	if (!manage) {
		say(d, WARN, 0, "blob",
		    "not checked: asking for an upload URL needs "
		    "Discovery.manage");
		return;
	}
	/* Netskope probes with GENERIC_CEF too (mdca-api.md §3.1). */
	res = mdca_call(m, "GET",
	                "/api/v1/discovery/upload_url/"
	                "?filename=discolog-doctor.log.gz&source=GENERIC_CEF",
	                NULL, "upload_url", "Discovery.manage", &r, err,
	                sizeof(err));
	if (res != HTTP_OK) {
		say(d, FAIL, code_of(res), "blob", "%s", err);
		goto done;
	}
	j = cJSON_ParseWithLength(r.body.data, r.body.len);
	u = cJSON_GetObjectItemCaseSensitive(j, "url");
	if (!cJSON_IsString(u) ||
	    url_host(u->valuestring, host, sizeof(host), &tls) == -1) {
		say(d, FAIL, EXIT_RUNTIME, "blob",
		    "upload_url: the answer has no upload URL (HTTP %ld)",
		    r.status);
		goto done;
	}
	/* Only the origin: the query string is a SAS, never shown or sent
	 * anywhere but in the PUT itself. */
	url_origin(u->valuestring, origin, sizeof(origin));
	explicit_bzero(u->valuestring, strlen(u->valuestring));
	http_resp_free(&r);
	if ((h = http_new(&ho, err, sizeof(err))) == NULL) {
		say(d, FAIL, EXIT_RUNTIME, "blob", "%s", err);
		goto done;
	}
	if (http_connect(h, origin, &r) != HTTP_OK)
		say(d, FAIL, EXIT_RUNTIME, "blob",
		    "the upload host %s cannot be reached: %s (let this "
		    "machine reach *.blob.core.windows.net, mdca-api.md §1)",
		    host, r.error);
	else
		say(d, OK, 0, "blob",
		    "the upload host %s answers%s; nothing was uploaded", host,
		    tls ? " (TLS verified)" : " (plain HTTP)");
done:
	if (r.body.data != NULL)
		explicit_bzero(r.body.data, r.body.len);
	http_resp_free(&r);
	http_free(h);
	cJSON_Delete(j);
}

int
cmd_doctor(int argc, char **argv)
{
	struct doctor d = {0};
	struct mdca *m = NULL;
	struct cli cli;
	char err[1024];
	int first, rc;
	bool manage;

	nsources = 0;
	rc = cli_parse(&cli, argc, argv, "s:", doctor_opts, doctor_opt,
	               doctor_usage, &first);
	if (rc == -1) {
		cli_free(&cli);
		return EXIT_OK;
	}
	if (rc != EXIT_OK) {
		say(&d, FAIL, rc, "config",
		    "the options or the configuration are wrong (above)");
		goto done;
	}
	if (first < argc) {
		fputs(doctor_usage, stderr);
		d.status = EXIT_USAGE;
		goto done;
	}
	if (cli.conf.retry_max_time > DOCTOR_RETRY_MAX_TIME)
		cli.conf.retry_max_time = DOCTOR_RETRY_MAX_TIME;
	if ((m = cli_connect_err(&cli, &rc, err, sizeof(err))) == NULL) {
		say(&d, FAIL, rc, "config", "%s", err);
		goto done;
	}
	if (!check_config(&d, &cli, m) || !check_dns(&d, &cli, m) ||
	    !check_tls_clock(&d, &cli, m) || !check_token(&d, m, &manage) ||
	    !check_sources(&d, &cli, m))
		goto done;
	check_blob(&d, &cli, m, manage);
done:
	if (d.nfail > 0)
		log_info("doctor: %d failed, %d warning%s", d.nfail, d.nwarn,
		         d.nwarn == 1 ? "" : "s");
	mdca_free(m);
	cli_free(&cli);
	return d.status;
}
