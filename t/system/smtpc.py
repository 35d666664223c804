#!/usr/bin/env python3
"""smtpc - a raw SMTP client for the system tests: it sends exactly the
bytes it is told (bare LF, bare CR, NUL, pipelined commands, input ahead
of the greeting) and prints the server's replies, one reply per line
(the lines of a multi-line reply joined with " | ").

    smtpc.py [-b ADDR] [-p PORT] [-t SECS] chat ITEM...
        read the greeting, then for each ITEM send it and read one reply.
        ITEM is text with Python escapes (\\r \\n \\x00); CR LF is added
        unless it starts with "raw:" (then exactly its bytes are sent).
        An ITEM "all:TEXT" sends TEXT as raw does, then prints every reply
        until the server hangs up or is quiet for --quiet seconds.
        Stops with "CLOSED" when the server hangs up.
    smtpc.py [-b ADDR] [-p PORT] burst [--early] [--split POS,...]
             [--chunk N] [--gap SECS] TEXT
        send TEXT (escapes as above, nothing added) in one write, or cut at
        the given byte offsets, or in pieces of N bytes, with a pause
        between writes; --early sends before reading the greeting. Then
        prints every reply until the server hangs up or is quiet for
        --quiet seconds (default 2).
    smtpc.py [-b ADDR] [-p PORT] pipeline ITEM...
        read the greeting, send all ITEMs (CR LF added) in one write and
        print the replies as they come (until QUIT's or a hang-up).

Exit status: 0, or 2 when the server could not be reached.
"""
import argparse
import codecs
import socket
import sys
import time
import warnings

warnings.simplefilter("ignore")


def unescape(text):
    """The bytes that a test's text with Python escapes stands for."""
    return codecs.decode(text, "unicode_escape").encode("latin-1")


class Replies:
    """Reads SMTP replies from a socket, with a bounded wait."""

    def __init__(self, sock, timeout):
        self.sock, self.timeout, self.buf = sock, timeout, b""
        self.closed = False

    def _line(self, timeout):
        """One CR LF (or LF) terminated line, None on close or timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return None
            self.sock.settimeout(left)
            try:
                got = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                got = b""
            if not got:
                self.closed = True
                if self.buf:
                    line, self.buf = self.buf, b""
                    return line
                return None
            self.buf += got
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def reply(self, timeout=None):
        """A whole (multi-line) reply as one text line, None if none."""
        timeout = self.timeout if timeout is None else timeout
        lines = []
        while True:
            line = self._line(timeout)
            if line is None:
                break
            lines.append(line.decode("latin-1"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        return " | ".join(lines) if lines else None


def connect(opts):
    """A TCP connection to the server, from opts.bind when given."""
    try:
        sock = socket.create_connection(
            (opts.host, opts.port), timeout=opts.timeout,
            source_address=(opts.bind, 0) if opts.bind else None)
    except OSError as e:
        print("connect: %s" % e, file=sys.stderr)
        sys.exit(2)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock, Replies(sock, opts.timeout)


def say(text):
    """Print one reply (or CLOSED) and flush, so a killed run shows it."""
    print(text if text is not None else "CLOSED", flush=True)


def chat(opts):
    """Send each item and print the reply it gets."""
    sock, rd = connect(opts)
    say(rd.reply())
    for item in opts.items:
        data = unescape(item[4:]) if item[:4] in ("raw:", "all:") \
            else unescape(item) + b"\r\n"
        try:
            sock.sendall(data)
        except OSError:
            say(None)
            return
        if item.startswith("all:"):
            drain(rd, opts.quiet)
            return
        r = rd.reply()
        say(r)
        if r is None:
            return


def burst(opts):
    """Send the text in the pieces asked for and print all replies."""
    data = unescape(opts.text)
    cuts = []
    if opts.split:
        cuts = sorted(int(c) for c in opts.split.split(",") if c)
    elif opts.chunk:
        cuts = list(range(opts.chunk, len(data), opts.chunk))
    pieces, last = [], 0
    for c in cuts + [len(data)]:
        if c > last:
            pieces.append(data[last:c])
            last = c
    sock, rd = connect(opts)
    if not opts.early:
        say(rd.reply())
    for p in pieces:
        try:
            sock.sendall(p)
        except OSError:
            break
        if opts.gap:
            time.sleep(opts.gap)
    if opts.early:
        time.sleep(opts.gap or 0.2)
    while True:
        r = rd.reply(opts.quiet)
        if r is None:
            if rd.closed:
                say(None)
            return
        say(r)


def drain(rd, quiet):
    """Print every reply until a hang-up (CLOSED) or quiet seconds."""
    while True:
        r = rd.reply(quiet)
        if r is None:
            if rd.closed:
                say(None)
            return
        say(r)


def pipeline(opts):
    """All items in one write, then every reply."""
    sock, rd = connect(opts)
    say(rd.reply())
    sock.sendall(b"".join(unescape(i) + b"\r\n" for i in opts.items))
    while True:
        r = rd.reply(opts.quiet)
        if r is None:
            if rd.closed:
                say(None)
            return
        say(r)
        if r.startswith("221"):
            return


def main():
    """Parse the command line and run one mode."""
    ap = argparse.ArgumentParser(description="raw SMTP test client")
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, required=True)
    ap.add_argument("-b", "--bind", help="source address, e.g. 127.0.0.2")
    ap.add_argument("-t", "--timeout", type=float, default=20)
    ap.add_argument("-q", "--quiet", type=float, default=2)
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("chat")
    c.add_argument("items", nargs="*")
    b = sub.add_parser("burst")
    b.add_argument("--early", action="store_true")
    b.add_argument("--split")
    b.add_argument("--chunk", type=int)
    b.add_argument("--gap", type=float, default=0.05)
    b.add_argument("text")
    p = sub.add_parser("pipeline")
    p.add_argument("items", nargs="*")
    opts = ap.parse_args()
    {"chat": chat, "burst": burst, "pipeline": pipeline}[opts.mode](opts)


if __name__ == "__main__":
    main()
