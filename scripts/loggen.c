/*
 * loggen: a fast, deterministic generator of realistic firewall and
 * web-proxy logs, for `make bench`, soak tests and anyone who needs a
 * gigabyte of plausible traffic in a few seconds.
 *
 *	loggen --format F [--size 1G | --lines N] [--seed S] [--now EPOCH]
 *	    [--days D] [--crlf] [-o FILE]
 *
 * The lines copy the shape of the real samples in log-formats.md byte for
 * byte (field order, padding, quoting, header lines); only the values are
 * made up.  Values come from a catalogue built once from the seed: a few
 * thousand destination hosts (about 240 real SaaS, cloud and web domains,
 * their subdomains and a generated long tail) picked with a Zipf-like skew,
 * thousands of clients in 10/8, 172.16/12 and 192.168/16, a couple of
 * thousand users, internal destinations (`*.corp.example`, private
 * addresses) on about a tenth of the lines, a few per cent denied, and byte
 * counts with a long tail.  Times are spread over the last --days before
 * --now and never go backwards within a file.
 *
 * The same seed, --now and options give the same bytes on every machine:
 * the generator has its own PRNG (xoshiro256**, seeded by splitmix64) and
 * its own calendar arithmetic, and does no floating point that depends on
 * the C library.
 *
 * Speed matters more than elegance here: the hot loop builds lines with
 * memcpy and hand-written integer formatting into a large buffer and hands
 * it to write(2) a few megabytes at a time.  Nothing is allocated per line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OBUF_SIZE    (4u << 20) /* bytes handed to one write(2) */
#define LINE_MAX_LEN 4096       /* no generated line is longer */
#define POOL_SIZE    (1u << 20) /* catalogue strings */

#define N_LONGTAIL 2600 /* generated long-tail domains */
#define N_CLIENTS  6000
#define N_USERS    2400
#define N_PATHS    4096
#define N_PENDING  256 /* open ASA connections awaiting teardown */

/* A probability in [0, 1] as a threshold for a 32-bit uniform draw. */
#define PROB(p) ((uint32_t)((p)*4294967295.0))

/* A string literal and its length. */
#define S(x)                                                                   \
	{                                                                      \
		x, sizeof(x) - 1                                               \
	}

struct str {
	const char *s;
	size_t n;
};

/* ---- PRNG ---------------------------------------------------------- */

struct rng {
	uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rnd(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), by multiply-shift (Lemire); the bias is negligible. */
static inline uint32_t
below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * n) >> 32);
}

/* True with probability p, given as PROB(p). */
static inline bool
chance(struct rng *r, uint32_t p)
{
	return (uint32_t)(rnd(r) >> 32) < p;
}

/*
 * A long-tailed size: class k has probability 2^-(k+1), values in
 * [unit << k, 2 * unit << k).  Half the draws are below 2 * unit and one in
 * a million is a thousand times larger, which is how transfer sizes look.
 */
static inline uint64_t
longtail(struct rng *r, uint64_t unit, int kmax)
{
	uint64_t x = rnd(r);
	int k = __builtin_ctzll((x >> 32) | (1ULL << kmax));
	uint64_t base = unit << k;

	return base + ((x & 0xffffffffULL) * base >> 32);
}

/* ---- Walker's alias method: O(1) draws from a fixed distribution ---- */

struct alias {
	uint32_t n;
	uint32_t *thr;
	uint32_t *alt;
};

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (p == NULL) {
		fprintf(stderr, "loggen: out of memory\n");
		exit(1);
	}
	return p;
}

static void
alias_build(struct alias *a, const double *w, uint32_t n)
{
	double *p = xcalloc(n, sizeof(*p));
	uint32_t *small = xcalloc(n, sizeof(*small));
	uint32_t *large = xcalloc(n, sizeof(*large));
	uint32_t ns = 0, nl = 0;
	double sum = 0;

	a->n = n;
	a->thr = xcalloc(n, sizeof(*a->thr));
	a->alt = xcalloc(n, sizeof(*a->alt));
	for (uint32_t i = 0; i < n; i++)
		sum += w[i];
	for (uint32_t i = 0; i < n; i++) {
		p[i] = w[i] * n / sum;
		a->alt[i] = i;
		if (p[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[nl - 1];

		a->thr[s] = (uint32_t)(p[s] * 4294967296.0);
		a->alt[s] = l;
		p[l] -= 1.0 - p[s];
		if (p[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	/* What is left is full up to rounding: always itself. */
	while (nl > 0)
		a->thr[large[--nl]] = UINT32_MAX;
	while (ns > 0)
		a->thr[small[--ns]] = UINT32_MAX;
	free(p);
	free(small);
	free(large);
}

static inline uint32_t
alias_pick(const struct alias *a, struct rng *r)
{
	uint64_t x = rnd(r);
	uint32_t i = (uint32_t)(((x >> 32) * a->n) >> 32);

	return (uint32_t)x < a->thr[i] ? i : a->alt[i];
}

/* ---- Formatting into the output buffer ------------------------------ */

static inline char *
put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUTL(p, lit) put((p), (lit), sizeof(lit) - 1)

static inline char *
puts_(char *p, struct str s)
{
	memcpy(p, s.s, s.n);
	return p + s.n;
}

static inline char *
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Right-aligned in `width` columns, as printf("%*u"). */
static inline char *
put_u64_pad(char *p, uint64_t v, int width)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (int i = n; i < width; i++)
		*p++ = ' ';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static inline char *
put_2d(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

static inline char *
put_3d(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 100);
	p[1] = (char)('0' + v / 10 % 10);
	p[2] = (char)('0' + v % 10);
	return p + 3;
}

static inline char *
put_4d(char *p, unsigned v)
{
	p = put_2d(p, v / 100);
	return put_2d(p, v % 100);
}

static char *
put_ip(char *p, uint32_t a)
{
	p = put_u64(p, a >> 24);
	*p++ = '.';
	p = put_u64(p, (a >> 16) & 255);
	*p++ = '.';
	p = put_u64(p, (a >> 8) & 255);
	*p++ = '.';
	return put_u64(p, a & 255);
}

/* ---- Calendar (UTC, proleptic Gregorian; H. Hinnant's civil_from_days) */

struct tmx {
	int64_t sec; /* the epoch second these fields describe */
	unsigned year, mon, mday, hour, min, s;
};

static void
tmx_set(struct tmx *t, int64_t sec)
{
	int64_t days = sec / 86400, rem = sec % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	t->sec = sec;
	t->year = (unsigned)y;
	t->mon = (unsigned)m;
	t->mday = (unsigned)d;
	t->hour = (unsigned)(rem / 3600);
	t->min = (unsigned)(rem / 60 % 60);
	t->s = (unsigned)(rem % 60);
}

static const char month_abbr[12][4] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};

/* 2024-05-01 */
static char *
put_ymd(char *p, const struct tmx *t, char sep)
{
	p = put_4d(p, t->year);
	*p++ = sep;
	p = put_2d(p, t->mon);
	*p++ = sep;
	return put_2d(p, t->mday);
}

/* 12:00:01 */
static char *
put_hms(char *p, const struct tmx *t)
{
	p = put_2d(p, t->hour);
	*p++ = ':';
	p = put_2d(p, t->min);
	*p++ = ':';
	return put_2d(p, t->s);
}

/* RFC 3164 stamp, day padded with a space: "May  1 12:00:01" */
static char *
put_bsd(char *p, const struct tmx *t)
{
	p = put(p, month_abbr[t->mon - 1], 3);
	*p++ = ' ';
	if (t->mday < 10) {
		*p++ = ' ';
		*p++ = (char)('0' + t->mday);
	} else
		p = put_2d(p, t->mday);
	*p++ = ' ';
	return put_hms(p, t);
}

/* ---- The catalogue --------------------------------------------------- */

enum cat {
	CAT_TECH,
	CAT_STORAGE,
	CAT_BUSINESS,
	CAT_EMAIL,
	CAT_SOCIAL,
	CAT_ADS,
	CAT_CDN,
	CAT_NEWS,
	CAT_SEARCH,
	CAT_STREAM,
	CAT_SHOP,
	CAT_COLLAB,
	CAT_INTERNAL,
	NCAT
};

/* Vendor names for the categories, in enum cat order. */
static const char *const cat_bluecoat[NCAT] = {"Technology/Internet",
                                               "File Storage/Sharing",
                                               "Business/Economy",
                                               "Email",
                                               "Social Networking",
                                               "Web Ads/Analytics",
                                               "Content Servers",
                                               "News",
                                               "Search Engines/Portals",
                                               "Audio/Video Clips",
                                               "Shopping",
                                               "Internet Telephony",
                                               "none"};
static const char *const cat_panos[NCAT] = {
    "computer-and-internet-info",
    "online-storage-and-backup",
    "business-and-economy",
    "web-based-email",
    "social-networking",
    "web-advertisements",
    "content-delivery-networks",
    "news",
    "search-engines",
    "streaming-media",
    "shopping",
    "internet-communications-and-telephony",
    "private-ip-addresses"};
static const unsigned cat_forti_id[NCAT] = {52, 24, 49, 23, 37, 17, 82,
                                            36, 41, 25, 42, 76, 0};
static const char *const cat_forti[NCAT] = {"Information Technology",
                                            "File Sharing and Storage",
                                            "Business",
                                            "Web-based Email",
                                            "Social Networking",
                                            "Advertising",
                                            "Content Servers",
                                            "News and Media",
                                            "Search Engines and Portals",
                                            "Streaming Media and Download",
                                            "Shopping",
                                            "Internet Telephony",
                                            "Unrated"};
static const char *const appcat_forti[NCAT] = {
    "Network.Service", "Storage.Backup",   "Business",
    "Email",           "Social.Media",     "Web.Client",
    "Web.Client",      "General.Interest", "General.Interest",
    "Video/Audio",     "General.Interest", "Collaboration",
    "Network.Service"};

struct base {
	const char *name;
	enum cat cat;
	const char *app; /* PAN-OS App-ID when the vendor has one */
};

/* Real destinations, roughly in order of popularity in an office. */
static const struct base bases[] = {
    {"microsoft.com", CAT_TECH, "ms-product-activation"},
    {"office.com", CAT_BUSINESS, "ms-office365-base"},
    {"google.com", CAT_SEARCH, "google-base"},
    {"microsoftonline.com", CAT_TECH, "ms-office365-base"},
    {"googleapis.com", CAT_TECH, "google-base"},
    {"gstatic.com", CAT_CDN, "google-base"},
    {"sharepoint.com", CAT_STORAGE, "sharepoint-online"},
    {"live.com", CAT_EMAIL, "outlook-web-online"},
    {"outlook.com", CAT_EMAIL, "outlook-web-online"},
    {"slack.com", CAT_COLLAB, "slack-base"},
    {"github.com", CAT_TECH, "github-base"},
    {"dropbox.com", CAT_STORAGE, "dropbox-base"},
    {"box.com", CAT_STORAGE, "box-base"},
    {"salesforce.com", CAT_BUSINESS, "salesforce-base"},
    {"zoom.us", CAT_COLLAB, "zoom-base"},
    {"youtube.com", CAT_STREAM, "youtube-base"},
    {"amazonaws.com", CAT_TECH, "amazon-aws-console"},
    {"cloudfront.net", CAT_CDN, NULL},
    {"akamaihd.net", CAT_CDN, NULL},
    {"windows.net", CAT_TECH, "ms-azure-base"},
    {"azure.com", CAT_TECH, "ms-azure-base"},
    {"office365.com", CAT_BUSINESS, "ms-office365-base"},
    {"onedrive.com", CAT_STORAGE, "ms-onedrive-base"},
    {"office.net", CAT_BUSINESS, "ms-office365-base"},
    {"apple.com", CAT_TECH, NULL},
    {"icloud.com", CAT_STORAGE, "icloud-base"},
    {"doubleclick.net", CAT_ADS, NULL},
    {"google-analytics.com", CAT_ADS, NULL},
    {"googletagmanager.com", CAT_ADS, NULL},
    {"linkedin.com", CAT_SOCIAL, "linkedin-base"},
    {"facebook.com", CAT_SOCIAL, "facebook-base"},
    {"fbcdn.net", CAT_CDN, "facebook-base"},
    {"atlassian.net", CAT_BUSINESS, "jira-base"},
    {"atlassian.com", CAT_BUSINESS, NULL},
    {"webex.com", CAT_COLLAB, "webex-base"},
    {"okta.com", CAT_TECH, "okta"},
    {"oktacdn.com", CAT_CDN, "okta"},
    {"amazon.com", CAT_SHOP, "amazon-base"},
    {"cloudflare.com", CAT_CDN, NULL},
    {"fastly.net", CAT_CDN, NULL},
    {"akamaized.net", CAT_CDN, NULL},
    {"edgekey.net", CAT_CDN, NULL},
    {"windowsupdate.com", CAT_TECH, "ms-update"},
    {"msftconnecttest.com", CAT_TECH, NULL},
    {"digicert.com", CAT_TECH, "ocsp"},
    {"letsencrypt.org", CAT_TECH, "ocsp"},
    {"adobe.com", CAT_TECH, "adobe-cloud"},
    {"adobelogin.com", CAT_TECH, "adobe-cloud"},
    {"docusign.net", CAT_BUSINESS, "docusign"},
    {"docusign.com", CAT_BUSINESS, "docusign"},
    {"gitlab.com", CAT_TECH, "gitlab"},
    {"bitbucket.org", CAT_TECH, "bitbucket"},
    {"trello.com", CAT_BUSINESS, "trello"},
    {"asana.com", CAT_BUSINESS, "asana"},
    {"monday.com", CAT_BUSINESS, NULL},
    {"notion.so", CAT_BUSINESS, NULL},
    {"airtable.com", CAT_BUSINESS, NULL},
    {"smartsheet.com", CAT_BUSINESS, "smartsheet"},
    {"wrike.com", CAT_BUSINESS, NULL},
    {"basecamp.com", CAT_BUSINESS, NULL},
    {"clickup.com", CAT_BUSINESS, NULL},
    {"miro.com", CAT_COLLAB, NULL},
    {"figma.com", CAT_BUSINESS, NULL},
    {"canva.com", CAT_BUSINESS, NULL},
    {"zendesk.com", CAT_BUSINESS, "zendesk-base"},
    {"freshdesk.com", CAT_BUSINESS, NULL},
    {"servicenow.com", CAT_BUSINESS, "servicenow-base"},
    {"workday.com", CAT_BUSINESS, "workday"},
    {"successfactors.com", CAT_BUSINESS, NULL},
    {"oracle.com", CAT_TECH, NULL},
    {"netsuite.com", CAT_BUSINESS, NULL},
    {"sap.com", CAT_BUSINESS, NULL},
    {"concur.com", CAT_BUSINESS, "concur"},
    {"hubspot.com", CAT_BUSINESS, NULL},
    {"marketo.com", CAT_BUSINESS, NULL},
    {"mailchimp.com", CAT_EMAIL, NULL},
    {"sendgrid.net", CAT_EMAIL, NULL},
    {"twilio.com", CAT_TECH, NULL},
    {"onelogin.com", CAT_TECH, NULL},
    {"duosecurity.com", CAT_TECH, NULL},
    {"auth0.com", CAT_TECH, NULL},
    {"lastpass.com", CAT_TECH, "lastpass"},
    {"1password.com", CAT_TECH, NULL},
    {"bitwarden.com", CAT_TECH, NULL},
    {"wetransfer.com", CAT_STORAGE, "wetransfer-base"},
    {"mega.nz", CAT_STORAGE, "megaupload"},
    {"mediafire.com", CAT_STORAGE, "mediafire"},
    {"pcloud.com", CAT_STORAGE, NULL},
    {"sync.com", CAT_STORAGE, NULL},
    {"egnyte.com", CAT_STORAGE, "egnyte"},
    {"sharefile.com", CAT_STORAGE, "sharefile"},
    {"citrix.com", CAT_TECH, NULL},
    {"zoho.com", CAT_BUSINESS, NULL},
    {"yahoo.com", CAT_SEARCH, "yahoo-base"},
    {"bing.com", CAT_SEARCH, "bing-base"},
    {"duckduckgo.com", CAT_SEARCH, NULL},
    {"baidu.com", CAT_SEARCH, "baidu-base"},
    {"yandex.ru", CAT_SEARCH, NULL},
    {"instagram.com", CAT_SOCIAL, "instagram-base"},
    {"whatsapp.net", CAT_COLLAB, "whatsapp-base"},
    {"whatsapp.com", CAT_COLLAB, "whatsapp-base"},
    {"messenger.com", CAT_COLLAB, NULL},
    {"twitter.com", CAT_SOCIAL, "twitter-base"},
    {"x.com", CAT_SOCIAL, "twitter-base"},
    {"twimg.com", CAT_CDN, "twitter-base"},
    {"licdn.com", CAT_CDN, "linkedin-base"},
    {"reddit.com", CAT_SOCIAL, "reddit-base"},
    {"redditmedia.com", CAT_CDN, NULL},
    {"pinterest.com", CAT_SOCIAL, "pinterest-base"},
    {"tiktok.com", CAT_SOCIAL, "tiktok-base"},
    {"tiktokcdn.com", CAT_CDN, NULL},
    {"snapchat.com", CAT_SOCIAL, NULL},
    {"discord.com", CAT_COLLAB, "discord"},
    {"discordapp.com", CAT_COLLAB, "discord"},
    {"telegram.org", CAT_COLLAB, "telegram-base"},
    {"signal.org", CAT_COLLAB, NULL},
    {"skype.com", CAT_COLLAB, "skype"},
    {"netflix.com", CAT_STREAM, "netflix-base"},
    {"nflxvideo.net", CAT_STREAM, "netflix-base"},
    {"spotify.com", CAT_STREAM, "spotify-base"},
    {"scdn.co", CAT_CDN, NULL},
    {"twitch.tv", CAT_STREAM, NULL},
    {"vimeo.com", CAT_STREAM, "vimeo-base"},
    {"soundcloud.com", CAT_STREAM, NULL},
    {"hulu.com", CAT_STREAM, NULL},
    {"disneyplus.com", CAT_STREAM, NULL},
    {"jsdelivr.net", CAT_CDN, NULL},
    {"unpkg.com", CAT_CDN, NULL},
    {"bootstrapcdn.com", CAT_CDN, NULL},
    {"wikipedia.org", CAT_NEWS, NULL},
    {"wikimedia.org", CAT_NEWS, NULL},
    {"nytimes.com", CAT_NEWS, NULL},
    {"bbc.co.uk", CAT_NEWS, NULL},
    {"bbc.com", CAT_NEWS, NULL},
    {"cnn.com", CAT_NEWS, NULL},
    {"theguardian.com", CAT_NEWS, NULL},
    {"reuters.com", CAT_NEWS, NULL},
    {"bloomberg.com", CAT_NEWS, NULL},
    {"wsj.com", CAT_NEWS, NULL},
    {"ft.com", CAT_NEWS, NULL},
    {"medium.com", CAT_NEWS, NULL},
    {"substack.com", CAT_NEWS, NULL},
    {"stackoverflow.com", CAT_TECH, NULL},
    {"stackexchange.com", CAT_TECH, NULL},
    {"npmjs.org", CAT_TECH, NULL},
    {"npmjs.com", CAT_TECH, NULL},
    {"pypi.org", CAT_TECH, NULL},
    {"pythonhosted.org", CAT_TECH, NULL},
    {"docker.com", CAT_TECH, NULL},
    {"docker.io", CAT_TECH, NULL},
    {"kubernetes.io", CAT_TECH, NULL},
    {"heroku.com", CAT_TECH, NULL},
    {"herokuapp.com", CAT_TECH, NULL},
    {"digitalocean.com", CAT_TECH, NULL},
    {"linode.com", CAT_TECH, NULL},
    {"vercel.app", CAT_TECH, NULL},
    {"netlify.app", CAT_TECH, NULL},
    {"firebaseio.com", CAT_TECH, NULL},
    {"mongodb.com", CAT_TECH, NULL},
    {"snowflakecomputing.com", CAT_BUSINESS, NULL},
    {"datadoghq.com", CAT_TECH, NULL},
    {"newrelic.com", CAT_TECH, NULL},
    {"sentry.io", CAT_TECH, NULL},
    {"splunk.com", CAT_TECH, NULL},
    {"pagerduty.com", CAT_TECH, NULL},
    {"grammarly.com", CAT_BUSINESS, "grammarly"},
    {"grammarly.io", CAT_BUSINESS, "grammarly"},
    {"deepl.com", CAT_BUSINESS, NULL},
    {"openai.com", CAT_TECH, "openai-base"},
    {"chatgpt.com", CAT_TECH, "openai-base"},
    {"claude.ai", CAT_TECH, NULL},
    {"perplexity.ai", CAT_TECH, NULL},
    {"huggingface.co", CAT_TECH, NULL},
    {"paypal.com", CAT_SHOP, "paypal"},
    {"stripe.com", CAT_BUSINESS, NULL},
    {"ebay.com", CAT_SHOP, "ebay-base"},
    {"etsy.com", CAT_SHOP, NULL},
    {"aliexpress.com", CAT_SHOP, NULL},
    {"alibaba.com", CAT_SHOP, NULL},
    {"shopify.com", CAT_SHOP, NULL},
    {"booking.com", CAT_SHOP, NULL},
    {"expedia.com", CAT_SHOP, NULL},
    {"airbnb.com", CAT_SHOP, NULL},
    {"uber.com", CAT_SHOP, NULL},
    {"force.com", CAT_BUSINESS, "salesforce-base"},
    {"visualforce.com", CAT_BUSINESS, "salesforce-base"},
    {"sfdcstatic.com", CAT_CDN, "salesforce-base"},
    {"tableau.com", CAT_BUSINESS, NULL},
    {"powerbi.com", CAT_BUSINESS, "ms-power-bi"},
    {"intercom.io", CAT_BUSINESS, NULL},
    {"intercomcdn.com", CAT_CDN, NULL},
    {"hotjar.com", CAT_ADS, NULL},
    {"criteo.com", CAT_ADS, NULL},
    {"taboola.com", CAT_ADS, NULL},
    {"outbrain.com", CAT_ADS, NULL},
    {"adnxs.com", CAT_ADS, NULL},
    {"rubiconproject.com", CAT_ADS, NULL},
    {"pubmatic.com", CAT_ADS, NULL},
    {"scorecardresearch.com", CAT_ADS, NULL},
    {"quantserve.com", CAT_ADS, NULL},
    {"amazon-adsystem.com", CAT_ADS, NULL},
    {"adsrvr.org", CAT_ADS, NULL},
    {"bit.ly", CAT_SOCIAL, NULL},
    {"tinyurl.com", CAT_SOCIAL, NULL},
    {"imgur.com", CAT_SOCIAL, NULL},
    {"gravatar.com", CAT_CDN, NULL},
    {"wordpress.com", CAT_NEWS, NULL},
    {"wp.com", CAT_CDN, NULL},
    {"blogger.com", CAT_NEWS, NULL},
    {"tumblr.com", CAT_SOCIAL, NULL},
    {"quora.com", CAT_SOCIAL, NULL},
    {"yelp.com", CAT_SHOP, NULL},
    {"tripadvisor.com", CAT_SHOP, NULL},
    {"weather.com", CAT_NEWS, NULL},
    {"accuweather.com", CAT_NEWS, NULL},
    {"espn.com", CAT_NEWS, NULL},
    {"imdb.com", CAT_STREAM, NULL},
    {"steampowered.com", CAT_STREAM, NULL},
    {"steamcommunity.com", CAT_STREAM, NULL},
    {"epicgames.com", CAT_STREAM, NULL},
    {"roblox.com", CAT_STREAM, NULL},
    {"mozilla.org", CAT_TECH, NULL},
    {"firefox.com", CAT_TECH, NULL},
    {"mozilla.net", CAT_TECH, NULL},
    {"sectigo.com", CAT_TECH, "ocsp"},
    {"globalsign.com", CAT_TECH, "ocsp"},
    {"verisign.com", CAT_TECH, NULL},
    {"skypeforbusiness.com", CAT_COLLAB, NULL},
    {"yammer.com", CAT_COLLAB, "yammer-base"},
    {"mcafee.com", CAT_TECH, NULL},
    {"symantec.com", CAT_TECH, NULL},
    {"sophos.com", CAT_TECH, NULL},
    {"trendmicro.com", CAT_TECH, NULL},
    {"kaspersky.com", CAT_TECH, NULL},
    {"crowdstrike.com", CAT_TECH, NULL},
    {"zscaler.net", CAT_TECH, NULL},
    {"box.net", CAT_STORAGE, "box-base"},
    {"boxcdn.net", CAT_CDN, "box-base"},
    {"dropboxapi.com", CAT_STORAGE, "dropbox-base"},
    {"dropboxusercontent.com", CAT_STORAGE, "dropbox-base"},
    {"slack-edge.com", CAT_CDN, "slack-base"},
    {"slack-msgs.com", CAT_COLLAB, "slack-base"},
    {"githubusercontent.com", CAT_CDN, "github-base"},
    {"githubassets.com", CAT_CDN, "github-base"},
    {"zoom.com", CAT_COLLAB, "zoom-base"},
    {"gotomeeting.com", CAT_COLLAB, "gotomeeting"},
    {"logmein.com", CAT_TECH, "logmein"},
    {"teamviewer.com", CAT_TECH, "teamviewer-base"},
    {"anydesk.com", CAT_TECH, "anydesk"},
    {"ngrok.io", CAT_TECH, NULL},
    {"pastebin.com", CAT_STORAGE, "pastebin"},
};
#define N_BASES (sizeof(bases) / sizeof(bases[0]))

static const char *const subdomains[] = {
    "api",    "app",     "login",    "auth",   "cdn",       "static",
    "files",  "upload",  "download", "mail",   "docs",      "drive",
    "m",      "web",     "assets",   "img",    "media",     "secure",
    "portal", "my",      "accounts", "status", "support",   "blog",
    "dl",     "content", "sync",     "edge",   "telemetry", "update",
    "s3",     "events",  "graph",    "eu",     "us-east-1", "client",
    "admin",  "share",   "notify",   "ws"};
#define N_SUBDOMAINS (sizeof(subdomains) / sizeof(subdomains[0]))

static const char *const syllables[] = {
    "ba",  "ko",  "ri",  "ta",  "me",  "lo",  "zen", "nor", "vi",  "qu",
    "dex", "lan", "mar", "pol", "sen", "tri", "ux",  "ve",  "wa",  "xo",
    "ya",  "zu",  "ar",  "el",  "on",  "is",  "um",  "cor", "fin", "gro",
    "hub", "io",  "jet", "kin", "lux", "nex", "opt", "pix", "rad", "sky",
    "sol", "tek", "vox", "ban", "cel", "dor"};
#define N_SYLLABLES (sizeof(syllables) / sizeof(syllables[0]))

static const char *const suffixes[] = {
    "",    "",    "",   "",     "cloud", "data", "app", "soft",
    "net", "web", "hq", "labs", "ly",    "hub",  "io",  "ify"};
#define N_SUFFIXES (sizeof(suffixes) / sizeof(suffixes[0]))

static const char *const tlds[] = {
    "com", "com",   "com", "com",  "net",   "io",  "org",    "co",
    "de",  "co.uk", "fr",  "app",  "ai",    "dev", "info",   "biz",
    "nl",  "eu",    "us",  "tech", "cloud", "jp",  "com.au", "ca"};
#define N_TLDS (sizeof(tlds) / sizeof(tlds[0]))

static const char *const internal_names[] = {
    "intranet",   "wiki",    "jira",    "confluence", "git",   "gitlab",
    "sharepoint", "hr",      "payroll", "erp",        "crm",   "mail",
    "exchange",   "vpn",     "proxy",   "fs01",       "fs02",  "dc01",
    "dc02",       "print01", "build",   "ci",         "nexus", "grafana",
    "kibana",     "backup",  "nas01",   "sso",        "adfs",  "timesheet",
    "helpdesk",   "portal",  "files",   "db01",       "ldap",  "pki",
    "wsus",       "sccm",    "av",      "monitoring"};
#define N_INTERNAL_NAMES (sizeof(internal_names) / sizeof(internal_names[0]))
#define N_INTERNAL_APPS  40 /* app01..app40.corp.example */
#define N_INTERNAL_IPS   30 /* destinations known by address only */
#define N_INTERNAL       (N_INTERNAL_NAMES + N_INTERNAL_APPS + N_INTERNAL_IPS)

/* Public first octets for made-up server addresses (no private ranges). */
static const uint8_t public_octets[] = {
    13, 20,  23,  31,  34,  35,  40,  44,  52,  54,  64,  66,  69,
    74, 104, 108, 140, 142, 151, 157, 162, 185, 199, 204, 208, 216};

static const char *const first_names[] = {
    "james",   "mary",  "john",    "patricia",  "robert",  "jennifer",
    "michael", "linda", "william", "elizabeth", "david",   "barbara",
    "richard", "susan", "joseph",  "jessica",   "thomas",  "sarah",
    "charles", "karen", "daniel",  "nancy",     "matthew", "lisa",
    "anthony", "betty", "mark",    "sandra",    "paul",    "ashley",
    "steven",  "emily", "andrew",  "donna",     "kevin",   "michelle",
    "brian",   "carol", "george",  "amanda",    "ahmed",   "priya",
    "wei",     "yuki",  "olga",    "lars",      "fatima",  "diego"};
static const char *const last_names[] = {
    "smith",    "johnson", "williams",  "brown",    "jones",     "garcia",
    "miller",   "davis",   "rodriguez", "martinez", "hernandez", "lopez",
    "gonzalez", "wilson",  "anderson",  "thomas",   "taylor",    "moore",
    "jackson",  "martin",  "lee",       "perez",    "thompson",  "white",
    "harris",   "sanchez", "clark",     "ramirez",  "lewis",     "robinson",
    "walker",   "young",   "allen",     "king",     "wright",    "scott",
    "torres",   "nguyen",  "hill",      "flores",   "green",     "adams",
    "nelson",   "baker",   "hall",      "rivera",   "campbell",  "mitchell",
    "carter",   "roberts", "kumar",     "patel",    "chen",      "wang",
    "mueller",  "schmidt", "dubois",    "rossi",    "tanaka",    "ivanova"};
#define N_FIRST (sizeof(first_names) / sizeof(first_names[0]))
#define N_LAST  (sizeof(last_names) / sizeof(last_names[0]))

/* Weighted by repetition: browsers first, then desktop clients and tools. */
static const char *const user_agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 "
    "Firefox/125.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; "
    "Pro)",
    "Microsoft SkyDriveSync 24.070.0407.0003 ship; Windows NT 10.0 (19045)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Teams/1.7.00.7956 Chrome/108.0.5359.215 Electron/22.3.27 "
    "Safari/537.36",
    "DropboxDesktopClient/199.4.6287 (Windows; 10; x64; en_US)",
    "Slack/4.38.121 (Windows 10.0.19045)",
    "Zoom/5.17.11 (Windows NT 10.0; Win64; x64)",
    "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.71",
    "Microsoft-CryptoAPI/10.0",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "git/2.45.0",
};
#define N_UA (sizeof(user_agents) / sizeof(user_agents[0]))

static const char *const words[] = {
    "account",   "report",    "invoice", "team",     "project", "settings",
    "profile",   "share",     "folder",  "document", "image",   "photo",
    "video",     "item",      "order",   "cart",     "search",  "event",
    "message",   "channel",   "thread",  "user",     "group",   "calendar",
    "contact",   "download",  "upload",  "sync",     "home",    "news",
    "dashboard", "metrics",   "release", "issue",    "commit",  "branch",
    "file",      "workspace", "board",   "task"};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

enum mime {
	MIME_NONE,
	MIME_HTML,
	MIME_JSON,
	MIME_JS,
	MIME_CSS,
	MIME_PNG,
	MIME_JPEG,
	MIME_GIF,
	MIME_SVG,
	MIME_OCTET,
	MIME_ZIP,
	MIME_TEXT,
	NMIME
};

static const struct str mimes[NMIME] = {
    S("-"),
    S("text/html"),
    S("application/json"),
    S("application/javascript"),
    S("text/css"),
    S("image/png"),
    S("image/jpeg"),
    S("image/gif"),
    S("image/svg+xml"),
    S("application/octet-stream"),
    S("application/zip"),
    S("text/plain"),
};

struct host {
	struct str name; /* www.dropbox.com, wiki.corp.example, 10.20.3.4 */
	struct str ip;   /* dotted quad */
	struct str app;  /* PAN-OS App-ID, or empty */
	struct str fapp; /* FortiGate application name, or empty */
	uint32_t addr;
	uint8_t cat;
	bool internal;
};

struct client {
	struct str ip;
	uint32_t addr;
	uint32_t user; /* the user usually behind this address */
	uint8_t net;   /* 0: 10/8, 1: 172.16/12, 2: 192.168/16 */
};

struct path {
	struct str s;   /* /a/b?c=d */
	struct str cef; /* the same with '=' and '\' escaped for CEF */
	size_t qpos;    /* index of '?', or s.n */
	uint8_t mime;
};

static const struct str net_ranges[3] = {
    S("10.0.0.0-10.255.255.255"),
    S("172.16.0.0-172.31.255.255"),
    S("192.168.0.0-192.168.255.255"),
};

static const struct str countries[] = {
    S("United States"), S("United States"), S("United States"),  S("Ireland"),
    S("Netherlands"),   S("Germany"),       S("United Kingdom"), S("France"),
    S("Singapore"),     S("Japan"),         S("Canada"),         S("Australia"),
};
#define N_COUNTRIES (sizeof(countries) / sizeof(countries[0]))

static struct {
	char *pool;
	size_t used;
	struct host ext[N_BASES * 12 + N_LONGTAIL];
	uint32_t next;
	struct host in[N_INTERNAL];
	struct client cli[N_CLIENTS];
	struct str users[N_USERS];
	struct path paths[N_PATHS];
	struct str ua[N_UA];
	struct alias ext_pick, cli_pick;
} cat;

static struct str
intern(const char *s, size_t n)
{
	struct str r;

	if (cat.used + n + 1 > POOL_SIZE) {
		fprintf(stderr, "loggen: catalogue pool full\n");
		exit(1);
	}
	memcpy(cat.pool + cat.used, s, n);
	cat.pool[cat.used + n] = '\0';
	r.s = cat.pool + cat.used;
	r.n = n;
	cat.used += n + 1;
	return r;
}

static struct str internf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static struct str
internf(const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "loggen: catalogue string too long\n");
		exit(1);
	}
	return intern(tmp, (size_t)n);
}

static struct str
ip_str(uint32_t a)
{
	char tmp[16];

	return intern(tmp, (size_t)(put_ip(tmp, a) - tmp));
}

static uint32_t
public_addr(struct rng *r)
{
	uint32_t o = public_octets[below(r, sizeof(public_octets))];

	return o << 24 | below(r, 1u << 24);
}

/* "Dropbox" from "dropbox-base": FortiGate names applications in words. */
static struct str
forti_app(const char *app)
{
	char tmp[64];
	size_t n = 0;

	if (app == NULL)
		return (struct str){"", 0};
	for (; app[n] != '\0' && app[n] != '-' && n < sizeof(tmp) - 1; n++)
		tmp[n] = app[n];
	tmp[0] = (char)(tmp[0] - 'a' + 'A');
	return intern(tmp, n);
}

static void
add_ext(struct rng *r, struct str name, enum cat c, const char *app)
{
	struct host *h = &cat.ext[cat.next++];

	h->name = name;
	h->addr = public_addr(r);
	h->ip = ip_str(h->addr);
	h->cat = (uint8_t)c;
	h->app = app != NULL ? intern(app, strlen(app)) : (struct str){"", 0};
	h->fapp = forti_app(app);
	h->internal = false;
}

static void
build_hosts(struct rng *r)
{
	size_t i;

	/* The head: each real domain's main host, in list order. */
	for (i = 0; i < N_BASES; i++) {
		const struct base *b = &bases[i];

		if (chance(r, PROB(0.5)))
			add_ext(r, internf("www.%s", b->name), b->cat, b->app);
		else
			add_ext(r, internf("%s", b->name), b->cat, b->app);
	}
	/* The body: subdomains, interleaved with the long tail. */
	uint32_t tail = 0;
	for (i = 0; i < N_BASES; i++) {
		const struct base *b = &bases[i];
		uint32_t nsub = 2 + below(r, 9);
		uint64_t used = 0;

		for (uint32_t k = 0; k < nsub; k++) {
			uint32_t s = below(r, N_SUBDOMAINS);

			if (used & (1ULL << s))
				continue;
			used |= 1ULL << s;
			add_ext(r, internf("%s.%s", subdomains[s], b->name),
			        b->cat, b->app);
		}
		for (; tail < (i + 1) * N_LONGTAIL / N_BASES; tail++) {
			/*
			 * One draw per statement: the order in which function
			 * arguments are evaluated is unspecified, and the
			 * output must not depend on the compiler.
			 */
			const char *www = chance(r, PROB(0.4)) ? "www." : "";
			const char *s1 = syllables[below(r, N_SYLLABLES)];
			const char *s2 = syllables[below(r, N_SYLLABLES)];
			const char *s3 = chance(r, PROB(0.3))
			                     ? syllables[below(r, N_SYLLABLES)]
			                     : suffixes[below(r, N_SUFFIXES)];
			const char *tld = tlds[below(r, N_TLDS)];
			enum cat c = (enum cat)below(r, CAT_INTERNAL);

			add_ext(r, internf("%s%s%s%s.%s", www, s1, s2, s3, tld),
			        c, NULL);
		}
	}

	/* Zipf-Mandelbrot weights, 1 / (rank + q): a heavy head, long tail. */
	double *w = xcalloc(cat.next, sizeof(*w));
	for (i = 0; i < cat.next; i++)
		w[i] = 1.0 / ((double)i + 8.0);
	alias_build(&cat.ext_pick, w, cat.next);
	free(w);

	/* Internal destinations: named servers, app servers, bare addresses. */
	for (i = 0; i < N_INTERNAL; i++) {
		struct host *h = &cat.in[i];

		if (i < N_INTERNAL_NAMES) {
			h->name = internf("%s.corp.example", internal_names[i]);
			h->addr = 10u << 24 | 10u << 16 | below(r, 1u << 16);
		} else if (i < N_INTERNAL_NAMES + N_INTERNAL_APPS) {
			h->name = internf("app%02zu.corp.example",
			                  i - N_INTERNAL_NAMES + 1);
			h->addr = 172u << 24 | 20u << 16 | below(r, 1u << 16);
		} else {
			h->addr =
			    chance(r, PROB(0.5))
			        ? 192u << 24 | 168u << 16 | 100u << 8 |
			              (1 + below(r, 254))
			        : 10u << 24 | 20u << 16 | below(r, 1u << 16);
		}
		h->ip = ip_str(h->addr);
		if (i >= N_INTERNAL_NAMES + N_INTERNAL_APPS)
			h->name = h->ip;
		h->app = (struct str){"", 0};
		h->fapp = (struct str){"", 0};
		h->cat = CAT_INTERNAL;
		h->internal = true;
	}
}

static void
build_people(struct rng *r)
{
	size_t i;

	for (i = 0; i < N_USERS; i++) {
		const char *f = first_names[below(r, N_FIRST)];
		const char *l = last_names[below(r, N_LAST)];

		if (chance(r, PROB(0.5)))
			cat.users[i] = internf("%s.%s", f, l);
		else
			cat.users[i] = internf("%c%s", f[0], l);
	}
	for (i = 0; i < N_CLIENTS; i++) {
		struct client *c = &cat.cli[i];
		uint32_t u = below(r, 100);
		uint32_t b = below(r, 1u << 30); /* one draw: see build_hosts */
		uint32_t host = 2 + b % 250;

		if (u < 60) {
			c->net = 0;
			c->addr = 10u << 24 | (1 + b / 250 % 120) << 16 |
			          (b / 30000 % 64) << 8 | host;
		} else if (u < 80) {
			c->net = 1;
			c->addr = 172u << 24 | (16 + b / 250 % 16) << 16 |
			          (b / 4000 % 32) << 8 | host;
		} else {
			c->net = 2;
			c->addr = 192u << 24 | 168u << 16 |
			          (b / 250 % 40) << 8 | host;
		}
		c->ip = ip_str(c->addr);
		c->user = below(r, N_USERS);
	}
	double *w = xcalloc(N_CLIENTS, sizeof(*w));
	for (i = 0; i < N_CLIENTS; i++)
		w[i] = 1.0 / ((double)i + 200.0);
	alias_build(&cat.cli_pick, w, N_CLIENTS);
	free(w);
	for (i = 0; i < N_UA; i++)
		cat.ua[i] = intern(user_agents[i], strlen(user_agents[i]));
}

static struct str
cef_escape(struct str s)
{
	char tmp[512];
	size_t n = 0;

	for (size_t i = 0; i < s.n && n < sizeof(tmp) - 2; i++) {
		if (s.s[i] == '=' || s.s[i] == '\\')
			tmp[n++] = '\\';
		tmp[n++] = s.s[i];
	}
	return intern(tmp, n);
}

static void
build_paths(struct rng *r)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz";
	static const char *const img[] = {"png", "jpg", "gif", "svg"};
	static const uint8_t img_mime[] = {MIME_PNG, MIME_JPEG, MIME_GIF,
	                                   MIME_SVG};

	for (size_t i = 0; i < N_PATHS; i++) {
		struct path *p = &cat.paths[i];
		const char *w1 = words[below(r, N_WORDS)];
		const char *w2 = words[below(r, N_WORDS)];
		char tok[33];
		uint32_t k, t = below(r, 100), n[3];

		for (k = 0; k < 32; k++)
			tok[k] = b62[below(r, 62)];
		tok[32] = '\0';
		/* Numbers drawn up front, one per statement: see build_hosts.
		 */
		for (k = 0; k < 3; k++)
			n[k] = below(r, 1u << 30);
		if (t < 6) {
			p->s = internf("/");
			p->mime = MIME_HTML;
		} else if (t < 26) {
			p->s = internf("/api/v%u/%ss/%u", 1 + n[0] % 3, w1,
			               n[1] % 1000000);
			p->mime = MIME_JSON;
		} else if (t < 36) {
			p->s =
			    internf("/api/v%u/%s/%s?limit=%u&cursor=%.16s",
			            1 + n[0] % 3, w1, w2, 10u << n[1] % 4, tok);
			p->mime = MIME_JSON;
		} else if (t < 48) {
			p->s = internf("/static/js/%s.%.8s.js", w1, tok);
			p->mime = MIME_JS;
		} else if (t < 54) {
			p->s = internf("/static/css/%s.%.8s.css", w1, tok);
			p->mime = MIME_CSS;
		} else if (t < 66) {
			k = n[0] % 4;
			p->s = internf("/images/%s/%s%u.%s", w1, w2, n[1] % 500,
			               img[k]);
			p->mime = img_mime[k];
		} else if (t < 74) {
			p->s = internf("/%s/%s", w1, w2);
			p->mime = MIME_HTML;
		} else if (t < 78) {
			p->s =
			    internf("/s/%.15s/%s-%u.pdf", tok, w1, n[0] % 100);
			p->mime = MIME_OCTET;
		} else if (t < 81) {
			p->s = internf("/download/%s-%u.%u.%u.zip", w1,
			               n[0] % 10, n[1] % 30, n[2] % 100);
			p->mime = MIME_ZIP;
		} else if (t < 85) {
			p->s =
			    internf("/oauth2/v2.0/authorize?client_id=%.8s-"
			            "%.4s-%.4s-%.4s-%.12s&response_type=code"
			            "&scope=openid",
			            tok, tok + 8, tok + 12, tok + 16, tok + 20);
			p->mime = MIME_HTML;
		} else if (t < 90) {
			p->s = internf("/search?q=%s+%s&lang=en", w1, w2);
			p->mime = MIME_HTML;
		} else if (t < 95) {
			p->s = internf("/v1/track?event=%s_%s&ts=%u", w1, w2,
			               1700000000u + n[0] % 50000000);
			p->mime = MIME_TEXT;
		} else if (t < 97) {
			p->s = internf("/favicon.ico");
			p->mime = MIME_OCTET;
		} else {
			p->s = internf("/upload/%s/%.24s", w1, tok);
			p->mime = MIME_JSON;
		}
		const char *q = memchr(p->s.s, '?', p->s.n);
		p->qpos = q != NULL ? (size_t)(q - p->s.s) : p->s.n;
		p->cef = cef_escape(p->s);
	}
}

static void
catalogue_build(uint64_t seed)
{
	struct rng r;

	cat.pool = xcalloc(POOL_SIZE, 1);
	rng_seed(&r, seed, 1);
	build_hosts(&r);
	build_people(&r);
	build_paths(&r);
}

/* ---- One event: what every format line is made from --------------- */

enum method { M_GET, M_POST, M_PUT, M_CONNECT };
static const struct str methods[] = {S("GET"), S("POST"), S("PUT"),
                                     S("CONNECT")};

enum deny { D_NONE, D_POLICY, D_AUTH }; /* 403, 407 */

struct ev {
	int64_t ms;
	const struct client *cli;
	const struct host *dst;
	const struct str *user; /* NULL: none */
	const struct path *path;
	const struct str *ua;
	enum method method;
	enum deny deny;
	bool tls;      /* https:// or a tunnel */
	unsigned code; /* HTTP status */
	uint16_t sport, dport;
	uint64_t up, down; /* bytes client->server, server->client */
	uint32_t elapsed;  /* ms */
};

enum format {
	F_SQUID_NATIVE,
	F_SQUID_COMMON,
	F_BLUECOAT,
	F_PALOALTO,
	F_FORTIGATE,
	F_CISCO_ASA,
	F_CEF,
	NFORMAT
};

static const char *const format_names[NFORMAT] = {
    "squid_native", "squid_common", "bluecoat", "paloalto",
    "fortigate",    "cisco_asa",    "cef"};

struct pending {
	struct ev ev;
	uint64_t id;
	uint16_t nport; /* NAT port */
	bool udp;
};

struct gen {
	enum format fmt;
	struct rng r;
	double t0, step; /* ms */
	int64_t tend, last;
	uint64_t i;
	struct tmx tm; /* cached calendar of the current second */
	uint64_t session, seq;
	bool crlf;
	/* cisco_asa: connections built, not yet torn down (a FIFO ring) */
	struct pending pend[N_PENDING];
	unsigned phead, pcount;
};

static int64_t
next_ms(struct gen *g)
{
	double base = g->t0 + g->step * (double)g->i++;
	uint32_t j = g->step >= 2.0 ? (uint32_t)(g->step * 2) : 2;
	int64_t t = (int64_t)base + below(&g->r, j);

	/* Real logs are written in order: never go back, never pass --now. */
	if (t < g->last)
		t = g->last;
	if (t > g->tend)
		t = g->tend;
	g->last = t;
	if (t / 1000 != g->tm.sec)
		tmx_set(&g->tm, t / 1000);
	return t;
}

static unsigned
pick_code(struct rng *r, enum method m)
{
	uint32_t u = below(r, 1000);

	if (m == M_CONNECT)
		return u < 995 ? 200 : 500;
	if (u < 700)
		return 200;
	if (u < 740)
		return m == M_GET ? 304 : 204;
	if (u < 760)
		return 301;
	if (u < 830)
		return 302;
	if (u < 920)
		return m == M_GET ? 304 : 200;
	if (u < 950)
		return 204;
	if (u < 993)
		return 404;
	return 500;
}

static void
make_event(struct gen *g, struct ev *e)
{
	struct rng *r = &g->r;
	uint32_t u;

	e->ms = next_ms(g);
	e->cli = &cat.cli[alias_pick(&cat.cli_pick, r)];
	e->user = chance(r, PROB(2.0 / 3.0)) ? &cat.users[e->cli->user] : NULL;
	e->dst = chance(r, PROB(0.10)) ? &cat.in[below(r, N_INTERNAL)]
	                               : &cat.ext[alias_pick(&cat.ext_pick, r)];
	e->path = &cat.paths[below(r, N_PATHS)];
	e->ua = &cat.ua[below(r, N_UA)];
	u = below(r, 100);
	e->method = u < 40   ? M_CONNECT
	            : u < 84 ? M_GET
	            : u < 97 ? M_POST
	                     : M_PUT;
	e->tls = e->method == M_CONNECT || chance(r, PROB(0.5));
	e->sport = (uint16_t)(32768 + below(r, 28000));
	e->dport = e->tls ? 443 : 80;
	e->deny = D_NONE;
	if (!e->dst->internal) {
		u = below(r, 1000);
		if (u < 30)
			e->deny = D_POLICY;
		else if (u < 42 && e->user == NULL)
			e->deny = D_AUTH;
	}
	switch (e->deny) {
	case D_POLICY:
		e->code = 403;
		e->up = 300 + below(r, 900);
		e->down = 3100 + below(r, 900);
		e->elapsed = below(r, 4);
		return;
	case D_AUTH:
		e->code = 407;
		e->up = 300 + below(r, 600);
		e->down = 3500 + below(r, 400);
		e->elapsed = below(r, 3);
		return;
	case D_NONE:
	default:
		break;
	}
	e->code = pick_code(r, e->method);
	e->elapsed = (uint32_t)longtail(r, 8, 16) - 8;
	if (e->method == M_CONNECT) {
		e->up = longtail(r, 700, 22);
		e->down = longtail(r, 3000, 22);
		e->elapsed += (uint32_t)longtail(r, 200, 12);
	} else if (e->method == M_GET) {
		e->up = 250 + below(r, 1400);
		e->down = e->code == 304 || e->code == 204
		              ? 180 + below(r, 300)
		              : longtail(r, 400, 22);
	} else {
		e->up = longtail(r, 600, 22);
		e->down = 200 + below(r, 1800);
	}
}

/* ---- squid_native ---------------------------------------------------- */

static char *
put_url(char *p, const struct ev *e)
{
	if (e->method == M_CONNECT) {
		p = puts_(p, e->dst->name);
		return PUTL(p, ":443");
	}
	p = e->tls ? PUTL(p, "https://") : PUTL(p, "http://");
	p = puts_(p, e->dst->name);
	return puts_(p, e->path->s);
}

/* Squid's %Ss for this event; *hit says whether it was served from cache */
static struct str
squid_result(struct rng *r, const struct ev *e, bool *hit)
{
	*hit = false;
	if (e->deny != D_NONE)
		return (struct str)S("TCP_DENIED");
	if (e->method == M_CONNECT)
		return (struct str)S("TCP_TUNNEL");
	if (e->method != M_GET || e->code >= 400)
		return (struct str)S("TCP_MISS");
	if (e->code == 304)
		return chance(r, PROB(0.5))
		           ? (struct str)S("TCP_REFRESH_UNMODIFIED")
		           : (struct str)S("TCP_INM_HIT");
	uint32_t u = below(r, 100);
	if (e->code == 200 && u < 12) {
		*hit = true;
		return u < 8 ? (struct str)S("TCP_HIT")
		             : (struct str)S("TCP_MEM_HIT");
	}
	return (struct str)S("TCP_MISS");
}

static char *
line_squid_native(struct gen *g, char *p)
{
	struct ev e;
	bool hit;

	make_event(g, &e);
	/* %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt */
	p = put_u64(p, (uint64_t)(e.ms / 1000));
	*p++ = '.';
	p = put_3d(p, (unsigned)(e.ms % 1000));
	*p++ = ' ';
	p = put_u64_pad(p, e.elapsed, 6);
	*p++ = ' ';
	p = puts_(p, e.cli->ip);
	*p++ = ' ';
	p = puts_(p, squid_result(&g->r, &e, &hit));
	*p++ = '/';
	p = put_3d(p, e.code);
	*p++ = ' ';
	p = put_u64(p, e.down);
	*p++ = ' ';
	p = puts_(p, methods[e.method]);
	*p++ = ' ';
	p = put_url(p, &e);
	*p++ = ' ';
	p = e.user != NULL ? puts_(p, *e.user) : PUTL(p, "-");
	if (hit || e.deny != D_NONE)
		p = PUTL(p, " HIER_NONE/- ");
	else {
		p = PUTL(p, " HIER_DIRECT/");
		p = puts_(p, e.dst->ip);
		*p++ = ' ';
	}
	if (e.deny != D_NONE)
		p = PUTL(p, "text/html");
	else if (e.method == M_CONNECT || e.code == 204 || e.code == 304)
		p = PUTL(p, "-");
	else if (e.code >= 300)
		p = PUTL(p, "text/html");
	else
		p = puts_(p, mimes[e.path->mime]);
	return p;
}

/* ---- squid_common ------------------------------------------------------ */

static char *
line_squid_common(struct gen *g, char *p)
{
	struct ev e;
	bool hit;

	make_event(g, &e);
	/* %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh */
	p = puts_(p, e.cli->ip);
	p = PUTL(p, " - ");
	p = e.user != NULL ? puts_(p, *e.user) : PUTL(p, "-");
	p = PUTL(p, " [");
	p = put_2d(p, g->tm.mday);
	*p++ = '/';
	p = put(p, month_abbr[g->tm.mon - 1], 3);
	*p++ = '/';
	p = put_4d(p, g->tm.year);
	*p++ = ':';
	p = put_hms(p, &g->tm);
	p = PUTL(p, " +0000] \"");
	p = puts_(p, methods[e.method]);
	*p++ = ' ';
	p = put_url(p, &e);
	p = PUTL(p, " HTTP/1.1\" ");
	p = put_u64(p, e.code);
	*p++ = ' ';
	p = put_u64(p, e.down);
	*p++ = ' ';
	p = puts_(p, squid_result(&g->r, &e, &hit));
	if (hit || e.deny != D_NONE)
		p = PUTL(p, ":HIER_NONE");
	else
		p = PUTL(p, ":HIER_DIRECT");
	return p;
}

/* ---- bluecoat (ProxySG ELFF, the default "main" field list) ------------ */

#define BLUECOAT_FIELDS                                                        \
	"date time time-taken c-ip sc-status s-action sc-bytes cs-bytes "      \
	"cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-path "             \
	"cs-uri-query cs-username cs-auth-group s-supplier-name "              \
	"rs(Content-Type) cs(Referer) cs(User-Agent) sc-filter-result "        \
	"cs-categories x-virus-id s-ip"

static const char *
eol(const struct gen *g)
{
	return g->crlf ? "\r\n" : "\n";
}

static char *
header_bluecoat(struct gen *g, char *p)
{
	struct tmx t;

	tmx_set(&t, (int64_t)g->t0 / 1000);
	p = PUTL(p, "#Software: SGOS 6.7.5.14");
	p = put(p, eol(g), strlen(eol(g)));
	p = PUTL(p, "#Version: 1.0");
	p = put(p, eol(g), strlen(eol(g)));
	p = PUTL(p, "#Start-Date: ");
	p = put_ymd(p, &t, '-');
	*p++ = ' ';
	p = put_hms(p, &t);
	p = put(p, eol(g), strlen(eol(g)));
	p = PUTL(p, "#Date: ");
	p = put_ymd(p, &t, '-');
	*p++ = ' ';
	p = put_hms(p, &t);
	p = put(p, eol(g), strlen(eol(g)));
	p = PUTL(p, "#Fields: " BLUECOAT_FIELDS);
	p = put(p, eol(g), strlen(eol(g)));
	p = PUTL(p, "#Remark: 3914210034 \"proxysg-hq\" \"10.0.0.5\" \"main\"");
	return put(p, eol(g), strlen(eol(g)));
}

static char *
line_bluecoat(struct gen *g, char *p)
{
	struct ev e;
	struct rng *r = &g->r;

	make_event(g, &e);
	p = put_ymd(p, &g->tm, '-');
	*p++ = ' ';
	p = put_hms(p, &g->tm);
	*p++ = ' ';
	p = put_u64(p, e.elapsed);
	*p++ = ' ';
	p = puts_(p, e.cli->ip);
	*p++ = ' ';
	p = put_u64(p, e.code);
	*p++ = ' ';
	if (e.deny != D_NONE)
		p = PUTL(p, "TCP_DENIED");
	else if (e.method == M_CONNECT)
		p = PUTL(p, "TCP_TUNNELED");
	else if (e.code == 304)
		p = PUTL(p, "TCP_HIT");
	else
		p = PUTL(p, "TCP_NC_MISS");
	*p++ = ' ';
	p = put_u64(p, e.down);
	*p++ = ' ';
	p = put_u64(p, e.up);
	*p++ = ' ';
	p = puts_(p, methods[e.method]);
	if (e.method == M_CONNECT) {
		p = PUTL(p, " tcp ");
		p = puts_(p, e.dst->name);
		p = PUTL(p, " 443 / - ");
	} else {
		p = e.tls ? PUTL(p, " https ") : PUTL(p, " http ");
		p = puts_(p, e.dst->name);
		p = e.tls ? PUTL(p, " 443 ") : PUTL(p, " 80 ");
		p = put(p, e.path->s.s, e.path->qpos);
		*p++ = ' ';
		if (e.path->qpos < e.path->s.n)
			p = put(p, e.path->s.s + e.path->qpos,
			        e.path->s.n - e.path->qpos);
		else
			*p++ = '-';
		*p++ = ' ';
	}
	if (e.user != NULL) {
		p = puts_(p, *e.user);
		p = PUTL(p, " CORP\\Internet%20Users ");
	} else
		p = PUTL(p, "- - ");
	if (e.deny != D_NONE)
		p = PUTL(p, "- text/html ");
	else {
		p = puts_(p, e.method == M_CONNECT ? e.dst->ip : e.dst->name);
		*p++ = ' ';
		p = e.method == M_CONNECT || e.code == 304
		        ? PUTL(p, "- ")
		        : put(puts_(p, mimes[e.path->mime]), " ", 1);
	}
	if (e.method != M_CONNECT && chance(r, PROB(0.3))) {
		p = e.tls ? PUTL(p, "https://") : PUTL(p, "http://");
		p = puts_(p, e.dst->name);
		p = PUTL(p, "/ \"");
	} else
		p = PUTL(p, "- \"");
	p = puts_(p, *e.ua);
	if (e.deny != D_NONE)
		p = PUTL(p, "\" DENIED \"");
	else if (e.method == M_CONNECT)
		p = PUTL(p, "\" OBSERVED \"");
	else
		p = PUTL(p, "\" PROXIED \"");
	const char *c = cat_bluecoat[e.dst->cat];
	p = put(p, c, strlen(c));
	p = PUTL(p, "\" - 10.0.0.5");
	return p;
}

/* ---- paloalto (PAN-OS 10.x TRAFFIC, syslog, 117 CSV columns) ------------ */

static const char *const pan_rules[] = {
    "allow-outbound-web", "allow-outbound-web", "Outbound Web Access",
    "allow-saas", "internal-services"};

static char *
put_pan_time(char *p, const struct tmx *t)
{
	p = put_ymd(p, t, '/');
	*p++ = ' ';
	return put_hms(p, t);
}

static char *
line_paloalto(struct gen *g, char *p)
{
	struct ev e;
	struct rng *r = &g->r;
	struct tmx start;
	bool udp, deny, internal;
	uint32_t esec;
	uint64_t pk_up, pk_down;

	make_event(g, &e);
	udp = chance(r, PROB(0.06));
	if (udp)
		e.dport = chance(r, PROB(0.7)) ? 53 : 123;
	deny = e.deny != D_NONE;
	internal = e.dst->internal;
	esec = deny ? 0 : e.elapsed / 1000;
	tmx_set(&start, e.ms / 1000 - esec);
	pk_up = 1 + e.up / 1200;
	pk_down = deny ? 0 : 1 + e.down / 1400;

	p = put_bsd(p, &g->tm);
	p = PUTL(p, " PA-3220 1,");
	p = put_pan_time(p, &g->tm);
	p = PUTL(p, ",013201012345,TRAFFIC,");
	p = deny ? PUTL(p, "deny,2561,") : PUTL(p, "end,2561,");
	p = put_pan_time(p, &g->tm);
	*p++ = ',';
	p = puts_(p, e.cli->ip);
	*p++ = ',';
	p = puts_(p, e.dst->ip);
	if (internal || deny)
		p = PUTL(p, ",0.0.0.0,0.0.0.0,");
	else {
		p = PUTL(p, ",203.0.113.");
		p = put_u64(p, 10 + e.cli->addr % 4);
		*p++ = ',';
		p = puts_(p, e.dst->ip);
		*p++ = ',';
	}
	if (deny)
		p = PUTL(p, "block-unsanctioned-saas");
	else if (internal)
		p = PUTL(p, "internal-services");
	else {
		const char *rule = pan_rules[e.cli->addr % 4];
		p = put(p, rule, strlen(rule));
	}
	*p++ = ',';
	if (e.user != NULL) {
		p = PUTL(p, "corp\\");
		p = puts_(p, *e.user);
	}
	p = PUTL(p, ",,");
	const char *tech, *appcat, *subcat, *chr;
	if (udp) {
		p = e.dport == 53 ? PUTL(p, "dns") : PUTL(p, "ntp");
		subcat = "infrastructure";
		appcat = "networking";
		tech = "network-protocol";
		chr = e.dport == 53 ? "3,\"able-to-transfer-file,tunnel-other-"
		                      "application,pervasive-use\""
		                    : "1,";
	} else if (e.dst->app.n > 0 && !deny) {
		p = puts_(p, e.dst->app);
		subcat = "file-sharing";
		appcat = "general-internet";
		tech = "client-server";
		chr = "4,\"able-to-transfer-file,has-known-vulnerability,"
		      "pervasive-use\"";
	} else if (e.tls) {
		p = PUTL(p, "ssl");
		subcat = "encrypted-tunnel";
		appcat = "networking";
		tech = "browser-based";
		chr = "4,\"used-by-malware,able-to-transfer-file,has-known-"
		      "vulnerability,tunnel-other-application,pervasive-use\"";
	} else {
		p = PUTL(p, "web-browsing");
		subcat = "internet-utility";
		appcat = "general-internet";
		tech = "browser-based";
		chr = "4,\"used-by-malware,able-to-transfer-file,has-known-"
		      "vulnerability,tunnel-other-application,pervasive-use\"";
	}
	p = internal ? PUTL(p, ",vsys1,trust,dmz,ethernet1/2,ethernet1/3,"
	                       "default,")
	             : PUTL(p, ",vsys1,trust,untrust,ethernet1/2,ethernet1/1,"
	                       "default,");
	p = put_pan_time(p, &g->tm);
	*p++ = ',';
	p = put_u64(p, ++g->session % 4000000 + 1);
	p = PUTL(p, ",1,");
	p = put_u64(p, e.sport);
	*p++ = ',';
	p = put_u64(p, e.dport);
	*p++ = ',';
	if (internal || deny)
		p = PUTL(p, "0,0,");
	else {
		p = put_u64(p, 1024 + (e.sport * 7919u) % 64000);
		*p++ = ',';
		p = put_u64(p, e.dport);
		*p++ = ',';
	}
	p = deny ? PUTL(p, "0x0,") : PUTL(p, "0x400053,");
	p = udp ? PUTL(p, "udp,") : PUTL(p, "tcp,");
	p = deny ? PUTL(p, "deny,") : PUTL(p, "allow,");
	if (deny)
		e.down = 0;
	p = put_u64(p, e.up + e.down);
	*p++ = ',';
	p = put_u64(p, e.up);
	*p++ = ',';
	p = put_u64(p, e.down);
	*p++ = ',';
	p = put_u64(p, pk_up + pk_down);
	*p++ = ',';
	p = put_pan_time(p, &start);
	*p++ = ',';
	p = put_u64(p, esec);
	*p++ = ',';
	const char *c = cat_panos[e.dst->cat];
	p = put(p, c, strlen(c));
	p = PUTL(p, ",,");
	p = put_u64(p, 7300000000000000000ULL + ++g->seq);
	p = PUTL(p, ",0x0,");
	p = puts_(p, net_ranges[e.cli->net]);
	*p++ = ',';
	if (internal)
		p = puts_(p, net_ranges[e.dst->addr >> 24 == 10    ? 0
		                        : e.dst->addr >> 24 == 172 ? 1
		                                                   : 2]);
	else
		p = puts_(p, countries[e.dst->addr % N_COUNTRIES]);
	p = PUTL(p, ",,");
	p = put_u64(p, pk_up);
	*p++ = ',';
	p = put_u64(p, pk_down);
	*p++ = ',';
	if (deny)
		p = PUTL(p, "policy-deny");
	else if (udp)
		p = PUTL(p, "aged-out");
	else
		p = chance(r, PROB(0.8)) ? PUTL(p, "tcp-fin")
		                         : PUTL(p, "tcp-rst-from-client");
	p = PUTL(p, ",0,0,0,0,,PA-3220,from-policy,,,0,,0,,N/A,0,0,0,0,");
	p = deny ? PUTL(p, "5b1e1c1a-0c36-4e5c-9a1b-2f3d4c5e6f70")
	         : PUTL(p, "0bbe5a53-f498-4cc2-a170-ced134f4824c");
	/* 67-68, then 34 empty columns up to the high-resolution time */
	p = PUTL(p, ",0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,");
	p = put_ymd(p, &g->tm, '-');
	*p++ = 'T';
	p = put_hms(p, &g->tm);
	*p++ = '.';
	p = put_3d(p, (unsigned)(e.ms % 1000));
	p = PUTL(p, "+00:00,,,");
	p = put(p, subcat, strlen(subcat));
	*p++ = ',';
	p = put(p, appcat, strlen(appcat));
	*p++ = ',';
	p = put(p, tech, strlen(tech));
	*p++ = ',';
	p = put(p, chr, strlen(chr));
	p = PUTL(p, ",,");
	p = udp     ? (e.dport == 53 ? PUTL(p, "dns") : PUTL(p, "ntp"))
	    : e.tls ? PUTL(p, "ssl")
	            : PUTL(p, "web-browsing");
	p = PUTL(p, ",no,no,0,NonProxyTraffic,");
	return p;
}

/* ---- fortigate (FortiOS key=value: traffic, and utm/webfilter) ---------- */

static char *
forti_head(struct gen *g, char *p, bool warn)
{
	p = warn ? PUTL(p, "<188>date=") : PUTL(p, "<189>date=");
	p = put_ymd(p, &g->tm, '-');
	p = PUTL(p, " time=");
	p = put_hms(p, &g->tm);
	return PUTL(p, " devname=\"FGT-HQ-01\" devid=\"FG200FT922901234\" ");
}

static char *
forti_eventtime(char *p, struct gen *g, const struct ev *e)
{
	p = PUTL(p, " eventtime=");
	p = put_u64(p, (uint64_t)e->ms * 1000000 + below(&g->r, 1000000));
	return PUTL(p, " tz=\"+0000\"");
}

static char *
forti_addrs(char *p, const struct ev *e)
{
	p = PUTL(p, " srcip=");
	p = puts_(p, e->cli->ip);
	p = PUTL(p, " srcport=");
	p = put_u64(p, e->sport);
	p = PUTL(p, " srcintf=\"port1\" srcintfrole=\"lan\" dstip=");
	p = puts_(p, e->dst->ip);
	p = PUTL(p, " dstport=");
	p = put_u64(p, e->dport);
	return e->dst->internal
	           ? PUTL(p, " dstintf=\"dmz\" dstintfrole=\"dmz\"")
	           : PUTL(p, " dstintf=\"wan1\" dstintfrole=\"wan\"");
}

static char *
line_fortigate_web(struct gen *g, char *p, struct ev *e)
{
	bool blk = e->deny != D_NONE;

	p = forti_head(g, p, blk);
	p = blk ? PUTL(p, "logid=\"0316013056\" type=\"utm\" "
	                  "subtype=\"webfilter\" eventtype=\"ftgd_blk\" "
	                  "level=\"warning\" vd=\"root\"")
	        : PUTL(p, "logid=\"0316013057\" type=\"utm\" "
	                  "subtype=\"webfilter\" eventtype=\"ftgd_allow\" "
	                  "level=\"notice\" vd=\"root\"");
	p = forti_eventtime(p, g, e);
	p = PUTL(p, " policyid=12 sessionid=");
	p = put_u64(p, ++g->session);
	if (e->user != NULL) {
		p = PUTL(p, " user=\"");
		p = puts_(p, *e->user);
		p = PUTL(p, "\" group=\"Domain Users\" authserver=\"CORP-AD\"");
	}
	p = forti_addrs(p, e);
	p = e->tls ? PUTL(p, " proto=6 service=\"HTTPS\" hostname=\"")
	           : PUTL(p, " proto=6 service=\"HTTP\" hostname=\"");
	p = puts_(p, e->dst->name);
	p = PUTL(p, "\" profile=\"default\" action=\"");
	p = blk ? PUTL(p, "blocked") : PUTL(p, "passthrough");
	p = PUTL(p, "\" reqtype=\"direct\" url=\"");
	p = e->method == M_CONNECT ? PUTL(p, "/") : puts_(p, e->path->s);
	p = PUTL(p, "\" sentbyte=");
	p = put_u64(p, e->up);
	p = PUTL(p, " rcvdbyte=");
	p = put_u64(p, e->down);
	p = PUTL(p, " direction=\"outgoing\" msg=\"URL belongs to ");
	p = blk ? PUTL(p, "a denied") : PUTL(p, "an allowed");
	p = PUTL(p, " category in policy\" method=\"domain\" cat=");
	p = put_u64(p, cat_forti_id[e->dst->cat]);
	p = PUTL(p, " catdesc=\"");
	p = put(p, cat_forti[e->dst->cat], strlen(cat_forti[e->dst->cat]));
	*p++ = '"';
	return p;
}

static char *
line_fortigate(struct gen *g, char *p)
{
	struct ev e;
	struct rng *r = &g->r;
	bool udp, deny;

	make_event(g, &e);
	if (!e.dst->internal && chance(r, PROB(0.3)))
		return line_fortigate_web(g, p, &e);
	udp = chance(r, PROB(0.06));
	if (udp)
		e.dport = chance(r, PROB(0.7)) ? 53 : 123;
	deny = e.deny != D_NONE;
	p = forti_head(g, p, false);
	p = PUTL(p, "logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" "
	            "level=\"notice\" vd=\"root\"");
	p = forti_eventtime(p, g, &e);
	p = forti_addrs(p, &e);
	p = PUTL(p, " srccountry=\"Reserved\" dstcountry=\"");
	p = e.dst->internal ? PUTL(p, "Reserved")
	                    : puts_(p, countries[e.dst->addr % N_COUNTRIES]);
	p = PUTL(p, "\" sessionid=");
	p = put_u64(p, ++g->session);
	p = udp ? PUTL(p, " proto=17 action=\"")
	        : PUTL(p, " proto=6 action=\"");
	if (deny)
		p = PUTL(p, "deny\" policyid=0");
	else {
		p = udp                    ? PUTL(p, "accept\"")
		    : chance(r, PROB(0.9)) ? PUTL(p, "close\"")
		                           : PUTL(p, "client-rst\"");
		p = e.dst->internal ? PUTL(p, " policyid=4")
		                    : PUTL(p, " policyid=12");
	}
	p = PUTL(p, " policytype=\"policy\" poluuid=\"");
	p = deny              ? PUTL(p, "9c1d7a2e-5f0b-51ee-3a4d-8e2f6b7c9d10")
	    : e.dst->internal ? PUTL(p, "4b2c9e10-5f0b-51ee-1f2a-3c4d5e6f7a8b")
	                      : PUTL(p, "ccb269e0-5735-51e9-a218-a397dd08b7eb");
	p = PUTL(p, "\" policyname=\"");
	p = deny              ? PUTL(p, "implicit-deny")
	    : e.dst->internal ? PUTL(p, "LAN-to-DMZ")
	                      : PUTL(p, "LAN-to-Internet");
	*p++ = '"';
	if (e.user != NULL) {
		p = PUTL(p, " user=\"");
		p = puts_(p, *e.user);
		p = PUTL(p, "\" group=\"Domain Users\"");
	}
	p = PUTL(p, " service=\"");
	p = udp     ? (e.dport == 53 ? PUTL(p, "DNS") : PUTL(p, "NTP"))
	    : e.tls ? PUTL(p, "HTTPS")
	            : PUTL(p, "HTTP");
	if (deny || e.dst->internal)
		p = PUTL(p, "\" trandisp=\"noop\"");
	else {
		p = PUTL(p, "\" trandisp=\"snat\" transip=203.0.113.");
		p = put_u64(p, 10 + e.cli->addr % 4);
		p = PUTL(p, " transport=");
		p = put_u64(p, 1024 + (e.sport * 7919u) % 64000);
	}
	if (deny) {
		p = PUTL(p, " duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 "
		            "appcat=\"unscanned\" crscore=30 craction=131072 "
		            "crlevel=\"high\"");
		return p;
	}
	if (e.dst->fapp.n > 0 && !udp) {
		p = PUTL(p, " appid=");
		p = put_u64(p, 15000 + e.dst->app.n * 977 % 30000);
		p = PUTL(p, " app=\"");
		p = puts_(p, e.dst->fapp);
		p = PUTL(p, "\" appcat=\"");
		p = put(p, appcat_forti[e.dst->cat],
		        strlen(appcat_forti[e.dst->cat]));
		p = PUTL(p, "\" apprisk=\"elevated\" applist=\"default\"");
	} else if (!udp) {
		p = e.tls ? PUTL(p, " appid=40568 app=\"HTTPS.BROWSER\"")
		          : PUTL(p, " appid=15893 app=\"HTTP.BROWSER\"");
		p = PUTL(p, " appcat=\"Web.Client\" apprisk=\"medium\" "
		            "applist=\"default\"");
	} else
		p = PUTL(p, " appcat=\"unscanned\"");
	p = PUTL(p, " duration=");
	p = put_u64(p, e.elapsed / 1000);
	p = PUTL(p, " sentbyte=");
	p = put_u64(p, e.up);
	p = PUTL(p, " rcvdbyte=");
	p = put_u64(p, e.down);
	p = PUTL(p, " sentpkt=");
	p = put_u64(p, 1 + e.up / 1200);
	p = PUTL(p, " rcvdpkt=");
	p = put_u64(p, 1 + e.down / 1400);
	if (!udp)
		p = PUTL(p, " utmaction=\"allow\" countweb=1");
	return p;
}

/* ---- cisco_asa (RFC 3164 header, %ASA-6-3020xx and %ASA-4-106023) ------- */

static char *
asa_head(struct gen *g, char *p, unsigned sev, unsigned id)
{
	p = put_bsd(p, &g->tm);
	p = PUTL(p, " asa-edge-01 %ASA-");
	*p++ = (char)('0' + sev);
	*p++ = '-';
	p = put_u64(p, id);
	return PUTL(p, ": ");
}

static char *
asa_user(char *p, const struct ev *e)
{
	if (e->user == NULL)
		return p;
	p = PUTL(p, "(CORP\\");
	p = puts_(p, *e->user);
	*p++ = ')';
	return p;
}

/* "outside:52.1.2.3/443" or "dmz:10.10.4.5/443" */
static char *
asa_server(char *p, const struct ev *e)
{
	p = e->dst->internal ? PUTL(p, "dmz:") : PUTL(p, "outside:");
	p = puts_(p, e->dst->ip);
	*p++ = '/';
	return put_u64(p, e->dport);
}

static char *
asa_client(char *p, const struct ev *e)
{
	p = PUTL(p, "inside:");
	p = puts_(p, e->cli->ip);
	*p++ = '/';
	return put_u64(p, e->sport);
}

static char *
asa_teardown(struct gen *g, char *p)
{
	struct pending *c = &g->pend[g->phead];
	struct ev *e = &c->ev;
	struct rng *r = &g->r;
	int64_t d;

	g->phead = (g->phead + 1) % N_PENDING;
	g->pcount--;
	next_ms(g);
	d = (g->last - e->ms) / 1000;
	p = asa_head(g, p, 6, c->udp ? 302016 : 302014);
	p = c->udp ? PUTL(p, "Teardown UDP connection ")
	           : PUTL(p, "Teardown TCP connection ");
	p = put_u64(p, c->id);
	p = PUTL(p, " for ");
	p = asa_server(p, e);
	p = PUTL(p, " to ");
	p = asa_client(p, e);
	p = asa_user(p, e);
	p = PUTL(p, " duration ");
	p = put_u64(p, (uint64_t)(d / 3600));
	*p++ = ':';
	p = put_2d(p, (unsigned)(d / 60 % 60));
	*p++ = ':';
	p = put_2d(p, (unsigned)(d % 60));
	p = PUTL(p, " bytes ");
	p = put_u64(p, e->up + e->down);
	if (!c->udp) {
		uint32_t u = below(r, 100);

		p = u < 75   ? PUTL(p, " TCP FINs from inside")
		    : u < 90 ? PUTL(p, " TCP Reset-I from inside")
		    : u < 97 ? PUTL(p, " TCP Reset-O from outside")
		             : PUTL(p, " Conn-timeout");
	}
	return p;
}

static char *
line_cisco_asa(struct gen *g, char *p)
{
	struct rng *r = &g->r;
	struct pending *c;
	struct ev *e;

	if (g->pcount == N_PENDING || (g->pcount > 16 && chance(r, PROB(0.47))))
		return asa_teardown(g, p);
	c = &g->pend[(g->phead + g->pcount) % N_PENDING];
	e = &c->ev;
	make_event(g, e);
	c->udp = chance(r, PROB(0.08));
	if (c->udp)
		e->dport = chance(r, PROB(0.6))   ? 53
		           : chance(r, PROB(0.5)) ? 123
		                                  : 443;
	if (e->deny == D_POLICY) {
		p = asa_head(g, p, 4, 106023);
		p = c->udp ? PUTL(p, "Deny udp src ")
		           : PUTL(p, "Deny tcp src ");
		p = asa_client(p, e);
		p = asa_user(p, e);
		p = PUTL(p, " dst ");
		p = asa_server(p, e);
		p = PUTL(p, " by access-group \"inside_access_in\" [0x0, 0x0]");
		return p;
	}
	c->id = ++g->session;
	c->nport = (uint16_t)(1024 + (e->sport * 7919u) % 64000);
	g->pcount++;
	p = asa_head(g, p, 6, c->udp ? 302015 : 302013);
	p = c->udp ? PUTL(p, "Built outbound UDP connection ")
	           : PUTL(p, "Built outbound TCP connection ");
	p = put_u64(p, c->id);
	p = PUTL(p, " for ");
	p = asa_server(p, e);
	p = PUTL(p, " (");
	p = puts_(p, e->dst->ip);
	*p++ = '/';
	p = put_u64(p, e->dport);
	p = PUTL(p, ") to ");
	p = asa_client(p, e);
	p = PUTL(p, " (");
	if (e->dst->internal) {
		p = puts_(p, e->cli->ip);
		*p++ = '/';
		p = put_u64(p, e->sport);
	} else {
		p = PUTL(p, "203.0.113.");
		p = put_u64(p, 10 + e->cli->addr % 4);
		*p++ = '/';
		p = put_u64(p, c->nport);
	}
	*p++ = ')';
	return asa_user(p, e);
}

/* ---- cef (generic ArcSight CEF from a web gateway) -------------------- */

static char *
line_cef(struct gen *g, char *p)
{
	struct ev e;

	make_event(g, &e);
	p = e.deny != D_NONE
	        ? PUTL(p,
	               "CEF:0|Example|Secure Web Gateway|5.2.1|200|Web request "
	               "blocked|6|rt=")
	        : PUTL(p,
	               "CEF:0|Example|Secure Web Gateway|5.2.1|100|Web request "
	               "allowed|1|rt=");
	p = put_u64(p, (uint64_t)e.ms);
	p = PUTL(p, " src=");
	p = puts_(p, e.cli->ip);
	p = PUTL(p, " spt=");
	p = put_u64(p, e.sport);
	p = PUTL(p, " dst=");
	p = puts_(p, e.dst->ip);
	p = PUTL(p, " dpt=");
	p = put_u64(p, e.dport);
	if (e.user != NULL) {
		p = PUTL(p, " suser=");
		p = puts_(p, *e.user);
	}
	p = PUTL(p, " dhost=");
	p = puts_(p, e.dst->name);
	p = PUTL(p, " request=");
	if (e.method == M_CONNECT) {
		p = PUTL(p, "https://");
		p = puts_(p, e.dst->name);
		p = PUTL(p, ":443/");
	} else {
		p = e.tls ? PUTL(p, "https://") : PUTL(p, "http://");
		p = puts_(p, e.dst->name);
		p = puts_(p, e.path->cef);
	}
	p = PUTL(p, " requestMethod=");
	p = puts_(p, methods[e.method]);
	p = PUTL(p, " requestClientApplication=");
	p = puts_(p, *e.ua);
	p = e.deny != D_NONE ? PUTL(p, " act=blocked")
	                     : PUTL(p, " act=allowed");
	p = PUTL(p, " outcome=");
	p = put_u64(p, e.code);
	p = PUTL(p, " in=");
	p = put_u64(p, e.down);
	p = PUTL(p, " out=");
	p = put_u64(p, e.up);
	p = PUTL(p, " app=");
	p = e.tls ? PUTL(p, "HTTPS") : PUTL(p, "HTTP");
	p = PUTL(p, " cs1Label=Category cs1=");
	p = put(p, cat_forti[e.dst->cat], strlen(cat_forti[e.dst->cat]));
	return p;
}

/* ---- Driver ---------------------------------------------------------- */

static char *
gen_line(struct gen *g, char *p)
{
	switch (g->fmt) {
	case F_SQUID_NATIVE:
		p = line_squid_native(g, p);
		break;
	case F_SQUID_COMMON:
		p = line_squid_common(g, p);
		break;
	case F_BLUECOAT:
		p = line_bluecoat(g, p);
		break;
	case F_PALOALTO:
		p = line_paloalto(g, p);
		break;
	case F_FORTIGATE:
		p = line_fortigate(g, p);
		break;
	case F_CISCO_ASA:
		p = line_cisco_asa(g, p);
		break;
	case F_CEF:
		p = line_cef(g, p);
		break;
	case NFORMAT:
	default:
		abort();
	}
	if (g->crlf)
		*p++ = '\r';
	*p++ = '\n';
	return p;
}

static int out_fd = STDOUT_FILENO;
static const char *out_name = "stdout";

static void
write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(out_fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* The reader went away (`loggen | head`): not an error
			 */
			if (errno == EPIPE)
				exit(0);
			fprintf(stderr, "loggen: %s: %s\n", out_name,
			        strerror(errno));
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* "1G", "64M", "100k", "1GiB", "12345": bytes, binary multiples. */
static bool
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		break;
	}
	if (shift != 0 && strcmp(end, "iB") == 0)
		end += 2;
	else if (shift != 0 && strcmp(end, "B") == 0)
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: loggen --format F [--size N[K|M|G|T] | --lines N] "
	           "[--seed S]\n"
	           "              [--now EPOCH] [--days D] [--crlf] [-o FILE]\n"
	           "formats:");
	for (int i = 0; i < NFORMAT; i++)
		fprintf(f, " %s", format_names[i]);
	fprintf(f, "\n");
}

static void
die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "loggen: %s: %s\n", msg, arg);
	usage(stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"size", required_argument, NULL, 's'},
	    {"lines", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 'S'},
	    {"now", required_argument, NULL, 'N'},
	    {"days", required_argument, NULL, 'd'},
	    {"crlf", no_argument, NULL, 'c'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct gen g; /* large: keep it off the stack */
	const char *fmt = NULL, *out = NULL;
	uint64_t size = 0, nlines = 0, seed = 1;
	int64_t now = (int64_t)time(NULL);
	double days = 1;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "f:s:n:S:N:d:co:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'f':
			fmt = optarg;
			break;
		case 's':
			if (!parse_size(optarg, &size) || size == 0)
				die_usage("bad --size", optarg);
			break;
		case 'n':
			errno = 0;
			nlines = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || nlines == 0 ||
			    *optarg == '-')
				die_usage("bad --lines", optarg);
			break;
		case 'S':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || end == optarg)
				die_usage("bad --seed", optarg);
			break;
		case 'N':
			errno = 0;
			now = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    now < 86400 * 366)
				die_usage("bad --now", optarg);
			break;
		case 'd':
			errno = 0;
			days = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(days > 0) ||
			    days > 3650)
				die_usage("bad --days", optarg);
			break;
		case 'c':
			g.crlf = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		die_usage("unexpected argument", argv[optind]);
	if (fmt == NULL)
		die_usage("missing option", "--format");
	for (g.fmt = 0; g.fmt < NFORMAT; g.fmt++)
		if (strcmp(fmt, format_names[g.fmt]) == 0)
			break;
	if (g.fmt == NFORMAT)
		die_usage("unknown format", fmt);
	if (size == 0 && nlines == 0)
		nlines = 1000;

	signal(SIGPIPE, SIG_IGN);
	if (out != NULL && strcmp(out, "-") != 0) {
		out_fd =
		    open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out_fd < 0) {
			fprintf(stderr, "loggen: %s: %s\n", out,
			        strerror(errno));
			return 1;
		}
		out_name = out;
	}

	catalogue_build(seed);
	rng_seed(&g.r, seed, 2);
	/* Session and connection ids of a device that has been up a while. */
	g.session = 100000 + below(&g.r, 9000000);
	g.tend = now * 1000;
	g.t0 = (double)g.tend - days * 86400000.0;
	g.tm.sec = INT64_MIN;

	char *obuf = xcalloc(OBUF_SIZE, 1);
	char *p = obuf;
	uint64_t total = 0, lines = 0;

	/*
	 * Spread the times evenly over the window: for --size, learn the
	 * mean line length from a dry run of the same stream first.
	 */
	uint64_t expect = nlines;
	if (size != 0) {
		struct gen *dry = xcalloc(1, sizeof(*dry));
		uint64_t n = 0, bytes = 0;

		*dry = g;
		dry->step = 1;
		for (; n < 4096; n++) {
			char *q = gen_line(dry, obuf);
			bytes += (uint64_t)(q - obuf);
		}
		free(dry);
		uint64_t guess = size / (bytes / n) + 1;
		if (expect == 0 || guess < expect)
			expect = guess;
	}
	g.step = days * 86400000.0 / (double)expect;
	g.last = (int64_t)g.t0;

	if (g.fmt == F_BLUECOAT)
		p = header_bluecoat(&g, p);
	total = (uint64_t)(p - obuf);
	for (;;) {
		char *q = gen_line(&g, p);

		total += (uint64_t)(q - p);
		lines++;
		p = q;
		if ((size != 0 && total >= size) ||
		    (nlines != 0 && lines >= nlines))
			break;
		if (p > obuf + OBUF_SIZE - LINE_MAX_LEN) {
			write_all(obuf, (size_t)(p - obuf));
			p = obuf;
		}
	}
	write_all(obuf, (size_t)(p - obuf));
	if (out_fd != STDOUT_FILENO && close(out_fd) != 0) {
		fprintf(stderr, "loggen: %s: %s\n", out_name, strerror(errno));
		return 1;
	}
	free(obuf);
	return 0;
}
