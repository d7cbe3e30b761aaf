#!/usr/bin/env python3
"""Self-test of scripts/mdca-emulator (standard library + the openssl CLI).

Starts emulators on loopback with temporary state directories, exercises
every endpoint with urllib/http.client/raw sockets, kills every emulator it
started by PID, and prints exactly one summary line:

    emulator: N passed, N failed

Optional Azurite checks: set MDCA_SELFTEST_AZURITE=http://127.0.0.1:10000/devstoreaccount1
(an Azurite blob service already running there), or MDCA_SELFTEST_AZURITE_BIN=path/to/
node_modules/.bin/azurite-blob (the test starts it on a free port and kills it).
"""

import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMU = os.path.join(ROOT, "scripts", "mdca-emulator")
TENANT = "6f1e2d3c-4b5a-4968-8776-655443322110"
SCOPE = "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default"
TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

PASSED = 0
FAILED = 0
PROCS = []
VERBOSE = "-v" in sys.argv


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        if VERBOSE:
            print("ok   %s" % name)
    else:
        FAILED += 1
        print("FAIL %s %s" % (name, detail if detail else ""))
    return cond


# ---------------------------------------------------------------------------
# process helpers
# ---------------------------------------------------------------------------

class Emu:
    def __init__(self, tmp, *extra, name="emu", expect_fail=False):
        self.state = os.path.join(tmp, name)
        self.ready = os.path.join(tmp, name + ".ready")
        self.errlog = open(os.path.join(tmp, name + ".stderr"), "w")
        self.args = [sys.executable, EMU, "--state", self.state, "--ready-file", self.ready,
                     "--quiet", "--tenant-id", TENANT] + list(extra)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self.errlog)
        PROCS.append(self.proc)
        self.info = None
        if expect_fail:
            return
        deadline = time.time() + 15
        while time.time() < deadline:
            if os.path.exists(self.ready):
                with open(self.ready) as f:
                    self.info = json.load(f)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.info is None:
            raise RuntimeError("emulator did not start: %s" % open(self.errlog.name).read())
        self.api = self.info["api"]
        self.blob = self.info["blob"]

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def jsonl(self, name):
        out = []
        try:
            with open(os.path.join(self.state, name)) as f:
                for line in f:
                    if line.strip():
                        out.append(json.loads(line))
        except FileNotFoundError:
            pass
        return out


def kill_all():
    for p in PROCS:
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass


# ---------------------------------------------------------------------------
# HTTP helpers
# ---------------------------------------------------------------------------

NOVERIFY = ssl._create_unverified_context()


def req(method, url, body=None, headers=None, timeout=20):
    """-> (status, headers, body bytes); raises on connection failures."""
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        body = body.encode()
    r = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(r, timeout=timeout, context=NOVERIFY
                                    if url.startswith("https") else None) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def jreq(method, url, body=None, headers=None):
    st, h, b = req(method, url, body, headers)
    try:
        obj = json.loads(b) if b else None
    except ValueError:
        obj = None
    return st, h, obj, b


def tok(t=TOKEN):
    return {"Authorization": "Token " + t}


def bearer(t):
    return {"Authorization": "Bearer " + t}


def put_blob(url, data, extra=None):
    h = {"x-ms-blob-type": "BlockBlob", "x-ms-version": "2019-12-12"}
    h.update(extra or {})
    return req("PUT", url, data, h)


def upload_url(emu, filename="log.gz", source="SQUID", headers=None):
    st, _, obj, raw = jreq("GET", emu.api + "/api/v1/discovery/upload_url/?" +
                           urllib.parse.urlencode({"filename": filename, "source": source}),
                           headers=headers or tok())
    if st != 200:
        raise RuntimeError("upload_url -> %d %r" % (st, raw))
    return obj["url"]


def done(emu, url, stream="HQ", snapshot=None, headers=None, form=False):
    body = {"uploadUrl": url, "inputStreamName": stream}
    if snapshot is not None:
        body["uploadAsSnapshot"] = snapshot
    h = dict(headers or tok())
    if form:
        h["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode({k: str(v).lower() if isinstance(v, bool) else v
                                       for k, v in body.items()})
    return jreq("POST", emu.api + "/api/v1/discovery/done_upload/", body, h)


def fault(emu, spec):
    st, _, obj, _ = jreq("POST", emu.api + "/_emulator/fault", {"spec": spec})
    return st


def with_query(url, **kv):
    return url + "&" + urllib.parse.urlencode(kv)


def raises(fn):
    try:
        fn()
    except (OSError, http.client.HTTPException):
        return True
    return False


# ---------------------------------------------------------------------------
# openssl helpers (certificate client assertion, TLS)
# ---------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_cert(tmp, name, san=None):
    key = os.path.join(tmp, name + ".key")
    crt = os.path.join(tmp, name + ".pem")
    cmd = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
           "-out", crt, "-days", "2", "-subj", "/CN=" + name]
    if san:
        cmd += ["-addext", "subjectAltName=" + san]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    der = subprocess.run(["openssl", "x509", "-in", crt, "-outform", "DER"], check=True,
                         stdout=subprocess.PIPE).stdout
    return key, crt, der


def sign_jwt(key, header, claims, pss=False):
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    cmd = ["openssl", "dgst", "-sha256", "-sign", key]
    if pss:
        cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]
    sig = subprocess.run(cmd, input=signing.encode(), check=True, stdout=subprocess.PIPE).stdout
    return signing + "." + b64url(sig)


def assertion(key, der, cid, aud=None, exp_delta=600, nbf_delta=-5, thumb="s256", pss=False):
    now = int(time.time())
    header = {"alg": "PS256" if pss else "RS256", "typ": "JWT"}
    if thumb == "s256":
        header["x5t#S256"] = b64url(hashlib.sha256(der).digest())
    elif thumb == "sha1":
        header["x5t"] = b64url(hashlib.sha1(der).digest())
    claims = {"aud": aud or "https://login.microsoftonline.com/%s/oauth2/v2.0/token" % TENANT,
              "iss": cid, "sub": cid, "jti": os.urandom(8).hex(), "nbf": now + nbf_delta,
              "iat": now + nbf_delta, "exp": now + exp_delta}
    return sign_jwt(key, header, claims, pss)


def token_req(emu, form, tenant=TENANT):
    return jreq("POST", "%s/%s/oauth2/v2.0/token" % (emu.api, tenant),
                urllib.parse.urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded"})


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------

def test_cli(tmp):
    for bad in ("0.0.0.0:0", "10.1.2.3:0", "localhost:0"):
        e = Emu(tmp, "--api", bad, name="bad%d" % len(PROCS), expect_fail=True)
        try:
            rc = e.proc.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        err = open(e.errlog.name).read()
        check("refuses bind %s" % bad, rc not in (None, 0) and "127" in err, err[-200:])
    e = Emu(tmp, "--blob", "192.168.1.1:0", name="badblob", expect_fail=True)
    check("refuses blob bind 192.168.1.1", e.proc.wait(10) != 0)


def test_basics(emu):
    info = emu.info
    check("ready pid", info["pid"] == emu.proc.pid)
    check("ready api url", info["api"].startswith("http://127.0.0.1:"), info)
    check("ready blob url", info["blob"].startswith("http://127.0.0.2:"), info)

    st, h, b = req("GET", emu.api + "/api/v1/nothing/here/", headers=tok())
    check("404 html", st == 404 and b"var __ADALLOM_CONSTS = {" in b and b"404Page not found" in b,
          (st, b[:200]))
    check("404 content-type html", "text/html" in h.get("Content-Type", ""))

    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/")
    check("no auth -> 401", st == 401 and obj == {"detail": "Invalid token"}, (st, obj))
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/", headers=tok("nope"))
    check("bad token -> 401", st == 401 and obj == {"detail": "Invalid token"}, (st, obj))
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/",
                         headers={"Authorization": "Basic Zm9vOmJhcg=="})
    check("basic auth -> 401", st == 401)

    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/", headers=tok())
    check("streams 200", st == 200 and isinstance(obj, dict) and "streams" in obj, (st, obj))
    streams = {s["displayName"]: s for s in obj["streams"]}
    gv = streams.get("Global View", {})
    check("global view", gv.get("streamType") == 3 and gv.get("globalAggregated") is True, gv)
    hq = streams.get("HQ", {})
    check("data source HQ", hq.get("streamType") == 1 and hq.get("logType") == 155 and
          hq.get("receiverType") == "ftp" and hq.get("globalAggregated") is False, hq)
    check("stream ids 24 hex", all(len(s["_id"]) == 24 and int(s["_id"], 16) >= 0
                                   for s in obj["streams"]))
    check("stream fields", all(k in hq for k in ("lastDataReceived", "created", "lastModified")))
    st, _, obj2, _ = jreq("GET", emu.api + "/cas/api/discovery/streams", headers=tok())
    check("/cas/api alias, no trailing slash", st == 200 and obj2["streams"][0]["_id"] == gv["_id"])
    st, h, obj, _ = jreq("POST", emu.api + "/api/discovery/streams/", {}, tok())
    check("wrong method 405", st == 405, st)
    return streams


def test_upload_url(emu):
    base = emu.api + "/api/v1/discovery/upload_url/"
    st, _, obj, _ = jreq("GET", base + "?source=SQUID", headers=tok())
    check("upload_url no filename -> 400", st == 400, (st, obj))
    st, _, obj, _ = jreq("GET", base + "?filename=a.log&source=NOT_A_SOURCE", headers=tok())
    check("upload_url bad source -> 400 errorMessageCode",
          st == 400 and isinstance(obj, dict) and "errorMessageCode" in obj, (st, obj))
    st, _, obj, _ = jreq("GET", base + "?filename=a.log", headers=tok())
    check("upload_url no source -> 400", st == 400)
    for src in ("SQUID", "PALO_ALTO", "GENERIC_CEF", "JUNIPER_SRX", "ZSCALER_CEF", "CUSTOM_PARSER"):
        st, _, obj, _ = jreq("GET", base + "?filename=a.log&source=" + src, headers=tok())
        check("upload_url source %s" % src, st == 200 and obj.get("provider") == "azure", (st, obj))
    url = obj["url"]
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qs(u.query)
    check("sas url shape", u.netloc == urllib.parse.urlsplit(emu.blob).netloc and
          u.path.startswith("/discovery/") and u.path.endswith("/a.log") and
          q.get("sv") == ["2019-12-12"] and q.get("sr") == ["b"] and q.get("sp") == ["cw"] and
          "se" in q and "sig" in q, url)


def test_put_blob(emu, tmp):
    url = upload_url(emu, "plain.log")
    st, h, b = req("PUT", url, b"hello\n")
    check("put without x-ms-blob-type -> 400", st == 400 and b"MissingRequiredHeader" in b, (st, b))
    st, h, b = put_blob(url, b"hello\n", {"Authorization": "Token " + TOKEN})
    check("Authorization on blob host -> 400", st == 400, (st, b))
    bad = url.replace("sig=", "sig=AAAA")
    st, h, b = put_blob(bad, b"hello\n")
    check("bad sig -> 403 AuthenticationFailed", st == 403 and b"AuthenticationFailed" in b, (st, b))
    later = url.replace("se=", "se=2099")  # tampered expiry breaks the signature
    st, h, b = put_blob(later, b"hello\n")
    check("tampered se -> 403", st == 403)
    st, h, b = put_blob(url.split("?")[0], b"hello\n")
    check("no sas -> 403", st == 403)
    other = url.replace("/plain.log?", "/other.log?")
    st, h, b = put_blob(other, b"hello\n")
    check("sas for another path -> 403", st == 403)

    # chunked -> 411
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.putrequest("PUT", u.path + "?" + u.query)
    conn.putheader("x-ms-blob-type", "BlockBlob")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    conn.send(b"5\r\nhello\r\n0\r\n\r\n")
    r = conn.getresponse()
    body = r.read()
    check("chunked put -> 411 MissingContentLengthHeader",
          r.status == 411 and b"MissingContentLengthHeader" in body, (r.status, body))
    conn.close()

    st, h, b = put_blob(url, b"line one dropbox.com\nline two\n")
    check("put blob 201", st == 201, (st, b))
    check("put blob etag+md5", h.get("ETag") and h.get("Content-MD5") ==
          base64.b64encode(hashlib.md5(b"line one dropbox.com\nline two\n").digest()).decode(),
          dict(h))
    st, h, b = put_blob(url, b"x", {"Content-MD5": base64.b64encode(b"0" * 16).decode()})
    check("content-md5 mismatch -> 400", st == 400 and b"Md5Mismatch" in b, (st, b))

    # too large: shrink the limit for a moment, use Expect so no body is sent
    jreq("POST", emu.api + "/_emulator/config", {"max_put_blob_mib": 1})
    s = raw_connect(url)
    s.sendall(raw_put_head(url, 2 * 1024 * 1024, expect=True))
    resp = s.recv(65536)
    check("put > limit -> 413 before body", resp.startswith(b"HTTP/1.1 413") and
          b"RequestBodyTooLarge" in resp, resp[:200])
    s.close()
    jreq("POST", emu.api + "/_emulator/config", {"max_put_blob_mib": 256})

    # Expect: 100-continue is answered at once
    data = os.urandom(1536 * 1024)
    s = raw_connect(url)
    t0 = time.time()
    s.sendall(raw_put_head(url, len(data), expect=True))
    s.settimeout(0.8)
    try:
        first = s.recv(100)
    except socket.timeout:
        first = b""
    check("expect 100-continue answered quickly", first.startswith(b"HTTP/1.1 100 Continue") and
          time.time() - t0 < 0.5, first)
    s.settimeout(10)
    s.sendall(data)
    resp = read_response(s)
    check("expect put -> 201", resp.startswith(b"HTTP/1.1 201"), resp[:100])
    # keep-alive: a second request on the same connection
    s.sendall(raw_put_head(url, 3) + b"abc")
    resp2 = read_response(s)
    check("keep-alive second PUT on same connection", resp2.startswith(b"HTTP/1.1 201"), resp2[:100])
    s.close()

    if shutil.which("curl"):
        path = os.path.join(tmp, "curl2m.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(2 * 1024 * 1024))
        t0 = time.time()
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-T", path,
                            "-H", "x-ms-blob-type: BlockBlob", url], stdout=subprocess.PIPE)
        dt = time.time() - t0
        check("curl 2 MiB PUT no 1 s stall", r.stdout == b"201" and dt < 0.9, (r.stdout, dt))


def raw_connect(url):
    u = urllib.parse.urlsplit(url)
    return socket.create_connection((u.hostname, u.port), timeout=10)


def raw_put_head(url, length, expect=False):
    u = urllib.parse.urlsplit(url)
    head = ("PUT %s?%s HTTP/1.1\r\nHost: %s\r\nx-ms-blob-type: BlockBlob\r\n"
            "Content-Length: %d\r\n" % (u.path, u.query, u.netloc, length))
    if expect:
        head += "Expect: 100-continue\r\n"
    return (head + "\r\n").encode()


def read_response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return buf
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    if head.startswith(b"HTTP/1.1 100"):
        return read_response_from(s, rest)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def read_response_from(s, rest):
    class Pre:
        def __init__(self, s, data):
            self.s, self.data = s, data

        def recv(self, n):
            if self.data:
                d, self.data = self.data, b""
                return d
            return self.s.recv(n)
    return read_response(Pre(s, rest))


def test_done_upload(emu, tmp):
    text1 = b"1.0 10.0.0.1 GET https://www.dropbox.com/s/x\n2.0 10.0.0.2 GET http://reddit.com/r/a\n"
    text2 = b"3.0 10.0.0.3 CONNECT api.github.com:443\nno host here\n"
    multi = gzip.compress(text1) + gzip.compress(text2)
    url = upload_url(emu, "multi.log.gz")
    st, _, b = put_blob(url, multi)
    check("put gzip", st == 201)
    st, _, obj, raw = done(emu, url)
    check("done_upload gzip 200", st == 200, (st, raw))
    ups = emu.jsonl("uploads.jsonl")
    rec = ups[-1] if ups else {}
    full = text1 + text2
    check("uploads.jsonl gzip record", rec.get("encoding") == "gzip" and rec.get("lines") == 4 and
          rec.get("bytes") == len(full) and rec.get("sha256") == hashlib.sha256(full).hexdigest() and
          rec.get("inputStreamName") == "HQ" and rec.get("uploadAsSnapshot") is False and
          rec.get("source") == "SQUID" and rec.get("filename") == "multi.log.gz" and
          rec.get("compressed_bytes") == len(multi), rec)
    with open(os.path.join(emu.state, "received", "%d.log" % rec.get("seq", 0)), "rb") as f:
        check("received/<seq>.log is the decompressed data", f.read() == full)
    check("apps seen in upload", set(rec.get("apps", [])) >= {"Dropbox", "Reddit", "GitHub"},
          rec.get("apps"))

    st, _, obj, _ = done(emu, url)
    check("finalize twice -> 400", st == 400, st)
    fin = [r for r in emu.jsonl("finalize.jsonl") if r.get("blob") == rec.get("blob")]
    check("finalize attempts recorded", [r["result"] for r in fin] == ["ok", "already_finalized"],
          fin)

    # zip, form-encoded, snapshot
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.log", b"box.com 10.1.1.1\nslack.com 10.1.1.2\n")
    url = upload_url(emu, "z.zip", "PALO_ALTO")
    put_blob(url, zbuf.getvalue())
    st, _, obj, raw = done(emu, url, stream="My Snapshot", snapshot=True, form=True)
    check("done_upload zip form-encoded snapshot 200", st == 200, (st, raw))
    rec = emu.jsonl("uploads.jsonl")[-1]
    check("zip record", rec.get("encoding") == "zip" and rec.get("lines") == 2 and
          rec.get("uploadAsSnapshot") is True and rec.get("inputStreamName") == "My Snapshot", rec)

    # plain text without trailing newline
    url = upload_url(emu, "p.log", "GENERIC_CEF")
    put_blob(url, b"one\ntwo\nthree")
    st, _, obj, _ = done(emu, url, stream="Branch", snapshot=False)
    rec = emu.jsonl("uploads.jsonl")[-1]
    check("plain record", st == 200 and rec.get("encoding") == "plain" and rec.get("lines") == 3 and
          rec.get("bytes") == 13 and rec.get("inputStreamName") == "Branch", rec)

    # errors
    url = upload_url(emu, "never.log")
    st, _, obj, _ = done(emu, url)
    check("done_upload never PUT -> 400", st == 400, (st, obj))
    st, _, obj, _ = done(emu, emu.blob + "/discovery/deadbeef/x.log?sig=x")
    check("done_upload unknown url -> 400", st == 400)
    url = upload_url(emu, "s.log")
    put_blob(url, b"x\n")
    st, _, obj, _ = done(emu, url, stream="No Such Source")
    check("done_upload unknown stream -> 400 NOT_FOUND_INPUT_STREAM", st == 400 and obj and
          obj.get("errorMessageCode") ==
          "CONSOLE_DISCOVERY_SETTINGS_PARSE_LOG_TASK_ERROR_NOT_FOUND_INPUT_STREAM", (st, obj))
    st, _, obj, _ = done(emu, url, stream="Global View")
    check("done_upload to Global View -> 400", st == 400)
    st, _, obj, _ = done(emu, url)
    check("done_upload after fixing stream -> 200", st == 200)
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/done_upload/", b"{not json",
                         dict(tok(), **{"Content-Type": "application/json"}))
    check("done_upload bad json -> 400", st == 400)


def test_blocks(emu):
    url = upload_url(emu, "blocks.log.gz")
    parts = [b"a" * 1000 + b"\n", b"dropbox.com " * 10 + b"\n", b"end\n"]
    gz = [gzip.compress(p) for p in parts]          # three gzip members
    ids = [base64.b64encode(b"block-%06d" % i).decode() for i in range(3)]
    for i, (bid, data) in enumerate(zip(ids, gz)):
        st, h, b = req("PUT", with_query(url, comp="block", blockid=bid), data,
                       {"x-ms-version": "2019-12-12"})
        check("put block %d" % i, st == 201 and h.get("Content-MD5"), (st, b))
    st, _, b = req("PUT", with_query(url, comp="block",
                                     blockid=base64.b64encode(b"short").decode()), b"zz")
    check("block id of different length -> 400", st == 400, (st, b))
    st, _, b = req("PUT", with_query(url, comp="block", blockid="!!notbase64"), b"zz")
    check("bad block id -> 400", st == 400)
    st, _, b = req("PUT", with_query(url, comp="block",
                                     blockid=base64.b64encode(b"x" * 65).decode()), b"zz")
    check("block id > 64 bytes -> 400", st == 400)
    xml_bad = ('<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>%s</Latest>'
               '<Latest>%s</Latest></BlockList>' % (ids[0], base64.b64encode(b"block-999999").decode()))
    st, _, b = req("PUT", with_query(url, comp="blocklist"), xml_bad)
    check("block list with unknown id -> 400 InvalidBlockList", st == 400 and b"InvalidBlockList" in b)
    xml = ('<?xml version="1.0" encoding="utf-8"?><BlockList>%s</BlockList>' %
           "".join("<Latest>%s</Latest>" % i for i in ids))
    st, h, b = req("PUT", with_query(url, comp="blocklist"), xml, {"x-ms-version": "2019-12-12"})
    check("put block list 201", st == 201 and h.get("ETag"), (st, b))
    blob = os.path.join(emu.state, "blobs", "discovery",
                        *urllib.parse.unquote(urllib.parse.urlsplit(url).path).split("/")[2:])
    with open(blob, "rb") as f:
        check("assembled blob", f.read() == b"".join(gz))
    # recommit using committed blocks only (drop the last one)
    xml2 = ('<BlockList><Committed>%s</Committed><Committed>%s</Committed></BlockList>'
            % (ids[0], ids[1]))
    st, h, b = req("PUT", with_query(url, comp="blocklist"), xml2)
    with open(blob, "rb") as f:
        check("recommit with Committed blocks", st == 201 and f.read() == gz[0] + gz[1], (st, b))
    st, h, b = req("PUT", with_query(url, comp="blocklist"), "<BlockList><Uncommitted>%s"
                   "</Uncommitted></BlockList>" % ids[2])
    check("uncommitted block gone after commit -> 400", st == 400)
    st, h, b = req("PUT", with_query(url, comp="blocklist"), "<BlockList><Latest>")
    check("malformed block list xml -> 400", st == 400)
    st, _, obj, _ = done(emu, url)
    rec = emu.jsonl("uploads.jsonl")[-1]
    check("done_upload of block blob", st == 200 and rec.get("bytes") == len(parts[0] + parts[1])
          and rec.get("encoding") == "gzip", rec)

    # blocks sent in parallel, committed in order
    import threading
    url = upload_url(emu, "parallel.log")
    chunks = [(b"%04d dropbox.com 10.9.0.%d\n" % (i, i)) * 4000 for i in range(12)]
    bids = [base64.b64encode(b"p%05d" % i).decode() for i in range(12)]
    results = [None] * 12

    def send(i):
        try:
            results[i] = req("PUT", with_query(url, comp="block", blockid=bids[i]), chunks[i])[0]
        except OSError as exc:
            results[i] = repr(exc)
    threads = [threading.Thread(target=send, args=(i,)) for i in reversed(range(12))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("parallel put block", results == [201] * 12, results)
    xml = "<BlockList>%s</BlockList>" % "".join("<Latest>%s</Latest>" % b for b in bids)
    st, h, b = req("PUT", with_query(url, comp="blocklist"), xml)
    st2, _, obj, _ = done(emu, url)
    rec = emu.jsonl("uploads.jsonl")[-1]
    full = b"".join(chunks)
    check("parallel blocks assembled in list order", st == 201 and st2 == 200 and
          rec.get("sha256") == hashlib.sha256(full).hexdigest() and rec.get("lines") == 48000, rec)


def test_reports(emu, streams):
    hq = streams["HQ"]["_id"]
    gv = streams["Global View"]["_id"]
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/categories/",
                         {"streamId": hq, "skip": 0, "limit": 100, "filters": {}}, tok())
    ids = {c["id"]: c["total"] for c in obj} if isinstance(obj, list) else {}
    check("categories bare array", st == 200 and isinstance(obj, list), (st, obj))
    st, _, apps, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/",
                          {"streamId": hq, "limit": 100}, tok())
    check("categories of HQ", sum(ids.values()) == apps["total"] and
          all(("SAASDB_CATEGORY_" + c) in ids for c in ("CLOUD_STORAGE", "FORUMS", "CODE_HOSTING")) and
          ids["SAASDB_CATEGORY_CLOUD_STORAGE"] >= ids["SAASDB_CATEGORY_WEBMAIL"], ids)
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/categories/",
                         {"streamId": hq, "filters": {"category": {"eq": ["SAASDB_CATEGORY_FORUMS"]}}},
                         tok())
    check("categories filter", st == 200 and [c["id"] for c in obj] == ["SAASDB_CATEGORY_FORUMS"], obj)
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/categories/",
                         {"streamId": "0" * 24}, tok())
    check("categories unknown stream -> 400", st == 400)
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/categories/",
                         {"streamId": hq, "limit": 1}, tok())
    check("categories limit", st == 200 and len(obj) == 1)

    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/",
                         {"streamId": gv, "skip": 0, "limit": 100, "timeframe": 90}, tok())
    check("apps page 1", st == 200 and obj["total"] >= 150 and len(obj["data"]) == 100 and
          obj["hasNext"] is True, (st, obj and obj.get("total")))
    total = obj["total"]
    names = {a["name"]: a for a in obj["data"]}
    st, _, obj2, _ = jreq("POST", emu.api + "/cas/api/v1/discovery/discovered_apps/",
                          {"streamId": gv, "skip": 100, "limit": 100, "timeframe": 90}, tok())
    check("apps page 2 via /cas/api", st == 200 and len(obj2["data"]) == total - 100 and
          obj2["hasNext"] is False, (st, obj2 and len(obj2["data"])))
    names.update({a["name"]: a for a in obj2["data"]})
    check("apps pages disjoint", len(names) == total)
    db = names.get("Dropbox", {})
    check("Dropbox discovered", db.get("category") == "SAASDB_CATEGORY_CLOUD_STORAGE" and
          db.get("tags") == ["Unsanctioned"] and db.get("transactionsCount", 0) >= 2 and
          isinstance(db.get("appId"), int) and db.get("usersCount", 0) >= 1, db)
    check("Box sanctioned (snapshot counts in Global View? no)", "Box" not in names, sorted(names)[:5])
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/",
                         {"streamId": hq, "limit": 500}, tok())
    check("apps limit capped at 100", st == 200 and len(obj["data"]) == 100)
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/",
                         {"streamId": "f" * 24}, tok())
    check("apps unknown stream -> 400", st == 400)


def test_blockscripts(emu):
    base = emu.api + "/api/discovery_block_scripts/"
    expect = {102: "url.domain=dropbox.com deny", 104: "dropbox\\.com",
              108: 'set url "dropbox.com"', 112: "dropbox.com", 120: ".dropbox.com",
              129: '"dropbox.com"', 135: "dest_host=dropbox.com action=deny"}
    for fmt, needle in expect.items():
        st, h, b = req("GET", base + "?format=%d&type=banned" % fmt, headers=tok())
        text = b.decode()
        check("block script %d" % fmt, st == 200 and needle in text and
              "text/plain" in h.get("Content-Type", "") and "box.com\n" not in text.replace(
                  "dropbox.com\n", ""), (st, text[:300]))
    st, h, b = req("GET", base + "?format=108&type=banned", headers=tok())
    check("fortigate structure", b"config webfilter urlfilter" in b and b"set action block" in b)
    st, h, b = req("GET", base + "?format=120", headers=tok())
    check("default type banned", st == 200 and b".reddit.com\n" in b)
    st, h, b = req("GET", base + "?format=120&type=allowed", headers=tok())
    check("allowed = sanctioned", st == 200 and b".box.com\n" in b and b"dropbox" not in b, b[:200])
    st, h, b = req("GET", base + "?format=999&type=banned", headers=tok())
    check("unknown format -> 400", st == 400)
    st, h, b = req("GET", base + "?format=120&type=weird", headers=tok())
    check("unknown type -> 400", st == 400)
    st, _, obj, _ = jreq("POST", emu.api + "/_emulator/tag",
                         {"domain": "newapp-example.com", "tag": "Unsanctioned"})
    check("tag control call", st == 200, obj)
    jreq("POST", emu.api + "/_emulator/tag", {"domain": "www.dropbox.com", "tag": "None"})
    st, h, b = req("GET", base + "?format=120&type=banned", headers=tok())
    check("block script follows tag changes", b".newapp-example.com\n" in b and b"dropbox" not in b,
          b[:300])
    st, _, obj, _ = jreq("POST", emu.api + "/_emulator/tag", {"domain": "x.com", "tag": "Maybe"})
    check("bad tag -> 400", st == 400)
    jreq("POST", emu.api + "/_emulator/reset", {})
    st, h, b = req("GET", base + "?format=120&type=banned", headers=tok())
    check("reset restores tags", b".dropbox.com\n" in b and b"newapp" not in b)
    st, _, obj, _ = jreq("GET", base + "?type=banned&limit=2&skip=0", headers=tok())
    check("json domain list without format", st == 200 and len(obj["data"]) == 2 and
          obj["hasNext"] is True and "domainList" in obj["data"][0], obj)


def test_entra(emu, tmp):
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "client_secret": "s3cret", "scope": SCOPE})
    check("token secret flow", st == 200 and obj.get("token_type") == "Bearer" and
          obj.get("expires_in") == 3599 and "ext_expires_in" in obj, (st, obj))
    at = obj["access_token"]
    claims = json.loads(base64.urlsafe_b64decode(at.split(".")[1] + "=="))
    check("jwt claims", claims.get("aud") == "05a65629-4c1b-48c1-a78b-804c4abdd4af" and
          claims.get("tid") == TENANT and claims.get("appid") == "app1" and
          "Discovery.manage" in claims.get("roles", []) and
          all(k in claims for k in ("exp", "nbf", "iat")), claims)
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/", headers=bearer(at))
    check("bearer streams 200", st == 200)
    st, _, obj, _ = jreq("GET", emu.api + "/api/v1/discovery/upload_url/?filename=a&source=SQUID",
                         headers=bearer(at))
    check("bearer upload_url 200", st == 200)
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/",
                         headers=bearer(at[:-4] + ("AAAA" if not at.endswith("AAAA") else "BBBB")))
    check("tampered bearer -> 401", st == 401)

    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "client_secret": "wrong", "scope": SCOPE})
    check("wrong secret -> 401 invalid_client AADSTS7000215", st == 401 and
          obj.get("error") == "invalid_client" and
          obj.get("error_description", "").startswith("AADSTS7000215"), (st, obj))
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "client_secret": "s3cret", "scope": SCOPE},
                              tenant="11111111-1111-1111-1111-111111111111")
    check("unknown tenant -> 400 AADSTS90002", st == 400 and obj.get("error") == "invalid_request"
          and "AADSTS90002" in obj.get("error_description", ""), (st, obj))
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "client_secret": "s3cret",
                                    "scope": "https://graph.microsoft.com/.default"})
    check("wrong scope -> 400", st == 400, (st, obj))
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "nobody",
                                    "client_secret": "x", "scope": SCOPE})
    check("unknown client -> 400 unauthorized_client", st == 400 and
          obj.get("error") == "unauthorized_client", (st, obj))
    st, _, obj, _ = token_req(emu, {"grant_type": "password", "client_id": "app1",
                                    "client_secret": "s3cret", "scope": SCOPE})
    check("bad grant_type -> 400", st == 400)
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "scope": SCOPE})
    check("no secret -> 401 AADSTS7000216", st == 401 and "AADSTS7000216" in
          obj.get("error_description", ""))

    # roles
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "reader",
                                    "client_secret": "ro", "scope": SCOPE})
    rt = obj["access_token"]
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/", headers=bearer(rt))
    check("Discovery.read can list streams", st == 200)
    st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/categories/",
                         {"streamId": "x"}, bearer(rt))
    check("Discovery.read reaches categories", st == 400)   # unknown stream, but authorized
    for path in ("/api/v1/discovery/upload_url/?filename=a&source=SQUID",
                 "/api/discovery_block_scripts/?format=120"):
        st, _, obj, _ = jreq("GET", emu.api + path, headers=bearer(rt))
        check("Discovery.read on %s -> 403" % path.split("?")[0], st == 403 and
              obj == {"detail": "Insufficient role based permissions"}, (st, obj))
    st, _, obj, _ = done(emu, "http://x/y", headers=bearer(rt))
    check("Discovery.read done_upload -> 403", st == 403)
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "noroles",
                                    "client_secret": "nr", "scope": SCOPE})
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/",
                         headers=bearer(obj["access_token"]))
    check("no roles -> 403 on streams", st == 403)

    # expiry
    jreq("POST", emu.api + "/_emulator/config", {"token_lifetime": 1})
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "client_secret": "s3cret", "scope": SCOPE})
    short = obj["access_token"]
    check("short token lifetime", obj.get("expires_in") == 1)
    time.sleep(1.2)
    st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/", headers=bearer(short))
    check("expired bearer -> 401", st == 401, st)
    jreq("POST", emu.api + "/_emulator/config", {"token_lifetime": 3599})

    # certificate client assertion
    key, crt, der = CERT
    form = {"grant_type": "client_credentials", "client_id": "certapp", "scope": SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "certapp")))
    check("cert assertion RS256 x5t#S256", st == 200 and obj.get("access_token"), (st, obj))
    if st == 200:
        st2, _, _, _ = jreq("GET", emu.api + "/api/discovery/streams/",
                            headers=bearer(obj["access_token"]))
        check("cert bearer works", st2 == 200)
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "certapp",
                                                                         thumb="sha1")))
    check("cert assertion x5t (sha1)", st == 200, (st, obj))
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "certapp",
                                                                         pss=True)))
    check("cert assertion PS256", st == 200, (st, obj))
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(
        key, der, "certapp", aud="https://login.example.net/%s/oauth2/v2.0/token" % TENANT)))
    check("assertion: any authority host accepted", st == 200, (st, obj))
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(
        key, der, "certapp", aud="%s/%s/oauth2/v2.0/token" % (emu.api, TENANT))))
    check("assertion: the emulator itself as authority (http) accepted", st == 200, (st, obj))
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(
        key, der, "certapp", aud="https://login.microsoftonline.com/other/oauth2/v2.0/token")))
    check("assertion wrong aud -> 401", st == 401, (st, obj))
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "certapp",
                                                                         exp_delta=-10)))
    check("assertion expired -> 401 AADSTS700024", st == 401 and "AADSTS700024" in
          obj.get("error_description", ""), (st, obj))
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "certapp",
                                                                         nbf_delta=600)))
    check("assertion nbf in future -> 401", st == 401)
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "certapp",
                                                                         nbf_delta=30)))
    check("assertion nbf within skew ok", st == 200)
    a = assertion(key, der, "certapp")
    h, p, s = a.split(".")
    sig = bytearray(base64.urlsafe_b64decode(s + "=="))
    sig[10] ^= 1
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=h + "." + p + "." + b64url(bytes(sig))))
    check("assertion bad signature -> 401 AADSTS700027", st == 401 and "AADSTS700027" in
          obj.get("error_description", ""), (st, obj))
    key2, crt2, der2 = CERT2
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key2, der2, "certapp")))
    check("assertion unregistered cert -> 401", st == 401)
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key2, der, "certapp")))
    check("assertion signed by other key -> 401", st == 401)
    st, _, obj, _ = token_req(emu, dict(form, client_assertion=assertion(key, der, "app1")))
    check("assertion iss/sub != client_id -> 401", st == 401, (st, obj))


def test_faults(emu):
    streams = emu.api + "/api/discovery/streams/"

    def get_streams():
        return req("GET", streams, headers=tok())

    check("fault bad spec -> 400", fault(emu, "streams:teapot") == 400)
    check("fault bad target -> 400", fault(emu, "nowhere:500") == 400)
    fault(emu, "streams:429")
    st, h, b = get_streams()
    check("fault 429 with Retry-After: 1", st == 429 and h.get("Retry-After") == "1", (st, dict(h)))
    fault(emu, "streams:429-noretry")
    st, h, b = get_streams()
    check("fault 429-noretry", st == 429 and h.get("Retry-After") is None, (st, dict(h)))
    for code in (500, 502, 503, 504, 401, 403):
        fault(emu, "streams:%d" % code)
        st, h, b = get_streams()
        check("fault %d" % code, st == code, st)
    st, h, b = get_streams()
    check("faults are used up", st == 200, st)
    fault(emu, "streams:html500")
    st, h, b = get_streams()
    check("fault html500", st == 500 and b"var __ADALLOM_CONSTS = {" in b and
          b"500Internal error" in b and "text/html" in h.get("Content-Type", ""), (st, b[:100]))
    fault(emu, "streams:drop")
    check("fault drop (api)", raises(get_streams))
    fault(emu, "streams:stall:0.6")
    t0 = time.time()
    st, h, b = get_streams()
    check("fault stall", st == 200 and time.time() - t0 >= 0.55, (st, time.time() - t0))
    fault(emu, "streams:503:2")
    r = [get_streams()[0] for _ in range(3)]
    check("fault COUNT", r == [503, 503, 200], r)

    fault(emu, "upload_url:expired-sas")
    url = upload_url(emu, "exp.log")
    st, h, b = put_blob(url, b"x\n")
    check("fault expired-sas -> 403 AuthenticationFailed", st == 403 and
          b"AuthenticationFailed" in b and h.get("x-ms-error-code") == "AuthenticationFailed", (st, b))
    url = upload_url(emu, "ok.log")
    st, h, b = put_blob(url, b"x\n")
    check("next SAS valid again", st == 201)

    fault(emu, "put:drop")
    data = os.urandom(512 * 1024)
    check("fault drop (put, mid-body)", raises(lambda: put_blob(url, data)))
    st, h, b = put_blob(url, data)
    check("put after drop", st == 201)
    fault(emu, "put:503")
    st, h, b = put_blob(url, data)
    check("fault put 503 (xml)", st == 503 and b"<Error>" in b, st)
    fault(emu, "put:429")
    st, h, b = put_blob(url, data)
    check("fault put 429", st == 429 and h.get("Retry-After") == "1")
    bid = base64.b64encode(b"blk-0001").decode()
    fault(emu, "block:500")
    st, h, b = req("PUT", with_query(url, comp="block", blockid=bid), b"abc")
    check("fault block 500", st == 500)
    st, h, b = req("PUT", with_query(url, comp="block", blockid=bid), b"abc")
    check("block after fault", st == 201)
    fault(emu, "blocklist:502")
    xml = "<BlockList><Latest>%s</Latest></BlockList>" % bid
    st, h, b = req("PUT", with_query(url, comp="blocklist"), xml)
    check("fault blocklist 502", st == 502)
    st, h, b = req("PUT", with_query(url, comp="blocklist"), xml)
    check("blocklist after fault", st == 201)
    fault(emu, "done_upload:504")
    st, _, obj, _ = done(emu, url)
    check("fault done_upload 504", st == 504)
    st, _, obj, _ = done(emu, url)
    check("done_upload after fault (not finalized by the fault)", st == 200, (st, obj))
    url = upload_url(emu, "dropafter.log")
    put_blob(url, b"dropbox.com\n")
    fault(emu, "done_upload:drop-after")
    check("fault drop-after: no answer", raises(lambda: done(emu, url)))
    fin = [r for r in emu.jsonl("finalize.jsonl") if r.get("uploadUrl") == url.split("?")[0]]
    check("fault drop-after: request took effect", [r["result"] for r in fin] == ["ok"], fin)
    st, _, obj, _ = done(emu, url)
    check("retry after lost answer -> 400 already finalized", st == 400)
    fault(emu, "put:drop-after")
    check("fault drop-after on put", raises(lambda: put_blob(url, b"reddit.com\n")))
    fault(emu, "categories:429")
    st, _, _, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/categories/",
                       {"streamId": "x"}, tok())
    check("fault categories", st == 429)
    fault(emu, "apps:401")
    st, _, _, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/", {}, tok())
    check("fault apps 401", st == 401)
    fault(emu, "blockscript:403")
    st, _, _ = req("GET", emu.api + "/api/discovery_block_scripts/?format=120", headers=tok())
    check("fault blockscript 403", st == 403)
    fault(emu, "token:503")
    st, _, obj, _ = token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                    "client_secret": "s3cret", "scope": SCOPE})
    check("fault token 503", st == 503 and isinstance(obj, dict) and "error" in obj, (st, obj))
    fault(emu, "token:drop")
    check("fault token drop", raises(lambda: token_req(emu, {"grant_type": "client_credentials"})))
    fault(emu, "any:500")
    st, h, b = put_blob(url, b"y")
    check("fault any hits blob", st == 500)
    fault(emu, "any:html500")
    st, h, b = get_streams()
    check("fault any hits api", st == 500 and b"__ADALLOM_CONSTS" in b)
    fault(emu, "apps:500:*")
    st, _, obj, _ = jreq("GET", emu.api + "/_emulator/state")
    check("state lists faults", st == 200 and any(f["spec"] == "apps:500:*" for f in obj["faults"]))
    jreq("POST", emu.api + "/_emulator/reset", {})
    st, _, obj, _ = jreq("GET", emu.api + "/_emulator/state")
    check("reset clears faults", obj["faults"] == [])


def test_rate(tmp):
    emu = Emu(tmp, "--token", TOKEN, "--client", "app1:s3cret", "--stream", "HQ",
              "--rpm", "5", "--rate-window", "2", "--fault", "streams:503", name="rate")
    try:
        st, _, _ = req("GET", emu.api + "/api/discovery/streams/", headers=tok())
        check("--fault on the command line", st == 503, st)
        time.sleep(2.05)
        t0 = time.time()
        codes = [req("GET", emu.api + "/api/discovery/streams/", headers=tok())[0] for _ in range(5)]
        check("under the limit", codes == [200] * 5, codes)
        st, h, b = req("GET", emu.api + "/api/discovery/streams/", headers=tok())
        # The window is counted from the last request served, whatever
        # the load on the machine made of the five above.
        t0 = time.time()
        check("over the limit -> 429", st == 429 and json.loads(b) == {"detail": "Request was throttled."},
              (st, b))
        ra = h.get("Retry-After")
        check("Retry-After integer <= window", ra is not None and ra.isdigit() and 1 <= int(ra) <= 2, ra)
        codes = [token_req(emu, {"grant_type": "client_credentials", "client_id": "app1",
                                 "client_secret": "s3cret", "scope": SCOPE})[0] for _ in range(3)]
        check("token endpoint not throttled", codes == [200] * 3, codes)
        url_codes = []
        time.sleep(max(0, t0 + 2.2 - time.time()))
        st, h, b = req("GET", emu.api + "/api/discovery/streams/", headers=tok())
        check("after the window -> 200", st == 200, st)
        # blob listener is not throttled and never sees Authorization
        url = upload_url(emu, "r.log")
        for _ in range(8):
            url_codes.append(put_blob(url, b"z\n")[0])
        check("blob not throttled", url_codes == [201] * 8, url_codes)
        reqs = emu.jsonl("requests.jsonl")
        api = [r for r in reqs if r["listener"] == "api"]
        blob = [r for r in reqs if r["listener"] == "blob"]
        check("requests.jsonl api+blob", len(api) >= 12 and len(blob) == 8, (len(api), len(blob)))
        check("requests.jsonl fields", all(k in api[0] for k in ("time", "listener", "method", "path",
                                                                  "status", "headers", "authorization")))
        check("blob records have no Authorization and no query",
              all(r["authorization"] is None and "?" not in r["path"] and "sig" not in json.dumps(r)
                  for r in blob))
        check("api records carry Authorization value", any(r["authorization"] == "Token " + TOKEN
                                                            for r in api))
        check("blob records carry x-ms headers", all(r["x-ms"].get("x-ms-blob-type") == "BlockBlob"
                                                     for r in blob))
        ok = [r["time"] for r in api if r["status"] != 429 and r["kind"] != "token"]
        worst = max(sum(1 for t in ok if s <= t < s + 2) for s in ok)
        check("never more than rpm per window served", worst <= 5, worst)
    finally:
        rc = emu.stop()
    check("SIGTERM exits cleanly", rc == 0, rc)
    check("ready file removed on exit", not os.path.exists(emu.ready))


def test_tls(tmp):
    key, crt, _ = make_cert(tmp, "tls", san="IP:127.0.0.1,IP:127.0.0.2")
    emu = Emu(tmp, "--token", TOKEN, "--stream", "HQ", "--tls-cert", crt, "--tls-key", key,
              name="tls")
    try:
        check("tls ready urls", emu.api.startswith("https://127.0.0.1:") and
              emu.blob.startswith("https://127.0.0.2:"), emu.info)
        ctx = ssl.create_default_context(cafile=crt)
        r = urllib.request.Request(emu.api + "/api/discovery/streams/", headers=tok())
        with urllib.request.urlopen(r, context=ctx, timeout=10) as resp:
            check("tls api (verified with the cert)", resp.status == 200)
        url = upload_url(emu, "t.log")
        check("tls SAS url is https", url.startswith("https://127.0.0.2:"))
        st, h, b = put_blob(url, b"dropbox.com\n")
        check("tls put", st == 201)
        st, _, obj, _ = done(emu, url)
        check("tls done_upload", st == 200)
    finally:
        emu.stop()


def test_restart(tmp, old, finalized_url, streams):
    emu = Emu(tmp, "--token", TOKEN, "--stream", "HQ", "--stream", "Branch", name=old)
    try:
        st, _, obj, _ = done(emu, finalized_url)
        check("after restart: still finalized once", st == 400, st)
        st, _, obj, _ = jreq("GET", emu.api + "/api/discovery/streams/", headers=tok())
        ids = {s["displayName"]: s["_id"] for s in obj["streams"]}
        check("stream ids deterministic", ids.get("HQ") == streams["HQ"]["_id"])
        check("lastDataReceived kept", [s for s in obj["streams"] if s["displayName"] == "HQ"][0]
              ["lastDataReceived"] is not None)
        st, _, obj, _ = jreq("POST", emu.api + "/api/v1/discovery/discovered_apps/",
                             {"streamId": ids["HQ"]}, tok())
        check("discovered apps survive restart", st == 200 and
              any(a["name"] == "Dropbox" for a in obj["data"]))
        seq_before = max(r["seq"] for r in emu.jsonl("uploads.jsonl"))
        url = upload_url(emu, "after.log")
        put_blob(url, b"x\n")
        done(emu, url)
        check("seq continues", emu.jsonl("uploads.jsonl")[-1]["seq"] == seq_before + 1)
    finally:
        emu.stop()


def test_azurite(tmp, az):
    emu = Emu(tmp, "--token", TOKEN, "--stream", "HQ", "--azurite", az, name="az")
    try:
        url = upload_url(emu, "az.log.gz")
        check("azurite url", url.startswith(az + "/discovery/") and "sig=" in url, url)
        data = gzip.compress(b"a dropbox.com\n") + gzip.compress(b"b reddit.com\n")
        st, h, b = put_blob(url, data)
        check("azurite put blob", st == 201, (st, b[:300]))
        st, _, obj, raw = done(emu, url)
        rec = emu.jsonl("uploads.jsonl")[-1] if st == 200 else {}
        check("azurite done_upload reads back", st == 200 and rec.get("lines") == 2 and
              rec.get("encoding") == "gzip", (st, raw, rec))
        url = upload_url(emu, "az-blocks.log")
        ids = [base64.b64encode(b"%08d" % i).decode() for i in range(2)]
        for i, bid in enumerate(ids):
            st, h, b = req("PUT", with_query(url, comp="block", blockid=bid), b"line %d\n" % i,
                           {"x-ms-version": "2019-12-12"})
            check("azurite put block", st == 201, (st, b[:300]))
        st, h, b = req("PUT", with_query(url, comp="blocklist"),
                       "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>%s</BlockList>"
                       % "".join("<Latest>%s</Latest>" % i for i in ids),
                       {"x-ms-version": "2019-12-12"})
        check("azurite put block list", st == 201, (st, b[:300]))
        st, _, obj, _ = done(emu, url)
        rec = emu.jsonl("uploads.jsonl")[-1]
        check("azurite blocks finalized", st == 200 and rec.get("bytes") == 14, rec)
        fault(emu, "upload_url:expired-sas")
        url = upload_url(emu, "azexp.log")
        st, h, b = put_blob(url, b"x")
        check("azurite rejects expired SAS", st == 403, (st, b[:200]))
        st, _, obj, _ = done(emu, upload_url(emu, "never.log"))
        check("azurite done_upload without blob -> 400", st == 400)
    finally:
        emu.stop()


def start_azurite(tmp, azbin):
    """Start azurite-blob on a free loopback port; killed by PID at the end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    loc = os.path.join(tmp, "azurite")
    os.makedirs(loc, exist_ok=True)
    log = open(os.path.join(tmp, "azurite.log"), "w")
    proc = subprocess.Popen([azbin, "--blobHost", "127.0.0.1", "--blobPort", str(port),
                             "--disableTelemetry", "--skipApiVersionCheck", "--location", loc],
                            stdout=log, stderr=subprocess.STDOUT)
    PROCS.append(proc)
    deadline = time.time() + 20
    while time.time() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return "http://127.0.0.1:%d/devstoreaccount1" % port
        except OSError:
            time.sleep(0.2)
    return None


CERT = CERT2 = None


def main():
    global CERT, CERT2
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="mdca-emu-selftest.")
    try:
        CERT = make_cert(tmp, "client")
        CERT2 = make_cert(tmp, "other")
        test_cli(tmp)
        emu = Emu(tmp, "--token", TOKEN, "--client", "app1:s3cret", "--client", "reader:ro",
                  "--client-roles", "reader:Discovery.read", "--client", "noroles:nr",
                  "--client-roles", "noroles:", "--client-cert", "certapp:" + CERT[1],
                  "--stream", "HQ", "--stream", "Branch", "--rpm", "100000",
                  "--synthetic-apps", "150", name="main")
        try:
            streams = test_basics(emu)
            test_upload_url(emu)
            test_put_blob(emu, tmp)
            test_done_upload(emu, tmp)
            finalized_url = None
            for r in emu.jsonl("finalize.jsonl"):
                if r.get("result") == "ok":
                    finalized_url = r["uploadUrl"]
                    break
            test_blocks(emu)
            test_reports(emu, streams)
            test_blockscripts(emu)
            test_entra(emu, tmp)
            test_faults(emu)
        finally:
            emu.stop()
        test_restart(tmp, "main", finalized_url, streams)
        test_rate(tmp)
        test_tls(tmp)
        az = os.environ.get("MDCA_SELFTEST_AZURITE")
        azbin = os.environ.get("MDCA_SELFTEST_AZURITE_BIN")
        if az:
            test_azurite(tmp, az.rstrip("/"))
        elif azbin:
            az = start_azurite(tmp, azbin)
            if check("azurite started (%s)" % azbin, az is not None):
                test_azurite(tmp, az)
    except Exception as exc:                              # report, never hang
        import traceback
        traceback.print_exc()
        check("self-test ran to completion", False, repr(exc))
    finally:
        kill_all()
        if FAILED == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("state kept in %s" % tmp)
    if VERBOSE:
        print("(%.1f s)" % (time.time() - t_start))
    print("emulator: %d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
