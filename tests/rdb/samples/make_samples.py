#!/usr/bin/env python3
"""Builds the checked-in RDB sample files of tests/rdb/samples (see README.md).

  make_samples.py [--out DIR]              the hand-built Redis 7.4+/8 files
  make_samples.py --redis [--out DIR]      the files saved by a real
                                           redis-server (Debian's 7.0)

The hand-built files are written from the RDB specification and Redis's
src/rdb.c, with everything encoded here (CRC-64, lengths, listpacks, an LZF
compressor) independently of hashstore's C++ code, so that the C++ reader
is checked against a second reading of the format. They are deterministic:
running this again gives the same bytes.

--redis starts redis-server on a port from $HASHSTORE_RDB_PORTS (first-last,
default 22200-22299), fills it with redis-cli, SAVEs, copies the file, and
stops the server by its PID.
"""
import argparse
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- CRC-64/Jones, reflected, bit by bit -----------------------------------

POLY_REFLECTED = int(bin(0xAD93D23594C935A9)[2:].zfill(64)[::-1], 2)


def crc64(data, crc=0):
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ POLY_REFLECTED if crc & 1 else crc >> 1
    return crc


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

# ---- RDB primitives -----------------------------------------------------------


def rlen(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def rstr(s):
    if isinstance(s, str):
        s = s.encode()
    return rlen(len(s)) + s


def lzf_compress(data):
    """A greedy LZF compressor (liblzf's format: a control byte below 32 is a
    run of ctrl+1 literals; otherwise len = ctrl >> 5 (7: plus the next
    byte), the offset's high bits in ctrl & 31 and its low byte after;
    len + 2 bytes are copied from offset + 1 back)."""
    out, lit, i, seen = bytearray(), bytearray(), 0, {}

    def flush():
        while lit:
            run = lit[:32]
            del lit[:32]
            out.append(len(run) - 1)
            out.extend(run)

    while i < len(data):
        key = data[i:i + 3]
        j = seen.get(key) if len(key) == 3 else None
        seen[key] = i
        if j is not None and i - j - 1 < 8192:
            n = 3
            while i + n < len(data) and n < 264 and data[j + n] == data[i + n]:
                n += 1
            flush()
            off, ln = i - j - 1, n - 2
            if ln < 7:
                out.append((ln << 5) | (off >> 8))
            else:
                out.append((7 << 5) | (off >> 8))
                out.append(ln - 7)
            out.append(off & 0xFF)
            i += n
        else:
            lit.append(data[i])
            i += 1
    flush()
    return bytes(out)


def lzf_decompress(data, size):
    out, i = bytearray(), 0
    while i < len(data):
        c = data[i]
        i += 1
        if c < 32:
            out += data[i:i + c + 1]
            i += c + 1
        else:
            ln = c >> 5
            if ln == 7:
                ln += data[i]
                i += 1
            ref = len(out) - ((c & 31) << 8) - data[i] - 1
            i += 1
            for k in range(ln + 2):
                out.append(out[ref + k])
    assert len(out) == size
    return bytes(out)


def rstr_lzf(s):
    """A string in LZF form (0xC3 clen ulen data), as Redis writes values
    over 20 bytes with rdbcompression yes."""
    c = lzf_compress(s)
    assert lzf_decompress(c, len(s)) == s and len(c) < len(s)
    return b"\xC3" + rlen(len(c)) + rlen(len(s)) + c


def le64(v):
    return struct.pack("<q", v)


def aux(k, v):
    return b"\xFA" + rstr(k) + rstr(v)


# ---- Listpacks (the public listpack specification) ---------------------------


def lp_entry(e):
    if isinstance(e, int):
        v = e
        if 0 <= v <= 127:
            enc = bytes([v])
        elif -4096 <= v <= 4095:
            u = v & 0x1FFF
            enc = bytes([0xC0 | (u >> 8), u & 0xFF])
        elif -(1 << 15) <= v < (1 << 15):
            enc = b"\xF1" + struct.pack("<h", v)
        elif -(1 << 23) <= v < (1 << 23):
            enc = b"\xF2" + struct.pack("<i", v)[:3]
        elif -(1 << 31) <= v < (1 << 31):
            enc = b"\xF3" + struct.pack("<i", v)
        else:
            enc = b"\xF4" + struct.pack("<q", v)
    else:
        s = e.encode() if isinstance(e, str) else e
        n = len(s)
        if n < 64:
            enc = bytes([0x80 | n]) + s
        elif n < 4096:
            enc = bytes([0xE0 | (n >> 8), n & 0xFF]) + s
        else:
            enc = b"\xF0" + struct.pack("<I", n) + s
    n = len(enc)
    if n < 128:
        back = bytes([n])
    else:  # 7 bits a byte; the lowest address holds the high bits, flag clear
        parts = []
        while n:
            parts.append(n & 127)
            n >>= 7
        back = bytes([parts[-1]] + [p | 128 for p in reversed(parts[:-1])])
    return enc + back


def canonical(e):
    """Redis stores a string that is a canonical int64 as an integer."""
    if isinstance(e, str) and e and len(e) <= 20:
        try:
            v = int(e)
        except ValueError:
            return e
        if str(v) == e and -(1 << 63) <= v < (1 << 63):
            return v
    return e


def listpack(entries):
    body = b"".join(lp_entry(canonical(e)) for e in entries)
    count = len(entries) if len(entries) < 65535 else 65535
    return struct.pack("<IH", 6 + len(body) + 1, count) + body + b"\xFF"


# ---- The files -------------------------------------------------------------------

Y2100 = 4102444800000  # 2100-01-01 in Unix ms: in the future for any test run
PAST = 1000000000000   # 2001-09-09: expired


def rdb_file(version, body):
    data = b"REDIS%04d" % version + body + b"\xFF"
    return data + struct.pack("<Q", crc64(data))


def header_aux(ver):
    return (aux("redis-ver", ver) + aux("redis-bits", "64") + aux("ctime", "1735689600") +
            aux("used-mem", "1048576") + aux("aof-base", "0"))


def listpack_ex():
    """Type 25: listpack hashes with field TTLs, as Redis 7.4 writes them."""
    b = header_aux("7.4.0") + b"\xFE" + rlen(0) + b"\xFB" + rlen(3) + rlen(1)
    # session:1 — two fields with TTLs (ascending), one without (TTL 0, last).
    b += bytes([25]) + rstr("session:1") + le64(Y2100)
    b += rstr(listpack(["token", "abc123", Y2100, "ip", "10.0.0.1", Y2100 + 1000,
                       "user", "42", 0]))
    # session:2 — its first field expired long ago; the key has a TTL too.
    b += b"\xFC" + le64(Y2100 + 5000)
    b += bytes([25]) + rstr("session:2") + le64(PAST)
    b += rstr(listpack(["old", "x", PAST, "cur", "y", Y2100, "keep", "z", 0]))
    # plain — type 16 beside them, its listpack LZF-compressed.
    b += bytes([16]) + rstr("plain") + rstr_lzf(listpack(["a", "1", "b", "x" * 40, "c", "x" * 40]))
    return rdb_file(12, b)


def metadata():
    """Type 24: hashtable hashes with field TTLs, TTLs relative to the
    minimum (stored as TTL - min + 1; 0 for none)."""
    b = header_aux("8.0.0") + b"\xFE" + rlen(0)
    # big — 600 fields f0..f599 -> v0..v599; every third has TTL
    # Y2100 + i; f1 expired (PAST), which is therefore the minimum.
    b += bytes([24]) + rstr("big") + le64(PAST) + rlen(600)
    for i in range(600):
        if i == 1:
            ttl = PAST
        elif i % 3 == 0:
            ttl = Y2100 + i
        else:
            ttl = 0
        b += rlen(ttl - PAST + 1 if ttl else 0) + rstr("f%d" % i) + rstr("v%d" % i)
    # small — 3 fields, one with a TTL: a listpack once loaded.
    b += bytes([24]) + rstr("small") + le64(Y2100 + 7) + rlen(3)
    b += rlen(0) + rstr("a") + rstr("1")
    b += rlen(1) + rstr("b") + rstr("2")
    b += rlen(0) + rstr("c") + rstr_lzf(b"c" * 50)
    return rdb_file(12, b)


def records():
    """The records a Redis 8 file may hold besides hashes: SLOT_INFO,
    FUNCTION2, MODULE_AUX, IDLE, FREQ; 7.4 release-candidate hash types 22
    and 23; and a string key (loads with skip_unsupported only)."""
    b = header_aux("8.2.0")
    b += b"\xF5" + rstr("#!lua name=mylib\nredis.register_function('f', function() return 1 end)")
    # MODULE_AUX: id, when-opcode 2 (UINT), when, then a module value.
    b += b"\xF7" + rlen(0x1234567 << 10) + rlen(2) + rlen(2)
    b += rlen(2) + rlen(7) + rlen(3) + struct.pack("<f", 1.5) + rlen(4) + struct.pack("<d", 2.5)
    b += rlen(5) + rstr("aux") + rlen(0)
    b += b"\xFE" + rlen(0) + b"\xFB" + rlen(4) + rlen(0)
    b += b"\xF4" + rlen(1234) + rlen(2) + rlen(0)   # SLOT_INFO slot size expires
    b += b"\xF8" + rlen(3600) + bytes([22]) + rstr("pre22") + rlen(2)
    b += rlen(Y2100 + 1) + rstr("f") + rstr("1") + rlen(0) + rstr("g") + rstr("2")
    b += b"\xF9" + bytes([7]) + bytes([23]) + rstr("pre23")
    b += rstr(listpack(["f", "1", Y2100 + 2, "g", "2", 0]))
    b += b"\xF4" + rlen(5000) + rlen(2) + rlen(0)
    b += bytes([0]) + rstr("a-string") + rstr("value")
    b += bytes([16]) + rstr("h") + rstr(listpack(["n", "-5", "big", str(1 << 62)]))
    return rdb_file(12, b)


HAND_BUILT = {
    "redis74_listpack_ex.rdb": listpack_ex,
    "redis8_metadata.rdb": metadata,
    "redis8_records.rdb": records,
}

# ---- Files saved by a real redis-server -----------------------------------------


def port_range():
    spec = os.environ.get("HASHSTORE_RDB_PORTS", "22200-22299")
    first, last = spec.split("-")
    return int(first), int(last)


def start_redis(workdir):
    first, last = port_range()
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                return proc, port
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    sys.exit("no free port for redis-server")


def redis_files(out):
    workdir = tempfile.mkdtemp()
    proc, port = start_redis(workdir)
    try:
        def cli(*args):
            subprocess.run(["redis-cli", "-p", str(port)] + list(args), check=True,
                           stdout=subprocess.DEVNULL)

        # redis70_small.rdb: a listpack, a hashtable (a 100-byte value,
        # LZF-compressed), integers, an empty value, binary bytes, key TTLs.
        cli("HSET", "user:1", "name", "Ann", "age", "30", "score", "-12345678901")
        cli("HSET", "blob", "long", "x" * 100, "n", "7", "e", "")
        cli("HSET", "ttl", "f", "v")
        cli("PEXPIREAT", "ttl", str(Y2100))
        cli("HSET", "bin\x01key", "\x01", "\xfe")
        cli("SAVE")
        shutil.copy(os.path.join(workdir, "dump.rdb"), os.path.join(out, "redis70_small.rdb"))
        # redis70_types.rdb: the same plus every other type, and db 1.
        cli("SET", "str", "value")
        cli("SET", "num", "12345")
        cli("RPUSH", "list", "a", "b", "c")
        cli("SADD", "intset", "1", "2", "3")
        cli("SADD", "set", "a", "b")
        cli("ZADD", "zset", "1.5", "a", "2", "b")
        cli("XADD", "stream", "1-1", "f", "v")
        cli("XGROUP", "CREATE", "stream", "grp", "0")
        cli("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">")
        cli("-n", "1", "HSET", "db1hash", "f", "v")
        cli("SAVE")
        shutil.copy(os.path.join(workdir, "dump.rdb"), os.path.join(out, "redis70_types.rdb"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--redis", action="store_true")
    args = ap.parse_args()
    if args.redis:
        redis_files(args.out)
        return
    for name, build in HAND_BUILT.items():
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(build())


if __name__ == "__main__":
    main()
