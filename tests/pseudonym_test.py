#!/usr/bin/env python3
"""Pseudonymised user names: keyed hashes replace every name before the
line leaves, the same name always the same pseudonym; the key is a secret."""

import json
import os
import re
import shutil
import tempfile

from harness import (TOKEN, Emulator, Suite, check, run, secret_file,
                     squid_lines, write_lines)

suite = Suite("pseudonym")


def setup():
    d = tempfile.mkdtemp(prefix="discolog-pseud-")
    key = secret_file(d, "8d0f3c2b9e4a7f61d5c3b2a1908f7e6d", "pkey")
    lines, keep = squid_lines(200, seed=13)
    # A name logged twice: as the user and inside the URL.
    lines.append(lines[1].replace(b"/p/1 ", b"/p/alice-report ")
                 .replace(b" bob ", b" alice ").replace(b" carol ", b" alice ")
                 .replace(b" - HIER", b" alice HIER"))
    p = os.path.join(d, "a.log")
    write_lines(p, lines)
    return d, key, p, lines


@suite.test
def test_check_json_shows_pseudonyms():
    d, key, p, lines = setup()
    try:
        rc, out, err = run(["check", "--json", "--pseudonymize-key", key, p])
        check(rc == 0, err)
        recs = [json.loads(l) for l in out.decode().splitlines()]
        users = {r["user"] for r in recs if "user" in r}
        check(users and all(re.fullmatch(r"anon-[0-9a-f]{16}", u)
                            for u in users), users)
        check(len(users) == 3, users)  # alice, bob, carol
        check(not any(r.get("user") in ("alice", "bob", "carol")
                      for r in recs))
    finally:
        shutil.rmtree(d)


@suite.test
def test_uploaded_lines_carry_no_names():
    d, key, p, lines = setup()
    emu = Emulator()
    try:
        tok = secret_file(d, TOKEN)
        rc, _, err = run(["upload", "-s", "HQ-Proxy", "--token-file", tok,
                          "--pseudonymize-key", key, p],
                         env={"DISCOLOG_TENANT": emu.api,
                              "DISCOLOG_STATE_DIR": d + "/state"})
        check(rc == 0, err)
        got = emu.received_lines()
        blob = b"\n".join(got)
        for name in (b"alice", b"bob", b"carol"):
            check(name not in blob, name)
        check(b"/p/anon-" in blob, "the name in the URL is replaced too")
        # Apart from the names, the lines are the original bytes.
        unnamed = [l for l in got if b"anon-" not in l]
        check(all(l in lines for l in unnamed))
        # The same name always gives the same pseudonym, across runs.
        rc, out, _ = run(["check", "--json", "--pseudonymize-key", key, p])
        first = {json.loads(l)["user"] for l in out.decode().splitlines()
                 if '"user"' in l}
        sent = {x.decode() for x in re.findall(rb"anon-[0-9a-f]{16}", blob)}
        check(first <= sent and len(sent) == 3, (first, sent))
    finally:
        emu.stop()
        shutil.rmtree(d)


@suite.test
def test_key_is_a_secret():
    d, key, p, _ = setup()
    try:
        os.chmod(key, 0o644)
        rc, out, err = run(["check", "--pseudonymize-key", key, p])
        check(rc == 2 and "readable by every user" in err, err)
        short = secret_file(d, "short", "short")
        rc, out, err = run(["check", "--pseudonymize-key", short, p])
        check(rc == 2 and "at least 16 characters" in err, err)
        check("short" not in err.replace(short, ""), "key shown")
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    suite.main()
