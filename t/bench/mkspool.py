#!/usr/bin/env python3
"""mkspool.py DIR N: a spool of N queue files in Postfix's format, spread
over incoming/, active/, deferred/ (hashed, with defer logs) and hold/,
for benchmarks of the tools that read a whole queue. Deterministic."""
import os, sys

def rec(t, payload):
    data = payload.encode()
    n, out = len(data), bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            break
    return t.encode() + bytes(out) + data

def message(i, arrival):
    rcpts = ["user%d@dest%d.example" % (i * 3 + k, (i + k) % 97) for k in range(1 + i % 3)]
    env = rec("T", "%d %d" % (arrival, i % 1000000)) + rec("A", "create_time=%d" % arrival)
    env += rec("S", "sender%d@origin%d.example" % (i, i % 13))
    for r in rcpts:
        env += rec("A", "dsn_orig_rcpt=rfc822;" + r) + rec("O", r) + rec("R", r)
    env += rec("M", "")
    content = b"".join(rec("N", l) for l in
                       ["Subject: bench %d" % i, "From: sender%d@origin.example" % i, ""]
                       + ["body line %d of message %d" % (k, i) for k in range(20)])
    offset = 97 + len(env)
    size = "%15d %15d %15d %15d %15d %15d" % (len(content), offset, len(rcpts), 0, len(content), 0)
    return rec("C", size) + env + content + rec("X", "") + rec("E", ""), rcpts

def main():
    top, n = sys.argv[1], int(sys.argv[2])
    for q in ("incoming", "active", "deferred", "hold", "defer", "maildrop"):
        os.makedirs(os.path.join(top, q), exist_ok=True)
    base = 1790000000
    for i in range(n):
        qid = "%05X%X" % (i % 1000000, 0x100000 + i)
        q = ("deferred", "deferred", "deferred", "incoming", "active", "hold")[i % 6]
        data, rcpts = message(i, base + i)
        d = os.path.join(top, q, qid[0]) if q == "deferred" else os.path.join(top, q)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, qid)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o700)
        if q == "deferred":
            ld = os.path.join(top, "defer", qid[0])
            os.makedirs(ld, exist_ok=True)
            with open(os.path.join(ld, qid), "w") as f:
                for r in rcpts:
                    reason = "connect to dest.example[192.0.2.1]:25: Connection refused"
                    f.write("\n<%s>: %s\nrecipient=%s\nstatus=4.4.1\naction=delayed\nreason=%s\n\n"
                            % (r, reason, r, reason))

main()
