#!/usr/bin/env python3
"""Secrets stay secret (issue 7).

Every command that talks to the tenant runs at -vv against the emulator,
with a legacy API token, with an Entra client secret and with an Entra
certificate (upload and check also with a pseudonymisation key); its
standard output and error, and every file it leaves in its state
directory, are searched for the token, the client secret, the
pseudonymisation key, the private key, every access token and client assertion the emulator saw or
issued, and every SAS signature it handed out (scripts/mdca-emulator's
secrets.jsonl and requests.jsonl).  None may appear.  The blob listener
must never have seen an Authorization header.

Also: secret files readable by their group are refused unless the admin
opts in ([auth] secret_file_group_readable = warn), files readable by
everyone always; no command-line option takes a secret (a static check
over the option tables of uploader/*.c), and the command line of a
running discolog holds none.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from harness import (DISCOLOG, ROOT, TOKEN, Emulator, Suite, check, run,
                     secret_file, squid_lines, write_lines)

suite = Suite("secrets")

TENANT_ID = "d15c0106-0000-4000-8000-00000000e001"  # the emulator's default
APP = "6f1e2d3c-0000-4000-8000-0000000a9901"
SECRET = "Zq8~s3cr3t.Value_0123456789abcdefXYZ"
PKEY = "pseudonym-K3y.0f1e2d3c4b5a69788796a5b4c3d2e1f0"


class Case:
    """A temp dir: secret files, a certificate and its key, a log."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="discolog-secrets-")
        self.token = secret_file(self.dir, TOKEN, "token")
        self.secret = secret_file(self.dir, SECRET, "secret")
        self.pkey = secret_file(self.dir, PKEY, "pseudonym.key")
        self.cert = self.path("app.crt")
        self.key = self.path("app.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", self.key, "-out", self.cert,
                        "-days", "90", "-subj", "/CN=discolog-secrets"],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        os.chmod(self.key, 0o600)
        lines, _ = squid_lines(200, seed=7)
        self.log = self.path("access.log")
        write_lines(self.log, lines)

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def key_body(path):
    """The base64 lines of a PEM private key: any of them is a leak."""
    with open(path) as f:
        return [l.strip() for l in f
                if l.strip() and not l.startswith("-----")]


def emulator(c):
    return Emulator("--rpm", "10000",
                    "--client", "%s:%s" % (APP, SECRET),
                    "--client-cert", "%s:%s" % (APP, c.cert))


# The three ways to authenticate: (name, extra args, extra environment).
def modes(c, emu):
    entra = {"DISCOLOG_CLIENT_ID": APP, "DISCOLOG_TENANT_ID": TENANT_ID,
             "DISCOLOG_AUTHORITY": emu.api}
    return [
        ("token", ["--token-file", c.token], {}),
        ("secret", ["--client-secret-file", c.secret], entra),
        ("cert", ["--client-cert", c.cert, "--client-key", c.key], entra),
    ]


def have(cmd):
    """Whether this build has the command (status and configtest come
    with the daemon)."""
    rc, _, _ = run([cmd, "--help"])
    return rc == 0


def commands(c, mode):
    """Every command that talks to the tenant, as argument lists, and
    those that show the state (status)."""
    out = c.path("script-%s.txt" % mode)
    conf = c.path("discolog-%s.conf" % mode)
    with open(conf, "w") as f:
        f.write("[upload]\nstate_dir = %s\n[filter]\n"
                "pseudonymize_key_file = %s\n"
                % (c.path("state-" + mode), c.pkey))
    extra = [[cmd, "-c", conf] for cmd in ("status", "configtest")
             if have(cmd)]
    return extra + [
        ["upload", "-s", "HQ-Proxy", c.log],
        ["upload", "-s", "HQ-Proxy", "--pseudonymize-key", c.pkey, c.log],
        ["check", c.log],
        ["check", "--json", "--pseudonymize-key", c.pkey, c.log],
        ["reports"],
        ["reports", "--json"],
        ["categories", "--stream", "HQ-Proxy"],
        ["apps", "--stream", "HQ-Proxy", "--csv"],
        ["blockscript", "--appliance", "zscaler"],
        ["blockscript", "--appliance", "fortigate", "-o", out],
        ["blockscript", "--render", "squid-acl"],
        ["blockscript", "--render", "domains", "-o", out + ".domains"],
        ["doctor", "-s", "HQ-Proxy"],
    ]


# Failures print more: the error paths must not leak either.
FAULTED = [
    ("upload_url:expired-sas", ["upload", "-s", "HQ-Proxy"]),
    ("put:403", ["upload", "-s", "HQ-Proxy"]),
    ("done_upload:503:*", ["upload", "-s", "HQ-Proxy"]),
    ("upload_url:401:2", ["upload", "-s", "HQ-Proxy"]),
    ("streams:html500:*", ["reports"]),
    ("blockscript:403", ["blockscript", "--appliance", "paloalto"]),
]


def forms(value):
    """A secret as it could be printed: raw, URL-encoded, and for a JWT its
    signature alone."""
    out = {value, urllib.parse.quote(value, safe=""),
           urllib.parse.quote_plus(value)}
    if value.count(".") == 2:
        out.add(value.rsplit(".", 1)[1])
    return {v for v in out if len(v) >= 12}


def known_secrets(c, emu):
    """Everything that must never be printed: {value: set of labels}."""
    found = {}

    class Labels(dict):
        def __setitem__(self, k, v):
            dict.setdefault(self, k, set()).add(v)
    found = Labels()
    for v in forms(TOKEN):
        found[v] = "the legacy API token"
    for v in forms(SECRET):
        found[v] = "the client secret"
    for v in forms(PKEY):
        found[v] = "the pseudonymisation key"
    for line in key_body(c.key):
        if len(line) >= 16:
            found[line] = "a line of the private key"
    p = os.path.join(emu.dir, "secrets.jsonl")
    if os.path.exists(p):
        import json
        with open(p) as f:
            for rec in (json.loads(l) for l in f if l.strip()):
                if rec["kind"] == "sas":
                    for v in forms(rec["sig"]):
                        found[v] = "a SAS signature"
                elif rec["kind"] in ("assertion", "access_token"):
                    for v in forms(rec["value"]):
                        found[v] = "an issued " + rec["kind"].replace("_",
                                                                      " ")
    for r in emu.requests():
        a = r.get("authorization")
        if a:
            for v in forms(a.split(" ", 1)[-1]):
                found[v] = "an Authorization header value"
    return found


def leaks(text, secrets):
    return sorted({l for v, labels in secrets.items() if v in text
                   for l in labels})


def state_text(d):
    """Every file discolog left in its state directory, as text."""
    out = []
    for root, _, files in os.walk(d):
        for n in files:
            try:
                with open(os.path.join(root, n), "rb") as f:
                    out.append(f.read().decode("latin-1"))
            except OSError:
                pass
    return "\n".join(out)


def reset(emu):
    """Clear the faults left (the throttle and tags too)."""
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(
        emu.api + "/_emulator/reset", data=b"{}", method="POST",
        headers={"Content-Type": "application/json"}), timeout=10).read()


def no_blob_authorization(emu):
    blob = [r for r in emu.requests() if r["listener"] == "blob"]
    bad = [r for r in blob if r.get("authorization")
           or "Authorization" in r.get("headers", [])]
    check(not bad, "the blob host saw an Authorization header: %r" % bad)
    return len(blob)


@suite.test
def test_no_secret_in_any_output():
    c = Case()
    emu = emulator(c)
    try:
        outputs = []
        ran = 0
        for mode, args, env in modes(c, emu):
            state = c.path("state-" + mode)
            e = dict(env, DISCOLOG_TENANT=emu.api, DISCOLOG_STATE_DIR=state,
                     DISCOLOG_RETRY_MAX_TIME="2")
            for cmd in commands(c, mode):
                rc, out, err = run([cmd[0], "-vv"] + args + cmd[1:], env=e)
                # doctor may warn (exit 1) about this machine, status and
                # configtest want a configuration; any other failure
                # means the command did not do its work here.
                check(rc in (0, 10) or
                      cmd[0] in ("doctor", "status", "configtest"),
                      "%s %s: rc %d: %s" % (mode, cmd, rc, err))
                outputs.append(("%s %s" % (mode, " ".join(cmd)),
                                out.decode("latin-1") + "\n" + err))
                ran += 1
            for spec, cmd in FAULTED:
                emu.fault(spec)
                rc, out, err = run([cmd[0], "-vv"] + args + cmd[1:] +
                                   ([c.log] if cmd[0] == "upload" else []),
                                   env=e)
                # Some recover (a fresh upload URL after a refused one):
                # what matters here is what they printed on the way.
                reset(emu)
                outputs.append(("%s %s (%s)" % (mode, " ".join(cmd), spec),
                                out.decode("latin-1") + "\n" + err))
                ran += 1
            outputs.append(("%s state dir" % mode, state_text(state)))
        secrets = known_secrets(c, emu)
        kinds = set().union(*secrets.values())
        # The search is only worth something if it knows what to look for.
        for want in ("the legacy API token", "the client secret",
                     "the pseudonymisation key",
                     "a line of the private key", "a SAS signature",
                     "an issued assertion", "an issued access token"):
            check(want in kinds, "nothing known of " + want)
        # The search finds what it looks for, and -vv did print the
        # requests (the upload URL redacted).
        check(leaks("x%sx" % TOKEN, secrets) != [], "the search is blind")
        everything = "\n".join(t for _, t in outputs)
        check("?REDACTED" in everything and "POST " in everything,
              "no debug output at -vv")
        for what, text in outputs:
            found = leaks(text, secrets)
            check(not found, "%s: %s in the output" % (what, ", ".join(found)))
        check(no_blob_authorization(emu) >= 3, "no upload reached the blob")
        check(ran >= 3 * (len(commands(c, "x")) + len(FAULTED)), ran)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_group_readable_refused_unless_opted_in():
    c = Case()
    emu = emulator(c)
    try:
        e = {"DISCOLOG_TENANT": emu.api,
             "DISCOLOG_STATE_DIR": c.path("state")}
        conf = c.path("discolog.conf")
        for path, args in ((c.token, ["--token-file", c.token]),
                           (c.key, ["--client-cert", c.cert, "--client-key",
                                    c.key, "--client-id", APP, "--tenant-id",
                                    TENANT_ID, "--authority", emu.api])):
            os.chmod(path, 0o640)
            rc, _, err = run(["reports"] + args, env=e)
            check(rc == 2, "rc %d: %s" % (rc, err))
            check("readable by group" in err and "chmod g-r" in err and
                  "secret_file_group_readable = warn" in err, err)
            check(err.count("\n") == 1, "one line: %r" % err)
            with open(conf, "w") as f:
                f.write("[auth]\nsecret_file_group_readable = warn\n")
            rc, out, err = run(["reports", "-c", conf] + args, env=e)
            check(rc == 0, "rc %d: %s" % (rc, err))
            check("readable by group" in err and "accepted" in err, err)
            # Readable by everyone: refused even so.
            os.chmod(path, 0o644)
            rc, _, err = run(["reports", "-c", conf] + args, env=e)
            check(rc == 2 and "readable by every user" in err, err)
            os.chmod(path, 0o600)
            os.unlink(conf)
        # The pseudonymisation key is a secret file like the others.
        os.chmod(c.pkey, 0o644)
        rc, out, err = run(["check", "--pseudonymize-key", c.pkey, c.log],
                           env=e)
        check(rc == 2 and "readable by every user" in err and
              "chmod go-r" in err and PKEY not in err + out.decode(),
              "rc %d: %s" % (rc, err))
        os.chmod(c.pkey, 0o600)
        with open(conf, "w") as f:
            f.write("[auth]\nsecret_file_group_readable = yes\n")
        rc, _, err = run(["reports", "-c", conf, "--token-file", c.token],
                         env=e)
        check(rc == 2 and "%s:2:" % conf in err and "refuse or warn" in err,
              err)
    finally:
        emu.stop()
        c.close()


# Options that name a file holding a secret: the path is on the command
# line, the secret never.
SECRET_FILE_OPTIONS = {"token-file", "client-secret-file", "client-key",
                       "client-cert", "pseudonymize-key"}
SECRETISH = re.compile(r"token|secret|key|pass|cred|assert|sig|sas|bearer",
                       re.I)


@suite.test
def test_no_option_takes_a_secret():
    """Static: every long option in uploader/*.c that takes an argument and
    sounds like a secret is one of the FILE options."""
    opt = re.compile(r'\{\s*"([a-z0-9-]+)"\s*,\s*(required|optional)_argument')
    seen = set()
    src = os.path.join(ROOT, "uploader")
    for n in sorted(os.listdir(src)):
        if not n.endswith(".c"):
            continue
        with open(os.path.join(src, n)) as f:
            for m in opt.finditer(f.read()):
                seen.add(m.group(1))
                if SECRETISH.search(m.group(1)):
                    check(m.group(1) in SECRET_FILE_OPTIONS,
                          "%s: option --%s may take a secret on the command "
                          "line" % (n, m.group(1)))
    check({"token-file", "client-secret-file", "client-key"} <= seen, seen)
    # And the --help of every command says FILE for them.
    for cmd in ("upload", "reports", "blockscript", "doctor"):
        rc, out, _ = run([cmd, "--help"])
        text = out.decode()
        for o in ("token-file", "client-secret-file", "client-key"):
            for m in re.finditer(r"--%s[ =]?(\S*)" % o, text):
                check(m.group(1) in ("", "FILE", "F", "FILE]", "FILE,"),
                      "%s --help: --%s %s" % (cmd, o, m.group(1)))


@suite.test
def test_running_command_line_holds_no_secret():
    """/proc/PID/cmdline of a discolog that has loaded its secrets."""
    c = Case()
    emu = emulator(c)
    try:
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("DISCOLOG_")}
        e.update(DISCOLOG_TENANT=emu.api, DISCOLOG_STATE_DIR=c.path("state"))
        # Reading standard input keeps it alive while we look.
        p = subprocess.Popen([DISCOLOG, "upload", "-vv", "-s", "HQ-Proxy",
                              "--token-file", c.token, "-"], env=e,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            time.sleep(0.3)
            with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                cmdline = f.read().decode("latin-1")
            check(c.token in cmdline, cmdline)  # it is the right process
            check(TOKEN not in cmdline, "the token is on the command line")
            lines, _ = squid_lines(10, seed=3)
            out, err = p.communicate(b"".join(l + b"\n" for l in lines),
                                     timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        check(p.returncode == 0, err)
        check(TOKEN.encode() not in out + err, "the token in the output")
    finally:
        emu.stop()
        c.close()



def core_after_abort(cwd, args, env):
    """Start discolog with core files allowed, reading a standard input
    that never ends; once it waits there, SIGABRT it.  The core files
    left in cwd (none when the process made itself undumpable)."""
    import resource
    import signal

    def allow_core():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,
                                                  resource.RLIM_INFINITY))
    for n in os.listdir(cwd):
        if n.startswith("core"):
            os.unlink(os.path.join(cwd, n))
    p = subprocess.Popen([DISCOLOG] + args, cwd=cwd, env=dict(os.environ,
                         **env), stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=allow_core)
    try:
        # Wait until it reads its standard input (its secrets loaded).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/wchan" % p.pid) as f:
                    if "pipe_read" in f.read():
                        break
            except OSError:
                pass
            time.sleep(0.2)
        time.sleep(0.5)
        if p.poll() is not None:
            check(False, "%s ended early: %r" % (args, p.stderr.read()))
        # SIGABRT: its default action dumps core, and AddressSanitizer
        # (SANITIZE=1) leaves it alone, where it catches SIGSEGV.
        os.kill(p.pid, signal.SIGABRT)
        p.wait(timeout=30)
        check(p.returncode == -signal.SIGABRT, p.returncode)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdin.close()
        p.stderr.close()
    return [n for n in os.listdir(cwd) if n.startswith("core")]


@suite.test
def test_no_core_file_once_a_secret_is_read():
    """A process that read a secret leaves no core file (PR_SET_DUMPABLE
    0): the same command without a secret does, which shows this machine
    writes them (where it does not -- a core_pattern pipe, ASan's
    disable_coredump -- there is nothing to see, and the test says so)."""
    c = Case()
    try:
        cwd = c.path("cwd")
        os.mkdir(cwd)
        control = core_after_abort(cwd, ["check", "-"], {})
        if not control:
            with open("/proc/sys/kernel/core_pattern") as f:
                print("     (no core file from a process without a secret "
                      "here -- core_pattern %r, or a sanitizer build: "
                      "nothing to check)" % f.read().strip())
            return
        for args, env in ((["check", "--pseudonymize-key", c.pkey, "-"], {}),
                          (["upload", "-s", "HQ-Proxy", "--token-file",
                            c.token, "-"],
                           {"DISCOLOG_TENANT": "https://127.0.0.1:9",
                            "DISCOLOG_STATE_DIR": c.path("state")}),
                          (["upload", "-s", "HQ-Proxy", "-"],
                           {"DISCOLOG_TOKEN": TOKEN,
                            "DISCOLOG_TENANT": "https://127.0.0.1:9",
                            "DISCOLOG_STATE_DIR": c.path("state")})):
            cores = core_after_abort(cwd, args, env)
            check(not cores, "%s left %s" % (args, cores))
    finally:
        c.close()

if __name__ == "__main__":
    suite.main()
