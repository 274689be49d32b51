#!/usr/bin/env python3
"""Moving to Redis: a hashstore snapshot, exported as RESP, replays into a
real redis-server with every key's fields, values and TTL intact.

  export_to_redis.py --cli PATH [--seed N] [--keys N]

1. A seeded random model (small hashes, hashes over 512 fields, hashes with
   values over 64 bytes, binary bytes in keys, fields and values, key TTLs
   in the future) is written into `hashstore-cli --dir TMP` with HSET and
   PEXPIREAT, then SAVE.
2. `hashstore-cli --dir TMP --export-resp OUT` loads the snapshot and
   exports it; `redis-cli --pipe` replays OUT into a fresh redis-server
   (started by this script on a port from $HASHSTORE_COMPAT_PORTS, stopped by
   its PID), which must report no errors.
3. Every key's HGETALL (as a multiset: hashtable order is undefined) and
   PEXPIRETIME on the server must equal the model, and the server must hold
   no other key.

redis-server 7.0 has no field TTL commands, so the model has none (a unit
test checks the HPEXPIREAT lines). Skipped (77) without redis-server.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_compat  # noqa: E402  (RedisServer, SKIP, on_signal)


def quote(b):
    """Quotes bytes for redis-cli's line parser (\\xHH for the rest)."""
    out = []
    for c in b:
        ch = chr(c)
        if ch == "\\" or ch == '"':
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'


def random_bytes(rng, n):
    alphabet = b"abcxyz019 :-_\"\\\x00\xff\n\r"
    return bytes(rng.choice(alphabet) for _ in range(n))


def model(seed, keys):
    rng = random.Random(seed)
    data, ttls = {}, {}
    for i in range(keys):
        key = b"k%d:" % i + random_bytes(rng, rng.randrange(0, 4))
        kind = rng.randrange(10)
        n = 520 + rng.randrange(100) if kind == 0 else 1 + rng.randrange(10)
        h = {}
        for j in range(n):
            f = b"f%d" % j if rng.randrange(3) else random_bytes(rng, rng.randrange(1, 6))
            vlen = 100 if kind == 1 and j == 0 else rng.randrange(0, 20)
            h[f] = random_bytes(rng, vlen) if rng.randrange(2) else str(rng.randrange(-10**12, 10**12)).encode()
        data[key] = h
        if rng.randrange(3) == 0:
            ttls[key] = 4102444800000 + rng.randrange(10**6)  # year 2100
    return data, ttls


class Resp:
    """A minimal RESP2 client for the checks."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(1 << 16)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(1 << 16)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            raise RuntimeError(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)

    def call(self, *args):
        msg = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            msg += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(msg)
        return self._reply()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("HASHSTORE_SEED", "1")))
    ap.add_argument("--keys", type=int, default=300)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, run_compat.on_signal)
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        print("redis-server/redis-cli not installed: skipped")
        return run_compat.SKIP
    data, ttls = model(args.seed, args.keys)
    with tempfile.TemporaryDirectory(prefix="hs_export.") as tmp:
        script = []
        for key, h in data.items():
            pairs = " ".join(quote(f) + " " + quote(v) for f, v in h.items())
            script.append("HSET %s %s" % (quote(key), pairs))
            if key in ttls:
                script.append("PEXPIREAT %s %d" % (quote(key), ttls[key]))
        script.append("SAVE")
        r = subprocess.run([args.cli, "--dir", tmp], input="\n".join(script).encode("latin-1"),
                           capture_output=True, check=True)
        if not r.stdout.rstrip().endswith(b"OK"):
            print("SAVE failed:", r.stdout[-200:], r.stderr)
            return 1
        out = os.path.join(tmp, "export.resp")
        subprocess.run([args.cli, "--dir", tmp, "--export-resp", out], check=True)
        with run_compat.RedisServer() as server:
            with open(out, "rb") as f:
                pipe = subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"], stdin=f,
                                      capture_output=True)
            print(pipe.stdout.decode(errors="replace").strip())
            if pipe.returncode != 0 or b"errors: 0," not in pipe.stdout:
                print("redis-cli --pipe reported errors:", pipe.stderr)
                return 1
            c = Resp(server.port)
            failed = 0
            got_keys = set(c.call("KEYS", "*"))
            if got_keys != set(data):
                print("key sets differ: %d on the server, %d expected" % (len(got_keys), len(data)))
                failed += 1
            for key, h in data.items():
                flat = c.call("HGETALL", key)
                got = dict(zip(flat[0::2], flat[1::2]))
                if got != h or len(flat) != 2 * len(h):
                    print("HGETALL %r differs" % key)
                    failed += 1
                want_ttl = ttls.get(key, -1)
                got_ttl = c.call("PEXPIRETIME", key)
                if got_ttl != want_ttl:
                    print("PEXPIRETIME %r: %r, expected %r" % (key, got_ttl, want_ttl))
                    failed += 1
            print("%d keys compared, %d differences" % (len(data), failed))
            return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        print(f"interrupted ({e or 'SIGINT'}); server stopped")
        sys.exit(130)
