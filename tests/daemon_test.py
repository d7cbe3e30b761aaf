#!/usr/bin/env python3
"""Acceptance tests of `discolog run` against the emulator.

Followed files through rename rotation, copytruncate, delete and
re-creation, a partial last line and a glob; spool directories with a .gz
and a .zip; a SIGKILL in the middle of each upload stage; a crash test
(SIGKILL at many random moments while lines are appended and files
rotate: at the end the emulator holds every line exactly once); SIGHUP
with a changed and an added source; the spool quota with the tenant down,
then back.  Every daemon and emulator is stopped by PID.

CRASH_ITERATIONS (default 50) sets the number of kills of the crash test;
`make check-slow` runs more.
"""

import gzip
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

from harness import (DISCOLOG, TOKEN, Emulator, Suite, check, run,
                     secret_file, squid_lines)

suite = Suite("daemon_test")


class Daemon:
    """A temp dir with a token, logs/, a state dir and a configuration;
    `discolog run -d` started and stopped by PID."""

    def __init__(self, emu, sources, extra=""):
        self.dir = tempfile.mkdtemp(prefix="discolog-daemon-")
        self.token = secret_file(self.dir, TOKEN)
        self.logs = os.path.join(self.dir, "logs")
        os.makedirs(self.logs)
        self.state = os.path.join(self.dir, "state")
        self.conf = os.path.join(self.dir, "discolog.conf")
        self.emu = emu
        self.proc = None
        self.errlog = os.path.join(self.dir, "daemon.err")
        self.write_conf(sources, extra)

    def write_conf(self, sources, extra=""):
        # The emulator allows more than the API's 30 requests a minute
        # (--rpm below), so the tests do not wait on the throttle.
        text = ("[tenant]\nurl = %s\nrequests_per_minute = 600\n[auth]\ntoken_file = %s\n"
                "[upload]\nstate_dir = %s\nretry_max_time = 2\n"
                "[daemon]\npoll_interval = 100\nrotate_wait = 1\n%s\n"
                % (self.emu.api, self.token, self.state, extra))
        for name, body in sources.items():
            text += "[source %s]\n%s\n" % (name, body.replace(
                "LOGS", self.logs))
        with open(self.conf, "w") as f:
            f.write(text)

    def path(self, name):
        return os.path.join(self.logs, name)

    def start(self):
        self.proc = subprocess.Popen(
            [DISCOLOG, "run", "-d", "-v", "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.errlog, "a"),
            env={k: v for k, v in os.environ.items()
                 if not k.startswith("DISCOLOG_")})
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def stop(self):
        return self.kill(signal.SIGTERM)

    def status(self):
        rc, out, err = run(["status", "-c", self.conf, "--json"])
        return rc, json.loads(out.decode())

    def running(self):
        """Has this run written its status.json (its first turn)?"""
        try:
            with open(os.path.join(self.state, "status.json")) as f:
                return json.load(f).get("pid") == self.proc.pid
        except (OSError, ValueError):
            return False

    def stderr(self):
        with open(self.errlog) as f:
            return f.read()

    def ready(self):
        d = os.path.join(self.state, "spool", "ready")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def append(path, lines):
    with open(path, "ab") as f:
        f.write(b"".join(l + b"\n" for l in lines))


def wait_for(cond, timeout=20, what="condition", d=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s%s" % (
        what, "\n--- daemon stderr:\n" + d.stderr()[-3000:] if d else ""))


def exactly_once(emu, want):
    """Every line of want uploaded once, no other line, no batch
    finalized twice."""
    got = emu.received_lines()
    counts = {}
    for l in got:
        counts[l] = counts.get(l, 0) + 1
    dups = [l for l, n in counts.items() if n > 1]
    missing = [i for i, l in enumerate(want) if l not in counts]
    extra = [l for l in counts if l not in set(want)]
    check(not dups, "%d lines uploaded twice, e.g. %r" % (
        len(dups), dups[:2]))
    check(not missing, "%d of %d lines missing, e.g. lines %r" % (
        len(missing), len(want), missing[:5] + missing[-3:]))
    check(not extra, "unexpected lines: %r" % extra[:2])
    fin = os.path.join(emu.dir, "finalize.jsonl")
    ok = {}
    if os.path.exists(fin):
        for l in open(fin):
            e = json.loads(l)
            if e.get("result") == "ok":
                ok[e["blob"]] = ok.get(e["blob"], 0) + 1
    check(all(n == 1 for n in ok.values()), "a blob finalized twice")
    check(len(ok) == len(emu.uploads()), "finalize.jsonl and uploads.jsonl "
          "disagree")


def all_uploaded(emu, n):
    return lambda: len(emu.received_lines()) >= n


def emu_reset(emu):
    req = urllib.request.Request(emu.api + "/_emulator/reset", data=b"{}",
                                 headers={"Content-Type":
                                          "application/json"},
                                 method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def squid(n, seed):
    lines, _ = squid_lines(n, seed=seed, internal_every=0)
    return lines


FOLLOW = ("data_source = HQ-Proxy\nfollow = LOGS/access.log\n"
          "format = squid_native\nbatch_max_age = 1\n")


@suite.test
def test_rename_rotation_copytruncate_delete_recreate():
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": FOLLOW})
    try:
        lines = squid(600, 11)
        log = d.path("access.log")
        append(log, lines[:100])
        d.start()
        wait_for(all_uploaded(emu, 100), what="first lines", d=d)
        # Rename rotation: the writer still appends to the old file.
        os.rename(log, log + ".1")
        append(log + ".1", lines[100:150])
        append(log, lines[150:200])
        wait_for(all_uploaded(emu, 200), what="rotation", d=d)
        # copytruncate.
        shutil.copy(log, log + ".2")
        with open(log, "wb"):
            pass
        append(log, lines[200:300])
        wait_for(all_uploaded(emu, 300), what="copytruncate", d=d)
        # Delete and create again.
        append(log, lines[300:400])
        time.sleep(0.3)
        os.unlink(log)
        append(log, lines[400:600])
        wait_for(all_uploaded(emu, 600), what="delete+recreate", d=d)
        check(d.stop() == 0, "exit status on SIGTERM")
        exactly_once(emu, lines)
    finally:
        d.close()
        emu.stop()


@suite.test
def test_drops_to_its_user_before_reading():
    import pwd
    if os.geteuid() != 0:
        print("skip: needs root to change user")
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        print("skip: no user 'nobody'")
        return
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": FOLLOW}, extra="user = nobody\n")
    try:
        os.chmod(d.dir, 0o755)
        os.chmod(d.logs, 0o755)
        lines = squid(50, 5)
        append(d.path("access.log"), lines)
        d.start()
        wait_for(all_uploaded(emu, 50), what="lines as nobody", d=d)
        with open("/proc/%d/status" % d.proc.pid) as f:
            st = dict(l.split(":", 1) for l in f.read().splitlines()
                      if ":" in l)
        check(st["Uid"].split() == [str(nobody.pw_uid)] * 4, st["Uid"])
        check(st["NoNewPrivs"].strip() == "1", st["NoNewPrivs"])
        check(os.stat(d.state).st_uid == nobody.pw_uid)
        check("running as nobody" in d.stderr(), d.stderr())
        check(d.stop() == 0)
        exactly_once(emu, lines)
    finally:
        d.close()
        emu.stop()


@suite.test
def test_partial_last_line_and_glob():
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": "data_source = HQ-Proxy\nfollow = LOGS/*.log\n"
                     "format = squid_native\nbatch_max_age = 1\n"})
    try:
        lines = squid(30, 12)
        append(d.path("a.log"), lines[:10])
        last = lines[10]
        with open(d.path("a.log"), "ab") as f:
            f.write(last[:20])
        d.start()
        wait_for(all_uploaded(emu, 10), what="complete lines", d=d)
        time.sleep(1.5)
        check(len(emu.received_lines()) == 10, "a partial line was sent")
        with open(d.path("a.log"), "ab") as f:
            f.write(last[20:] + b"\n")
        wait_for(all_uploaded(emu, 11), what="the completed line", d=d)
        # A new file matching the glob.
        append(d.path("b.log"), lines[11:30])
        wait_for(all_uploaded(emu, 30), what="new file of the glob", d=d)
        d.stop()
        exactly_once(emu, lines)
    finally:
        d.close()
        emu.stop()



@suite.test
def test_source_include_exclude_and_bom():
    """A [source]'s exclude rule adds to [filter]'s; a followed file that
    starts with a byte order mark loses it, not its first line."""
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": FOLLOW + "exclude = user ^bob$\n"},
               extra="[filter]\nexclude = url /p/1[0-9]$\n")
    try:
        lines = squid(40, 21)
        want = [l for i, l in enumerate(lines)
                if l.split()[7] != b"bob" and not 10 <= i <= 19]
        check(len(want) < 35, len(want))
        with open(d.path("access.log"), "wb") as f:
            f.write(b"\xef\xbb\xbf")
        append(d.path("access.log"), lines)
        d.start()
        wait_for(all_uploaded(emu, len(want)), what="kept lines", d=d)

        def excluded():
            try:
                with open(os.path.join(d.state, "status.json")) as f:
                    st = json.load(f)
            except (OSError, ValueError):
                return False
            return '"excluded": %d' % (len(lines) - len(want)) in \
                json.dumps(st)
        wait_for(excluded, what="the excluded count in status.json", d=d)
        d.stop()
        exactly_once(emu, want)
    finally:
        d.close()
        emu.stop()

@suite.test
def test_spool_dir_gz_and_zip_moved_after_finalize():
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"drops": "data_source = HQ-Proxy\n"
                     "spool_dir = LOGS/in\nspool_settle = 0\n"
                     "batch_max_age = 1\n"})
    try:
        lines = squid(400, 13)
        inbox = os.path.join(d.logs, "in")
        os.makedirs(inbox)
        # The tenant refuses to finalize: the files must stay.
        emu.fault("done_upload:503:*")
        d.start()
        tmp = os.path.join(inbox, ".a.gz.part")
        with gzip.open(tmp, "wb") as f:
            f.write(b"".join(l + b"\n" for l in lines[:200]))
        os.rename(tmp, os.path.join(inbox, "a.log.gz"))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("x.log", b"".join(l + b"\n" for l in lines[200:300]))
            z.writestr("y.log", b"".join(l + b"\n" for l in lines[300:]))
        with open(os.path.join(inbox, ".b.part"), "wb") as f:
            f.write(buf.getvalue())
        os.rename(os.path.join(inbox, ".b.part"),
                  os.path.join(inbox, "b.zip"))
        wait_for(lambda: len(d.ready()) > 0, what="batches sealed", d=d)
        time.sleep(2)
        check(sorted(n for n in os.listdir(inbox) if not n.startswith("."))
              == ["a.log.gz", "b.zip"], "moved before its batches were "
              "finalized: %s" % os.listdir(inbox))
        emu_reset(emu)
        wait_for(all_uploaded(emu, 400), timeout=30, what="uploads", d=d)
        wait_for(lambda: sorted(os.listdir(os.path.join(inbox, "done")))
                 == ["a.log.gz", "b.zip"] if os.path.isdir(
                     os.path.join(inbox, "done")) else False,
                 what="moved to done/", d=d)
        d.stop()
        exactly_once(emu, lines)
    finally:
        d.close()
        emu.stop()


def stage_of(d):
    """The ledger stage of the one batch in the spool, or None."""
    ready = os.path.join(d.state, "spool", "ready")
    gz = [n for n in d.ready() if n.endswith(".log.gz")]
    if not gz:
        return None
    st = os.path.join(ready, gz[0][:-7] + ".stage")
    try:
        with open(st) as f:
            return json.load(f)["stage"]
    except (OSError, ValueError):
        return "sealed"


@suite.test
def test_restart_in_each_upload_stage():
    for target, stage in (("upload_url", "sealed"), ("put", "url"),
                          ("done_upload", "finalizing")):
        emu = Emulator("--rpm", "6000")
        d = Daemon(emu, {"px": FOLLOW})
        try:
            lines = squid(50, 14)
            emu.fault("%s:stall:3" % target)
            append(d.path("access.log"), lines)
            d.start()
            wait_for(lambda: stage_of(d) == stage, what="stage " + stage,
                     d=d)
            time.sleep(0.5)  # inside the stalled request
            d.kill()
            # A done_upload stalled then finalizes anyway: the restart
            # must count the "already finalized" answer as done.
            time.sleep(3)
            d.start()
            wait_for(lambda: all_uploaded(emu, 50)() and not d.ready(),
                     what="upload after a kill at " + stage, d=d)
            d.stop()
            exactly_once(emu, lines)
        finally:
            d.close()
            emu.stop()


@suite.test
def test_lost_finalize_answer():
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": FOLLOW})
    try:
        lines = squid(40, 15)
        emu.fault("done_upload:drop-after")
        append(d.path("access.log"), lines)
        d.start()
        wait_for(lambda: all_uploaded(emu, 40)() and not d.ready(),
                 what="upload", d=d)
        d.stop()
        exactly_once(emu, lines)
        check("already finalized" in d.stderr() or
          "finalized it already" in d.stderr(), d.stderr()[-2000:])
    finally:
        d.close()
        emu.stop()


@suite.test
def test_crash_many_kills():
    iterations = int(os.environ.get("CRASH_ITERATIONS", "50"))
    rnd = random.Random(int(os.environ.get("CRASH_SEED", "5")))
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": "data_source = HQ-Proxy\n"
                     "follow = LOGS/access.log\nformat = squid_native\n"
                     "batch_max_age = 1\nbatch_max_bytes = 4K\n"})
    try:
        lines = squid(iterations * 500 + 200, 16)
        log = d.path("access.log")
        written = 0
        rotations = 0
        born = time.monotonic()
        for i in range(iterations):
            # Now and then a slow tenant, so kills land inside steps.
            if i % 4 == 0:
                emu.fault("%s:stall:0.4" % rnd.choice(
                    ("upload_url", "put", "done_upload")))
            d.start()
            # Most runs get going before the kill; the others are killed
            # while starting (recovery itself interrupted).
            up = rnd.random() < 0.7
            if up:
                wait_for(lambda: d.running(), what="start", d=d)
                born = max(born, time.monotonic())
            end = time.monotonic() + rnd.uniform(0.05, 0.6)
            while time.monotonic() < end and written < len(lines) - 200:
                n = rnd.randint(1, 40)
                append(log, lines[written:written + n])
                written += n
                # Rotate like a writer does, and only a file a running
                # daemon could see for a while: a file created and
                # renamed away while nobody looks is beyond any follower
                # (README: follow the rotated names too for that).
                if up and rnd.random() < 0.25 and \
                        time.monotonic() - born > 0.15:
                    rotations += 1
                    os.rename(log, "%s.%d" % (log, rotations))
                    born = time.monotonic()
                time.sleep(rnd.uniform(0, 0.03))
            d.kill()
        emu_reset(emu)
        lines = lines[:written + 200]
        append(log, lines[written:])
        d.start()
        try:
            wait_for(lambda: len(emu.received_lines()) >= len(lines) and
                     not d.ready(), timeout=60, what="all lines after %d "
                     "kills" % iterations)
        except AssertionError:
            pass  # exactly_once tells what is wrong
        time.sleep(1.5)
        d.stop()
        if os.environ.get("CRASH_KEEP"):
            shutil.copy(d.errlog, "/tmp/crash-daemon.err")
            for f in ("finalize.jsonl", "uploads.jsonl", "requests.jsonl"):
                shutil.copy(os.path.join(emu.dir, f), "/tmp/crash-" + f)
        exactly_once(emu, lines)
        print("  %d kills, %d rotations, %d lines, %d uploads" % (
            iterations, rotations, len(lines), len(emu.uploads())))
    finally:
        d.close()
        emu.stop()


@suite.test
def test_sighup_changed_and_added_source():
    emu = Emulator("--rpm", "6000", streams=("HQ-Proxy", "Other"))
    d = Daemon(emu, {"px": FOLLOW})
    try:
        lines = squid(300, 17)
        append(d.path("access.log"), lines[:100])
        d.start()
        wait_for(all_uploaded(emu, 100), what="before reload", d=d)
        append(d.path("access.log"), lines[100:150])
        d.write_conf({
            "px": FOLLOW.replace("HQ-Proxy", "Other"),
            "fw": "data_source = HQ-Proxy\nfollow = LOGS/b.log\n"
                  "format = squid_native\nbatch_max_age = 1\n"})
        os.kill(d.proc.pid, signal.SIGHUP)
        time.sleep(0.5)
        append(d.path("access.log"), lines[150:250])
        append(d.path("b.log"), lines[250:])
        wait_for(all_uploaded(emu, 300), what="after reload", d=d)
        d.stop()
        exactly_once(emu, lines)
        other = set()
        for up in emu.uploads():
            if up["inputStreamName"] == "Other":
                other.update(emu.received(up).splitlines())
        check(set(lines[150:250]) <= other, "lines after the reload did "
              "not go to the changed data source")
        check(not (set(lines[:100]) & other), "old lines went to the new "
              "data source")
    finally:
        d.close()
        emu.stop()


@suite.test
def test_quota_with_tenant_down_then_back():
    emu = Emulator("--rpm", "6000")
    d = Daemon(emu, {"px": "data_source = HQ-Proxy\n"
                     "follow = LOGS/access.log\nformat = squid_native\n"
                     "batch_max_age = 1\nbatch_max_bytes = 4K\n"},
               extra="spool_max_bytes = 24K\n")
    try:
        lines = squid(1500, 18)
        emu.fault("upload_url:503:*")
        append(d.path("access.log"), lines)
        d.start()
        wait_for(lambda: d.status()[1]["sources"] and
                 d.status()[1]["sources"][0].get("paused"),
                 what="inputs paused at the quota", d=d)
        rc, st = d.status()
        check(rc != 0, "status exit 0 while paused")
        # Paused before the quota: room for the open batch, no drop.
        check(20 * 1024 < st["spool"]["bytes"] <= 24 * 1024, st["spool"])
        check(st["spool"]["dropped_batches"] == 0, st["spool"])
        # A smaller quota (reload): the oldest batches are dropped,
        # counted and shown.
        d.write_conf({"px": "data_source = HQ-Proxy\n"
                      "follow = LOGS/access.log\nformat = squid_native\n"
                      "batch_max_age = 1\nbatch_max_bytes = 4K\n"},
                     extra="spool_max_bytes = 12K\n")
        os.kill(d.proc.pid, signal.SIGHUP)
        wait_for(lambda: d.status()[1]["spool"]["dropped_batches"] > 0,
                 what="batches dropped at the smaller quota", d=d)
        check(d.status()[1]["spool"]["bytes"] <= 12 * 1024,
              d.status()[1]["spool"])
        emu_reset(emu)
        wait_for(lambda: not d.ready() and len(emu.received_lines()) +
                 d.status()[1]["spool"]["dropped_lines"] >= len(lines),
                 timeout=60, what="the spool drained", d=d)
        time.sleep(1.5)
        rc, st = d.status()
        src = st["sources"][0]
        got = emu.received_lines()
        check(len(got) == len(set(got)), "a line uploaded twice")
        check(len(got) + src["lines_dropped"] == len(lines),
              "%d uploaded + %d dropped != %d" % (
                  len(got), src["lines_dropped"], len(lines)))
        check(rc == 0, "status after recovery: %r" % src)
        d.stop()
    finally:
        d.close()
        emu.stop()


@suite.test
def test_configtest_and_status():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rc, out, err = run(["configtest", "-c", os.path.join(
        root, "scripts", "discolog.conf.example")])
    check(rc == 0, err)
    tmp = tempfile.mkdtemp()
    try:
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write("[tenant]\nurl = x\n\n[source a]\nfollow = /x\n")
        rc, out, err = run(["configtest", "-c", bad])
        check(rc == 2 and "bad.conf:4:" in err and "data_source" in err,
              err)
        with open(bad, "w") as f:
            f.write("[source a]\ndata_source = A\nfollow = rel/x\n")
        rc, out, err = run(["configtest", "-c", bad])
        check(rc == 2 and "bad.conf:1:" in err and "absolute" in err, err)
        with open(bad, "w") as f:
            f.write("[upload]\nstate_dir = %s\n[source a]\n"
                    "data_source = A\nfollow = /x\n" % tmp)
        rc, out, err = run(["status", "-c", bad])
        check(rc == 1 and b"NOT RUNNING" in out, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    suite.main()
