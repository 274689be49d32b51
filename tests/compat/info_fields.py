#!/usr/bin/env python3
"""INFO's field names against redis-server 7.0: every field hashstore's
INFO prints is also in Redis's INFO (same section), except the ones
README "Introspection" names as hashstore's own; and every section title
but Encodings is Redis's.

  info_fields.py --cli PATH

Both run the same commands first (so that commandstats, errorstats and
latencystats have lines), then `INFO everything`. The redis-server is
started and stopped as run_compat.py does (same port range). Exit 77
without redis-server."""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_compat  # noqa: E402

COMMANDS = ("CONFIG SET latency-tracking yes\nHSET k f v\nHGET k f\nHINCRBY k f 1\n"
            "NOSUCH\nINFO everything\n")
# hashstore's own fields (README "Introspection"): not in Redis 7.0.
OWN = {"hashstore_version", "hashstore_build", "shards", "thread_safe", "allocator_mapped",
       "slab_bytes", "slab_live_bytes", "slab_frag_ratio",
       "expired_subkeys", "hashes_listpack", "hashes_listpackex", "hashes_hashtable"}


def fields(text):
    """{(section, field)} of an INFO text, and the section titles."""
    out, titles, section = set(), set(), None
    for line in text.replace("\r", "").split("\n"):
        if line.startswith("# "):
            section = line[2:]
            titles.add(section)
        elif ":" in line and section:
            name = line.split(":", 1)[0]
            # Per-command and per-error lines: compare the prefix only.
            for prefix in ("cmdstat_", "errorstat_", "latency_percentiles_usec_"):
                if name.startswith(prefix):
                    name = prefix + "*"
            out.add((section, name))
    return out, titles


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args = ap.parse_args()
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        print("redis-server/redis-cli not installed: skipped")
        return run_compat.SKIP
    with run_compat.RedisServer() as server:
        theirs, their_titles = fields(run_compat.run_redis(server.port, COMMANDS))
    ours, our_titles = fields(run_compat.run_hashstore(args.cli, COMMANDS))
    bad = 0
    for title in sorted(our_titles - their_titles - {"Encodings"}):
        print(f"section {title}: not a Redis section")
        bad += 1
    for section, name in sorted(ours):
        if section == "Encodings" or name in OWN:
            continue
        if (section, name) not in theirs:
            print(f"{section} {name}: not in Redis's INFO")
            bad += 1
    for name in sorted(OWN):
        if any(n == name for _, n in theirs):
            print(f"{name}: listed as hashstore's own but Redis has it")
            bad += 1
    shared = sum(1 for s, n in ours if (s, n) in theirs)
    print(f"{shared} fields shared with Redis, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
