#!/usr/bin/env python3
"""Write a Postfix-format queue file, for tests that need many or odd ones.

mkqueuefile.py PATH --sender S --rcpt R [--rcpt R...] [--arrival EPOCH]
               [--done R] [--line TEXT...] [--maildrop]
               [--content-rec TYPE:PAYLOAD...]

A cleanup-style file: C (sizes exact), T, A create_time, S, per recipient
A dsn_orig_rcpt, O, R (or D for --done), M, the text as N records, X, E.
--maildrop writes what postdrop writes instead (T first, no C). The mode
is left to the caller (chmod 700 marks it complete).
"""
import argparse, time

def rec(t, payload):
    data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else payload
    n, out = len(data), bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            break
    return t.encode() + bytes(out) + data

def main():
    p = argparse.ArgumentParser()
    p.add_argument("path")
    p.add_argument("--sender", default="")
    p.add_argument("--rcpt", action="append", default=[])
    p.add_argument("--done", action="append", default=[])
    p.add_argument("--arrival", type=int, default=int(time.time()))
    p.add_argument("--line", action="append", default=None)
    p.add_argument("--maildrop", action="store_true")
    p.add_argument("--content-rec", action="append", default=[],
                   help="TYPE:PAYLOAD, a record added to the content")
    a = p.parse_args()
    lines = a.line if a.line is not None else ["Subject: test", "", "hello"]
    env = rec("T", "%d 0" % a.arrival)
    if a.maildrop:
        body = env + rec("S", a.sender)
        body += b"".join(rec("R", r) for r in a.rcpt) + rec("M", "")
        body += b"".join(rec("N", l) for l in lines) + rec("X", "") + rec("E", "")
        open(a.path, "wb").write(body)
        return
    env += rec("A", "create_time=%d" % a.arrival) + rec("S", a.sender)
    for r in a.rcpt + a.done:
        env += rec("A", "dsn_orig_rcpt=rfc822;" + r) + rec("O", r)
        env += rec("D" if r in a.done else "R", r)
    env += rec("M", "")
    content = b"".join(rec("N", l) for l in lines)
    content += b"".join(rec(r[0], r[2:]) for r in a.content_rec)
    tail = rec("X", "") + rec("E", "")
    offset = 97 + len(env)
    size = "%15d %15d %15d %15d %15d %15d" % (len(content), offset,
        len(a.rcpt) + len(a.done), 0, len(content), 0)
    open(a.path, "wb").write(rec("C", size) + env + content + tail)

main()
