/*
 * Dropping privilege once and for all: see priv.h.
 */
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "secret.h"

static uid_t chown_uid;
static gid_t chown_gid;

static int
chown_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	/* lchown: a link in the state directory is not followed. */
	if (lchown(path, chown_uid, chown_gid) == -1)
		return -1;
	return 0;
}

int
priv_drop(const char *user, const char *state_dir, char *err, size_t errlen)
{
	struct passwd *pw;
	uid_t ruid, euid, suid;

	if (user == NULL || *user == '\0') {
		if (geteuid() == 0)
			log_warnx("running as root: set [daemon] user (e.g. a "
			          "'discolog' user in group adm) to run with "
			          "less");
		goto nnp;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "[daemon] user %s: no such user", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			goto nnp;
		snprintf(err, errlen,
		         "[daemon] user %s: only root can become another user",
		         user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "[daemon] user %s is root", user);
		return -1;
	}
	chown_uid = pw->pw_uid;
	chown_gid = pw->pw_gid;
	if (state_dir != NULL &&
	    nftw(state_dir, chown_one, 16, FTW_PHYS) == -1) {
		snprintf(err, errlen, "%s: cannot hand it to %s: %s", state_dir,
		         user, strerror(errno));
		return -1;
	}
	if (initgroups(user, pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		snprintf(err, errlen, "cannot become %s: %s", user,
		         strerror(errno));
		return -1;
	}
	/* Forward only: no way back to root. */
	if (getresuid(&ruid, &euid, &suid) == -1 || ruid == 0 || euid == 0 ||
	    suid == 0 || setuid(0) == 0) {
		snprintf(err, errlen, "still able to be root after dropping");
		return -1;
	}
	log_info("running as %s", user);
nnp:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		         strerror(errno));
		return -1;
	}
	/* A change of user set the dumpable flag to fs.suid_dumpable, which
	 * may be 2 (cores owned by root): no core file all the same. */
	secret_protect_process();
	return 0;
}
