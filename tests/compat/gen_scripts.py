#!/usr/bin/env python3
"""Writes the generated compat scripts (too long to keep by hand):
scripts/thresholds.redis crosses the listpack -> hashtable conversion points
(512/513 entries, 64/65-byte strings, lowered limits, the ziplist aliases).
Run it after changing it and commit its output."""
import os

here = os.path.dirname(os.path.abspath(__file__))
lines = []
add = lines.append
# 512 fields in one HSET stay a listpack; the 513th converts.
add("HSET big " + " ".join(f"f{i} v{i}" for i in range(512)))
add("OBJECT ENCODING big")
add("HSET big f511 changed")
add("OBJECT ENCODING big")
add("HSET big f512 v512")
add("OBJECT ENCODING big")
add("HLEN big")
add("HGET big f0")
add("HGET big f512")
add("HDEL big " + " ".join(f"f{i}" for i in range(500)))
add("OBJECT ENCODING big")
add("HLEN big")
# One field at a time.
for i in range(513):
    add(f"HSET one f{i} {i}")
    if i in (510, 511, 512):
        add("OBJECT ENCODING one")
# 64/65-byte values and fields, through each writing command.
add(f"HSET v64 f {'x' * 64}")
add("OBJECT ENCODING v64")
add(f"HSET v64 g {'y' * 65}")
add("OBJECT ENCODING v64")
add(f"HGET v64 f")
add(f"HSET f64 {'k' * 64} v")
add("OBJECT ENCODING f64")
add(f"HSET f65 {'k' * 65} v")
add("OBJECT ENCODING f65")
add(f"HSETNX nx f {'z' * 65}")
add("OBJECT ENCODING nx")
add(f"HSETNX nx2 f {'z' * 64}")
add("OBJECT ENCODING nx2")
add(f"HMSET mm a 1 b {'m' * 65}")
add("OBJECT ENCODING mm")
add("HINCRBYFLOAT fl f 1e63")
add("OBJECT ENCODING fl")
add("HINCRBYFLOAT fl2 f 5e64")
add("OBJECT ENCODING fl2")
add("HINCRBY ib f 9223372036854775807")
add("OBJECT ENCODING ib")
# Lowered limits convert on the next write, not on reads or deletes.
add("HSET low a 1 b 2 c 3")
add("CONFIG SET hash-max-listpack-entries 2")
add("CONFIG GET hash-max-listpack-entries")
add("CONFIG GET hash-max-ziplist-entries")
add("HGET low a")
add("OBJECT ENCODING low")
add("HDEL low c")
add("OBJECT ENCODING low")
add("HSET low a 9")
add("OBJECT ENCODING low")
add("CONFIG SET hash-max-ziplist-entries 512")
add("CONFIG GET hash-max-listpack-entries")
add("CONFIG SET hash-max-ziplist-value 3")
add("CONFIG GET hash-max-listpack-value")
add("HSET short a abc")
add("OBJECT ENCODING short")
add("HSET short b abcd")
add("OBJECT ENCODING short")
add("CONFIG SET hash-max-listpack-value 64")
add("CONFIG SET hash-max-listpack-entries 0")
add("HSET zero a 1")
add("OBJECT ENCODING zero")
add("CONFIG SET hash-max-listpack-entries 512")
add("CONFIG SET hash-max-listpack-entries 512 hash-max-listpack-value 64")
add("CONFIG SET hash-max-listpack-entries 1 foo 2")
add("CONFIG GET hash-max-listpack-entries")

with open(os.path.join(here, "scripts", "thresholds.redis"), "w") as f:
    f.write("\n".join(lines) + "\n")
