#!/usr/bin/env python3
"""playqmgr - play qmgr against a delivery agent in the system tests: write
a queue file into SPOOL/active (t/cli/mkqueuefile.py), send one delivery
request over SPOOL/private/AGENT (lib/dlv.h, share/doc/protocols.md) and
print "id ID", then the agent's answer as it came.

    playqmgr.py SPOOL AGENT [--sender S] [--nexthop H] [--line TEXT]...
                [--rec TYPE:TEXT]... RCPT...
"""
import os
import random
import socket
import subprocess
import sys
import time

MKQ = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "..", "cli", "mkqueuefile.py")


def escape(s):
    """A request field: %XX for '%', space and control bytes; "%" if empty."""
    return "".join(c if ord(c) > 32 and c not in "%\x7f" else "%%%02X" % ord(c)
                   for c in s) or "%"


def rcpt_offsets(data):
    """The offsets of the R records of a queue file."""
    pos, offsets = 0, []
    while pos < len(data):
        start, t, n, shift = pos, data[pos:pos + 1], 0, 0
        pos += 1
        while True:
            b = data[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if t == b"R":
            offsets.append(start)
        pos += n
    return offsets


def main():
    spool, agent, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    sender, nexthop, lines, rcpts = "alice@example.org", "host.example", [], []
    while args:
        a = args.pop(0)
        if a == "--sender":
            sender = args.pop(0)
        elif a == "--nexthop":
            nexthop = args.pop(0)
        elif a == "--line":
            lines += ["--line", args.pop(0)]
        elif a == "--rec":
            lines += ["--content-rec", args.pop(0)]
        else:
            rcpts.append(a)
    qid = "".join(random.choice("0123456789ABCDEF") for _ in range(11))
    path = os.path.join(spool, "active", qid)
    cmd = [MKQ, path, "--sender", sender] + lines
    for r in rcpts:
        cmd += ["--rcpt", r]
    subprocess.run(cmd, check=True)
    os.chmod(path, 0o700)
    offsets = rcpt_offsets(open(path, "rb").read())
    now = int(time.time())
    req = ("queue_name active\nqueue_id %s\narrival_time %d\ncreate_time %d\n"
           "active_time %d\nsender %s\nnexthop %s\n"
           % (qid, now, now, now, escape(sender), escape(nexthop)))
    for off, r in zip(offsets, rcpts):
        req += "rcpt %d 0 %s %% %s\n" % (off, escape(r), escape(r))
    req += "end\n"
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(os.path.join(spool, "private", agent))
    s.sendall(req.encode())
    answer = b""
    while not answer.endswith(b"end\n"):
        got = s.recv(4096)
        if not got:
            break
        answer += got
    print("id", qid)
    sys.stdout.write(answer.decode())


if __name__ == "__main__":
    main()
