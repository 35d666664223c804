#!/usr/bin/env python3
"""Print the records of a Postfix queue or maildrop file, one a line:
the type letter, a space, the payload (repr-escaped where not printable).

    maildrop-records.py FILE [--mask TYPES]

The arrival time 'T' never compares equal between two runs, so its payload
is always printed as <time>. --mask S,F prints <masked> for the payloads of
those types too (the sender and full name depend on the submitting user).
Written independently of our C reader so that a test does not check our
code with itself.
"""
import sys


def records(data):
    pos = 0
    while pos < len(data):
        rtype = chr(data[pos])
        pos += 1
        length, shift = 0, 0
        while True:
            if pos >= len(data) or shift > 21:
                raise ValueError("truncated or bad record length at %d" % pos)
            byte = data[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + length > len(data):
            raise ValueError("truncated payload at %d" % pos)
        yield rtype, data[pos:pos + length]
        pos += length


def show(payload):
    text = payload.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def main():
    args = sys.argv[1:]
    mask = set()
    if "--mask" in args:
        i = args.index("--mask")
        mask = set(args[i + 1].split(","))
        del args[i:i + 2]
    with open(args[0], "rb") as fp:
        data = fp.read()
    for rtype, payload in records(data):
        if rtype == "T":
            print("T <time>")
        elif rtype in mask:
            print(rtype, "<masked>")
        else:
            print(rtype, show(payload))


if __name__ == "__main__":
    main()
