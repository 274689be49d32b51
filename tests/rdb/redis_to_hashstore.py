#!/usr/bin/env python3
"""Redis -> hashstore: a dump.rdb written by a real redis-server 7.0 loads
into hashstore with every hash intact.

  redis_to_hashstore.py --cli PATH [--seeds N] [--keys N]

Per seed, a redis-server (rdbcompression yes, the default) gets a random
keyspace through RESP: listpack and hashtable hashes (over 512 fields, or a
value over 64 bytes that LZF compresses), integer-encoded fields and values,
empty and binary strings, binary key names, key TTLs, and keys of every
other type in db 0 and in db 1; then SAVE. Then:

1. hashstore-cli loading that file without --rdb-skip-unsupported must
   stop (exit 1) naming a key that is not a hash in db 0, its type and db.
2. With --rdb-skip-unsupported it loads, and logs the counts: the db-0
   hashes loaded, every other key skipped.
3. Every hash key's HGETALL (as a multiset; in order for a listpack), OBJECT
   ENCODING, PEXPIRETIME, and PTTL (within a second of Redis's, allowing
   for the time between the two reads) must equal Redis's, and hashstore
   must hold no other key.

Servers take ports from $HASHSTORE_RDB_PORTS (default 22200-22299) and are
stopped by their PID. Skipped (77) without redis-server or redis-cli.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdb_models  # noqa: E402
from rdb_models import rso  # noqa: E402


def fill(r, rng, keys):
    """Writes a random keyspace; returns the db-0 hash keys and the count of
    every other key."""
    hashes, others = [], 0
    commands = []
    for i in range(keys):
        key = b"h%d:" % i + rdb_models.random_bytes(rng, rng.randrange(0, 4))
        kind = rng.randrange(10)
        fields = rdb_models.random_hash(rng, kind)
        items = list(fields.items())
        for j in range(0, len(items), 100):
            cmd = [b"HSET", key]
            for f, v in items[j:j + 100]:
                cmd += [f, v]
            commands.append(cmd)
        if rng.randrange(3) == 0:
            commands.append([b"PEXPIRE", key, b"%d" % rng.randrange(3600 * 1000, 365 * 86400 * 1000)])
        hashes.append(key)
    # Every other type, in db 0 and db 1, and hashes in db 1.
    for i in range(max(3, keys // 20)):
        commands += [
            [b"SET", b"str%d" % i, b"x" * rng.randrange(0, 50)],
            [b"SET", b"int%d" % i, b"%d" % rng.randrange(-1000, 1000)],
            [b"RPUSH", b"list%d" % i, b"a", b"b", b"1"],
            [b"SADD", b"intset%d" % i, b"1", b"2", b"3"],
            [b"SADD", b"set%d" % i, b"a", b"b"],
            [b"ZADD", b"zset%d" % i, b"1.5", b"a", b"2", b"b"],
            [b"XADD", b"stream%d" % i, b"*", b"f", b"v"],
        ]
        others += 7
    commands += [[b"XGROUP", b"CREATE", b"stream0", b"g", b"0"],
                 [b"XREADGROUP", b"GROUP", b"g", b"c", b"COUNT", b"1", b"STREAMS", b"stream0", b">"]]
    commands += [[b"SELECT", b"1"], [b"HSET", b"db1:hash", b"f", b"v"], [b"SET", b"db1:str", b"v"],
                 [b"SELECT", b"0"]]
    others += 2
    for reply in r.pipeline(commands):
        if isinstance(reply, rso.RespError):
            raise RuntimeError(f"redis-server: {reply}")
    return hashes, others


def run_seed(cli, seed, keys):
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="redis-to-hs-")
    server = None
    errors = []
    try:
        server = rso.RedisProcess(rso.Ports().take(), work, "--dbfilename", "dump.rdb")
        r = rso.Resp(server.port)
        hashes, others = fill(r, rng, keys)
        if r.call(b"SAVE") != b"OK":
            raise RuntimeError("SAVE failed")
        base = [cli, "--dir", work, "--dbfilename", "dump.rdb"]

        # 1. Refused without --rdb-skip-unsupported, naming a key that is not a db-0 hash.
        res = subprocess.run(base + ["DBSIZE"], capture_output=True)
        msg = res.stderr.decode("latin-1")
        m = re.search(r'key "([^"]*)" \(db (\d+)\): a ([a-z ]+) \(RDB type (\d+)\)', msg)
        if res.returncode != 1 or not m:
            errors.append(f"not refused as expected (exit {res.returncode}): {msg}")
        else:
            named, db, family = m.group(1).encode(), int(m.group(2)), m.group(3)
            r.call(b"SELECT", b"%d" % db)
            actual = r.call(b"TYPE", named)
            r.call(b"SELECT", b"0")
            if not (db != 0 or (family.split()[0] == actual.decode() and actual != b"hash")):
                errors.append(f"the refusal names {named!r} in db {db} as {family}, "
                              f"but it is a {actual!r}")

        # 2. Loaded with it; the log line counts.
        skip = base + ["--rdb-skip-unsupported"]
        res = subprocess.run(skip + ["DBSIZE"], capture_output=True)
        want = (f"{len(hashes)} keys; left out: 0 expired, {others} of other types or "
                f"databases, 0 empty")
        if res.returncode != 0 or want not in res.stderr.decode("latin-1"):
            errors.append(f"log line: {res.stderr!r}, want {want!r}")

        # 3. Key by key.
        commands = []
        for key in hashes:
            commands += [[b"HGETALL", key], [b"OBJECT", b"ENCODING", key], [b"PEXPIRETIME", key],
                         [b"PTTL", key]]
        theirs = r.pipeline(commands)
        t_redis = time.time()
        ours = rso.run_cli(skip, commands + [[b"DBSIZE"]])
        slack_ms = 1000 + int((time.time() - t_redis) * 1000)
        if ours[-1] != len(hashes):
            errors.append(f"hashstore holds {ours[-1]} keys, Redis {len(hashes)} hashes")
        encodings = set()
        for i, key in enumerate(hashes):
            (h_ours, e_ours, x_ours, t_ours) = ours[4 * i:4 * i + 4]
            (h_theirs, e_theirs, x_theirs, t_theirs) = theirs[4 * i:4 * i + 4]
            encodings.add(e_theirs)
            if e_ours != e_theirs:
                errors.append(f"{key!r}: OBJECT ENCODING {e_ours!r}, Redis {e_theirs!r}")
            if e_theirs == b"listpack":
                same = h_ours == h_theirs
            else:
                same = rso.pairs(h_ours) == rso.pairs(h_theirs)
            if not same:
                errors.append(f"{key!r}: HGETALL differs")
            if x_ours != x_theirs:
                errors.append(f"{key!r}: PEXPIRETIME {x_ours}, Redis {x_theirs}")
            if (t_theirs < 0 and t_ours != t_theirs) or (
                    t_theirs >= 0 and not t_theirs - slack_ms <= t_ours <= t_theirs):
                errors.append(f"{key!r}: PTTL {t_ours}, Redis {t_theirs}")
        if encodings != {b"listpack", b"hashtable"}:
            errors.append(f"the keyspace had only {encodings}")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return errors


def main():
    return rdb_models.main_over_seeds(run_seed, "hashes")


if __name__ == "__main__":
    sys.exit(main())
