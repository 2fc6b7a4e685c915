#!/usr/bin/env python3
"""Regenerates the expected replies of the command cases from a real Redis server.

    regen.py PORT FILE...      (a redis-server 7.0 on 127.0.0.1:PORT that may be flushed)

Each case file holds commands, one per line (redis-cli quoting), each followed by the line
"=> <reply>" in the notation of tests/test_client.h. Lines starting with '#' are comments;
"!resp3" switches the connection to RESP3 (HELLO 3). The expected lines are rewritten with what
the server answers, so a reviewed diff shows exactly where Redis and the file disagree.
kv_cases_test runs the same files against sfs kv (and against redis-server, to keep them honest).
"""
import socket
import sys


def encode(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode("latin-1")
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("latin-1")

    def exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(65536)
        d, self.buf = self.buf[:n], self.buf[n + 2:]
        return d.decode("latin-1")

    def read(self):
        l = self.line()
        t, rest = l[0], l[1:]
        if t == "+":
            return rest
        if t == "-":
            return "-" + rest
        if t in ":,#":
            return t + rest
        if t == "_":
            return "(nil)"
        if t in "$=":
            n = int(rest)
            return "(nil)" if n < 0 else self.exact(n)
        if t in "*~>%":
            n = int(rest)
            if n < 0:
                return "(nil)"
            count = n * 2 if t == "%" else n
            items = [self.read() for _ in range(count)]
            if t == "%":
                return "{" + ",".join(items[i] + ":" + items[i + 1] for i in range(0, count, 2)) + "}"
            return {"~": "~", ">": ">"}.get(t, "") + "[" + ",".join(items) + "]"
        raise ValueError(l)


def split(line):
    """redis-cli's argument splitting (sdssplitargs): "..." with \\xhh \\n \\r \\t \\b \\a
    escapes, '...' with only \\' , anything else up to a space. Same as split_args() in resp.cc."""
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        cur, quote = "", None
        while i < n:
            ch = line[i]
            if quote == '"':
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and all(
                        c in "0123456789abcdefABCDEF" for c in line[i + 2:i + 4]):
                    cur += chr(int(line[i + 2:i + 4], 16))
                    i += 4
                    continue
                if ch == "\\" and i + 1 < n:
                    cur += {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}.get(line[i + 1], line[i + 1])
                    i += 2
                    continue
                if ch == '"':
                    quote = None
                    i += 1
                    break
                cur += ch
            elif quote == "'":
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    cur += "'"
                    i += 2
                    continue
                if ch == "'":
                    quote = None
                    i += 1
                    break
                cur += ch
            else:
                if ch.isspace():
                    break
                if ch in "\"'":
                    quote = ch
                else:
                    cur += ch
            i += 1
        if quote is not None:
            raise ValueError("unbalanced quotes: " + line)
        args.append(cur)


def main():
    port = int(sys.argv[1])
    for path in sys.argv[2:]:
        c = Conn(port)
        c.s.sendall(encode(["FLUSHALL"]))
        c.read()
        out = []
        for raw in open(path, encoding="latin-1").read().splitlines():
            if raw.startswith("=> "):
                continue
            out.append(raw)
            if not raw.strip() or raw.startswith("#"):
                continue
            if raw.strip() == "!resp3":
                c.s.sendall(encode(["HELLO", "3"]))
                c.read()
                continue
            c.s.sendall(encode(split(raw)))
            out.append("=> " + c.read())
        open(path, "w", encoding="latin-1").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
