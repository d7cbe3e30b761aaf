#!/usr/bin/env python3
"""Integration tests: the syslog receiver, metrics and sd_notify of
`discolog run`, against the emulator.

Messages are sent with the real `logger` (util-linux, bsdutils) over UDP,
TCP with newline framing and TCP with octet counting, and with raw and TLS
sockets.  Each test starts its own emulator and daemon on loopback and
stops both by PID.  127.0.0.2 serves as a second sender address.
"""

import json
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from harness import (DISCOLOG, TOKEN, Emulator, Suite, check, secret_file,
                     squid_lines)

suite = Suite("syslogd_test")


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def free_port_both():
    """A port free for both TCP and UDP on 127.0.0.1."""
    for _ in range(50):
        p = free_port()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            u.close()
    raise RuntimeError("no free port")


class Daemon:
    """discolog run -d with a generated configuration, stopped by PID."""

    def __init__(self, emu, source_keys, daemon_keys="", env=None):
        self.dir = tempfile.mkdtemp(prefix="discolog-syslogd-")
        self.state = os.path.join(self.dir, "state")
        token = secret_file(self.dir, TOKEN)
        self.conf = os.path.join(self.dir, "discolog.conf")
        with open(self.conf, "w") as f:
            f.write("[tenant]\nurl = %s\n[auth]\ntoken_file = %s\n"
                    "[upload]\nstate_dir = %s\n[daemon]\n%s\n"
                    "[source syslog]\ndata_source = HQ-Proxy\n"
                    "batch_max_age = 1\n%s\n"
                    % (emu.api, token, self.state, daemon_keys,
                       source_keys))
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("DISCOLOG_")}
        e.pop("https_proxy", None)
        e.pop("HTTPS_PROXY", None)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("WATCHDOG_USEC", None)
        if env:
            e.update(env)
        self.errf = open(os.path.join(self.dir, "stderr"), "w+")
        self.proc = subprocess.Popen([DISCOLOG, "run", "-d", "-c",
                                      self.conf], env=e,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.errf,
                                     stdin=subprocess.DEVNULL)

    def status(self):
        try:
            with open(os.path.join(self.state, "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def wait_listening(self, n, timeout=15):
        """Until status.json shows n listeners."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check(self.proc.poll() is None,
                  "daemon exited: %s" % self.stderr())
            st = self.status()
            if st and st["sources"] and \
                    len(st["sources"][0].get("syslog", [])) == n:
                return st
            time.sleep(0.1)
        raise AssertionError("listeners not up: %s" % self.stderr())

    def listener(self, url):
        st = self.status() or {"sources": []}
        for src in st["sources"]:
            for sl in src.get("syslog", []):
                if sl["listener"] == url:
                    return sl
        return {}

    def stderr(self):
        if not self.errf.closed:
            self.errf.flush()
        with open(self.errf.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.errf.close()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(cond, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s" % what)


def received_payloads(emu, payloads):
    """How often each payload arrived (as the tail of a received line),
    and the source ids of the uploads."""
    got = emu.received_lines()
    count = {p: 0 for p in payloads}
    for line in got:
        for p in payloads:
            if line.endswith(b" " + p) or line == p:
                count[p] += 1
    return count, [u["source"] for u in emu.uploads()], got


def logger(port, proto, lines, tag="squid", octet=False):
    args = ["logger", "--server", "127.0.0.1", "--port", str(port),
            "--" + proto, "-t", tag]
    if octet:
        args.append("--octet-count")
    subprocess.run(args, input=b"".join(l + b"\n" for l in lines),
                   check=True, timeout=30)


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@suite.test
def test_udp_tcp_both_framings_exactly_once_with_metrics():
    emu = Emulator()
    port = free_port_both()
    mport = free_port()
    d = None
    try:
        mfile = tempfile.mktemp(prefix="discolog-metrics-", suffix=".prom")
        d = Daemon(emu,
                   "syslog = udp://127.0.0.1:%d\nsyslog = tcp://127.0.0.1:%d"
                   % (port, port),
                   "metrics_file = %s\nmetrics_listen = 127.0.0.1:%d"
                   % (mfile, mport))
        d.wait_listening(2)
        lines, _ = squid_lines(200, seed=11, internal_every=0)
        udp, tcp_nl, tcp_oc, raw = (lines[:50], lines[50:100],
                                    lines[100:150], lines[150:])
        logger(port, "udp", udp)
        logger(port, "tcp", tcp_nl)
        logger(port, "tcp", tcp_oc, octet=True)
        # Raw octet counting, several frames per send, split mid-count.
        frames = b"".join(b"%d %s" % (len(m), m) for m in
                          (b"<134>Nov 29 01:00:00 proxy squid: " + l
                           for l in raw))
        with socket.create_connection(("127.0.0.1", port)) as s:
            for i in range(0, len(frames), 777):
                s.sendall(frames[i:i + 777])
                time.sleep(0.001)
        udp_url = "udp://127.0.0.1:%d" % port
        tcp_url = "tcp://127.0.0.1:%d" % port

        def all_in():
            c, _, _ = received_payloads(emu, lines)
            return all(v >= 1 for v in c.values())
        wait_for(all_in, 30, "all 200 lines uploaded")
        count, sources, got = received_payloads(emu, lines)
        check(all(v == 1 for v in count.values()),
              "not exactly once: %s" % [p for p, v in count.items()
                                        if v != 1][:3])
        check(len(got) == len(lines), "%d lines received" % len(got))
        check(set(sources) == {"SQUID_NATIVE_SYSLOG"}, sources)
        check(d.listener(udp_url).get("messages") == 50,
              d.listener(udp_url))
        check(d.listener(tcp_url).get("messages") == 150,
              d.listener(tcp_url))
        check(d.listener(tcp_url).get("connections_total") == 3,
              d.listener(tcp_url))
        # Metrics: the endpoint and the textfile (rewritten every second).
        code, text = http_get("http://127.0.0.1:%d/metrics" % mport)
        check(code == 200, code)
        want = ('discolog_syslog_messages_total{source="syslog",'
                'listener="%s",transport="udp"} 50' % udp_url)
        check(want in text, text[:2000])
        check('discolog_lines_kept_total{source="syslog"} 200' in text,
              text[:3000])
        check('discolog_syslog_dropped_total{source="syslog",listener="%s",'
              'transport="udp",reason="kernel"} 0' % udp_url in text)
        check("# TYPE discolog_batches_total counter" in text)
        check('discolog_uploads_total{source="syslog",result="ok"}' in text)
        wait_for(lambda: os.path.exists(mfile) and want in open(mfile).read(),
                 5, "metrics file")
        check(oct(os.stat(mfile).st_mode & 0o777) == "0o644")
        code, body = http_get("http://127.0.0.1:%d/health" % mport)
        check(code == 200 and body == "ok\n", (code, body))
        code, _ = http_get("http://127.0.0.1:%d/nope" % mport)
        check(code == 404, code)
        req = urllib.request.Request("http://127.0.0.1:%d/metrics" % mport,
                                     data=b"x", method="POST")
        try:
            urllib.request.urlopen(req, timeout=10)
            check(False, "POST answered")
        except urllib.error.HTTPError as e:
            check(e.code == 405, e.code)
        # An endless request head is cut off, not buffered.
        with socket.create_connection(("127.0.0.1", mport)) as s:
            s.sendall(b"GET /metrics HTTP/1.0\r\nX: " + b"a" * 5000)
            s.settimeout(10)
            check(s.recv(100).startswith(b"HTTP/1.0 431"), "431")
        d.stop()
        check(d.proc.returncode == 0, d.stderr())
        os.unlink(mfile)
    finally:
        if d:
            d.close()
        emu.stop()


@suite.test
def test_allow_list_rejects_sender():
    emu = Emulator()
    port = free_port_both()
    d = None
    try:
        d = Daemon(emu, "syslog = udp://0.0.0.0:%d\n"
                   "syslog = tcp://0.0.0.0:%d\nallow = 127.0.0.2/32"
                   % (port, port))
        d.wait_listening(2)
        lines, _ = squid_lines(6, seed=5, internal_every=0)
        ok, bad = lines[:3], lines[3:]
        for src, batch in (("127.0.0.2", ok), ("127.0.0.1", bad)):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind((src, 0))
            for l in batch:
                u.sendto(b"<134>Nov 29 01:00:00 proxy squid: " + l,
                         ("127.0.0.1", port))
            u.close()
        # TCP from the refused address: closed at once.
        t = socket.socket()
        t.bind(("127.0.0.1", 0))
        t.connect(("127.0.0.1", port))
        t.settimeout(10)
        t.sendall(b"<134>Nov 29 01:00:00 proxy squid: x\n")
        try:
            check(t.recv(10) == b"", "refused connection stays open")
        except ConnectionResetError:
            pass
        t.close()
        wait_for(lambda: len(emu.received_lines()) >= 3, 20, "uploads")
        time.sleep(1.5)
        count, sources, got = received_payloads(emu, lines)
        check([count[p] for p in ok] == [1, 1, 1], count)
        check([count[p] for p in bad] == [0, 0, 0], count)
        udp = d.listener("udp://0.0.0.0:%d" % port)
        tcp = d.listener("tcp://0.0.0.0:%d" % port)
        check(udp.get("rejected_senders") == 3, udp)
        check(tcp.get("rejected_senders") == 1, tcp)
        err = d.stderr()
        # Logged once a minute per address, not once a datagram.
        check(err.count("sender 127.0.0.1 is not in allow") == 1, err)
        d.stop()
        check(d.proc.returncode == 0, d.stderr())
    finally:
        if d:
            d.close()
        emu.stop()


def make_pki(dirname):
    """A test CA, a server certificate for 127.0.0.1 and a client one."""
    def ossl(*args):
        subprocess.run(["openssl"] + list(args), cwd=dirname, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=60)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=discolog test CA")
    with open(os.path.join(dirname, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout",
             name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name)
        ext = ["-extfile", "san.ext"] if name == "server" else []
        ossl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey",
             "ca.key", "-CAcreateserial", "-days", "2", "-out",
             name + ".pem", *ext)
        os.chmod(os.path.join(dirname, name + ".key"), 0o600)


@suite.test
def test_tls_with_client_certificates():
    emu = Emulator()
    port = free_port()
    pki = tempfile.mkdtemp(prefix="discolog-pki-")
    d = None
    try:
        make_pki(pki)
        url = "tls://127.0.0.1:%d" % port
        d = Daemon(emu, "syslog = %s\ntls_cert = %s/server.pem\n"
                   "tls_key = %s/server.key\ntls_ca = %s/ca.pem\n"
                   "tls_client_auth = require" % (url, pki, pki, pki))
        d.wait_listening(1)
        lines, _ = squid_lines(20, seed=9, internal_every=0)
        ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))
        ctx.load_cert_chain(os.path.join(pki, "client.pem"),
                            os.path.join(pki, "client.key"))
        with socket.create_connection(("127.0.0.1", port)) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                data = b""
                for i, l in enumerate(lines):
                    m = b"<134>1 2026-11-29T01:00:00Z proxy squid - - - " + l
                    # Both framings on one TLS connection.
                    data += (b"%d %s" % (len(m), m)) if i % 2 else m + b"\n"
                s.sendall(data)
        # No client certificate: the handshake fails, counted.
        nocert = ssl.create_default_context(
            cafile=os.path.join(pki, "ca.pem"))
        try:
            with socket.create_connection(("127.0.0.1", port)) as raw:
                with nocert.wrap_socket(raw,
                                        server_hostname="127.0.0.1") as s:
                    s.sendall(b"<134>1 - - - - - - never\n")
                    s.recv(10)
        except (ssl.SSLError, ConnectionError, OSError):
            pass
        wait_for(lambda: len(emu.received_lines()) >= 20, 20, "uploads")
        count, sources, got = received_payloads(emu, lines)
        check(all(v == 1 for v in count.values()), count)
        check(len(got) == 20, len(got))
        check(set(sources) == {"SQUID_NATIVE_SYSLOG"}, sources)
        wait_for(lambda: d.listener(url).get("tls_failures") == 1, 5,
                 "tls failure counted: %s" % d.listener(url))
        check(d.listener(url).get("messages") == 20, d.listener(url))
        d.stop()
        check(d.proc.returncode == 0, d.stderr())
    finally:
        if d:
            d.close()
        emu.stop()
        shutil.rmtree(pki, ignore_errors=True)


@suite.test
def test_oversized_count_and_message():
    emu = Emulator()
    port = free_port_both()
    d = None
    try:
        d = Daemon(emu, "syslog = tcp://127.0.0.1:%d\n"
                   "syslog = udp://127.0.0.1:%d\nsyslog_max_message = 4K"
                   % (port, port))
        d.wait_listening(2)
        tcp_url = "tcp://127.0.0.1:%d" % port
        udp_url = "udp://127.0.0.1:%d" % port
        lines, _ = squid_lines(4, seed=2, internal_every=0)
        hdr = b"<134>Nov 29 01:00:00 proxy squid: "
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.settimeout(10)
            s.sendall(hdr + lines[0] + b"\n" + b"99999999999 <134>x")
            try:
                check(s.recv(10) == b"", "connection left open")
            except ConnectionResetError:
                pass
        with socket.create_connection(("127.0.0.1", port)) as s:
            # 2^40 octets announced: refused before anything is kept.
            s.settimeout(10)
            s.sendall(b"1099511627776 <134>x" + b"y" * 1000)
            try:
                check(s.recv(10) == b"", "connection left open")
            except ConnectionResetError:
                pass
        with socket.create_connection(("127.0.0.1", port)) as s:
            # Too long, newline framed: cut, rejected, counted; the
            # connection goes on.
            s.sendall(hdr + b"x" * 6000 + b"\n" + hdr + lines[1] + b"\n")
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(hdr + b"y" * 5000, ("127.0.0.1", port))
        u.sendto(hdr + lines[2], ("127.0.0.1", port))
        u.close()
        wait_for(lambda: len(emu.received_lines()) >= 3, 20, "uploads")
        time.sleep(1.5)
        count, _, got = received_payloads(emu, lines)
        check([count[l] for l in lines[:3]] == [1, 1, 1], count)
        check(len(got) == 3, got)
        check(d.listener(tcp_url).get("framing_errors") == 2,
              d.listener(tcp_url))
        check(d.listener(tcp_url).get("oversize") == 1, d.listener(tcp_url))
        check(d.listener(udp_url).get("oversize") == 1, d.listener(udp_url))
        st = d.status()["sources"][0]
        check(st["lines"]["rejected"] == 2, st["lines"])
        for n in ("99999999999", "1099511627776"):
            check("octet count %s is larger than syslog_max_message" % n
                  in d.stderr(), d.stderr())
        d.stop()
        check(d.proc.returncode == 0, d.stderr())
    finally:
        if d:
            d.close()
        emu.stop()



def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


@suite.test
def test_ten_thousand_connections_and_a_slow_sender():
    """10,000 connections at once: those over syslog_max_connections are
    refused (closed at once, counted), the daemon's open files stay
    bounded and a sender that comes after is served.  A sender that
    trickles one byte a second is closed after syslog_idle_timeout: idle
    is no whole message, not no byte."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 10000 + 256
    if soft < want and (hard == resource.RLIM_INFINITY or hard >= want):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    n = min(10000, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 256)
    emu = Emulator()
    port = free_port()
    url = "tcp://127.0.0.1:%d" % port
    d = None
    socks = []
    try:
        d = Daemon(emu, "syslog = %s\nsyslog_max_connections = 64\n"
                   "syslog_idle_timeout = 2" % url)
        d.wait_listening(1)
        base = fd_count(d.proc.pid)
        hdr = b"<134>Nov 29 01:00:00 proxy squid: "
        lines, _ = squid_lines(3, seed=5, internal_every=0)
        # The slow sender first: it holds one of the 64.
        slow = socket.create_connection(("127.0.0.1", port))
        slow.settimeout(15)
        slow.sendall(hdr[:1])
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            socks.append(s)
        check(n >= 1000, "only %d file descriptors here" % n)
        wait_for(lambda: d.listener(url).get("connections_refused", 0) >=
                 n - 64, 60, "refusals (%r)" % d.listener(url))
        check(d.proc.poll() is None, d.stderr())
        check(fd_count(d.proc.pid) <= base + 64 + 8,
              "%d open files" % fd_count(d.proc.pid))
        check(d.listener(url).get("connections", 99) <= 64,
              d.listener(url))
        # A byte a second, never a whole message: closed after ~2 s,
        # although a byte came every second.
        t0 = time.monotonic()
        closed = False
        for b in hdr[1:12]:
            try:
                slow.sendall(bytes([b]))
            except OSError:
                closed = True
                break
            time.sleep(1)
            r, _, _ = select.select([slow], [], [], 0)
            if r:
                try:
                    closed = slow.recv(10) == b""
                except ConnectionResetError:
                    closed = True
                if closed:
                    break
        check(closed, "a byte-a-second sender held on for %.0f s"
              % (time.monotonic() - t0))
        check(time.monotonic() - t0 < 8, time.monotonic() - t0)
        for s in socks:
            s.close()
        socks = []
        slow.close()
        # A sender after the flood is served, once.
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"".join(hdr + l + b"\n" for l in lines))
        wait_for(lambda: len(emu.received_lines()) >= 3, 30, "uploads")
        time.sleep(1.5)
        count, _, got = received_payloads(emu, lines)
        check([count[l] for l in lines] == [1, 1, 1], count)
        check(len(got) == 3, got)
        d.stop()
        check(d.proc.returncode == 0, d.stderr())
    finally:
        for s in socks:
            s.close()
        if d:
            d.close()
        emu.stop()

@suite.test
def test_sd_notify_ready_watchdog_reload_stopping():
    emu = Emulator()
    sdir = tempfile.mkdtemp(prefix="discolog-notify-")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = os.path.join(sdir, "notify")
    sock.bind(path)
    sock.settimeout(0.2)
    d = None
    got = []

    def drain(until, timeout=10):
        """Collect messages until one holding `until` comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                m = sock.recv(4096).decode()
            except socket.timeout:
                continue
            got.append(m)
            if until in m:
                return
        raise AssertionError("no %s in %s" % (until, got))

    try:
        port = free_port_both()
        d = Daemon(emu, "syslog = udp://127.0.0.1:%d" % port,
                   env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        drain("READY=1")
        # Every 200 ms (half the interval): at least 4 in a second.
        t0 = time.monotonic()
        for _ in range(4):
            drain("WATCHDOG=1")
        check(time.monotonic() - t0 < 1.5, time.monotonic() - t0)
        os.kill(d.proc.pid, signal.SIGHUP)
        drain("RELOADING=1")
        check("MONOTONIC_USEC=" in [m for m in got if "RELOADING" in m][0])
        got.clear()
        drain("READY=1")
        os.kill(d.proc.pid, signal.SIGTERM)
        drain("STOPPING=1")
        d.proc.wait(30)
        check(d.proc.returncode == 0, d.stderr())
    finally:
        if d:
            d.close()
        emu.stop()
        sock.close()
        shutil.rmtree(sdir, ignore_errors=True)


@suite.test
def test_configtest_refuses_bad_syslog_and_metrics():
    d = tempfile.mkdtemp(prefix="discolog-ct-")
    try:
        token = secret_file(d, TOKEN)
        cases = [
            ("syslog = udp://127.0.0.1", "is not udp://HOST:PORT"),
            ("syslog = tls://127.0.0.1:6514", "needs tls_cert and tls_key"),
            ("syslog = tcp://127.0.0.1:6514\ntls_client_auth = maybe",
             "need a tls:// listener"),
            ("syslog = udp://127.0.0.1:5514\nallow = 10.0.0.0/33", "33"),
            ("syslog = udp://127.0.0.1:5514\n[daemon]\n"
             "metrics_listen = 0.0.0.0:9464", "not a loopback address"),
        ]
        for keys, want in cases:
            conf = os.path.join(d, "c.conf")
            with open(conf, "w") as f:
                f.write("[auth]\ntoken_file = %s\n[source s]\n"
                        "data_source = X\n%s\n" % (token, keys))
            p = subprocess.run([DISCOLOG, "configtest", "-c", conf],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            err = p.stderr.decode()
            check(p.returncode == 2, (keys, p.returncode, err))
            check(want in err, (keys, err))
        with open(conf, "w") as f:
            f.write("[auth]\ntoken_file = %s\n[daemon]\n"
                    "metrics_listen = 0.0.0.0:9464\nmetrics_remote = yes\n"
                    "[source s]\ndata_source = X\n"
                    "syslog = udp://127.0.0.1:5514\n" % token)
        p = subprocess.run([DISCOLOG, "configtest", "-c", conf],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        check(p.returncode == 0, p.stderr.decode())
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    suite.main()
