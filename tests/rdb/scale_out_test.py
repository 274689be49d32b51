#!/usr/bin/env python3
"""The scale-out path of the README, end to end: a random hashstore keyspace
(rdb_models.hashstore_model, binary key names included) saved as a
hashstore snapshot, then tools/redis_scale_out.py — export as RDB,
redis-check-rdb, a standalone redis-server on it, a three-master Redis
Cluster, `redis-cli --cluster import`, and every key's HGETALL and PTTL
read back through `redis-cli -c` compared with hashstore's.

  scale_out_test.py --cli PATH [--keys N] [--seed N]

Ports from $HASHSTORE_RDB_PORTS (default 22200-22299); every server is
stopped by its PID. Skipped (77) without redis-server, redis-cli or
redis-check-rdb.
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdb_models  # noqa: E402
from rdb_models import rso  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--keys", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if rso.missing_tools():
        print("skipped: missing " + ", ".join(rso.missing_tools()))
        return rso.SKIP
    signal.signal(signal.SIGTERM, rso.on_signal)
    work = tempfile.mkdtemp(prefix="hs-scale-out-test-")
    try:
        model = rdb_models.hashstore_model(args.seed, args.keys)
        rdb_models.write_model(args.cli, work, model)  # a hashstore snapshot
        if not any(b"\0" in k for k in model):
            print("the model has no key with a NUL byte")
            return 1
        return 0 if rso.scale_out(args.cli, work, None) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
