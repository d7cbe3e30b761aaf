#!/usr/bin/env python3
"""Integration tests of the storage side of an upload and of the retries.

- a batch over 64 MiB goes up as Put Block + Put Block List, blocks in
  parallel, with bounded memory and exact content (DISCOLOG_SLOW_TESTS=1,
  or `make check-slow`, runs the 300 MiB variant);
- every fault is survived with every line delivered once (429 with and
  without Retry-After, 5xx, an HTML 500, a dropped connection, a stalled
  answer, an expired SAS, a lost done_upload answer), on Put Blob and on
  Put Block / Put Block List;
- the client-side rate limit: never more than N API requests in a window,
  and nothing leaves while a Retry-After runs;
- TLS (verification on, --ca-file), --proxy, https_proxy and no_proxy;
- the progress bar on a terminal, and none elsewhere;
- the same blob protocol against Azurite (the real Azure Storage emulator,
  from npm, installed by scripts/install-azurite); without npm the
  Azurite tests print SKIP and count as neither passed nor failed.

Every server a test starts, it stops by PID.  Loopback only.
"""

import base64
import fcntl
import hashlib
import os
import pty
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

from harness import (DISCOLOG, ROOT, TOKEN, Emulator, Suite, check, run,
                     secret_file, squid_lines, write_lines)

suite = Suite("blob")
MIB = 1024 * 1024
SLOW = os.environ.get("DISCOLOG_SLOW_TESTS") == "1"


class Case:
    """A temp dir with a token file, a state dir and a config file."""

    def __init__(self, **conf):
        self.dir = tempfile.mkdtemp(prefix="discolog-blob-")
        self.token = secret_file(self.dir, TOKEN)
        self.state = os.path.join(self.dir, "state")
        self.conf = os.path.join(self.dir, "discolog.conf")
        self.write_conf(**conf)

    def write_conf(self, **conf):
        sections = {}
        for k, v in conf.items():
            sec, key = k.split("__")
            sections.setdefault(sec, []).append("%s = %s" % (key, v))
        with open(self.conf, "w") as f:
            for sec, lines in sections.items():
                f.write("[%s]\n%s\n" % (sec, "\n".join(lines)))

    def path(self, name):
        return os.path.join(self.dir, name)

    def env(self, emu=None, **kw):
        e = {"DISCOLOG_STATE_DIR": self.state}
        if emu is not None:
            e["DISCOLOG_TENANT"] = emu.api
        e.update(kw)
        return e

    def args(self, *files, ds="HQ-Proxy", extra=()):
        return (["upload", "-c", self.conf, "-s", ds, "--token-file",
                 self.token] + list(extra) + list(files))

    def ready(self):
        d = os.path.join(self.state, "spool", "ready")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def random_lines(path, nbytes, seed=1, url_chars=600):
    """Squid native lines with long random URL paths (base64url: about 6
    bits a byte, so gzip cannot shrink them much), about nbytes in all.
    Written to path; returns (line count, sha256 of the bytes)."""
    rnd = random.Random(seed)
    now = time.time() - 3600
    h = hashlib.sha256()
    n = written = 0
    with open(path, "wb") as f:
        while written < nbytes:
            chunk = []
            noise = base64.urlsafe_b64encode(
                rnd.randbytes(url_chars * 3 // 4 * 256))
            for i in range(256):
                p = noise[i * url_chars:(i + 1) * url_chars]
                line = (b"%.3f %6d 10.%d.%d.%d TCP_MISS/200 %d GET "
                        b"https://cdn%d.example.com/%s - HIER_DIRECT/"
                        b"52.%d.%d.%d application/octet-stream\n" % (
                            now + n * 0.001, rnd.randrange(1, 90000),
                            rnd.randrange(256), rnd.randrange(256),
                            rnd.randrange(1, 255), rnd.randrange(100, 90000),
                            rnd.randrange(50), p, rnd.randrange(256),
                            rnd.randrange(256), rnd.randrange(1, 255)))
                chunk.append(line)
                n += 1
            data = b"".join(chunk)
            f.write(data)
            h.update(data)
            written += len(data)
    return n, h.hexdigest()


def run_rusage(args, env, timeout=900):
    """./discolog with its own rusage: (rc, stderr, peak RSS in bytes)."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("DISCOLOG_")}
    for k in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        e.pop(k, None)
    e.update(env)
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([DISCOLOG] + args, env=e, stdout=err,
                             stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(p.pid, signal.SIGKILL)
                raise AssertionError("discolog timed out")
            time.sleep(0.05)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return p.returncode, text, ru.ru_maxrss * 1024


def asan_build():
    with open(DISCOLOG, "rb") as f:
        return b"__asan_init" in f.read()


def max_overlap(reqs):
    """Most requests running at one time (start = time, end = + duration)."""
    ev = []
    for r in reqs:
        ev.append((r["time"], 1))
        ev.append((r["time"] + r["duration"], -1))
    ev.sort(key=lambda x: (x[0], x[1]))
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def sha_of_received(emu):
    h = hashlib.sha256()
    for up in emu.uploads():
        h.update(emu.received(up))
    return h.hexdigest()


# ---- large batches: Put Block in parallel, bounded memory -------------------

@suite.test
def test_large_batch_parallel_blocks_bounded_memory():
    # Past 64 MiB compressed: 70 MiB here, 300 MiB with DISCOLOG_SLOW_TESTS.
    want_gz = (300 if SLOW else 70) * MIB
    c = Case(upload__compression_level=1, tenant__low_speed_time=30)
    emu = Emulator("--max-put-blob", "64")
    try:
        src = c.path("big.log")
        n, sha = random_lines(src, int(want_gz * 1.46), seed=42)
        rc, err, rss = run_rusage(c.args(src, extra=["-v"]),
                                  env=c.env(emu,
                                            DISCOLOG_RETRY_MAX_TIME="60"))
        check(rc == 0, "rc %d: %s" % (rc, err[-3000:]))
        ups = emu.uploads()
        check(len(ups) == 1, ups)
        up = ups[0]
        check(up["compressed_bytes"] > 64 * MIB,
              "batch only %d bytes compressed" % up["compressed_bytes"])
        check(up["lines"] == n, (up["lines"], n))
        check(up["sha256"] == sha, "content differs")
        reqs = emu.requests()
        blocks = [r for r in reqs if r["kind"] == "block"]
        lists = [r for r in reqs if r["kind"] == "blocklist"]
        puts = [r for r in reqs if r["kind"] == "put"]
        check(not puts, "a Put Blob was sent")
        check(len(blocks) == (up["compressed_bytes"] + 8 * MIB - 1) //
              (8 * MIB), "%d blocks" % len(blocks))
        check(len(lists) == 1 and lists[0]["status"] == 201, lists)
        check(all(r["status"] == 201 for r in blocks))
        check(all(r["x-ms"].get("x-ms-version") == "2019-12-12"
                  for r in blocks + lists), "no x-ms-version")
        check(all(not r["chunked"] and r["content_length"] <= 8 * MIB
                  for r in blocks))
        check(max_overlap(blocks) >= 2,
              "blocks never in flight together: %d" % max_overlap(blocks))
        check("blocks of 8388608 bytes, 4 at a time" in err, err[-2000:])
        # The batch is never held in memory: far below its size.
        check(rss < 48 * MIB, "peak RSS %.1f MiB for a %.1f MiB batch" %
              (rss / MIB, up["compressed_bytes"] / MIB))
        print("     %d lines, %.1f MiB compressed, %d blocks, peak RSS "
              "%.1f MiB%s" % (n, up["compressed_bytes"] / MIB, len(blocks),
                              rss / MIB, " (ASan)" if asan_build() else ""))
        check(c.ready() == [], c.ready())
    finally:
        emu.stop()
        c.close()


# ---- faults -----------------------------------------------------------------

# Faults on the Put Blob path and on the API calls (small batches).
SINGLE_FAULTS = [
    ["put:429"], ["put:429-noretry"], ["put:500"], ["put:502"], ["put:503"],
    ["put:504"], ["put:html500"], ["put:drop"], ["put:stall:10"],
    ["put:503", "put:429", "put:drop"],
    ["upload_url:429"], ["upload_url:429-noretry"], ["upload_url:503"],
    ["upload_url:html500"], ["upload_url:drop"], ["upload_url:stall:5"],
    ["upload_url:expired-sas"],
    ["done_upload:429"], ["done_upload:500"], ["done_upload:drop"],
    ["done_upload:drop-after"],
]
# Faults on the blocks of a large batch (blocks made small by config).
BLOCK_FAULTS = [
    ["block:503:2"], ["block:429"], ["block:429-noretry"], ["block:500"],
    ["block:html500"], ["block:drop:2"], ["block:stall:10"],
    ["blocklist:500"], ["blocklist:drop"], ["blocklist:drop-after"],
    ["upload_url:expired-sas"], ["done_upload:drop-after"],
]


def fault_round(emu, c, faults, seed, conf_extra, nlines):
    before = len(emu.uploads())
    nreq = len(emu.requests())
    for spec in faults:
        emu.fault(spec)
    src = c.path("f%d.log" % seed)
    n, sha = random_lines(src, nlines, seed=seed, url_chars=200)
    t0 = time.monotonic()
    rc, out, err = run(c.args(src, extra=["-v"] + conf_extra),
                       env=c.env(emu, DISCOLOG_RETRY_MAX_TIME="20"))
    took = time.monotonic() - t0
    what = "%s: rc %d: %s" % (faults, rc, err[-1500:])
    check(rc == 0, what)
    ups = emu.uploads()[before:]
    check(len(ups) == 1, "%s: %d uploads" % (faults, len(ups)))
    check(ups[0]["lines"] == n and ups[0]["sha256"] == sha,
          "%s: content differs" % faults)
    new = emu.requests()[nreq:]
    hit = [r for r in new if r.get("fault")]
    # A stalled request is logged when its answer goes, after we left.
    stalls = [f for f in faults if ":stall:" in f]
    check(len(hit) >= len(faults) - len(stalls),
          "%s: faults not applied: %s" %
          (faults, [r.get("fault") for r in new]))
    for f in stalls:
        # Given up after the low-speed time, well before the answer.
        check("retrying in" in err and took < int(f.split(":")[2]),
              "%s: took %.1f s: %s" % (f, took, err[-1000:]))
    check(c.ready() == [], c.ready())
    return new, took, err


@suite.test
def test_faults_survived_every_line_once():
    c = Case(tenant__low_speed_time=2)
    # Many runs, each its own process: the tenant's throttle is not the
    # point here (test_rate_limit_never_exceeded is about it).
    emu = Emulator("--rpm", "100000")
    try:
        for i, faults in enumerate(SINGLE_FAULTS):
            new, took, err = fault_round(emu, c, faults, 100 + i, [],
                                         200 * 1024)
            kinds = [r["kind"] for r in new]
            if faults == ["upload_url:expired-sas"]:
                check(kinds.count("upload_url") == 2, kinds)
                check([r["status"] for r in new if r["kind"] == "put"] ==
                      [403, 201], new)
                check("asking for a new upload URL (1 of 2)" in err, err)
            if faults == ["done_upload:drop-after"]:
                check(kinds.count("done_upload") == 2, kinds)
                check("already finalized" in err, err)
        # Each batch finalized once; the one lost answer was retried and
        # heard "already finalized".
        import json
        with open(os.path.join(emu.dir, "finalize.jsonl")) as f:
            fin = [json.loads(l) for l in f if l.strip()]
        oks = [r["blob"] for r in fin if r["result"] == "ok"]
        check(len(oks) == len(set(oks)) == len(SINGLE_FAULTS), len(oks))
        check([r["result"] for r in fin if r["result"] != "ok"] ==
              ["already_finalized"], fin)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_block_faults_each_block_retried_alone():
    c = Case(tenant__low_speed_time=2, upload__put_blob_max="256K",
             upload__block_size="64K", upload__parallel=4)
    emu = Emulator("--rpm", "100000")
    try:
        for i, faults in enumerate(BLOCK_FAULTS):
            new, took, err = fault_round(emu, c, faults, 200 + i, [],
                                         1200 * 1024)
            blocks = [r for r in new if r["kind"] == "block"]
            good = [r for r in blocks if r["status"] == 201]
            failed = [r for r in blocks if r["status"] != 201]
            if faults[0].startswith("block:") and ":stall:" not in faults[0]:
                # Only the faulted block went again, not the whole file.
                check(len(failed) >= 1, faults)
                check(len(good) == len(blocks) - len(failed), faults)
                check(len([r for r in new if r["kind"] == "upload_url"])
                      == 1, faults)
            if faults == ["upload_url:expired-sas"]:
                check(len([r for r in new if r["kind"] == "upload_url"])
                      == 2, [r["kind"] for r in new])
    finally:
        emu.stop()
        c.close()


@suite.test
def test_expired_sas_gives_up_after_two_renewals():
    c = Case()
    emu = Emulator("--fault", "upload_url:expired-sas:5")
    try:
        src = c.path("a.log")
        random_lines(src, 50 * 1024, seed=7, url_chars=100)
        rc, _, err = run(c.args(src), env=c.env(emu))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("refused the upload URL (HTTP 403" in err, err)
        check("sig=" not in err and "se=" not in err, "SAS shown: " + err)
        check("kept in the spool" in err, err)
        kinds = [r["kind"] for r in emu.requests()]
        check(kinds.count("upload_url") == 3, kinds)
        check(kinds.count("put") == 3, kinds)
        check(emu.uploads() == [])
    finally:
        emu.stop()
        c.close()


# ---- the rate limit ---------------------------------------------------------

@suite.test
def test_rate_limit_never_exceeded():
    # The tenant allows 5 API requests in any 10 s; so does the client.
    c = Case(tenant__rpm=5, tenant__rate_window=10)
    emu = Emulator("--rpm", "5", "--rate-window", "10")
    try:
        lines, keep = squid_lines(1400, seed=3, internal_every=0)
        write_lines(c.path("a.log"), lines)
        rc, out, err = run(c.args(c.path("a.log"),
                                  extra=["--max-batch", "8K"]),
                           env=c.env(emu), timeout=300)
        check(rc == 0, "rc %d: %s" % (rc, err[-2000:]))
        ups = emu.uploads()
        check(len(ups) >= 4, "only %d batches" % len(ups))
        check(emu.received_lines() == keep)
        api = [r for r in emu.requests() if r["listener"] == "api"]
        check(len(api) == 2 * len(ups), len(api))
        check(all(r["status"] != 429 for r in api),
              [r["status"] for r in api])
        times = sorted(r["time"] for r in api)
        for i, t in enumerate(times):
            inside = [u for u in times[i:] if u < t + 10]
            check(len(inside) <= 5, "%d requests in 10 s from %.2f" %
                  (len(inside), t))
        # ... and it did have to wait: more than 5 requests in all.
        check(times[-1] - times[0] >= 10, times)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_retry_after_obeyed():
    c = Case(tenant__rpm=600, tenant__rate_window=60)
    emu = Emulator("--fault", "upload_url:429", "--fault", "put:429",
                   "--fault", "done_upload:429")
    try:
        lines, keep = squid_lines(300, seed=5)
        write_lines(c.path("a.log"), lines)
        rc, _, err = run(c.args(c.path("a.log"), extra=["-v"]),
                         env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == keep)
        reqs = emu.requests()
        for listener in ("api", "blob"):
            rs = [r for r in reqs if r["listener"] == listener]
            for i, r in enumerate(rs[:-1]):
                if r["status"] == 429:
                    gap = rs[i + 1]["time"] - r["time"]
                    check(gap >= 1.0, "%s: next request %.3f s after a "
                          "429 with Retry-After: 1" % (r["kind"], gap))
        n429 = [r for r in reqs if r["status"] == 429]
        check(len(n429) == 3, [r["kind"] for r in n429])
        check("(Retry-After)" in err, err)
    finally:
        emu.stop()
        c.close()


# ---- TLS and proxies --------------------------------------------------------

def make_tls(d):
    """A CA and a server certificate for 127.0.0.1 and 127.0.0.2."""
    ca_key, ca = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
    key, csr = os.path.join(d, "srv.key"), os.path.join(d, "srv.csr")
    crt, ext = os.path.join(d, "srv.pem"), os.path.join(d, "srv.ext")

    def ossl(*a):
        subprocess.run(["openssl"] + list(a), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
         "-out", ca, "-days", "2", "-subj", "/CN=discolog test CA")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,IP:127.0.0.2\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
         "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
    return ca, crt, key


@suite.test
def test_tls_verified_ca_file_and_proxies():
    c = Case()
    ca, crt, key = make_tls(c.dir)
    emu = Emulator("--tls-cert", crt, "--tls-key", key)
    try:
        check(emu.api.startswith("https://"), emu.api)
        lines, keep = squid_lines(200, seed=8)
        write_lines(c.path("a.log"), lines)
        # Without the CA: a clear TLS error, exit 1, no retry storm.
        t0 = time.monotonic()
        rc, _, err = run(c.args(c.path("a.log"), extra=["-v"]),
                         env=c.env(emu, DISCOLOG_RETRY_MAX_TIME="60"))
        took = time.monotonic() - t0
        check(rc == 1, "rc %d: %s" % (rc, err))
        check("certificate" in err and "--ca-file" in err, err)
        check("retrying" not in err, "retried: " + err)
        check(took < 10, "took %.1f s" % took)
        check(emu.requests() == [], "a request got through")
        # With it: works, API and blob host both over HTTPS.
        rc, _, err = run(c.args(c.path("a.log"), extra=["--ca-file", ca]),
                         env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        # The batch the failed run kept in the spool, then this run's.
        check(emu.received_lines() == keep + keep)
        check(any(r["listener"] == "blob" for r in emu.requests()))
        # The CA from the environment as well.
        rc, _, err = run(c.args(c.path("a.log")),
                         env=c.env(emu, DISCOLOG_CA_FILE=ca))
        check(rc == 0, "rc %d: %s" % (rc, err))
        # Verification off only when asked, and said so on every run.
        rc, _, err = run(c.args(c.path("a.log"), extra=["--insecure"]),
                         env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check("verification is OFF (--insecure)" in err, err)
        # A proxy that is not there: --proxy is used ...
        dead = "http://127.0.0.1:9"
        rc, _, err = run(c.args(c.path("a.log"), extra=["--ca-file", ca,
                                                        "--proxy", dead]),
                         env=c.env(emu, DISCOLOG_RETRY_MAX_TIME="1"))
        check(rc == 1 and "cannot reach" in err, "rc %d: %s" % (rc, err))
        # ... and so is https_proxy ...
        rc, _, err = run(c.args(c.path("a.log"), extra=["--ca-file", ca]),
                         env=c.env(emu, DISCOLOG_RETRY_MAX_TIME="1",
                                   https_proxy=dead))
        check(rc == 1 and "cannot reach" in err, "rc %d: %s" % (rc, err))
        # ... and no_proxy passes both by.
        n = len(emu.uploads())
        for extra, env in ((["--proxy", dead], {}), ([], {"https_proxy": dead})):
            env = dict(env, no_proxy="127.0.0.1,127.0.0.2")
            rc, _, err = run(c.args(c.path("a.log"),
                                    extra=["--ca-file", ca] + extra),
                             env=c.env(emu, **env))
            check(rc == 0, "rc %d: %s" % (rc, err))
        check(len(emu.uploads()) >= n + 2, emu.uploads())
    finally:
        emu.stop()
        c.close()


# ---- the progress bar -------------------------------------------------------

def run_on_tty(args, env):
    """./discolog with stderr on a pseudo-terminal: (rc, what it drew)."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("DISCOLOG_")}
    e.update(env)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack("HHHH", 40, 160, 0, 0))
    p = subprocess.Popen([DISCOLOG] + args, env=e, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    p.wait(10)
    os.close(master)
    return p.returncode, out.decode("utf-8", "replace")


@suite.test
def test_progress_bar_on_terminal_only():
    c = Case()
    emu = Emulator()
    try:
        src = c.path("a.log")
        random_lines(src, 3 * MIB, seed=9, url_chars=300)
        # A stalled Put Blob makes the run long enough for the bar.
        emu.fault("put:stall:3")
        rc, out = run_on_tty(c.args(src), c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, out))
        check("sending [" in out and "lines kept" in out and
              "MiB/s" in out and "ETA" in out, repr(out[-1500:]))
        check("\r" in out and "\x1b[K" in out, repr(out[-500:]))
        # Erased at the end: the last thing on the terminal is no bar.
        tail = out.rstrip("\r\n")
        check(tail.endswith("\x1b[K") or "uploaded" in tail.splitlines()[-1],
              repr(tail[-300:]))
        # --no-progress and -q: none.
        for flag in ("--no-progress", "-q"):
            emu.fault("put:stall:2")
            rc, out = run_on_tty(c.args(src, extra=[flag]), c.env(emu))
            check(rc == 0, "rc %d: %s" % (rc, out))
            check("sending" not in out and "\x1b[K" not in out,
                  "%s: %r" % (flag, out[-500:]))
        # Not a terminal: none.
        emu.fault("put:stall:2")
        rc, _, err = run(c.args(src), env=c.env(emu))
        check(rc == 0 and "\r" not in err and "sending" not in err, err)
        check(len(emu.uploads()) == 4, len(emu.uploads()))
    finally:
        emu.stop()
        c.close()


# ---- Azurite ----------------------------------------------------------------

def azurite_bin():
    """The azurite-blob program, installed if need be; None: cannot."""
    p = subprocess.run([os.path.join(ROOT, "scripts", "install-azurite")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=900)
    path = p.stdout.decode().strip()
    if p.returncode != 0 or not path or not os.access(path, os.X_OK):
        return None, p.stderr.decode(errors="replace").strip()
    return path, ""


class Azurite:
    """azurite-blob on a free loopback port, in memory; stopped by PID."""

    def __init__(self, binary, d):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = open(os.path.join(d, "azurite.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
             "--inMemoryPersistence", "--disableTelemetry",
             "--skipApiVersionCheck", "--debug",
             os.path.join(d, "azurite-debug.log")],
            stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        self.debug = os.path.join(d, "azurite-debug.log")
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("azurite did not start")
                time.sleep(0.2)
        self.url = "http://127.0.0.1:%d/devstoreaccount1" % self.port

    def requests(self, what):
        """How many requests of one operation Azurite logged."""
        try:
            with open(self.debug, errors="replace") as f:
                text = f.read()
        except OSError:
            return 0
        return text.count(what)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def test_azurite_put_blob_blocks_and_expired_sas():
    c = Case(upload__put_blob_max="1M", upload__block_size="256K",
             upload__parallel=4)
    az = Azurite(AZURITE, c.dir)
    emu = None
    try:
        emu = Emulator("--azurite", az.url)
        # Put Blob.
        small = c.path("small.log")
        n1, sha1 = random_lines(small, 200 * 1024, seed=11, url_chars=100)
        rc, _, err = run(c.args(small), env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        # Put Block (parallel) + Put Block List.
        big = c.path("big.log")
        n2, sha2 = random_lines(big, 4 * MIB, seed=12, url_chars=400)
        rc, _, err = run(c.args(big, extra=["-v"]), env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(" blocks of 262144 bytes, 4 at a time" in err, err)
        # An expired SAS: Azurite refuses it, a fresh URL goes through.
        emu.fault("upload_url:expired-sas")
        mid = c.path("mid.log")
        n3, sha3 = random_lines(mid, 2 * MIB, seed=13, url_chars=400)
        rc, _, err = run(c.args(mid, extra=["-v"]), env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check("asking for a new upload URL" in err, err)
        ups = emu.uploads()
        check([(u["lines"], u["sha256"]) for u in ups] ==
              [(n1, sha1), (n2, sha2), (n3, sha3)],
              [(u["lines"], u.get("error")) for u in ups])
        # Azurite saw the operations themselves.
        check(az.requests("comp=block&blockid=") > 4,
              "Azurite logged no Put Block")
        check(az.requests("comp=blocklist") >= 2,
              "Azurite logged no Put Block List")
        check(emu.requests() and not any(r["listener"] == "blob"
                                         for r in emu.requests()),
              "blob requests went to the emulator, not Azurite")
    finally:
        if emu:
            emu.stop()
        az.stop()
        c.close()


AZURITE = None

if __name__ == "__main__":
    AZURITE, why = azurite_bin()
    if AZURITE:
        suite.test(test_azurite_put_blob_blocks_and_expired_sas)
    else:
        print("SKIP test_azurite_put_blob_blocks_and_expired_sas: Azurite "
              "cannot be installed here (%s)" % (why.splitlines() or
                                                 ["no reason"])[-1])
    suite.main()
