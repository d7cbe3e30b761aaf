#!/usr/bin/env python3
"""Integration tests: ./discolog reports, categories, apps and blockscript
against the emulator.

Each test starts its own emulator on loopback and stops it by PID.
"""

import csv
import io
import json
import os
import re
import shutil
import stat
import tempfile
import urllib.request

from harness import TOKEN, Emulator, Suite, check, run, secret_file

suite = Suite("pull")

HOST_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


class Case:
    """A temp dir with a token file and an emulator."""

    def __init__(self, *args, streams=("HQ-Proxy", "Branch Office")):
        self.dir = tempfile.mkdtemp(prefix="discolog-test-")
        self.token = secret_file(self.dir, TOKEN)
        self.emu = Emulator("--rpm", "1000", *args, streams=streams)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args):
        return run(list(args) + ["--token-file", self.token],
                   env={"DISCOLOG_TENANT": self.emu.api,
                        "DISCOLOG_RETRY_MAX_TIME": "3"})

    def control(self, name, body):
        req = urllib.request.Request(
            self.emu.api + "/_emulator/" + name,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        return json.loads(urllib.request.urlopen(req, timeout=10).read())

    def requests(self, kind):
        return [r for r in self.emu.requests() if r.get("kind") == kind]

    def close(self):
        self.emu.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def ok(rc, err, want=0):
    check(rc == want, "exit %d, want %d: %s" % (rc, want, err))


def csv_rows(out):
    return list(csv.reader(io.StringIO(out.decode())))


@suite.test
def test_reports_every_format():
    c = Case()
    try:
        rc, out, err = c.run("reports")
        ok(rc, err)
        lines = out.decode().splitlines()
        check(lines[0].split()[:2] == ["ID", "NAME"], lines[0])
        check(any("HQ-Proxy" in l and "SQUID_NATIVE" in l for l in lines),
              out)
        check(any("Branch Office" in l for l in lines), out)
        check(any("Global View" in l for l in lines), out)
        check(all(l == l.rstrip() for l in lines), "trailing blanks")

        rc, out, err = c.run("reports", "--json")
        ok(rc, err)
        streams = json.loads(out)
        check(isinstance(streams, list) and len(streams) == 3, streams)
        names = {s["displayName"]: s["_id"] for s in streams}
        check(set(names) == {"Global View", "HQ-Proxy", "Branch Office"})

        rc, out, err = c.run("reports", "--csv")
        ok(rc, err)
        rows = csv_rows(out)
        check(rows[0] == ["id", "name", "type", "log_type",
                          "last_data_received"], rows[0])
        check(len(rows) == 4, rows)
        byname = {r[1]: r for r in rows[1:]}
        check(byname["HQ-Proxy"][0] == names["HQ-Proxy"])
        check(byname["HQ-Proxy"][3] == "155", byname["HQ-Proxy"])
        check(byname["HQ-Proxy"][2] == "data source", byname["HQ-Proxy"])

        rc, out, err = c.run("reports", "--json", "--csv")
        ok(rc, err, 2)
        rc, out, err = c.run("reports", "extra")
        ok(rc, err, 2)
    finally:
        c.close()


@suite.test
def test_categories_by_name_and_id():
    c = Case("--synthetic-apps", "40")
    try:
        rc, out, err = c.run("reports", "--json")
        ok(rc, err)
        sid = [s["_id"] for s in json.loads(out)
               if s["displayName"] == "HQ-Proxy"][0]

        rc, by_name, err = c.run("categories", "--stream", "HQ-Proxy",
                                 "--json")
        ok(rc, err)
        cats = json.loads(by_name)
        check(isinstance(cats, list) and cats, cats)
        check(all(set(x) >= {"id", "total"} for x in cats), cats)
        check(sum(x["total"] for x in cats) == 40, cats)
        rc, by_id, err = c.run("categories", "--stream", sid, "--json")
        ok(rc, err)
        check(json.loads(by_id) == cats)
        # A name in other case, when it is the only such name.
        rc, folded, err = c.run("categories", "--stream", "hq-proxy",
                                "--json")
        ok(rc, err)
        check(json.loads(folded) == cats)
        # The body carries the _id, not the name.
        bodies = c.requests("categories")
        check(bodies and all(r["status"] == 200 for r in bodies), bodies)

        rc, out, err = c.run("categories", "--stream", "HQ-Proxy", "--csv")
        ok(rc, err)
        rows = csv_rows(out)
        check(rows[0] == ["id", "apps"], rows[0])
        check({r[0]: int(r[1]) for r in rows[1:]} ==
              {x["id"]: x["total"] for x in cats}, rows)

        rc, out, err = c.run("categories", "--stream", "HQ-Proxy")
        ok(rc, err)
        lines = out.decode().splitlines()
        check(lines[0].split() == ["CATEGORY", "APPS"], lines[0])
        check(len(lines) == len(cats) + 1, lines)
        short = cats[0]["id"].replace("SAASDB_CATEGORY_", "")
        check(lines[1].split()[0] == short, (lines[1], short))
    finally:
        c.close()


@suite.test
def test_apps_paging_past_100():
    c = Case("--synthetic-apps", "250")
    try:
        rc, out, err = c.run("apps", "--stream", "HQ-Proxy", "--json")
        ok(rc, err)
        apps = json.loads(out)
        check(len(apps) == 250, len(apps))
        check(len({a["appId"] for a in apps}) == 250, "duplicate apps")
        check(len(c.requests("apps")) == 3, c.requests("apps"))

        rc, out, err = c.run("apps", "--stream", "HQ-Proxy", "--csv",
                             "--timeframe", "30")
        ok(rc, err)
        rows = csv_rows(out)
        check(rows[0] == ["app_id", "name", "category", "score", "users",
                          "ip_addresses", "transactions", "traffic_bytes",
                          "uploaded_bytes", "downloaded_bytes", "last_used",
                          "tags", "domains"], rows[0])
        check(len(rows) == 251, len(rows))
        check(all(len(r) == 13 for r in rows), "ragged rows")
        check({r[1] for r in rows[1:]} == {a["name"] for a in apps})
        check(all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", r[10])
                  for r in rows[1:]), rows[1])

        rc, out, err = c.run("apps", "--stream", "HQ-Proxy")
        ok(rc, err)
        lines = out.decode().splitlines()
        check(lines[0].split()[:3] == ["NAME", "CATEGORY", "SCORE"],
              lines[0])
        check(len(lines) == 251, len(lines))

        rc, out, err = c.run("apps", "--stream", "HQ-Proxy",
                             "--timeframe", "12")
        ok(rc, err, 2)
        check("7, 30 or 90" in err, err)
    finally:
        c.close()


@suite.test
def test_apps_from_an_upload():
    """Apps seen in uploaded lines, with their tags, in every format."""
    c = Case()
    try:
        log = c.path("access.log")
        with open(log, "w") as f:
            import time
            t = time.time() - 600
            for i, h in enumerate(["www.dropbox.com", "github.com",
                                   "www.dropbox.com"]):
                f.write("%.3f 100 10.0.0.%d TCP_MISS/200 500 GET "
                        "https://%s/x - HIER_DIRECT/52.1.1.1 text/html\n"
                        % (t + i, i + 1, h))
        rc, out, err = run(["upload", "-s", "HQ-Proxy", "--token-file",
                            c.token, log],
                           env={"DISCOLOG_TENANT": c.emu.api,
                                "DISCOLOG_STATE_DIR": c.path("state"),
                                "DISCOLOG_RETRY_MAX_TIME": "3"})
        ok(rc, err)
        rc, out, err = c.run("apps", "--stream", "HQ-Proxy", "--json")
        ok(rc, err)
        apps = {a["name"]: a for a in json.loads(out)}
        check("Dropbox" in apps and "GitHub" in apps, list(apps))
        check(apps["Dropbox"]["transactionsCount"] == 2, apps["Dropbox"])
        rc, out, err = c.run("apps", "--stream", "HQ-Proxy", "--csv")
        ok(rc, err)
        rows = {r[1]: r for r in csv_rows(out)[1:]}
        check(rows["Dropbox"][6] == "2", rows["Dropbox"])
        check(rows["Dropbox"][11] == "Unsanctioned", rows["Dropbox"])
        check("dropbox.com" in rows["Dropbox"][12], rows["Dropbox"])
        rc, out, err = c.run("apps", "--stream", "Branch Office", "--json")
        ok(rc, err)
        check(json.loads(out) == [], out)
    finally:
        c.close()


@suite.test
def test_unknown_stream():
    c = Case()
    try:
        for cmd in ("categories", "apps"):
            rc, out, err = c.run(cmd, "--stream", "No-Such-Report")
            ok(rc, err, 2)
            check("no continuous report" in err and "No-Such-Report" in err,
                  err)
            check("'HQ-Proxy'" in err, err)  # what there is instead
            check(err.count("\n") == 1, "one sentence: " + err)
            check(out == b"", out)
        rc, out, err = c.run("apps")
        ok(rc, err, 2)
        check("--stream" in err, err)
    finally:
        c.close()


@suite.test
def test_missing_permission():
    """A legacy token has every right: the emulator's 403 fault stands in
    for a token or app without the permission."""
    c = Case()
    try:
        for cmd in (["reports"], ["categories", "--stream", "HQ-Proxy"],
                    ["apps", "--stream", "HQ-Proxy"]):
            c.emu.fault("streams:403")
            rc, out, err = c.run(*cmd)
            ok(rc, err, 3)
            check("Discovery.read" in err, err)
        # The stream resolves; the listing itself is refused.
        c.emu.fault("categories:403")
        rc, out, err = c.run("categories", "--stream", "HQ-Proxy")
        ok(rc, err, 3)
        check("Discovery.read" in err and "report categories" in err, err)
        c.emu.fault("apps:403")
        rc, out, err = c.run("apps", "--stream", "HQ-Proxy")
        ok(rc, err, 3)
        check("Discovery.read" in err, err)
        c.emu.fault("blockscript:403")
        rc, out, err = c.run("blockscript", "--appliance", "fortigate")
        ok(rc, err, 3)
        check("Discovery.manage" in err, err)
        c.emu.fault("blockscript:401")
        rc, out, err = c.run("blockscript", "--appliance", "fortigate")
        ok(rc, err, 3)
    finally:
        c.close()


@suite.test
def test_blockscript_every_appliance():
    c = Case()
    try:
        want = {"bluecoat": "url.domain=dropbox.com deny",
                "cisco-asa": "class-map type regex",
                "fortigate": 'set url "dropbox.com"',
                "paloalto": "\ndropbox.com\n",
                "zscaler": "\n.dropbox.com\n",
                "juniper-srx": 'value "dropbox.com"',
                "websense": "dest_host=dropbox.com action=deny",
                "108": "config webfilter urlfilter"}
        for name, text in want.items():
            rc, out, err = c.run("blockscript", "--appliance", name)
            ok(rc, err)
            check(text in "\n" + out.decode(), (name, out[:200]))
        rc, out, err = c.run("blockscript", "--appliance", "fortigate",
                             "--type", "allowed")
        ok(rc, err)
        check('set url "github.com"' in out.decode() and
              "set action allow" in out.decode(), out[:300])
        check("dropbox" not in out.decode())
        queries = [r.get("query", "") for r in c.requests("blockscript")]
        check(any("format=108" in q and "type=allowed" in q
                  for q in queries), queries)
        for bad in (["--appliance", "checkpoint"], ["--type", "maybe",
                    "--appliance", "zscaler"], [],
                    ["--appliance", "zscaler", "--render", "hosts"],
                    ["--render", "bind9"],
                    ["--appliance", "zscaler", "--json"]):
            rc, out, err = c.run("blockscript", *bad)
            ok(rc, err, 2)
    finally:
        c.close()


@suite.test
def test_blockscript_output_change_detection():
    c = Case()
    try:
        out_dir = c.path("out")
        os.mkdir(out_dir)
        f = os.path.join(out_dir, "fortigate.txt")
        rc, _, err = c.run("blockscript", "--appliance", "fortigate",
                           "-o", f)
        ok(rc, err, 10)  # a first write is a change
        check(stat.S_IMODE(os.stat(f).st_mode) == 0o640,
              oct(os.stat(f).st_mode))
        first = open(f).read()
        check('set url "dropbox.com"' in first, first[:200])
        check("example-new.com" not in first)
        rc, _, err = c.run("blockscript", "--appliance", "fortigate",
                           "-o", f)
        ok(rc, err, 0)
        check(open(f).read() == first)

        # Unsanction one more domain: the script changes, then it is stable.
        c.control("tag", {"domain": "example-new.com",
                          "tag": "Unsanctioned"})
        rc, _, err = c.run("blockscript", "--appliance", "fortigate",
                           "-o", f)
        ok(rc, err, 10)
        check('set url "example-new.com"' in open(f).read())
        rc, _, err = c.run("blockscript", "--appliance", "fortigate",
                           "-o", f)
        ok(rc, err, 0)
        # Sanction it again: changed back.
        c.control("tag", {"domain": "example-new.com", "tag": "Sanctioned"})
        rc, _, err = c.run("blockscript", "--appliance", "fortigate",
                           "-o", f)
        ok(rc, err, 10)
        check(open(f).read() == first)

        # The rendered lists detect changes the same way.
        d = os.path.join(out_dir, "blocked.conf")
        rc, _, err = c.run("blockscript", "--render", "dnsmasq", "-o", d)
        ok(rc, err, 10)
        rc, _, err = c.run("blockscript", "--render", "dnsmasq", "-o", d)
        ok(rc, err, 0)
        c.control("tag", {"domain": "another-new.org",
                          "tag": "Unsanctioned"})
        rc, _, err = c.run("blockscript", "--render", "dnsmasq", "-o", d)
        ok(rc, err, 10)
        check("address=/another-new.org/0.0.0.0\n" in open(d).read())

        # Nothing but the two files: no temporary file left over.
        check(sorted(os.listdir(out_dir)) == ["blocked.conf",
                                              "fortigate.txt"],
              os.listdir(out_dir))
        # A directory that is not there: runtime error, file named.
        rc, _, err = c.run("blockscript", "--appliance", "zscaler", "-o",
                           c.path("nope/x.txt"))
        ok(rc, err, 1)
        check("nope/x.txt" in err, err)
    finally:
        c.close()


@suite.test
def test_render_every_format():
    c = Case()
    try:
        rc, z, err = c.run("blockscript", "--appliance", "zscaler")
        ok(rc, err)
        zs = sorted({l.strip().lstrip(".") for l in z.decode().splitlines()
                     if l.strip()})
        check("dropbox.com" in zs, zs)

        rc, out, err = c.run("blockscript", "--render", "domains")
        ok(rc, err)
        doms = out.decode().splitlines()
        check(doms == zs, (doms, zs))  # every name, sorted, deduplicated
        check(all(HOST_RE.match(d) for d in doms), doms)
        # A subdomain of a listed name, for the collapsing renderers.
        subs = [d for d in doms if any(d.endswith("." + p) for p in doms)]
        tops = [d for d in doms if d not in subs]

        rc, out, err = c.run("blockscript", "--render", "paloalto-edl")
        ok(rc, err)
        edl = out.decode().splitlines()
        check(edl == [x for d in tops for x in (d + "/", "*." + d + "/")],
              edl[:6])

        rc, out, err = c.run("blockscript", "--render", "squid-acl")
        ok(rc, err)
        body = [l for l in out.decode().splitlines()
                if l and not l.startswith("#")]
        check(body == ["acl mdca_banned dstdomain ." + d for d in tops],
              body[:4])

        rc, out, err = c.run("blockscript", "--render", "dnsmasq")
        ok(rc, err)
        body = [l for l in out.decode().splitlines()
                if l and not l.startswith("#")]
        check(body == ["address=/%s/0.0.0.0" % d for d in tops], body[:4])

        rc, out, err = c.run("blockscript", "--render", "unbound")
        ok(rc, err)
        body = [l for l in out.decode().splitlines()
                if l and not l.startswith("#")]
        check(body[0] == "server:", body[:2])
        check(body[1:] == ['\tlocal-zone: "%s." always_nxdomain' % d
                           for d in tops], body[:4])

        rc, out, err = c.run("blockscript", "--render", "hosts")
        ok(rc, err)
        body = [l for l in out.decode().splitlines()
                if l and not l.startswith("#")]
        check(body == ["0.0.0.0 " + d for d in doms], body[:4])

        # The allowed list, where a block format makes sense of it.
        rc, out, err = c.run("blockscript", "--render", "squid-acl",
                             "--type", "allowed")
        ok(rc, err)
        check("acl mdca_allowed dstdomain .github.com\n" in out.decode(),
              out[:300])
        rc, out, err = c.run("blockscript", "--render", "unbound",
                             "--type", "allowed")
        ok(rc, err, 2)

        # --render always reads the Zscaler list.
        queries = [r.get("query", "") for r in c.requests("blockscript")]
        check(all("format=120" in q for q in queries), queries)
    finally:
        c.close()


@suite.test
def test_render_drops_what_is_not_a_host_name():
    """The script is untrusted: what is not a host name is dropped, not
    rendered (tests/test_render.c has the lines that would break out of a
    configuration line or sinkhole a whole TLD)."""
    c = Case()
    try:
        # The emulator takes these as domains; they are not host names.
        for bad in ("-evil.com", "bad-.example.com", "a..b.com"):
            c.control("tag", {"domain": bad, "tag": "Unsanctioned"})
        rc, z, err = c.run("blockscript", "--appliance", "zscaler")
        ok(rc, err)
        check(".-evil.com\n" in z.decode(), z[:300])
        rc, out, err = c.run("blockscript", "--render", "dnsmasq")
        ok(rc, err)
        text = out.decode()
        check("evil" not in text and "bad-" not in text and ".." not in text,
              text)
        check("address=/dropbox.com/0.0.0.0" in text, text)
        check("3 lines that are not host names" in err, err)
    finally:
        c.close()


@suite.test
def test_too_large_script_refused():
    c = Case()
    try:
        f = c.path("zscaler.txt")
        with open(f, "w") as fp:
            fp.write(".old.example.com\n")
        c.emu.fault("blockscript:oversize")
        rc, out, err = c.run("blockscript", "--appliance", "zscaler",
                             "-o", f)
        ok(rc, err, 1)
        check("larger than 32 MiB" in err and "refused" in err, err)
        check(open(f).read() == ".old.example.com\n", "file touched")
        check(os.listdir(c.dir).count("zscaler.txt") == 1)
        check(not [n for n in os.listdir(c.dir) if n.startswith(".")],
              os.listdir(c.dir))
        # Without -o nothing reaches standard output either.
        c.emu.fault("blockscript:oversize")
        rc, out, err = c.run("blockscript", "--render", "domains")
        ok(rc, err, 1)
        check(out == b"", len(out))
    finally:
        c.close()


if __name__ == "__main__":
    suite.main()
