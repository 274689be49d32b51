#!/usr/bin/env python3
"""hashstore -> Redis: an RDB file hashstore writes loads into a real
redis-server 7.0 with every key intact.

  hashstore_to_redis.py --cli PATH [--seeds N] [--keys N]

Per seed:
1. A random keyspace (rdb_models.hashstore_model: listpack and table
   hashes, integers, empty and binary strings, binary key names, key TTLs)
   goes into hashstore-cli, which SAVEs it with CONFIG SET snapshot-format
   rdb; `hashstore-cli --export-rdb` writes the same keyspace again from
   that file.
2. redis-check-rdb must accept both files.
3. A redis-server started on the first file must hold exactly the model:
   every key's HGETALL (in order for a listpack; as a multiset for a
   hashtable), PEXPIRETIME, and OBJECT ENCODING by the shared rule.

Servers take ports from $HASHSTORE_RDB_PORTS (default 22200-22299) and are
stopped by their PID. Skipped (77) without redis-server, redis-cli or
redis-check-rdb.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdb_models  # noqa: E402
from rdb_models import rso  # noqa: E402


def run_seed(cli, seed, keys):
    model = rdb_models.hashstore_model(seed, keys)
    work = tempfile.mkdtemp(prefix="hs-to-redis-")
    server = None
    errors = []
    try:
        rdb_models.write_model(cli, work, model, rdb_name="dump.rdb")
        exported = os.path.join(work, "exported.rdb")
        subprocess.run([cli, "--dir", work, "--dbfilename", "dump.rdb",
                        "--export-rdb", exported], check=True)
        for path in (os.path.join(work, "dump.rdb"), exported):
            ok, out = rdb_models.check_rdb(path)
            if not ok:
                errors.append(f"redis-check-rdb refused {path}:\n{out}")
        server = rso.RedisProcess(rso.Ports().take(), work, "--dbfilename", "dump.rdb")
        r = rso.Resp(server.port)
        if r.call(b"DBSIZE") != len(model):
            errors.append(f"redis-server holds {r.call(b'DBSIZE')} keys, the model {len(model)}")
        commands = []
        for key in model:
            commands += [[b"HGETALL", key], [b"PEXPIRETIME", key], [b"OBJECT", b"ENCODING", key]]
        replies = r.pipeline(commands)
        for i, (key, (fields, ttl)) in enumerate(model.items()):
            flat, expire, encoding = replies[3 * i:3 * i + 3]
            got = list(zip(flat[0::2], flat[1::2]))
            want = list(fields.items())
            if encoding != rdb_models.expected_encoding(fields):
                errors.append(f"{key!r}: OBJECT ENCODING {encoding!r}")
            if encoding == b"hashtable":
                got, want = sorted(got), sorted(want)
            if got != want:
                errors.append(f"{key!r}: HGETALL differs")
            if expire != (ttl if ttl is not None else -1):
                errors.append(f"{key!r}: PEXPIRETIME {expire}, model {ttl}")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return errors


def main():
    return rdb_models.main_over_seeds(run_seed, "keys")


if __name__ == "__main__":
    sys.exit(main())
