#!/usr/bin/env python3
"""Integration tests: ./discolog upload and check against the emulator.

Each test starts its own emulator on loopback and stops it by PID.
"""

import gzip
import os
import shutil
import stat
import tempfile
import time

from harness import (TOKEN, Emulator, Suite, check, run, secret_file,
                     squid_lines, write_lines)

suite = Suite("upload")


class Case:
    """A temp dir with a token file and a state dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="discolog-test-")
        self.token = secret_file(self.dir, TOKEN)
        self.state = os.path.join(self.dir, "state")

    def path(self, name):
        return os.path.join(self.dir, name)

    def env(self, emu=None, **kw):
        e = {"DISCOLOG_STATE_DIR": self.state,
             "DISCOLOG_RETRY_MAX_TIME": "3"}
        if emu is not None:
            e["DISCOLOG_TENANT"] = emu.api
        e.update(kw)
        return e

    def ready(self):
        d = os.path.join(self.state, "spool", "ready")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def upload_args(c, *files, ds="HQ-Proxy"):
    return ["upload", "-s", ds, "--token-file", c.token] + list(files)



@suite.test
def test_byte_order_marks_stripped():
    """A UTF-8 BOM at the start of the file, and one where a second file
    was joined on, is not sent (MDCA refuses it) and costs no line."""
    c, emu = Case(), Emulator()
    try:
        lines, keep = squid_lines(1000, seed=11)
        bom = b"\xef\xbb\xbf"
        marked = [bom + lines[0]] + lines[1:500] + [bom + lines[500]] + \
            lines[501:]
        write_lines(c.path("access.log"), marked)
        rc, out, err = run(["check", c.path("access.log")])
        check(rc == 0 and b"0 rejected" in out, out + err.encode())
        rc, out, err = run(upload_args(c, c.path("access.log")),
                           env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        got = emu.received_lines()
        check(not any(bom in l for l in got), "a BOM was sent")
        check(got == keep, "received %d lines, want %d"
              % (len(got), len(keep)))
    finally:
        emu.stop()
        c.close()


@suite.test
def test_include_exclude_rules():
    """[filter] and [source] include/exclude rules (and --exclude): what
    they drop is counted by its reason, exactly the rest is sent; a bad
    rule is refused with the file and line."""
    c, emu = Case(), Emulator()
    try:
        lines, keep = squid_lines(1000, seed=13)
        write_lines(c.path("access.log"), lines)
        conf = c.path("discolog.conf")
        with open(conf, "w") as f:
            f.write("[filter]\nexclude = dst_host (?i)^(www\\.)?DROPBOX\\.com$\n"
                    "exclude = user ^bob$\ninclude = url /p/[0-9]*[02468]$\n")
        def kept(l):
            f = l.split()
            user, url = f[7], f[6]
            return (user != "bob" and "dropbox.com" not in url and
                    int(url.rsplit("/", 1)[1]) % 2 == 0)
        want = [l for l in keep if kept(l.decode())]
        check(0 < len(want) < len(keep) // 2, len(want))
        rc, out, err = run(["check", "-c", conf, c.path("access.log")])
        check(rc == 0, err)
        text = out.decode()
        check("kept:     %d " % len(want) in text, text)
        check("excluded" in text and "not_included" in text, text)
        rc, out, err = run(upload_args(c, "-c", conf, c.path("access.log")),
                           env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == want, "received %d, want %d"
              % (len(emu.received_lines()), len(want)))
        # On the command line too, on top of the file's.
        rc, out, err = run(["check", "-c", conf, "--exclude", "user ^alice$",
                            c.path("access.log")])
        n = len([l for l in want if l.split()[7] != b"alice"])
        check(rc == 0 and ("kept:     %d " % n) in out.decode(), out)
        # A bad rule: refused at start, file and line.
        with open(conf, "w") as f:
            f.write("[filter]\nmax_age = 30\nexclude = dst_host [z-a]\n")
        rc, out, err = run(["check", "-c", conf, c.path("access.log")])
        check(rc == 2 and "%s:3: exclude: dst_host: pattern:" % conf in err
              and "range out of order" in err, err)
        rc, out, err = run(["check", "--include", "host x",
                            c.path("access.log")])
        check(rc == 2 and "'host' is not a field" in err, err)
    finally:
        emu.stop()
        c.close()

@suite.test
def test_exact_kept_lines_in_order():
    c, emu = Case(), Emulator()
    try:
        lines, keep = squid_lines(2000, seed=7)
        write_lines(c.path("access.log"), lines)
        rc, out, err = run(upload_args(c, c.path("access.log")),
                           env=c.env(emu))
        check(rc == 0, "rc %d: %s" % (rc, err))
        ups = emu.uploads()
        check(len(ups) == 1, ups)
        check(ups[0]["inputStreamName"] == "HQ-Proxy")
        check(ups[0]["source"] == "SQUID_NATIVE", ups[0])
        check(ups[0]["encoding"] == "gzip", ups[0])
        check(emu.received_lines() == keep,
              "received %d lines, want %d" % (len(emu.received_lines()),
                                              len(keep)))
        check(c.ready() == [], "spool not empty: %s" % c.ready())
        check("uploaded" in err, err)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_internal_destinations_absent():
    c, emu = Case(), Emulator()
    try:
        lines, keep = squid_lines(500, seed=3, internal_every=2)
        write_lines(c.path("a.log"), lines)
        rc, _, err = run(upload_args(c, c.path("a.log")) +
                         ["--internal-domain", "corp.example"],
                         env=c.env(emu))
        check(rc == 0, err)
        got = b"\n".join(emu.received_lines())
        for bad in (b"10.1.2.3", b"192.168.7.20", b"intranet.corp.example",
                    b"172.20.0.5"):
            check(b"https://" + bad not in got, bad)
        check(len(emu.received_lines()) == len(keep))
    finally:
        emu.stop()
        c.close()


@suite.test
def test_gz_input_and_stdin():
    c, emu = Case(), Emulator()
    try:
        l1, k1 = squid_lines(300, seed=11)
        l2, k2 = squid_lines(200, seed=12)
        write_lines(c.path("a.log.gz"), l1, gz=True)
        rc, _, err = run(upload_args(c, c.path("a.log.gz")), env=c.env(emu))
        check(rc == 0, err)
        rc, _, err = run(upload_args(c, "-"), env=c.env(emu),
                         stdin=b"".join(l + b"\n" for l in l2))
        check(rc == 0, err)
        check(emu.received_lines() == k1 + k2)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_archive_members():
    import tarfile
    import zipfile
    c, emu = Case(), Emulator()
    try:
        l1, k1 = squid_lines(100, seed=21)
        l2, k2 = squid_lines(100, seed=22)
        write_lines(c.path("one.log"), l1)
        write_lines(c.path("two.log"), l2)
        with zipfile.ZipFile(c.path("logs.zip"), "w",
                             zipfile.ZIP_DEFLATED) as z:
            z.write(c.path("one.log"), "one.log")
            z.write(c.path("two.log"), "sub/two.log")
        with tarfile.open(c.path("logs.tar.xz"), "w:xz") as t:
            t.add(c.path("one.log"), "one.log")
        rc, _, err = run(upload_args(c, c.path("logs.zip"),
                                     c.path("logs.tar.xz")), env=c.env(emu))
        check(rc == 0, err)
        check(emu.received_lines() == k1 + k2 + k1,
              "%d lines" % len(emu.received_lines()))
    finally:
        emu.stop()
        c.close()


@suite.test
def test_two_formats_two_batches():
    c, emu = Case(), Emulator()
    try:
        l1, k1 = squid_lines(50, seed=31)
        write_lines(c.path("native.log"), l1)
        common = [b'203.0.113.9 - bob [%s] "GET https://github.com/x HTTP/1.1"'
                  b' 200 512 TCP_MISS:HIER_DIRECT' %
                  time.strftime("%d/%b/%Y:%H:%M:%S +0000",
                                time.gmtime()).encode()] * 3
        write_lines(c.path("common.log"), common)
        rc, _, err = run(upload_args(c, c.path("native.log"),
                                     c.path("common.log")), env=c.env(emu))
        check(rc == 0, err)
        ups = emu.uploads()
        check(sorted(u["source"] for u in ups) == ["SQUID", "SQUID_NATIVE"],
              ups)
        for u in ups:
            want = k1 if u["source"] == "SQUID_NATIVE" else common
            check(emu.received(u).splitlines() == want, u)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_format_change_midfile_and_mixed_report():
    c, emu = Case(), Emulator()
    try:
        l1, k1 = squid_lines(30, seed=41, internal_every=0)
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        common = [(b'198.51.100.%d - bob [%s] "GET https://github.com/%d '
                   b'HTTP/1.1" 200 512 TCP_MISS:HIER_DIRECT' %
                   (i, stamp.encode(), i)) for i in range(20)]
        write_lines(c.path("changed.log"), l1 + common)
        rc, out, err = run(["check", c.path("changed.log")])
        o = out.decode()
        check(rc == 0, err)
        check("changed:  from line 31 the lines are squid_common (SQUID)"
              in o, o)
        check("50 read: 50 ok, 0 partial, 0 skipped, 0 rejected" in o, o)
        rc, _, err = run(upload_args(c, c.path("changed.log")),
                         env=c.env(emu))
        check(rc == 0, err)
        got = {u["source"]: emu.received(u).splitlines()
               for u in emu.uploads()}
        check(got == {"SQUID_NATIVE": k1, "SQUID": common}, got.keys())
        # Interleaved: reported as mixed, not silently half-parsed.
        mixed = []
        for i in range(30):
            mixed.append(l1[i])
            if i % 3 == 0:
                mixed.append(common[i % 20])
        write_lines(c.path("mixed.log"), mixed)
        rc, out, err = run(["check", c.path("mixed.log")])
        o = out.decode()
        check("mixed:    10 rejected lines look like squid_common" in o, o)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_wrong_token_exit_3():
    c, emu = Case(), Emulator()
    try:
        bad = "f" * 64
        tok = secret_file(c.dir, bad, "bad-token")
        lines, _ = squid_lines(50)
        write_lines(c.path("a.log"), lines)
        rc, out, err = run(["upload", "-v", "-s", "HQ-Proxy", "--token-file",
                            tok, c.path("a.log")], env=c.env(emu))
        check(rc == 3, "rc %d: %s" % (rc, err))
        check("401" in err and "token" in err, err)
        check(bad not in err and bad.encode() not in out, "token leaked")
        check(emu.uploads() == [])
        check(len(c.ready()) == 2, "batch not kept: %s" % c.ready())
    finally:
        emu.stop()
        c.close()


@suite.test
def test_unreachable_tenant_keeps_batch_then_resends():
    c = Case()
    emu = None
    try:
        lines, keep = squid_lines(400, seed=5)
        write_lines(c.path("a.log"), lines)
        # A loopback port nothing listens on: connection refused.
        rc, _, err = run(upload_args(c, c.path("a.log")),
                         env=c.env(DISCOLOG_TENANT="http://127.0.0.1:9"))
        check(rc == 1, "rc %d: %s" % (rc, err))
        check("cannot reach the tenant" in err, err)
        check("kept in the spool" in err, err)
        check(len([f for f in c.ready() if f.endswith(".gz")]) == 1,
              c.ready())
        # The next run sends what was left, then its own lines.
        emu = Emulator()
        l2, k2 = squid_lines(100, seed=6)
        write_lines(c.path("b.log"), l2)
        rc, _, err = run(upload_args(c, c.path("b.log")), env=c.env(emu))
        check(rc == 0, err)
        check(emu.received_lines() == keep + k2)
        check("earlier run" in err, err)
        check(c.ready() == [], c.ready())
    finally:
        if emu:
            emu.stop()
        c.close()



@suite.test
def test_damaged_leftover_moved_aside_and_the_rest_sent():
    """A batch left in the spool whose description (.json) was damaged
    holds no later batch: it moves to spool/rejected/ whole, the message
    says how to send it, and the run's own lines go."""
    c = Case()
    emu = None
    try:
        lines, keep = squid_lines(300, seed=8)
        write_lines(c.path("a.log"), lines)
        rc, _, err = run(upload_args(c, c.path("a.log")),
                         env=c.env(DISCOLOG_TENANT="http://127.0.0.1:9"))
        check(rc == 1 and "kept in the spool" in err, err)
        meta = [f for f in c.ready() if f.endswith(".json")]
        check(len(meta) == 1, c.ready())
        with open(os.path.join(c.state, "spool", "ready", meta[0]), "w") as f:
            f.write('{"data_source": "HQ-Pro')
        emu = Emulator()
        l2, k2 = squid_lines(100, seed=9)
        write_lines(c.path("b.log"), l2)
        rc, _, err = run(upload_args(c, c.path("b.log")), env=c.env(emu))
        check(rc == 1, "rc %d: %s" % (rc, err))
        check(emu.received_lines() == k2, len(emu.received_lines()))
        rej = os.path.join(c.state, "spool", "rejected")
        gz = [f for f in os.listdir(rej) if f.endswith(".log.gz")]
        check(len(gz) == 1 and "moved to %s/%s" % (rej, gz[0]) in err and
              "discolog upload -s NAME" in err, err)
        check(c.ready() == [], c.ready())
        # What was moved aside is a valid input: nothing is lost.
        rc, _, err = run(upload_args(c, os.path.join(rej, gz[0])),
                         env=c.env(emu))
        check(rc == 0, err)
        check(emu.received_lines() == k2 + keep, len(emu.received_lines()))
    finally:
        if emu:
            emu.stop()
        c.close()

@suite.test
def test_unknown_data_source_exit_2():
    c, emu = Case(), Emulator()
    try:
        lines, _ = squid_lines(20)
        write_lines(c.path("a.log"), lines)
        rc, _, err = run(upload_args(c, c.path("a.log"), ds="HQ-Proxx"),
                         env=c.env(emu))
        check(rc == 2, "rc %d: %s" % (rc, err))
        check("no data source called 'HQ-Proxx'" in err, err)
        # The refused batch moved aside: it does not block the next run,
        # and it is itself an input to send again under the right name.
        check(c.ready() == [], c.ready())
        rej = os.path.join(c.state, "spool", "rejected")
        gz = [f for f in os.listdir(rej) if f.endswith(".log.gz")]
        check(len(gz) == 1 and ("moved to %s" % os.path.join(rej, gz[0]))
              in err, (gz, err))
        l2, k2 = squid_lines(10, seed=77, internal_every=0)
        write_lines(c.path("b.log"), l2)
        rc, _, err = run(upload_args(c, c.path("b.log")), env=c.env(emu))
        check(rc == 0, err)
        rc, _, err = run(upload_args(c, os.path.join(rej, gz[0])),
                         env=c.env(emu))
        check(rc == 0, err)
        got = emu.received_lines()
        kept = [l for l in lines if b"https://10." not in l and
                b"https://192.168." not in l and b"https://172.20." not in l
                and b"intranet.corp.example" not in l]
        check(got == k2 + kept, (len(got), len(k2), len(kept)))
    finally:
        emu.stop()
        c.close()


@suite.test
def test_secrets_never_shown_and_no_credentials_to_blob():
    c, emu = Case(), Emulator()
    try:
        lines, _ = squid_lines(50)
        write_lines(c.path("a.log"), lines)
        rc, out, err = run(["upload", "-v", "-v"] +
                           upload_args(c, c.path("a.log"))[1:],
                           env=c.env(emu))
        check(rc == 0, err)
        check(TOKEN not in err and TOKEN.encode() not in out, "token shown")
        check("sig=" not in err and "se=" not in err, "SAS shown: " + err)
        blob = [r for r in emu.requests() if r.get("listener") == "blob"]
        check(blob, "no blob request recorded")
        for r in blob:
            hdrs = [h.lower() for h in r["headers"]]
            check("authorization" not in hdrs, r)
            if r["method"] == "PUT":
                check(r["x-ms"].get("x-ms-blob-type") == "BlockBlob", r)
        api = [r for r in emu.requests() if r.get("listener") == "api"]
        check(api and all(r["authorization"] == "Token " + TOKEN
                          for r in api), "API calls without the token")
        # The token comes from the environment as well as from a file.
        rc, _, err = run(upload_args(c, c.path("a.log"))[:3] +
                         [c.path("a.log")],
                         env=c.env(emu, DISCOLOG_TOKEN=TOKEN))
        check(rc == 0, err)
    finally:
        emu.stop()
        c.close()


@suite.test
def test_world_readable_token_refused():
    c = Case()
    try:
        os.chmod(c.token, 0o644)
        lines, _ = squid_lines(5)
        write_lines(c.path("a.log"), lines)
        rc, _, err = run(upload_args(c, c.path("a.log")),
                         env=c.env(DISCOLOG_TENANT="http://127.0.0.1:9"))
        check(rc == 2, "rc %d: %s" % (rc, err))
        check("readable by every user" in err and "chmod go-r" in err, err)
    finally:
        c.close()


@suite.test
def test_output_dir_batches_split():
    c = Case()
    try:
        lines, keep = squid_lines(6000, seed=9)
        write_lines(c.path("a.log"), lines)
        out = c.path("out")
        os.mkdir(out)
        rc, _, err = run(["upload", "-o", out, "--max-batch", "128K",
                          c.path("a.log")], env=c.env())
        check(rc == 0, err)
        gz = sorted(f for f in os.listdir(os.path.join(out, "ready"))
                    if f.endswith(".gz"))
        check(len(gz) >= 2, gz)
        got = []
        for f in gz:
            p = os.path.join(out, "ready", f)
            check(os.path.getsize(p) <= 128 * 1024, (f, os.path.getsize(p)))
            got += gzip.open(p).read().splitlines()
        check(got == keep, "%d vs %d" % (len(got), len(keep)))
    finally:
        c.close()


@suite.test
def test_config_file_errors_name_file_and_line():
    c = Case()
    try:
        conf = c.path("discolog.conf")
        with open(conf, "w") as f:
            f.write("[tenant]\nurl = http://127.0.0.1:9\n\n[filter]\n"
                    "max_age = 90\ninternal = 10.0.0.0/33\n")
        rc, _, err = run(["check", "-c", conf, "/dev/null"])
        check(rc == 2, err)
        check("%s:6:" % conf in err and "prefix length" in err, err)
        with open(conf, "w") as f:
            f.write("[upload]\ndata_sourse = x\n")
        rc, _, err = run(["check", "-c", conf, "/dev/null"])
        check(rc == 2 and "%s:2: unknown key 'data_sourse'" % conf in err,
              err)
        rc, _, err = run(["check", "-c", c.path("missing.conf"), "/dev/null"])
        check(rc == 2 and "No such file" in err, err)
    finally:
        c.close()


@suite.test
def test_check_reports_format_and_verdicts():
    c = Case()
    try:
        lines, keep = squid_lines(100, seed=4)
        write_lines(c.path("a.log"), lines + [b"garbage line"])
        rc, out, err = run(["check", c.path("a.log")])
        check(rc == 0, err)
        o = out.decode()
        check("squid_native (SQUID_NATIVE), detected" in o, o)
        check("101 read: 100 ok, 0 partial, 0 skipped, 1 rejected" in o, o)
        check("kept:     %d (dropped: internal 20)" % len(keep) in o, o)
        check("line 101:" in o, o)
        rc, out, err = run(["check", "--json", c.path("a.log")])
        recs = [l for l in out.decode().splitlines() if l]
        check(len(recs) == len(keep), len(recs))
        check(recs[0].startswith('{"format":"squid_native","source_type":'
                                 '"SQUID_NATIVE","time":"'), recs[0])
        # A pinned format no line matches: input error.
        rc, out, err = run(["check", "-f", "squid_common", c.path("a.log")])
        check(rc == 4, "rc %d" % rc)
        rc, out, err = run(["check", "-f", "nosuch", c.path("a.log")])
        check(rc == 2 and "unknown format" in err, err)
        rc, out, err = run(["check", c.path("nonexistent.log")])
        check(rc == 4 and "nonexistent.log" in err, err)
    finally:
        c.close()


if __name__ == "__main__":
    suite.main()
