"""Shared pieces of the tests in tests/rdb: random keyspaces, and writing
one into hashstore (through hashstore-cli) as a snapshot or an RDB file.

The process helpers (RedisProcess, Ports, Resp, run_cli, quote) come from
tools/redis_scale_out.py, which the README quotes.
"""
import argparse
import os
import random
import signal
import subprocess
import sys

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, os.path.abspath(TOOLS))
import redis_scale_out as rso  # noqa: E402

Y2100 = 4102444800000  # Unix ms, far enough ahead for any test run


def random_bytes(rng, n, alphabet=b"abcxyz019 :-_\"\\\x00\xff\n\r"):
    return bytes(rng.choice(alphabet) for _ in range(n))


def random_hash(rng, kind):
    """Fields and values of one hash: kind 0 crosses 512 fields (a table),
    kind 1 has a value over 64 bytes (a table, compressible), the rest are
    small (listpacks) with integers, empty and binary strings."""
    n = 520 + rng.randrange(100) if kind == 0 else 1 + rng.randrange(10)
    h = {}
    for j in range(n):
        r = rng.randrange(4)
        f = b"f%d" % j if r else (b"%d" % j if rng.randrange(2) else random_bytes(rng, rng.randrange(1, 6)))
        r = rng.randrange(5)
        if r == 0:
            v = b"%d" % rng.randrange(-10**12, 10**12)
        elif r == 1:
            v = b"%d" % rng.randrange(-300, 300)
        elif r == 2:
            v = b""
        elif r == 3:
            v = random_bytes(rng, rng.randrange(1, 20))
        else:
            v = b"v%d" % j
        h[f] = v
    if kind == 1:
        h[b"long"] = b"ab" * rng.randrange(33, 200)  # 66..398 bytes, LZF-compressible
    return h


def hashstore_model(seed, keys):
    """{key: (fields dict in insertion order, TTL ms or None)}; key names
    may hold any byte, NUL included."""
    rng = random.Random(seed)
    model = {}
    for i in range(keys):
        key = b"k%d:%d:" % (seed, i) + random_bytes(rng, rng.randrange(0, 4))
        kind = rng.randrange(10)
        ttl = Y2100 + rng.randrange(10**6) if rng.randrange(3) == 0 else None
        model[key] = (random_hash(rng, kind), ttl)
    return model


def write_model(cli, data_dir, model, rdb_name=None):
    """Writes model into a hashstore-cli working in data_dir and SAVEs it:
    as a hashstore snapshot, or (rdb_name) as an RDB file of that name."""
    commands = []
    if rdb_name:
        commands += [[b"CONFIG", b"SET", b"snapshot-format", b"rdb"],
                     [b"CONFIG", b"SET", b"dbfilename", rdb_name.encode()]]
    for key, (fields, ttl) in model.items():
        items = list(fields.items())
        for i in range(0, len(items), 100):
            cmd = [b"HSET", key]
            for f, v in items[i:i + 100]:
                cmd += [f, v]
            commands.append(cmd)
        if ttl is not None:
            commands.append([b"PEXPIREAT", key, b"%d" % ttl])
    commands.append([b"SAVE"])
    replies = rso.run_cli([cli, "--dir", data_dir], commands)
    if replies[-1] != b"OK":
        raise RuntimeError(f"SAVE replied {replies[-1]!r}")


def expected_encoding(fields):
    """Redis's (and hashstore's) rule at the default thresholds."""
    small = len(fields) <= 512 and all(len(f) <= 64 and len(v) <= 64 for f, v in fields.items())
    return b"listpack" if small else b"hashtable"


def check_rdb(path):
    """redis-check-rdb's verdict: (ok, its output)."""
    res = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True)
    return "RDB looks OK" in res.stdout, res.stdout + res.stderr


def main_over_seeds(run_seed, noun):
    """The tests' command line: --cli PATH [--seeds N] [--keys N]; runs
    run_seed(cli, seed, keys) -> list of errors for seeds 1..N, prints them
    (the first 20 a seed) and a line per seed. Exit status 0, 1 (a seed
    failed) or 77 (redis tools missing)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--keys", type=int, default=300)
    args = ap.parse_args()
    if rso.missing_tools():
        print("skipped: missing " + ", ".join(rso.missing_tools()))
        return rso.SKIP
    signal.signal(signal.SIGTERM, rso.on_signal)
    failed = 0
    for seed in range(1, args.seeds + 1):
        errors = run_seed(args.cli, seed, args.keys)
        for e in errors[:20]:
            print(f"seed {seed}: {e}")
        print(f"seed {seed}: {args.keys} {noun}, {'FAILED' if errors else 'ok'}")
        failed += bool(errors)
    return 1 if failed else 0
