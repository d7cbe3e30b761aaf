/*
 * Block scripts: `discolog blockscript` fetches the script Discovery
 * generates for one of the seven appliances it knows (mdca-api.md §5.3),
 * for the apps tagged unsanctioned (banned) or sanctioned (allowed), and
 * writes it to standard output or, atomically, to a file, telling by its
 * exit status whether the file changed (10) or not (0).
 *
 * For devices the API does not know, --render turns the same list into a
 * plain domain list, a Palo Alto external dynamic list, a Squid ACL, or a
 * dnsmasq, unbound or hosts-file blocklist, rendered here.
 *
 * A downloaded script is data: capped in size (BLOCKSCRIPT_MAX_BYTES),
 * written without an execute bit, never run.  The domains taken from it
 * are checked as host names and anything else is dropped.
 */
#ifndef BLOCKSCRIPT_H
#define BLOCKSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

int cmd_blockscript(int argc, char **argv);

/* The appliance code of a name ("fortigate") or number ("108"); -1. */
int blockscript_appliance(const char *name);

enum blockscript_render {
	BS_DOMAINS,      /* one name a line */
	BS_PALOALTO_EDL, /* URL list EDL: "d/" and "*.d/" */
	BS_SQUID_ACL,    /* acl mdca_banned dstdomain .d */
	BS_DNSMASQ,      /* address=/d/0.0.0.0 */
	BS_UNBOUND,      /* local-zone: "d." always_nxdomain */
	BS_HOSTS,        /* 0.0.0.0 d */
};

/* The renderer called `name`, or -1. */
int blockscript_render_find(const char *name);

/* Whether s[0..n) is a host name fit for a blocklist: LDH labels of 1-63
 * characters, lower case, at least two labels, not all-digit at the end
 * (an IPv4 address is not a host name), at most 253 characters. */
bool blockscript_hostname_ok(const char *s, size_t n);

/* A sorted list of distinct host names. */
struct blockscript_domains {
	char **v;
	size_t n, cap;
};

/*
 * The domains of a block script in the Zscaler format (120: ".domain" a
 * line; "domain" and "*.domain" taken too), lower-cased, sorted, without
 * duplicates.  Blank lines and '#' or ';' comments are skipped; any other
 * line that is not a host name is dropped and counted in *dropped.
 * 0, or -1 when out of memory.
 */
int blockscript_domains_parse(struct blockscript_domains *d, const char *text,
                              size_t len, size_t *dropped);

void blockscript_domains_free(struct blockscript_domains *d);

/*
 * Render the list for a device.  Every entry stands for the domain and
 * its subdomains (Zscaler's ".domain"), so for the renderers whose entries
 * cover subdomains a name under another listed name is left out (Squid
 * refuses such pairs in one dstdomain ACL); `domains` and `hosts` keep
 * every name.  `banned` picks the ACL name (mdca_banned or mdca_allowed).
 * The output depends on the list alone (no date), so an unchanged list
 * renders to the same bytes.  0, or -1 when out of memory.
 */
int blockscript_render(enum blockscript_render r,
                       const struct blockscript_domains *d, bool banned,
                       struct buf *out);

/*
 * Write data to path atomically: a temporary file in the same directory,
 * mode 0640, fsync, rename, fsync of the directory.  When the file already
 * holds exactly these bytes it is left alone and *changed is false.
 * 0, or -1 with the reason in err.
 */
int blockscript_write(const char *path, const char *data, size_t len,
                      bool *changed, char *err, size_t errlen);

#endif
