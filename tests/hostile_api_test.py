#!/usr/bin/env python3
"""Hostile API answers: whatever the tenant (or a proxy in front of it, or
the Entra token endpoint) answers, discolog says what went wrong in one
sentence, exits with a failure, and stays within bounded memory.

  huge     an answer of 1 GiB (a block script of 100 MiB): refused past
           the cap (RESPONSE_MAX_BYTES, BLOCKSCRIPT_MAX_BYTES), said so
  garbage  200 "application/json" that is not JSON
  html200  200 with an HTML page where JSON was expected

Faults come from scripts/mdca-emulator (huge:MIB, garbage, html200).
Peak RSS is read with wait4() on the child.
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time

from harness import (DISCOLOG, Emulator, Suite, check, secret_file,
                     squid_lines, write_lines)

suite = Suite("hostile_api")

TENANT_ID = "d15c0106-0000-4000-8000-00000000e001"
APP = "6f1e2d3c-0000-4000-8000-0000000a9901"
SECRET = "Zq8~s3cr3t.Value_0123456789abcdefXYZ"

# Peak RSS allowed, MiB: the program itself takes ~10; answers are capped
# at 8 MiB (32 MiB for a block script), and a buffer may double once.
RSS_API_MIB = 64
RSS_SCRIPT_MIB = 128
# Under AddressSanitizer (make check SANITIZE=1) every allocation costs
# more: twice the room.
if b"libasan" in subprocess.run(["ldd", DISCOLOG], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL).stdout:
    RSS_API_MIB *= 2
    RSS_SCRIPT_MIB *= 2


class Case:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="discolog-hapi-")
        self.secret = secret_file(self.dir, SECRET, "secret")
        self.emu = Emulator("--rpm", "10000",
                            "--client", "%s:%s" % (APP, SECRET))
        lines, _ = squid_lines(50, seed=9)
        self.log = os.path.join(self.dir, "access.log")
        write_lines(self.log, lines)

    def env(self, entra=False):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("DISCOLOG_")}
        e.pop("https_proxy", None)
        e.pop("HTTPS_PROXY", None)
        e.update(DISCOLOG_TENANT=self.emu.api,
                 DISCOLOG_STATE_DIR=os.path.join(self.dir, "state"),
                 DISCOLOG_RETRY_MAX_TIME="2")
        if entra:
            e.update(DISCOLOG_CLIENT_ID=APP, DISCOLOG_TENANT_ID=TENANT_ID,
                     DISCOLOG_AUTHORITY=self.emu.api,
                     DISCOLOG_CLIENT_SECRET=SECRET)
        else:
            from harness import TOKEN
            e.update(DISCOLOG_TOKEN=TOKEN)
        return e

    def run(self, args, entra=False, timeout=120):
        """(rc, stdout, stderr, peak RSS MiB, seconds)."""
        t0 = time.monotonic()
        p = subprocess.Popen([DISCOLOG] + args, env=self.env(entra),
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        got = {}

        def drain(name, f):
            got[name] = f.read()
        ts = [threading.Thread(target=drain, args=("out", p.stdout)),
              threading.Thread(target=drain, args=("err", p.stderr))]
        for t in ts:
            t.start()
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        for t in ts:
            t.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        return (p.returncode, got["out"], got["err"].decode("utf-8", "replace"),
                ru.ru_maxrss // 1024, time.monotonic() - t0)

    def close(self):
        self.emu.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# (fault target, command line, Entra?) for each API call discolog makes.
CALLS = [
    ("streams", ["reports"], False),
    ("categories", ["categories", "--stream", "HQ-Proxy"], False),
    ("apps", ["apps", "--stream", "HQ-Proxy"], False),
    ("upload_url", ["upload", "-s", "HQ-Proxy", "LOG"], False),
    ("token", ["reports"], True),
    ("blockscript", ["blockscript", "--appliance", "zscaler", "-o", "OUT"],
     False),
]


def one_sentence(err, want):
    """The failure is said in one line of its own, with `want` in it."""
    return any(l.startswith("discolog: ") and want in l
               for l in err.splitlines())


def args_of(c, cmd):
    out = os.path.join(c.dir, "script.txt")
    return [c.log if a == "LOG" else out if a == "OUT" else a for a in cmd]


@suite.test
def test_one_gib_answers_capped():
    c = Case()
    try:
        for target, cmd, entra in CALLS:
            if target == "blockscript":
                continue
            c.emu.fault("%s:huge:1024" % target)
            rc, out, err, rss, secs = c.run(args_of(c, cmd), entra)
            what = "%s %s" % (target, cmd[0])
            check(rc == 1, "%s: rc %d: %s" % (what, rc, err))
            check(one_sentence(err, "larger than 8 MiB") or
                  one_sentence(err, "more than a token answer can be"),
                  "%s: %r" % (what, err))
            check(rss < RSS_API_MIB, "%s: peak RSS %d MiB" % (what, rss))
            check(secs < 60, "%s: %.0f s" % (what, secs))
            check(out == b"", "%s: stdout %r" % (what, out[:200]))
        check(c.emu.uploads() == [], "an upload went through")
    finally:
        c.close()


@suite.test
def test_block_script_of_100_mib_refused():
    c = Case()
    try:
        out = os.path.join(c.dir, "script.txt")
        with open(out, "w") as f:
            f.write(".kept.example.com\n")
        for cmd in (["blockscript", "--appliance", "zscaler", "-o", out],
                    ["blockscript", "--render", "dnsmasq", "-o", out],
                    ["blockscript", "--appliance", "fortigate"]):
            c.emu.fault("blockscript:huge:100")
            rc, so, err, rss, secs = c.run(cmd)
            check(rc == 1, "%s: rc %d: %s" % (cmd, rc, err))
            check(one_sentence(err, "larger than 32 MiB") and
                  "nothing written" in err, repr(err))
            check(rss < RSS_SCRIPT_MIB, "%s: peak RSS %d MiB" % (cmd, rss))
            check(secs < 60, "%.0f s" % secs)
            check(so == b"", "stdout %r" % so[:200])
            with open(out) as f:
                check(f.read() == ".kept.example.com\n",
                      "the old script was touched")
    finally:
        c.close()


@suite.test
def test_malformed_json_answers():
    c = Case()
    try:
        for target, cmd, entra in CALLS:
            c.emu.fault("%s:garbage" % target)
            rc, out, err, rss, _ = c.run(args_of(c, cmd), entra)
            what = "%s %s" % (target, cmd[0])
            check(rc == 1, "%s: rc %d: %s" % (what, rc, err))
            want = {"blockscript": "not text",
                    "token": "without an access token",
                    "upload_url": "holds no upload URL"}.get(target,
                                                            "is not JSON")
            check(one_sentence(err, want), "%s: %r" % (what, err))
            check(rss < RSS_API_MIB, "%s: peak RSS %d MiB" % (what, rss))
        check(not os.path.exists(os.path.join(c.dir, "script.txt")),
              "a block script was written")
    finally:
        c.close()


@suite.test
def test_html_page_where_json_was_expected():
    c = Case()
    try:
        for target, cmd, entra in CALLS:
            c.emu.fault("%s:html200" % target)
            rc, out, err, rss, _ = c.run(args_of(c, cmd), entra)
            what = "%s %s" % (target, cmd[0])
            check(rc == 1, "%s: rc %d: %s" % (what, rc, err))
            check(one_sentence(err, "HTML page"), "%s: %r" % (what, err))
            check(b"<html" not in out.lower() and "<html" not in err.lower(),
                  "%s: the page was printed" % what)
            check(rss < RSS_API_MIB, "%s: peak RSS %d MiB" % (what, rss))
        check(c.emu.uploads() == [], "an upload went through")
    finally:
        c.close()


@suite.test
def test_recovers_after_a_hostile_answer():
    """The fault is one answer: the batch stays in the spool (not put
    aside as refused), and the next run sends it with its own."""
    c = Case()
    try:
        c.emu.fault("upload_url:garbage")
        rc, _, err, _, _ = c.run(["upload", "-s", "HQ-Proxy", c.log])
        check(rc == 1, err)
        check("kept in the spool" in err and "/rejected/" not in err, err)
        rc, _, err, _, _ = c.run(["upload", "-s", "HQ-Proxy", c.log])
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(len(c.emu.uploads()) == 2, c.emu.uploads())
    finally:
        c.close()


@suite.test
def test_emulator_fault_specs():
    """The emulator refuses what its hostile faults cannot mean."""
    import urllib.error
    c = Case()
    try:
        for spec in ("put:garbage", "block:huge:5", "streams:huge",
                     "streams:huge:0", "streams:huge:x", "token:html200:2:3"):
            try:
                c.emu.fault(spec)
                check(False, "%s accepted" % spec)
            except urllib.error.HTTPError as e:
                check(e.code == 400, "%s: HTTP %d" % (spec, e.code))
        c.emu.fault("any:huge:2:*")
        c.emu.fault("token:html200:2")
    finally:
        c.close()


if __name__ == "__main__":
    suite.main()
