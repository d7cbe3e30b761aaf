/*
 * JSON Web Tokens, as far as an Entra ID client needs them: base64url,
 * the signed client assertion of the certificate credential (RFC 7523,
 * learn.microsoft.com/entra/identity-platform/certificate-credentials), and
 * reading the claims of an access token (never verifying them: that is the
 * tenant's job).
 *
 * The assertion is RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with the
 * certificate named by "x5t#S256", the base64url SHA-256 of its DER form;
 * the claims are aud (the token endpoint), iss = sub = the client id, jti
 * (random), nbf, iat and exp.
 */
#ifndef JWT_H
#define JWT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* A certificate credential: the certificate and its RSA private key. */
struct jwt_cred;

/* Lifetime of a client assertion, in s (MSAL uses 10 minutes). */
#define JWT_ASSERTION_LIFETIME 600

/* base64url of n bytes, without padding, NUL-terminated into out.  The
 * length, or -1 when out is too small. */
ssize_t jwt_b64url(const void *p, size_t n, char *out, size_t outlen);

/* Decode base64url (padding allowed, not needed) of s[0..n).  The bytes
 * written, or -1 on a bad character or when out is too small. */
ssize_t jwt_b64url_decode(const char *s, size_t n, unsigned char *out,
                          size_t outlen);

/*
 * Load the PEM certificate `cert` and the PEM private key `key` (NULL: the
 * key is in the certificate's file).  The key's file must not be readable
 * by others; an encrypted key is refused (nothing prompts).  NULL with the
 * reason in err.
 */
struct jwt_cred *jwt_cred_load(const char *cert, const char *key, char *err,
                               size_t errlen);

/* Wipe and free; NULL ok. */
void jwt_cred_free(struct jwt_cred *c);

/* The certificate's SHA-1 thumbprint in upper-case hex, as the Entra
 * portal shows it. */
const char *jwt_cred_thumbprint(const struct jwt_cred *c);

/* The "x5t#S256" of the certificate. */
const char *jwt_cred_x5t_s256(const struct jwt_cred *c);

/* The certificate's notAfter, epoch s (0 when unreadable). */
time_t jwt_cred_not_after(const struct jwt_cred *c);

/*
 * The signed client assertion for `client_id` at the token endpoint `aud`,
 * valid from `now` for JWT_ASSERTION_LIFETIME.  The caller frees it (it is
 * a credential: wipe first).  NULL with the reason in err.
 */
char *jwt_assertion(const struct jwt_cred *c, const char *client_id,
                    const char *aud, time_t now, char *err, size_t errlen);

/*
 * The decoded part `part` (0 header, 1 claims) of a compact JWT as a JSON
 * string, unverified; the caller frees.  NULL when token is not a JWT.
 */
char *jwt_part(const char *token, int part);

#endif
