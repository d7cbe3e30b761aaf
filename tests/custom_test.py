#!/usr/bin/env python3
"""Custom formats ([format NAME] in the configuration): detected, parsed,
converted to CEF for the upload; bad patterns refused with file:line."""

import os
import shutil
import tempfile
import time

from harness import TOKEN, Emulator, Suite, check, run, secret_file

suite = Suite("custom")

CONF = r"""
[format acme]
pattern = ^(?<time>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) acme-gw (?<action>PASS|BLOCK) (?<src_ip>\S+):(?<src_port>\d+) -> (?<dst_host>[^\s:]+):(?<dst_port>\d+) user=(?<user>\S+) up=(?<bytes_up>\d+) down=(?<bytes_down>\d+)
time_format = %Y/%m/%d %H:%M:%S
"""


def acme_lines(n):
    t = time.gmtime(time.time() - 3600)
    stamp = time.strftime("%Y/%m/%d %H:%M:%S", t)
    out = []
    for i in range(n):
        act = "BLOCK" if i % 4 == 0 else "PASS"
        host = "10.1.1.1" if i % 5 == 0 else "files%d.dropbox.com" % i
        out.append("%s acme-gw %s 10.0.0.%d:5%04d -> %s:443 user=u%d "
                   "up=%d down=%d" % (stamp, act, i % 250, i, host, i,
                                      100 + i, 2000 + i))
    return out


class Case:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="discolog-custom-")
        self.conf = os.path.join(self.dir, "discolog.conf")
        with open(self.conf, "w") as f:
            f.write(CONF)
        self.log = os.path.join(self.dir, "acme.log")
        self.lines = acme_lines(40)
        with open(self.log, "w") as f:
            f.write("\n".join(self.lines) + "\n")

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@suite.test
def test_detected_and_listed():
    c = Case()
    try:
        rc, out, err = run(["formats", "-c", c.conf])
        check(rc == 0 and b"acme" in out and b"GENERIC_CEF" in out, out)
        rc, out, err = run(["check", "-c", c.conf, c.log])
        o = out.decode()
        check(rc == 0, err)
        check("acme (GENERIC_CEF), detected" in o, o)
        check("40 read: 40 ok" in o, o)
        check("kept:     32 (dropped: internal 8)" in o, o)
        rc, out, err = run(["check", "--json", "-c", c.conf, c.log])
        first = out.decode().splitlines()[0]
        check('"format":"acme","source_type":"GENERIC_CEF"' in first, first)
        check('"src_port":50001' in first and '"dst_port":443' in first,
              first)
        check('"user":"u1"' in first and '"action":"allow"' in first, first)
        check('"bytes_up":101,"bytes_down":2001' in first, first)
    finally:
        c.close()


@suite.test
def test_uploaded_as_cef():
    c, emu = Case(), Emulator()
    try:
        tok = secret_file(c.dir, TOKEN)
        rc, out, err = run(["upload", "-c", c.conf, "-s", "HQ-Proxy",
                            "--token-file", tok, c.log],
                           env={"DISCOLOG_TENANT": emu.api,
                                "DISCOLOG_STATE_DIR": c.dir + "/state"})
        check(rc == 0, err)
        ups = emu.uploads()
        check(len(ups) == 1 and ups[0]["source"] == "GENERIC_CEF", ups)
        got = emu.received(ups[0]).decode().splitlines()
        check(len(got) == 32, len(got))
        check(got[0].startswith("CEF:0|discolog|acme|1|traffic|"
                                "acme traffic|1|rt="), got[0])
        check(" src=10.0.0.1 spt=50001 suser=u1 dpt=443 "
              "dhost=files1.dropbox.com act=allow out=101 in=2001" in got[0],
              got[0])
        check(any("act=deny" in l for l in got))
    finally:
        emu.stop()
        c.close()


@suite.test
def test_bad_pattern_refused_with_line():
    c = Case()
    try:
        with open(c.conf, "w") as f:
            f.write("[format acme]\ntime_format = %Y\n"
                    "pattern = ^(?<dst_host>[a-z+ (\n")
        rc, out, err = run(["check", "-c", c.conf, c.log])
        check(rc == 2 and "%s:3: pattern: missing" % c.conf in err, err)
        with open(c.conf, "w") as f:
            f.write("[format acme]\npattern = ^(?<src_ip>\\S+)\n")
        rc, out, err = run(["check", "-c", c.conf, c.log])
        check(rc == 2 and "needs a destination" in err, err)
        with open(c.conf, "w") as f:
            f.write("[format acme]\npattern = (?<url>\\S+)\n"
                    "time_format = %Q\n")
        rc, out, err = run(["check", "-c", c.conf, c.log])
        check(rc == 2 and ":3: time_format '%Q'" in err, err)
    finally:
        c.close()


if __name__ == "__main__":
    suite.main()
