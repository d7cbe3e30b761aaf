"""Shared pieces of the integration tests: the emulator on loopback, the
discolog binary, a squid log generator and a tiny test runner.

Every server a test starts, the test stops, by PID.  Only 127.0.0.0/8.
"""

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DISCOLOG = os.path.join(ROOT, "discolog")
EMULATOR = os.path.join(ROOT, "scripts", "mdca-emulator")
TOKEN = "0123456789abcdef" * 4


class Emulator:
    """scripts/mdca-emulator in a temp state dir, stopped by PID."""

    def __init__(self, *args, streams=("HQ-Proxy",)):
        self.dir = tempfile.mkdtemp(prefix="discolog-emu-")
        ready = os.path.join(self.dir, "ready.json")
        cmd = [sys.executable, EMULATOR, "--state", self.dir,
               "--ready-file", ready, "--token", TOKEN, "--quiet"]
        for s in streams:
            cmd += ["--stream", s]
        cmd += list(args)
        self.log = open(os.path.join(self.dir, "emulator.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start: " +
                                   open(self.log.name).read())
            time.sleep(0.05)
        with open(ready) as f:
            info = json.load(f)
        self.pid = info["pid"]
        self.api = info["api"]
        self.blob = info["blob"]

    def uploads(self):
        p = os.path.join(self.dir, "uploads.jsonl")
        if not os.path.exists(p):
            return []
        with open(p) as f:
            return [json.loads(l) for l in f if l.strip()]

    def received(self, up):
        with open(os.path.join(self.dir, "received", "%d.log" % up["seq"]),
                  "rb") as f:
            return f.read()

    def received_lines(self):
        out = []
        for up in self.uploads():
            out += self.received(up).splitlines()
        return out

    def requests(self):
        p = os.path.join(self.dir, "requests.jsonl")
        if not os.path.exists(p):
            return []
        with open(p) as f:
            return [json.loads(l) for l in f if l.strip()]

    def fault(self, spec):
        import urllib.request
        req = urllib.request.Request(
            self.api + "/_emulator/fault",
            data=json.dumps({"spec": spec}).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(args, env=None, stdin=None, timeout=120):
    """Run ./discolog; returns (rc, stdout bytes, stderr str)."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("DISCOLOG_")}
    e.pop("https_proxy", None)
    e.pop("HTTPS_PROXY", None)
    if env:
        e.update(env)
    p = subprocess.run([DISCOLOG] + list(args), env=e, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def squid_lines(n, seed=1, internal_every=5, now=None):
    """n squid native lines of the last hours: every internal_every-th goes
    to an internal destination.  Returns (lines, expected external)."""
    rnd = random.Random(seed)
    now = now or time.time()
    hosts = ["www.dropbox.com", "slack.com", "github.com", "outlook.office.com",
             "drive.google.com", "www.box.com", "reddit.com", "zoom.us"]
    internal = ["10.1.2.3", "192.168.7.20", "intranet.corp.example",
                "172.20.0.5"]
    lines, keep = [], []
    t = now - 3600 * 5
    for i in range(n):
        t += rnd.random() * 2
        client = "10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256),
                                  rnd.randrange(1, 255))
        if internal_every and i % internal_every == 0:
            h = rnd.choice(internal)
            peer = h if h[0].isdigit() else "10.9.9.9"
        else:
            h = rnd.choice(hosts)
            peer = "52.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256),
                                    rnd.randrange(1, 255))
        user = rnd.choice(["alice", "bob", "-", "carol"])
        line = ("%.3f %6d %s TCP_MISS/200 %d GET https://%s/p/%d %s "
                "HIER_DIRECT/%s text/html" % (
                    t, rnd.randrange(1, 90000), client,
                    rnd.randrange(100, 900000), h, i, user, peer))
        lines.append(line.encode())
        if not (internal_every and i % internal_every == 0):
            keep.append(line.encode())
    return lines, keep


def write_lines(path, lines, gz=False):
    data = b"".join(l + b"\n" for l in lines)
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def secret_file(dirname, value, name="token"):
    p = os.path.join(dirname, name)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, (value + "\n").encode())
    os.close(fd)
    return p


class Suite:
    def __init__(self, name):
        self.name = name
        self.tests = []

    def test(self, fn):
        self.tests.append(fn)
        return fn

    def main(self):
        only = sys.argv[1:]
        passed = failed = 0
        for fn in self.tests:
            if only and fn.__name__ not in only:
                continue
            t0 = time.monotonic()
            try:
                fn()
                passed += 1
                print("ok   %s (%.1fs)" % (fn.__name__,
                                          time.monotonic() - t0))
            except Exception:
                failed += 1
                print("FAIL %s" % fn.__name__)
                traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
        print("%s: %d passed, %d failed" % (self.name, passed, failed))
        sys.exit(1 if failed else 0)


def check(cond, msg=""):
    if not cond:
        raise AssertionError(msg)
