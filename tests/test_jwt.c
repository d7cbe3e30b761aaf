/*
 * Unit tests of jwt.c: base64url, the client assertion's header and claims,
 * its signature against the certificate's public key, and the loading of
 * certificate credentials (the key file's permissions, a wrong key, an
 * encrypted key, a non-RSA key).
 */
#include <cJSON.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jwt.h"
#include "test.h"

static char dir[] = "/tmp/discolog-test-jwt-XXXXXX";
static EVP_PKEY *rsa_key, *rsa_key2;

TEST(b64url_vectors)
{
	/* RFC 4648 §10, without padding, and the two url-safe letters. */
	static const struct {
		const char *in, *out;
	} v[] = {
	    {"", ""},
	    {"f", "Zg"},
	    {"fo", "Zm8"},
	    {"foo", "Zm9v"},
	    {"foob", "Zm9vYg"},
	    {"fooba", "Zm9vYmE"},
	    {"foobar", "Zm9vYmFy"},
	};
	char out[64];
	unsigned char back[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ssize_t n =
		    jwt_b64url(v[i].in, strlen(v[i].in), out, sizeof(out));

		CHECK_INT_EQ(n, strlen(v[i].out));
		CHECK_STR_EQ(out, v[i].out);
		n = jwt_b64url_decode(out, strlen(out), back, sizeof(back));
		CHECK_INT_EQ(n, strlen(v[i].in));
		CHECK(n >= 0 && memcmp(back, v[i].in, (size_t)n) == 0);
	}
	CHECK_INT_EQ(jwt_b64url("\xfb\xff", 2, out, sizeof(out)), 3);
	CHECK_STR_EQ(out, "-_8");
	/* Exactly big enough, and one byte short. */
	CHECK_INT_EQ(jwt_b64url("foob", 4, out, 7), 6);
	CHECK_INT_EQ(jwt_b64url("foob", 4, out, 6), -1);
}

TEST(b64url_decode_errors)
{
	unsigned char out[16];

	CHECK_INT_EQ(jwt_b64url_decode("Zm9v!", 5, out, sizeof(out)), -1);
	CHECK_INT_EQ(jwt_b64url_decode("Z", 1, out, sizeof(out)), -1);
	CHECK_INT_EQ(jwt_b64url_decode("Zm9vYmFy", 8, out, 5), -1);
	/* Padding and the standard alphabet are taken too. */
	CHECK_INT_EQ(jwt_b64url_decode("Zm8=", 4, out, sizeof(out)), 2);
	CHECK_INT_EQ(jwt_b64url_decode("+/8", 3, out, sizeof(out)), 2);
	CHECK(out[0] == 0xfb && out[1] == 0xff);
}

/* A self-signed certificate for key, in PEM, or NULL. */
static X509 *
make_cert(EVP_PKEY *key, long days)
{
	X509 *x = X509_new();
	X509_NAME *n;

	if (x == NULL)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"discolog-test", -1,
	                           -1, 0);
	X509_set_issuer_name(x, n);
	if (X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static void
path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* Write cert and/or key as PEM into dir/name with mode. */
static void
write_pem(const char *name, X509 *cert, EVP_PKEY *key, mode_t mode,
          const char *passphrase)
{
	char p[256];
	FILE *f;
	int fd;

	path_of(p, sizeof(p), name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		perror(p);
		exit(1);
	}
	if (cert != NULL)
		PEM_write_X509(f, cert);
	if (key != NULL)
		PEM_write_PrivateKey(
		    f, key, passphrase ? EVP_aes_128_cbc() : NULL,
		    (unsigned char *)passphrase,
		    passphrase ? (int)strlen(passphrase) : 0, NULL, NULL);
	fclose(f);
	chmod(p, mode);
}

static struct jwt_cred *
load(const char *cert, const char *key, char *err, size_t errlen)
{
	char c[256], k[256];

	path_of(c, sizeof(c), cert);
	if (key != NULL)
		path_of(k, sizeof(k), key);
	return jwt_cred_load(c, key ? k : NULL, err, errlen);
}

TEST(cred_thumbprints)
{
	X509 *x = make_cert(rsa_key, 365);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;
	char hex[41], want[64], err[256];
	struct jwt_cred *c;

	write_pem("cert.pem", x, NULL, 0644, NULL);
	write_pem("key.pem", NULL, rsa_key, 0600, NULL);
	c = load("cert.pem", "key.pem", err, sizeof(err));
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  %s\n", err);
		X509_free(x);
		return;
	}
	X509_digest(x, EVP_sha1(), md, &n);
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
	CHECK_STR_EQ(jwt_cred_thumbprint(c), hex);
	X509_digest(x, EVP_sha256(), md, &n);
	jwt_b64url(md, n, want, sizeof(want));
	CHECK_STR_EQ(jwt_cred_x5t_s256(c), want);
	CHECK_INT_EQ(strlen(want), 43);
	CHECK(jwt_cred_not_after(c) > time(NULL) + 364 * 86400);
	CHECK(jwt_cred_not_after(c) < time(NULL) + 366 * 86400);
	jwt_cred_free(c);
	X509_free(x);
}

/* Split a compact JWS; the parts point into tok, which is cut. */
static int
split(char *tok, char **h, char **c, char **s)
{
	*h = tok;
	if ((*c = strchr(tok, '.')) == NULL)
		return -1;
	*(*c)++ = '\0';
	if ((*s = strchr(*c, '.')) == NULL)
		return -1;
	*(*s)++ = '\0';
	return strchr(*s, '.') ? -1 : 0;
}

static cJSON *
decode_json(const char *b64)
{
	unsigned char buf[4096];
	ssize_t n = jwt_b64url_decode(b64, strlen(b64), buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return cJSON_Parse((char *)buf);
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int
verify(EVP_PKEY *pub, const char *h, const char *c, const char *s)
{
	unsigned char sig[1024];
	ssize_t n = jwt_b64url_decode(s, strlen(s), sig, sizeof(sig));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	if (n < 0)
		return 0;
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
	     EVP_DigestVerifyUpdate(md, h, strlen(h)) == 1 &&
	     EVP_DigestVerifyUpdate(md, ".", 1) == 1 &&
	     EVP_DigestVerifyUpdate(md, c, strlen(c)) == 1 &&
	     EVP_DigestVerifyFinal(md, sig, (size_t)n) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

TEST(assertion_header_claims_signature)
{
	const char *aud = "https://login.microsoftonline.com/"
	                  "d15c0106-0000-4000-8000-00000000e001/oauth2/v2.0/"
	                  "token";
	X509 *x = make_cert(rsa_key, 365);
	char err[256], *a, *a2, *h, *c, *s, *tampered;
	struct jwt_cred *cred;
	cJSON *hj, *cj, *cj2;
	time_t now = 1700000000;

	write_pem("cert.pem", x, NULL, 0644, NULL);
	write_pem("key.pem", NULL, rsa_key, 0600, NULL);
	cred = load("cert.pem", "key.pem", err, sizeof(err));
	CHECK(cred != NULL);
	if (cred == NULL) {
		X509_free(x);
		return;
	}
	a = jwt_assertion(cred, "11111111-2222-3333-4444-555555555555", aud,
	                  now, err, sizeof(err));
	a2 = jwt_assertion(cred, "11111111-2222-3333-4444-555555555555", aud,
	                   now, err, sizeof(err));
	CHECK(a != NULL && a2 != NULL);
	if (a == NULL || a2 == NULL)
		goto out;
	/* jwt_part reads the same parts. */
	h = jwt_part(a, 0);
	CHECK(h != NULL && strstr(h, "\"RS256\"") != NULL);
	free(h);
	CHECK(jwt_part("not-a-jwt", 1) == NULL);
	CHECK(jwt_part("a.b", 1) == NULL);
	CHECK_INT_EQ(split(a, &h, &c, &s), 0);
	hj = decode_json(h);
	cj = decode_json(c);
	CHECK(hj != NULL && cj != NULL);
	CHECK_STR_EQ(str(hj, "alg"), "RS256");
	CHECK_STR_EQ(str(hj, "typ"), "JWT");
	CHECK_STR_EQ(str(hj, "x5t#S256"), jwt_cred_x5t_s256(cred));
	CHECK_STR_EQ(str(cj, "aud"), aud);
	CHECK_STR_EQ(str(cj, "iss"), "11111111-2222-3333-4444-555555555555");
	CHECK_STR_EQ(str(cj, "sub"), "11111111-2222-3333-4444-555555555555");
	CHECK(num(cj, "nbf") == (double)now);
	CHECK(num(cj, "iat") == (double)now);
	CHECK(num(cj, "exp") == (double)(now + JWT_ASSERTION_LIFETIME));
	CHECK(str(cj, "jti") != NULL && strlen(str(cj, "jti")) == 36);
	/* A fresh jti every time. */
	{
		char *h2, *c2, *s2;

		CHECK_INT_EQ(split(a2, &h2, &c2, &s2), 0);
		cj2 = decode_json(c2);
		CHECK(cj2 != NULL && str(cj2, "jti") != NULL &&
		      str(cj, "jti") != NULL &&
		      strcmp(str(cj2, "jti"), str(cj, "jti")) != 0);
		cJSON_Delete(cj2);
	}
	/* RS256 over "header.claims", with the certificate's public key. */
	CHECK(verify(X509_get0_pubkey(x), h, c, s));
	CHECK(!verify(rsa_key2, h, c, s));
	tampered = strdup(c);
	tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
	CHECK(!verify(X509_get0_pubkey(x), h, tampered, s));
	free(tampered);
	cJSON_Delete(hj);
	cJSON_Delete(cj);
out:
	if (a)
		free(a);
	if (a2)
		free(a2);
	jwt_cred_free(cred);
	X509_free(x);
}

TEST(claims_escaped)
{
	X509 *x = make_cert(rsa_key, 365);
	char err[256], *a, *p;
	struct jwt_cred *cred;
	cJSON *cj;

	write_pem("cert.pem", x, NULL, 0644, NULL);
	write_pem("key.pem", NULL, rsa_key, 0600, NULL);
	cred = load("cert.pem", "key.pem", err, sizeof(err));
	a = cred
	        ? jwt_assertion(cred, "a\"b\\c", "http://x/t/oauth2/v2.0/token",
	                        1, err, sizeof(err))
	        : NULL;
	CHECK(a != NULL);
	p = a ? jwt_part(a, 1) : NULL;
	cj = p ? cJSON_Parse(p) : NULL;
	CHECK(cj != NULL);
	CHECK_STR_EQ(str(cj, "iss"), "a\"b\\c");
	cJSON_Delete(cj);
	free(p);
	free(a);
	jwt_cred_free(cred);
	X509_free(x);
}

TEST(key_file_rules)
{
	X509 *x = make_cert(rsa_key, 365);
	char err[256];
	struct jwt_cred *c;

	/* Readable by others: refused, as secret.c refuses secrets. */
	write_pem("cert.pem", x, NULL, 0644, NULL);
	write_pem("open.pem", NULL, rsa_key, 0644, NULL);
	c = load("cert.pem", "open.pem", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "readable by every user") != NULL);
	/* Not the certificate's key. */
	write_pem("other.pem", NULL, rsa_key2, 0600, NULL);
	c = load("cert.pem", "other.pem", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "is not the private key") != NULL);
	/* Encrypted: refused, no prompt. */
	write_pem("enc.pem", NULL, rsa_key, 0600, "passphrase");
	c = load("cert.pem", "enc.pem", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "no unencrypted PEM private key") != NULL);
	/* Certificate and key in one file: no --client-key needed. */
	write_pem("both.pem", x, rsa_key, 0600, NULL);
	c = load("both.pem", NULL, err, sizeof(err));
	CHECK(c != NULL);
	jwt_cred_free(c);
	/* ... but that file is then a secret. */
	write_pem("both.pem", x, rsa_key, 0644, NULL);
	c = load("both.pem", NULL, err, sizeof(err));
	CHECK(c == NULL);
	/* No certificate in the file. */
	c = load("other.pem", "other.pem", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "no PEM certificate") != NULL);
	X509_free(x);
}

TEST(ec_key_refused)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	X509 *x = ec ? make_cert(ec, 30) : NULL;
	char err[256];
	struct jwt_cred *c;

	CHECK(x != NULL);
	if (x == NULL) {
		EVP_PKEY_free(ec);
		return;
	}
	write_pem("eccert.pem", x, NULL, 0644, NULL);
	write_pem("eckey.pem", NULL, ec, 0600, NULL);
	c = load("eccert.pem", "eckey.pem", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "not an RSA key") != NULL);
	X509_free(x);
	EVP_PKEY_free(ec);
}

static void
cleanup(void)
{
	static const char *const names[] = {
	    "cert.pem", "key.pem",  "open.pem",   "other.pem",
	    "enc.pem",  "both.pem", "eccert.pem", "eckey.pem",
	};
	char p[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_of(p, sizeof(p), names[i]);
		unlink(p);
	}
	rmdir(dir);
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(rsa_key2);
}

static const struct test_case cases[] = {
    T(b64url_vectors),   T(b64url_decode_errors),
    T(cred_thumbprints), T(assertion_header_claims_signature),
    T(claims_escaped),   T(key_file_rules),
    T(ec_key_refused),
};

int
main(int argc, char **argv)
{
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rsa_key = EVP_RSA_gen(2048);
	rsa_key2 = EVP_RSA_gen(2048);
	if (rsa_key == NULL || rsa_key2 == NULL) {
		fprintf(stderr, "cannot make RSA keys\n");
		return 1;
	}
	rc = test_run("jwt", cases, sizeof(cases) / sizeof(cases[0]), argc,
	              argv);
	cleanup();
	return rc;
}
