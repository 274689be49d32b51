#!/usr/bin/env python3
"""Writes lib/command/command_meta.cc: Redis's COMMAND INFO / DOCS facts
(flags, ACL categories, key specifications, summary, since, group,
complexity) of the commands hashstore has, read from a running
redis-server 7.0 (the oracle the compat tests use).

  gen_command_meta.py PORT > lib/command/command_meta.cc

Commands Redis 7.0 does not have (field TTLs, HGETDEL/HGETEX/HSETEX,
hashstore's own) are listed by hand in EXTRA below."""
import socket
import sys

NAMES = """hset hmset hsetnx hget hmget hgetall hkeys hvals hdel hlen hexists hstrlen
hincrby hincrbyfloat hscan hrandfield object object|encoding object|freq
object|idletime object|refcount object|help memory memory|usage memory|stats
memory|doctor memory|help memory|malloc-stats memory|purge del unlink exists type
scan keys rename renamenx copy dbsize flushall flushdb randomkey expire pexpire
expireat pexpireat ttl pttl expiretime pexpiretime persist save bgsave lastsave
config config|get config|set config|resetstat config|help ping echo info command
command|count command|info command|docs command|list command|help command|getkeys
slowlog slowlog|get slowlog|len slowlog|reset slowlog|help latency latency|latest
latency|history latency|reset latency|help debug""".split()

RW = (["RW", "update"], 1, 0, 1, 0)
RO = (["RO", "access"], 1, 0, 1, 0)
# name: (flags, acl, key specs, summary, since, group, complexity)
EXTRA = {
    "hexpire": ("write fast", "@write @hash @fast", [RW], "Set expiry for hash field using relative time to expire (seconds)", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hpexpire": ("write fast", "@write @hash @fast", [RW], "Set expiry for hash field using relative time to expire (milliseconds)", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hexpireat": ("write fast", "@write @hash @fast", [RW], "Set expiry for hash field using an absolute Unix timestamp (seconds)", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hpexpireat": ("write fast", "@write @hash @fast", [RW], "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "httl": ("readonly fast", "@read @hash @fast", [RO], "Returns the TTL in seconds of a hash field.", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hpttl": ("readonly fast", "@read @hash @fast", [RO], "Returns the TTL in milliseconds of a hash field.", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hexpiretime": ("readonly fast", "@read @hash @fast", [RO], "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hpexpiretime": ("readonly fast", "@read @hash @fast", [RO], "Returns the expiration time of a hash field as a Unix timestamp, in msec.", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hpersist": ("write fast", "@write @hash @fast", [RW], "Removes the expiration time for each specified field", "7.4.0", "hash", "O(N) where N is the number of specified fields"),
    "hgetdel": ("write fast", "@write @hash @fast", [(["RW", "access", "delete"], 1, 0, 1, 0)], "Returns the value of a field and deletes it from the hash.", "8.0.0", "hash", "O(N) where N is the number of specified fields"),
    "hgetex": ("write fast", "@write @hash @fast", [(["RW", "access", "update"], 1, 0, 1, 0)], "Get the value of one or more fields of a given hash key, and optionally set their expiration.", "8.0.0", "hash", "O(N) where N is the number of specified fields"),
    "hsetex": ("write denyoom fast", "@write @hash @fast", [(["RW", "update"], 1, 0, 1, 0)], "Set the value of one or more fields of a given hash key, and optionally set their expiration.", "8.0.0", "hash", "O(N) where N is the number of fields being set."),
    "hreserve": ("write denyoom fast", "@write @hash @fast", [RW], "Take N units of a hash field's integer only if at least N remain (hashstore)", "0.1.0", "hash", "O(1)"),
    "hreserveall": ("write denyoom", "@write @hash @slow", [(["RW", "update"], 1, -2, 3, 0)], "Take units of several hash fields, all or nothing (hashstore)", "0.1.0", "hash", "O(N) where N is the number of reservations"),
    "hincrex": ("write denyoom fast", "@write @hash @fast", [RW], "Increment a hash field's integer within bounds (hashstore)", "0.1.0", "hash", "O(1)"),
}


def read(f):
    line = f.readline()[:-2]
    t, rest = line[:1], line[1:]
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t in (b"+", b":"):
        return rest.decode() if t == b"+" else int(rest)
    n = int(rest)
    if n < 0:
        return None
    if t == b"$":
        return f.read(n + 2)[:-2].decode()
    return [read(f) for _ in range(n)]


def call(s, f, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a.encode())
    s.sendall(out)
    return read(f)


def c(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    f = s.makefile("rb")
    rows = {}
    for name in NAMES:
        info = call(s, f, "COMMAND", "INFO", name)[0]
        docs = call(s, f, "COMMAND", "DOCS", name)
        d = dict(zip(docs[1][::2], docs[1][1::2]))
        specs = []
        for spec in info[8]:
            sd = dict(zip(spec[::2], spec[1::2]))
            bs = dict(zip(sd["begin_search"][::2], sd["begin_search"][1::2]))
            fk = dict(zip(sd["find_keys"][::2], sd["find_keys"][1::2]))
            assert bs["type"] == "index" and fk["type"] == "range", name
            r = dict(zip(fk["spec"][::2], fk["spec"][1::2]))
            specs.append((sd["flags"], bs["spec"][1], r["lastkey"], r["keystep"], r["limit"]))
        rows[name] = (" ".join(info[2]), " ".join(info[6]), specs, d.get("summary", ""),
                      d.get("since", ""), d.get("group", ""), d.get("complexity", ""),
                      " ".join(info[7]))
    rows.update({k: v + ("",) for k, v in EXTRA.items()})
    print("// Generated by tools/gen_command_meta.py from redis-server 7.0's COMMAND INFO")
    print("// and COMMAND DOCS (facts about Redis's commands), plus hashstore's own.")
    print("// Do not edit by hand: change the generator and run it again.")
    print('#include "command/command_meta.h"\n')
    print("namespace hashstore::internal {\n")
    print("const std::vector<CommandMeta>& command_meta() {")
    print("  static const std::vector<CommandMeta> meta = {")
    for name in sorted(rows):
        flags, acl, specs, summary, since, group, complexity, tips = rows[name]
        sp = ", ".join("{%s, %d, %d, %d, %d}" % (c(" ".join(x[0])), x[1], x[2], x[3], x[4])
                       for x in specs)
        print("      {%s, %s, %s, %s, {%s},\n       %s, %s, %s,\n       %s}," % (
            c(name), c(flags), c(acl), c(tips), sp, c(summary), c(since), c(group),
            c(complexity)))
    print("  };")
    print("  return meta;")
    print("}\n")
    print("}  // namespace hashstore::internal")


main()
