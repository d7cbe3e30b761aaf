#!/usr/bin/env python3
"""Hostile input: whatever discolog is fed, it answers clearly, in bounded
memory and time, and loses nothing of the good lines around the bad."""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

from harness import DISCOLOG, Suite, check, run, squid_lines, write_lines

suite = Suite("hostile")


def run_rss(args, feed=None):
    """Run discolog; returns (rc, stdout, stderr, peak RSS in MiB).  `feed`
    is a generator of byte chunks for stdin."""
    code = r'''
import resource, subprocess, sys, json
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE if %r else subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
''' % (feed is not None)
    # Simpler: run it here and read RUSAGE_CHILDREN of a helper process.
    helper = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
    helper.write(r'''
import resource, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=sys.stdin, stdout=open("/dev/stdout", "wb"),
                     stderr=subprocess.PIPE)
err = p.stderr.read()
rc = p.wait()
sys.stderr.buffer.write(err)
sys.stderr.write("\nRSS_KB=%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
''')
    helper.close()
    p = subprocess.Popen([sys.executable, helper.name, DISCOLOG] + args,
                         stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if feed:
        import threading
        out = []
        t = threading.Thread(target=lambda: out.append(p.stdout.read()))
        t.start()
        try:
            for chunk in feed:
                p.stdin.write(chunk)
            p.stdin.close()
        except BrokenPipeError:
            pass
        t.join()
        stdout = out[0]
        stderr = p.stderr.read().decode("utf-8", "replace")
        rc = p.wait()
    else:
        stdout, stderr = p.communicate()
        stderr = stderr.decode("utf-8", "replace")
        rc = p.returncode
    os.unlink(helper.name)
    rss = int(stderr.rsplit("RSS_KB=", 1)[1].split()[0]) // 1024
    return rc, stdout, stderr, rss


@suite.test
def test_one_gib_line_without_newline_bounded():
    good, keep = squid_lines(20, seed=2, internal_every=0)

    def feed():
        for l in good[:10]:
            yield l + b"\n"
        block = b"x" * (1 << 20)
        for _ in range(1024):
            yield block
        yield b"\n"
        for l in good[10:]:
            yield l + b"\n"

    t0 = time.monotonic()
    rc, out, err, rss = run_rss(["check", "--json", "-"], feed())
    check(rc == 0, err)
    recs = [json.loads(l) for l in out.decode().splitlines()]
    check(len(recs) == 20, len(recs))
    check("21 read: 20 ok, 0 partial, 0 skipped, 1 rejected" in err, err)
    check("line 11: line longer than 64 KiB" in err, err)
    check(rss < 64, "peak RSS %d MiB" % rss)
    check(time.monotonic() - t0 < 60)


@suite.test
def test_nul_bytes_and_garbage():
    d = tempfile.mkdtemp()
    try:
        p = os.path.join(d, "zeros.log")
        with open(p, "wb") as f:
            f.write(b"\0" * (8 << 20))
        rc, out, err = run(["check", p])
        check(rc == 4 and b"not recognised" in out, (rc, out, err))
        p = os.path.join(d, "random.bin")
        with open(p, "wb") as f:
            f.write(os.urandom(4 << 20))
        rc, out, err = run(["check", p])
        check(rc == 4, (rc, out[:300], err))
    finally:
        shutil.rmtree(d)


@suite.test
def test_invalid_utf8_gives_valid_json():
    d = tempfile.mkdtemp()
    try:
        lines, _ = squid_lines(3, seed=3, internal_every=0)
        bad = lines[0].replace(b"/p/0", b"/p/\xff\xfe\xc3\x28\xe2\x80\x9c")
        p = os.path.join(d, "a.log")
        write_lines(p, [bad] + lines[1:])
        rc, out, err = run(["check", "--json", p])
        check(rc == 0, err)
        recs = [json.loads(l) for l in out.decode("utf-8").splitlines()]
        check(len(recs) == 3)
        check("\ufffd" in recs[0]["url"] and "\u201c" in recs[0]["url"],
              recs[0]["url"])
    finally:
        shutil.rmtree(d)


@suite.test
def test_hostile_member_names_are_only_read():
    d = tempfile.mkdtemp()
    cwd = os.getcwd()
    try:
        lines, keep = squid_lines(30, seed=4, internal_every=0)
        z = os.path.join(d, "evil.zip")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("../../evil-passwd", b"".join(l + b"\n" for l in lines))
            zf.writestr("/abs/path.log", b"".join(l + b"\n" for l in lines))
        os.chdir(d)
        rc, out, err = run(["check", "--json", z])
        check(rc == 0, err)
        check(len(out.decode().splitlines()) == 60)
        check(not os.path.exists(os.path.join(d, "..", "..", "evil-passwd")))
        check(sorted(os.listdir(d)) == ["evil.zip"], os.listdir(d))
    finally:
        os.chdir(cwd)
        shutil.rmtree(d)


@suite.test
def test_zip_bomb_stops_and_says_so():
    d = tempfile.mkdtemp()
    try:
        z = os.path.join(d, "bomb.zip")
        lines, keep = squid_lines(5, seed=5, internal_every=0)
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED,
                             compresslevel=9) as zf:
            zf.writestr("good.log", b"".join(l + b"\n" for l in lines))
            with zf.open("bomb.log", "w", force_zip64=True) as f:
                block = (b"x" * (1 << 20))
                for _ in range(1100):  # 1.1 GiB, a few MB zipped
                    f.write(block)
        t0 = time.monotonic()
        rc, out, err = run(["check", "--json", z], timeout=120)
        check("expands more than 1000 times" in err, err)
        check(rc == 4, rc)
        check(len(out.decode().splitlines()) == 5)
        check(time.monotonic() - t0 < 60, time.monotonic() - t0)
    finally:
        shutil.rmtree(d)


@suite.test
def test_nested_archive_reported():
    d = tempfile.mkdtemp()
    try:
        lines, _ = squid_lines(5, seed=6, internal_every=0)
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as zf:
            zf.writestr("a.log", b"".join(l + b"\n" for l in lines))
        z = os.path.join(d, "outer.zip")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("inner.zip", inner.getvalue())
        rc, out, err = run(["check", z])
        check(rc == 4, rc)
        check(b"a zip archive inside the archive: not read" in out, out)
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    suite.main()
