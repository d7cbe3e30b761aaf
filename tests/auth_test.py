#!/usr/bin/env python3
"""Integration tests: Entra ID application auth and `discolog doctor`
against the emulator (its token endpoint takes a client secret or a signed
client assertion).

Each test starts its own emulator on loopback and stops it by PID.  Keys
and certificates are made with the openssl CLI in a temp dir.
"""

import os
import re
import shutil
import subprocess
import tempfile

from harness import (TOKEN, Emulator, Suite, check, run, secret_file,
                     squid_lines, write_lines)

suite = Suite("auth")

TENANT_ID = "d15c0106-0000-4000-8000-00000000e001"  # the emulator's default
APP = "6f1e2d3c-0000-4000-8000-0000000a9901"
SECRET = "Zq8~s3cr3t.Value_0123456789abcdefXYZ"
WRONG = "Zq8~wr0ng.Value_0123456789abcdefXYZ"
CHECKS = ["config", "dns", "tls", "clock", "token", "permissions",
          "privilege", "data source", "blob"]


class Case:
    """A temp dir with secret files, a key and a certificate."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="discolog-auth-")
        self.secret = secret_file(self.dir, SECRET, "secret")
        self.wrong = secret_file(self.dir, WRONG, "wrong")
        self.state = os.path.join(self.dir, "state")
        self.cert, self.key = self.make_cert("app")

    def make_cert(self, name):
        cert = self.path(name + ".crt")
        key = self.path(name + ".key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "90",
                        "-subj", "/CN=discolog-" + name],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        os.chmod(key, 0o600)
        return cert, key

    def path(self, name):
        return os.path.join(self.dir, name)

    def env(self, emu, **kw):
        e = {"DISCOLOG_STATE_DIR": self.state,
             "DISCOLOG_RETRY_MAX_TIME": "3",
             "DISCOLOG_TENANT": emu.api,
             "DISCOLOG_AUTHORITY": emu.api,
             "DISCOLOG_TENANT_ID": TENANT_ID,
             "DISCOLOG_CLIENT_ID": APP}
        e.update(kw)
        return e

    def log(self, n=300, seed=5):
        p = self.path("access-%d-%d.log" % (n, seed))
        lines, keep = squid_lines(n, seed=seed)
        write_lines(p, lines)
        return p, keep

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def emulator(c, *args, **kw):
    return Emulator("--client", "%s:%s" % (APP, SECRET),
                    "--client-cert", "%s:%s" % (APP, c.cert), *args, **kw)


def kinds(emu, kind):
    return [r for r in emu.requests() if r.get("kind") == kind]


def bearers(emu):
    return {r["authorization"] for r in emu.requests()
            if (r.get("authorization") or "").startswith("Bearer ")}


def secrets_absent(text, *secrets):
    for s in secrets:
        s = s if isinstance(s, str) else s.decode()
        check(s not in text, "a secret appears in the output")


@suite.test
def test_secret_flow_uploads():
    c = Case()
    emu = emulator(c)
    try:
        log, keep = c.log()
        rc, out, err = run(["upload", "-vv", "-s", "HQ-Proxy",
                            "--client-secret-file", c.secret, log],
                           env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == keep)
        check(len(kinds(emu, "token")) == 1, kinds(emu, "token"))
        for r in emu.requests():
            if r["listener"] == "blob":
                check(r["authorization"] is None, r)
            elif r["kind"] in ("upload_url", "done_upload"):
                check(r["authorization"].startswith("Bearer "), r)
        # Neither the secret nor the access token in any output at -vv.
        secrets_absent(err + out.decode(), SECRET, *bearers(emu))
        tokens = [b[7:] for b in bearers(emu)]
        secrets_absent(err + out.decode(), *tokens)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_secret_from_environment():
    c = Case()
    emu = emulator(c)
    try:
        log, keep = c.log()
        rc, _, err = run(["upload", "-s", "HQ-Proxy", log],
                         env=c.env(emu, DISCOLOG_CLIENT_SECRET=SECRET))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == keep)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_certificate_flow_uploads():
    c = Case()
    emu = emulator(c)
    try:
        log, keep = c.log()
        rc, out, err = run(["upload", "-vv", "-s", "HQ-Proxy",
                            "--client-cert", c.cert, "--client-key", c.key,
                            log], env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == keep)
        check(len(kinds(emu, "token")) == 1)
        check("certificate" in err, err)
        key = open(c.key).read()
        body = "".join(key.splitlines()[1:-1])
        check(body[:40] not in err + out.decode(), "key material shown")
    finally:
        emu.stop()
        c.close()


@suite.test
def test_certificate_and_key_in_one_file():
    c = Case()
    emu = emulator(c)
    try:
        both = c.path("both.pem")
        with open(both, "w") as f:
            f.write(open(c.cert).read() + open(c.key).read())
        os.chmod(both, 0o600)
        log, keep = c.log()
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-cert", both,
                          log], env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == keep)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_wrong_secret_exit_3_one_sentence():
    c = Case()
    emu = emulator(c)
    try:
        log, _ = c.log()
        rc, out, err = run(["upload", "-vv", "-s", "HQ-Proxy",
                            "--client-secret-file", c.wrong, log],
                           env=c.env(emu))
        check(rc == 3, "rc %d: %s" % (rc, err))
        lines = [l for l in err.splitlines() if "AADSTS7000215" in l]
        check(len(lines) == 1, err)
        check("client secret" in lines[0] and
              "Certificates & secrets" in lines[0], lines[0])
        secrets_absent(err + out.decode(), WRONG, SECRET)
        # Not retried forever: one token request, no API call.
        check(len(kinds(emu, "token")) == 1, kinds(emu, "token"))
        check(kinds(emu, "upload_url") == [])
    finally:
        emu.stop()
        c.close()


@suite.test
def test_entra_error_sentences():
    c = Case()
    emu = emulator(c)
    try:
        log, _ = c.log()
        # An unknown application.
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-secret-file",
                          c.secret, log],
                         env=c.env(emu, DISCOLOG_CLIENT_ID="no-such-app"))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("AADSTS700016" in err and "--client-id" in err, err)
        # An unknown tenant.
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-secret-file",
                          c.secret, log],
                         env=c.env(emu, DISCOLOG_TENANT_ID="contoso.example"))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("AADSTS90002" in err and "--tenant-id" in err, err)
        # A certificate the app does not know: a bad assertion.
        cert2, key2 = c.make_cert("other")
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-cert", cert2,
                          "--client-key", key2, log], env=c.env(emu))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("refused the certificate" in err and "thumbprint" in err, err)
        # A key that is not the certificate's: configuration, exit 2.
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-cert", c.cert,
                          "--client-key", key2, log], env=c.env(emu))
        check(rc == 2, "rc %d: %s" % (rc, err))
        check("not the private key" in err, err)
        # No credential at all for the app: exit 2.
        rc, _, err = run(["upload", "-s", "HQ-Proxy", log], env=c.env(emu))
        check(rc == 2, "rc %d: %s" % (rc, err))
        check("--client-secret-file" in err, err)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_key_readable_by_others_refused():
    c = Case()
    emu = emulator(c)
    try:
        os.chmod(c.key, 0o644)
        log, _ = c.log()
        rc, out, err = run(["upload", "-s", "HQ-Proxy", "--client-cert",
                            c.cert, "--client-key", c.key, log],
                           env=c.env(emu))
        check(rc == 2, "rc %d: %s" % (rc, err))
        check("readable by every user" in err, err)
        check(kinds(emu, "token") == [])
    finally:
        emu.stop()
        c.close()


@suite.test
def test_token_refreshed_before_it_expires():
    c = Case()
    # Tokens live 6 s; every PUT takes 2 s: several batches outlive one.
    emu = emulator(c, "--token-lifetime", "6", "--fault", "put:stall:2:*")
    try:
        log, keep = c.log(n=500, seed=11)
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--max-batch", "4K",
                          "--client-secret-file", c.secret, log],
                         env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(len(emu.uploads()) >= 4, len(emu.uploads()))
        check(emu.received_lines() == keep)
        check(len(kinds(emu, "token")) >= 2, len(kinds(emu, "token")))
        # Fetched ahead of expiry: the tenant never saw an expired token.
        api = [r for r in emu.requests() if r["listener"] == "api"]
        check(all(r["status"] != 401 for r in api),
              [r for r in api if r["status"] == 401])
        check(len(bearers(emu)) >= 2)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_401_mid_run_refreshes_once():
    c = Case()
    emu = emulator(c, "--fault", "done_upload:401:1")
    try:
        log, keep = c.log()
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-secret-file",
                          c.secret, log], env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == keep)
        check(len(kinds(emu, "token")) == 2, kinds(emu, "token"))
        done = kinds(emu, "done_upload")
        check([r["status"] for r in done] == [401, 200], done)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_401_twice_is_an_auth_error():
    c = Case()
    emu = emulator(c, "--fault", "upload_url:401:2")
    try:
        log, _ = c.log()
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-secret-file",
                          c.secret, log], env=c.env(emu))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("HTTP 401" in err, err)
        check(len(kinds(emu, "token")) == 2, kinds(emu, "token"))
        check(len(kinds(emu, "upload_url")) == 2)
        check(emu.uploads() == [])
    finally:
        emu.stop()
        c.close()


@suite.test
def test_without_discovery_manage_upload_exit_3():
    c = Case()
    emu = emulator(c, "--client-roles", APP + ":Discovery.read")
    try:
        log, _ = c.log()
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--client-secret-file",
                          c.secret, log], env=c.env(emu))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("Discovery.manage" in err and "403" in err, err)
        check(emu.uploads() == [])
    finally:
        emu.stop()
        c.close()


def doctor(c, emu, *args, **env):
    rc, out, err = run(["doctor"] + list(args), env=c.env(emu, **env))
    lines = out.decode().splitlines()
    for l in lines:
        check(re.match(r"^(ok  |warn|fail) [a-z ]+: \S", l), l)
    return rc, lines, err


def verdicts(lines, name):
    return [l.split()[0] for l in lines if l[5:].startswith(name + ":")]


@suite.test
def test_doctor_all_well():
    c = Case()
    emu = emulator(c)
    try:
        rc, lines, err = doctor(c, emu, "-s", "HQ-Proxy",
                                "--client-cert", c.cert,
                                "--client-key", c.key)
        check(rc == 0, "rc %d: %s\n%s" % (rc, "\n".join(lines), err))
        check(not any(l.startswith("fail") for l in lines), lines)
        # Every check, in order.
        order = []
        for l in lines:
            name = l[5:].split(":")[0]
            if name not in order:
                order.append(name)
        check(order == CHECKS, order)
        check(verdicts(lines, "permissions") == ["ok"], lines)
        check(verdicts(lines, "privilege") == ["ok"], lines)
        check(verdicts(lines, "data source") == ["ok"], lines)
        check(verdicts(lines, "blob") == ["ok"], lines)
        check(any("Discovery.manage" in l for l in lines), lines)
        # An upload URL was asked for, nothing was put.
        check(len(kinds(emu, "upload_url")) == 1)
        check([r for r in emu.requests() if r["listener"] == "blob"] == [])
    finally:
        emu.stop()
        c.close()


@suite.test
def test_doctor_unknown_data_source_fails():
    c = Case()
    emu = emulator(c)
    try:
        rc, lines, err = doctor(c, emu, "-s", "HQ-Proxy", "-s", "Branch-FW",
                                "--client-secret-file", c.secret)
        check(rc == 2, "rc %d: %s" % (rc, lines))
        bad = [l for l in lines if l.startswith("fail data source:")]
        check(len(bad) == 1 and "Branch-FW" in bad[0] and
              "HQ-Proxy" in bad[0], lines)
        check(any(l.startswith("ok   data source: 'HQ-Proxy'")
                  for l in lines), lines)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_doctor_warns_settings_manage():
    c = Case()
    emu = emulator(c, "--client-roles",
                   APP + ":Discovery.manage,Settings.manage")
    try:
        rc, lines, err = doctor(c, emu, "-s", "HQ-Proxy",
                                "--client-secret-file", c.secret)
        check(rc == 0, "rc %d: %s" % (rc, lines))
        warn = [l for l in lines if l.startswith("warn privilege:")]
        check(len(warn) == 1 and "Settings.manage" in warn[0], lines)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_doctor_read_only_app():
    c = Case()
    emu = emulator(c, "--client-roles", APP + ":Discovery.read")
    try:
        rc, lines, err = doctor(c, emu, "-s", "HQ-Proxy",
                                "--client-secret-file", c.secret)
        check(rc == 0, "rc %d: %s" % (rc, lines))
        p = [l for l in lines if l.startswith("warn permissions:")]
        check(len(p) == 1 and "Discovery.manage" in p[0] and
              "upload" in p[0], lines)
        check(verdicts(lines, "data source") == ["ok"], lines)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_doctor_wrong_secret_and_legacy_token():
    c = Case()
    emu = emulator(c)
    try:
        rc, lines, err = doctor(c, emu, "-vv", "--client-secret-file",
                                c.wrong)
        check(rc == 3, "rc %d: %s" % (rc, lines))
        check(verdicts(lines, "token") == ["fail"], lines)
        check(lines[-1].startswith("fail token:"), lines)
        secrets_absent("\n".join(lines) + err, WRONG)
        # A legacy token: fine, its permissions tested by the calls.
        tok = secret_file(c.dir, TOKEN, "token")
        rc, lines, err = doctor(c, emu, "-s", "HQ-Proxy", "--token-file",
                                tok, DISCOLOG_CLIENT_ID="")
        check(rc == 0, "rc %d: %s %s" % (rc, lines, err))
        check(verdicts(lines, "blob") == ["ok"], lines)
        secrets_absent("\n".join(lines) + err, TOKEN)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_doctor_unreachable_tenant():
    c = Case()
    emu = emulator(c)
    try:
        rc, lines, err = doctor(c, emu, "--client-secret-file", c.secret,
                                DISCOLOG_TENANT="http://127.0.0.1:9")
        check(rc == 1, "rc %d: %s" % (rc, lines))
        check(lines[-1].startswith("fail tls:"), lines)
    finally:
        emu.stop()
        c.close()


if __name__ == "__main__":
    suite.main()
