#!/usr/bin/env python3
"""`make install` into a temp root: the binary, the docs, the example
configuration (kept when one is there), the systemd unit (checked with
`systemd-analyze verify` when that is installed, its sandboxing with
`systemd-analyze security --offline`) and the logrotate snippet
(checked with `logrotate --debug` when installed)."""

import os
import shutil
import stat
import subprocess
import tempfile

from harness import ROOT, Suite, check

suite = Suite("install_test")


def make_install(*args):
    p = subprocess.run(["make", "--no-print-directory", "-s", "install"] +
                       list(args), cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode()
    check(p.returncode == 0, out)
    return out


def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


@suite.test
def test_destdir_layout_and_config_kept():
    d = tempfile.mkdtemp(prefix="discolog-install-")
    try:
        make_install("DESTDIR=" + d, "PREFIX=/usr")
        b = os.path.join(d, "usr/bin/discolog")
        unit = os.path.join(d, "usr/lib/systemd/system/discolog.service")
        conf = os.path.join(d, "etc/discolog/discolog.conf")
        rot = os.path.join(d, "etc/logrotate.d/discolog")
        check(mode(b) == 0o755, oct(mode(b)))
        check(os.path.exists(os.path.join(d, "usr/share/doc/discolog",
                                          "README.md")))
        check(mode(conf) == 0o640, oct(mode(conf)))
        check(mode(rot) == 0o644 and mode(unit) == 0o644)
        text = open(unit).read()
        check("ExecStart=/usr/bin/discolog run --foreground -c "
              "/etc/discolog/discolog.conf" in text, text)
        check("Type=notify" in text and "WatchdogSec=" in text)
        # A second install keeps the admin's configuration.
        with open(conf, "w") as f:
            f.write("; mine\n")
        out = make_install("DESTDIR=" + d, "PREFIX=/usr")
        check(open(conf).read() == "; mine\n", "configuration overwritten")
        check("kept" in out, out)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@suite.test
def test_unit_verifies_and_logrotate_parses():
    d = tempfile.mkdtemp(prefix="discolog-install-")
    try:
        # Installed under d itself, so the unit's ExecStart exists.
        make_install("PREFIX=" + d + "/usr", "SYSCONFDIR=" + d + "/etc")
        unit = os.path.join(d, "usr/lib/systemd/system/discolog.service")
        if shutil.which("systemd-analyze"):
            p = subprocess.run(["systemd-analyze", "verify", unit],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            out = p.stdout.decode()
            # Outside a booted systemd only these two may be missing.
            bad = [l for l in out.splitlines() if l.strip() and
                   "/bin/kill" not in l and "sysinit.target" not in l]
            check(p.returncode == 0 or not bad, out)
            check("discolog.service" not in " ".join(bad), out)
        else:
            print("skip: systemd-analyze not installed: unit not verified")
        rot = os.path.join(d, "etc/logrotate.d/discolog")
        if shutil.which("logrotate") or os.path.exists("/usr/sbin/logrotate"):
            lr = shutil.which("logrotate") or "/usr/sbin/logrotate"
            p = subprocess.run([lr, "--debug", "--state",
                                os.path.join(d, "lr.state"), rot],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            check(p.returncode == 0, p.stdout.decode())
        else:
            print("skip: logrotate not installed: snippet not parsed")
    finally:
        shutil.rmtree(d, ignore_errors=True)



# What the unit must keep, whatever else changes (issue 7: least privilege).
SANDBOX = ("NoNewPrivileges=", "ProtectSystem=", "ProtectHome=",
           "PrivateTmp=", "PrivateDevices=", "UMask=", "RestrictSUIDSGID=",
           "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)",
           "CapabilityBoundingSet=~CAP_SYS_ADMIN", "ProtectKernelModules=",
           "ProtectKernelTunables=", "RestrictNamespaces=~user")


@suite.test
def test_unit_sandboxing_scored():
    """systemd-analyze security, offline (no running systemd needed): the
    overall exposure at most 2.0 ("OK"), and the settings above pass."""
    if not shutil.which("systemd-analyze"):
        print("skip: systemd-analyze not installed: sandboxing not scored")
        return
    unit = os.path.join(ROOT, "scripts", "discolog.service")
    p = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        "--no-pager", unit], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    if "--offline" in out and "unrecognized" in out:
        print("skip: this systemd-analyze cannot score a unit offline")
        return
    import re
    m = re.search(r"Overall exposure level for discolog\.service: "
                  r"([0-9.]+)", out)
    check(m, out)
    check(float(m.group(1)) <= 2.0, "exposure %s: %s" % (m.group(1), out))
    for name in SANDBOX:
        line = [l for l in out.splitlines() if l[2:].startswith(name)]
        check(line and line[0].startswith("\u2713"),
              "%s: %s" % (name, line or "not scored"))
    # --threshold makes the same judgement by exit status.
    p = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        "--threshold=20", unit], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
    check(p.returncode == 0, "over the threshold")

if __name__ == "__main__":
    suite.main()
