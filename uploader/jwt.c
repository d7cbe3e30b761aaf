/*
 * JSON Web Tokens for the Entra client: see jwt.h.
 */
#include <cJSON.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "secret.h"

struct jwt_cred {
	X509 *cert;
	EVP_PKEY *key;
	char thumbprint[41]; /* SHA-1, hex */
	char x5t_s256[64];   /* base64url SHA-256 */
	time_t not_after;
};

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

ssize_t
jwt_b64url(const void *p, size_t n, char *out, size_t outlen)
{
	const unsigned char *s = p;
	size_t o = 0, i = 0;

	if (outlen < (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0) + 1)
		return -1;
	for (; i + 3 <= n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16 |
		                  (unsigned long)s[i + 1] << 8 | s[i + 2];

		out[o++] = b64url_chars[v >> 18 & 63];
		out[o++] = b64url_chars[v >> 12 & 63];
		out[o++] = b64url_chars[v >> 6 & 63];
		out[o++] = b64url_chars[v & 63];
	}
	if (n - i == 1) {
		unsigned long v = (unsigned long)s[i] << 16;

		out[o++] = b64url_chars[v >> 18 & 63];
		out[o++] = b64url_chars[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned long v =
		    (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8;

		out[o++] = b64url_chars[v >> 18 & 63];
		out[o++] = b64url_chars[v >> 12 & 63];
		out[o++] = b64url_chars[v >> 6 & 63];
	}
	out[o] = '\0';
	return (ssize_t)o;
}

static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

ssize_t
jwt_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	unsigned long acc = 0;
	size_t o = 0;
	int bits = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_value(s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outlen)
				return -1;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	return (ssize_t)o;
}

/* No passphrase prompt, ever: an encrypted key fails to load. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static time_t
asn1_epoch(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

struct jwt_cred *
jwt_cred_load(const char *cert, const char *key, char *err, size_t errlen)
{
	struct jwt_cred *c = calloc(1, sizeof(*c));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char *pem = NULL;
	BIO *bio = NULL;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((bio = BIO_new_file(cert, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open the certificate", cert);
		goto fail;
	}
	c->cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	bio = NULL;
	if (c->cert == NULL) {
		snprintf(err, errlen,
		         "%s: no PEM certificate in it (-----BEGIN "
		         "CERTIFICATE-----)",
		         cert);
		goto fail;
	}
	/* The key file is a secret: secret.c's rule (not readable by others)
	 * and its wiping apply. */
	if ((pem = secret_load(key ? key : cert, NULL, err, errlen)) == NULL)
		goto fail;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	c->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	secret_free(pem);
	pem = NULL;
	if (c->key == NULL) {
		snprintf(err, errlen,
		         "%s: no unencrypted PEM private key in it%s (an "
		         "encrypted key: openssl pkey -in KEY -out NEW)",
		         key ? key : cert,
		         key ? "" : " (give the key with --client-key)");
		goto fail;
	}
	if (EVP_PKEY_base_id(c->key) != EVP_PKEY_RSA) {
		snprintf(err, errlen,
		         "%s: not an RSA key: Entra client assertions are "
		         "signed with RSA (RS256)",
		         key ? key : cert);
		goto fail;
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		snprintf(err, errlen,
		         "%s is not the private key of certificate %s",
		         key ? key : cert, cert);
		goto fail;
	}
	if (X509_digest(c->cert, EVP_sha1(), md, &mdlen) != 1)
		goto crypto;
	for (unsigned int i = 0; i < mdlen && i < 20; i++)
		snprintf(c->thumbprint + 2 * i, 3, "%02X", md[i]);
	if (X509_digest(c->cert, EVP_sha256(), md, &mdlen) != 1 ||
	    jwt_b64url(md, mdlen, c->x5t_s256, sizeof(c->x5t_s256)) < 0)
		goto crypto;
	c->not_after = asn1_epoch(X509_get0_notAfter(c->cert));
	ERR_clear_error();
	return c;
crypto:
	snprintf(err, errlen, "%s: cannot digest the certificate", cert);
fail:
	secret_free(pem);
	jwt_cred_free(c);
	ERR_clear_error();
	return NULL;
}

void
jwt_cred_free(struct jwt_cred *c)
{
	if (c == NULL)
		return;
	X509_free(c->cert);
	EVP_PKEY_free(c->key); /* OpenSSL clears the private numbers */
	free(c);
}

const char *
jwt_cred_thumbprint(const struct jwt_cred *c)
{
	return c->thumbprint;
}

const char *
jwt_cred_x5t_s256(const struct jwt_cred *c)
{
	return c->x5t_s256;
}

time_t
jwt_cred_not_after(const struct jwt_cred *c)
{
	return c->not_after;
}

/* base64url of a cJSON object, printed compactly; malloc'ed. */
static char *
b64url_json(const cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o), *out;
	size_t n, cap;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	cap = n / 3 * 4 + 5;
	if ((out = malloc(cap)) != NULL && jwt_b64url(s, n, out, cap) < 0) {
		free(out);
		out = NULL;
	}
	free(s);
	return out;
}

/* A random UUID (version 4) for jti. */
static int
uuid4(char *out, size_t outlen)
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, outlen,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	         b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

char *
jwt_assertion(const struct jwt_cred *c, const char *client_id, const char *aud,
              time_t now, char *err, size_t errlen)
{
	cJSON *hdr = cJSON_CreateObject(), *cl = cJSON_CreateObject();
	char *h64 = NULL, *c64 = NULL, *out = NULL, jti[40];
	unsigned char *sig = NULL;
	size_t siglen = 0, n, cap;
	EVP_MD_CTX *md = NULL;

	if (hdr == NULL || cl == NULL || uuid4(jti, sizeof(jti)) == -1)
		goto fail;
	if (!cJSON_AddStringToObject(hdr, "alg", "RS256") ||
	    !cJSON_AddStringToObject(hdr, "typ", "JWT") ||
	    !cJSON_AddStringToObject(hdr, "x5t#S256", c->x5t_s256))
		goto fail;
	if (!cJSON_AddStringToObject(cl, "aud", aud) ||
	    !cJSON_AddNumberToObject(cl, "exp",
	                             (double)(now + JWT_ASSERTION_LIFETIME)) ||
	    !cJSON_AddStringToObject(cl, "iss", client_id) ||
	    !cJSON_AddStringToObject(cl, "jti", jti) ||
	    !cJSON_AddNumberToObject(cl, "nbf", (double)now) ||
	    !cJSON_AddStringToObject(cl, "sub", client_id) ||
	    !cJSON_AddNumberToObject(cl, "iat", (double)now))
		goto fail;
	if ((h64 = b64url_json(hdr)) == NULL || (c64 = b64url_json(cl)) == NULL)
		goto fail;
	/* header.claims.signature */
	n = strlen(h64) + 1 + strlen(c64);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, c->key) != 1 ||
	    EVP_DigestSignUpdate(md, h64, strlen(h64)) != 1 ||
	    EVP_DigestSignUpdate(md, ".", 1) != 1 ||
	    EVP_DigestSignUpdate(md, c64, strlen(c64)) != 1 ||
	    EVP_DigestSignFinal(md, NULL, &siglen) != 1 ||
	    (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSignFinal(md, sig, &siglen) != 1)
		goto fail;
	cap = n + 2 + siglen / 3 * 4 + 5;
	if ((out = malloc(cap)) == NULL)
		goto fail;
	snprintf(out, cap, "%s.%s.", h64, c64);
	if (jwt_b64url(sig, siglen, out + n + 1, cap - n - 1) < 0) {
		free(out);
		out = NULL;
		goto fail;
	}
	goto done;
fail:
	snprintf(err, errlen,
	         "cannot build the client assertion (out of "
	         "memory or an OpenSSL failure)");
	ERR_clear_error();
done:
	EVP_MD_CTX_free(md);
	free(sig);
	free(h64);
	free(c64);
	cJSON_Delete(hdr);
	cJSON_Delete(cl);
	return out;
}

char *
jwt_part(const char *token, int part)
{
	const char *p = token, *end;
	unsigned char *out;
	size_t n;
	ssize_t got;

	for (int i = 0; i < part; i++) {
		if ((p = strchr(p, '.')) == NULL)
			return NULL;
		p++;
	}
	end = strchr(p, '.');
	if (end == NULL) /* a compact JWS has three parts */
		return NULL;
	n = (size_t)(end - p);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	if ((got = jwt_b64url_decode(p, n, out, n)) < 0) {
		free(out);
		return NULL;
	}
	out[got] = '\0';
	return (char *)out;
}
