#!/usr/bin/env python3
"""Compares hashstore-cli with a real redis-server, reply for reply.

Two modes, both run by the meson test 'compat' (suite compat):

  scripts  every tests/compat/scripts/*.redis file is run through
           `redis-cli --no-raw` against a fresh redis-server and through a
           fresh hashstore-cli; the outputs must be identical.
  random   seeded random command sequences over a small alphabet of keys,
           fields and values (int64 limits, floats, empty and 70-byte
           strings, enough fields to cross the thresholds) are run on both;
           replies are compared one by one, as multisets where Redis leaves
           the order undefined (HGETALL, HKEYS, HVALS of a hashtable hash).

Each redis-server is started here on 127.0.0.1 with a free port, without
persistence, and stopped by the PID this script started. Without a
redis-server binary the test is skipped (exit 77).

  run_compat.py --cli PATH [--scripts DIR] [--seeds N] [--first-seed S]
                [--commands-per-seed N]

Each script starts on an empty server with the default hash thresholds
(FLUSHALL, CONFIG SET). The random mode's first seed is 1, or
$HASHSTORE_SEED. Servers take ports from $HASHSTORE_COMPAT_PORTS
("first-last", default 21300-21399), skipping ports in use.
"""
import argparse
import difflib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

SKIP = 77


# Ports the servers may use: HASHSTORE_COMPAT_PORTS="first-last" (so that
# several people on one machine can keep to their own ranges).
DEFAULT_PORTS = (21300, 21399)
# CONFIG SET that puts back the defaults a script may have changed.
RESET = ("FLUSHALL\n"
         "CONFIG SET hash-max-listpack-entries 512 hash-max-listpack-value 64\n")


def port_range():
    spec = os.environ.get("HASHSTORE_COMPAT_PORTS", "")
    if spec:
        first, _, last = spec.partition("-")
        return int(first), int(last or first)
    return DEFAULT_PORTS


class RedisServer:
    """A redis-server of our own on a free loopback port of port_range()."""

    def __init__(self):
        self.proc = None
        self.port = None

    def __enter__(self):
        first, last = port_range()
        candidates = list(range(first, last + 1))
        random.Random(os.getpid()).shuffle(candidates)
        for port in candidates[:20]:
            if not port_is_free(port):
                continue
            proc = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--daemonize", "no",
                 # DEBUG OBJECT's replies are compared (introspection.redis).
                 "--enable-debug-command", "local"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.proc = proc  # stopped by __exit__ even if wait_ready is interrupted
            if wait_ready(port, proc):
                self.port = port
                return self
            stop(proc)  # the port was taken meanwhile, or the server died: next one
            self.proc = None
        raise RuntimeError(f"could not start redis-server on a port in {first}-{last}")

    def __exit__(self, *exc):
        stop(self.proc)


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_ready(port, proc):
    """Whether the server answering on port is proc (not someone else's that
    took the port first), waiting up to 10 s for it to start."""
    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"INFO server\r\n")
                data = b""
                while b"process_id:" not in data or not data.endswith(b"\r\n"):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                for line in data.split(b"\r\n"):
                    if line.startswith(b"process_id:"):
                        return int(line.split(b":")[1]) == proc.pid
                return False
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def on_signal(signum, _frame):
    """SIGTERM (meson's timeout) and SIGHUP unwind like ^C, so every
    `with RedisServer()` stops its server."""
    raise KeyboardInterrupt(f"signal {signum}")


def run_redis(port, text):
    return subprocess.run(["redis-cli", "--no-raw", "-p", str(port)],
                          input=text.encode("latin-1"),
                          stdout=subprocess.PIPE, check=True, timeout=300).stdout.decode("latin-1")


def run_hashstore(cli, text):
    return subprocess.run([cli], input=text.encode("latin-1"), stdout=subprocess.PIPE, check=True,
                          timeout=300).stdout.decode("latin-1")


# ---- scripts mode -------------------------------------------------------------

def run_scripts(cli, directory):
    failures = 0
    names = sorted(n for n in os.listdir(directory) if n.endswith(".redis"))
    for name in names:
        with open(os.path.join(directory, name), encoding="latin-1") as f:
            text = f.read()
        with RedisServer() as server:
            run_redis(server.port, RESET)
            want = run_redis(server.port, text)
        got = run_hashstore(cli, text)
        if want == got:
            print(f"ok   {name}")
            continue
        failures += 1
        print(f"FAIL {name}")
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "redis-server", "hashstore"))
    return len(names), failures


# ---- random mode ----------------------------------------------------------------

MARK = "__hashstore_compat_mark__"
KEYS = ["k1", "k2", "k3", "big"]
FIELDS = [f"f{i}" for i in range(12)] + ["", "x" * 70]
VALUES = ["", "0", "1", "-1", "10", "9223372036854775807", "-9223372036854775808",
          "1.5", "-0.25", "3006.5", "abc", "01", "x" * 63, "y" * 70, "1e10"]
INCRS = ["1", "-1", "100", "9223372036854775807", "-9223372036854775808", "abc", "+1", "0"]
FLOATS = ["0.1", "-1.5", "1e3", "0.001", "inf", "abc", "5e64", "-0.0"]


def q(s):
    """Quotes s for redis-cli's parser."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def random_command(rng):
    key = q(rng.choice(KEYS))
    field = q(rng.choice(FIELDS))
    value = q(rng.choice(VALUES))
    op = rng.randrange(20)
    if op < 5:
        pairs = " ".join(f"{q(rng.choice(FIELDS))} {q(rng.choice(VALUES))}"
                         for _ in range(rng.randrange(1, 4)))
        return f"HSET {key} {pairs}", False
    if op == 5:
        return f"HSETNX {key} {field} {value}", False
    if op == 6:
        return f"HDEL {key} {field} {q(rng.choice(FIELDS))}", False
    if op == 7:
        return f"HGET {key} {field}", False
    if op == 8:
        return f"HMGET {key} {field} {q(rng.choice(FIELDS))}", False
    if op == 9:
        return f"HINCRBY {key} {field} {rng.choice(INCRS)}", False
    if op == 10:
        return f"HINCRBYFLOAT {key} {field} {rng.choice(FLOATS)}", False
    if op == 11:
        return f"HLEN {key}", False
    if op == 12:
        return f"HEXISTS {key} {field}", False
    if op == 13:
        return f"HSTRLEN {key} {field}", False
    if op == 14:
        return f"OBJECT ENCODING {key}", False
    if op == 15:
        return f"{rng.choice(['HGETALL', 'HKEYS', 'HVALS'])} {key}", True
    if op == 16:
        return f"EXISTS {key} {q(rng.choice(KEYS))}", False
    if op == 17:
        if rng.randrange(10) == 0:
            return f"DEL {key}", False
        return f"HSET big " + " ".join(f"g{rng.randrange(600)} v" for _ in range(40)), False
    if op == 18:
        return f"RENAME {key} {q(rng.choice(KEYS))}", False
    return f"COPY {key} {q(rng.choice(KEYS))} REPLACE", False


def split_replies(output):
    """Splits on the marker lines ECHO prints between commands."""
    parts, current = [], []
    for line in output.splitlines():
        if line == f'"{MARK}"':
            parts.append(current)
            current = []
        else:
            current.append(line)
    return parts


def normalized(lines):
    """Reply lines without their array indexes, sorted (order-free view)."""
    out = []
    for line in lines:
        head, sep, rest = line.partition(") ")
        out.append(rest if sep and head.strip().isdigit() else line)
    return sorted(out)


def run_random(cli, first_seed, seeds, per_seed):
    failures = 0
    with RedisServer() as server:
        for seed in range(first_seed, first_seed + seeds):
            rng = random.Random(seed)
            commands = [random_command(rng) for _ in range(per_seed)]
            text = RESET + f"ECHO {MARK}\n" + "".join(f"{c}\nECHO {MARK}\n" for c, _ in commands)
            # [1:]: RESET's replies go first.
            want = split_replies(run_redis(server.port, text))[1:]
            got = split_replies(run_hashstore(cli, text))[1:]
            if len(want) != len(commands) or len(got) != len(commands):
                failures += 1
                print(f"FAIL seed {seed}: {len(commands)} commands, {len(want)} redis replies, "
                      f"{len(got)} hashstore replies")
                continue
            for i, (command, unordered) in enumerate(commands):
                w, g = want[i], got[i]
                same = normalized(w) == normalized(g) if unordered else w == g
                if not same:
                    failures += 1
                    print(f"FAIL seed {seed} command {i}: {command}\n  redis:     {w}\n  hashstore: {g}")
                    break
            else:
                print(f"ok   seed {seed} ({per_seed} commands)")
    return seeds, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--scripts")
    ap.add_argument("--seeds", type=int, default=0)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--commands-per-seed", type=int, default=400)
    args = ap.parse_args()
    if "HASHSTORE_SEED" in os.environ:
        args.first_seed = int(os.environ["HASHSTORE_SEED"])
    sys.stdout.reconfigure(errors="backslashreplace")  # diffs may hold any byte
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        print("redis-server/redis-cli not installed: skipped")
        return SKIP
    total = failed = 0
    if args.scripts:
        n, f = run_scripts(args.cli, args.scripts)
        total, failed = total + n, failed + f
    if args.seeds:
        n, f = run_random(args.cli, args.first_seed, args.seeds, args.commands_per_seed)
        total, failed = total + n, failed + f
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        print(f"interrupted ({e or 'SIGINT'}); servers stopped")
        sys.exit(130)
