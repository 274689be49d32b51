#!/usr/bin/env python3
"""Moves a hashstore keyspace into Redis Cluster with Redis's own tools,
and checks that every key arrived.

  redis_scale_out.py --cli PATH --dir DIR [--dbfilename FILE]
                     [--ports FIRST-LAST] [--keep-running]

  1. `hashstore-cli --dir DIR --dbfilename FILE --export-rdb WORK/dump.rdb`
     writes hashstore's snapshot (or RDB file) there as a Redis RDB file,
     and `redis-check-rdb` checks it;
  2. a standalone redis-server starts on it (it loads dump.rdb);
  3. three redis-server processes start in cluster mode and become a
     three-master Redis Cluster: `redis-cli --cluster create ... --cluster-yes`;
  4. `redis-cli --cluster import` copies the standalone's keys into the
     cluster (MIGRATE: values and TTLs); it passes key names as C strings,
     so the few whose name holds a NUL byte are copied by this script with
     the same MIGRATE, sent binary-safe;
  5. every key's HGETALL and PTTL, read back through `redis-cli -c`, must
     equal hashstore's (HGETALL as a multiset of pairs; PTTL within the
     seconds the run took), and the cluster must hold no other key.

Every process is started on its own loopback port from --ports (default
$HASHSTORE_RDB_PORTS, else 22200-22299; the cluster bus ports come from the
same range) and stopped by the PID this script started — unless
--keep-running, which leaves the four servers up and prints their ports and
PIDs. Exit status: 0 when every key matched, 1 otherwise, 77 when
redis-server, redis-cli or redis-check-rdb is missing.

The pieces (RedisProcess, Resp, run_cli, quote) are reused by the tests in
tests/rdb.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
DEFAULT_PORTS = "22200-22299"
SEP = b"--hashstore-scale-out-separator--"


def port_range(spec=None):
    spec = spec or os.environ.get("HASHSTORE_RDB_PORTS") or DEFAULT_PORTS
    first, _, last = spec.partition("-")
    return int(first), int(last or first)


class Ports:
    """Hands out free loopback ports of a range, each at most once."""

    def __init__(self, spec=None):
        first, last = port_range(spec)
        self.candidates = list(range(first, last + 1))
        # Different processes start at different places in the range.
        shift = os.getpid() % len(self.candidates)
        self.candidates = self.candidates[shift:] + self.candidates[:shift]

    def take(self):
        while self.candidates:
            port = self.candidates.pop(0)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
        raise RuntimeError("no free port left in the range")


class RedisProcess:
    """A redis-server of our own: started on a port, stopped by its PID."""

    def __init__(self, port, workdir, *extra):
        os.makedirs(workdir, exist_ok=True)
        self.port = port
        self.log = os.path.join(workdir, "redis.log")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
             "--save", "", "--appendonly", "no", "--logfile", self.log] + list(extra),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not self._wait_ready():
            self.stop()
            raise RuntimeError(f"redis-server on port {port} did not start (see {self.log})")

    def _wait_ready(self, seconds=60):
        """Whether the server answering on the port is ours, done loading."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                info = Resp(self.port).call(b"INFO", b"server")
                for line in info.split(b"\r\n"):
                    if line.startswith(b"process_id:"):
                        return int(line.split(b":")[1]) == self.proc.pid
            except (OSError, RespError):
                time.sleep(0.05)  # not listening yet, or still loading
        return False

    def stop(self):
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class RespError(Exception):
    pass


class Resp:
    """A minimal RESP2 client (exact bytes in and out)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise OSError("connection closed")
            self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._need(len(self.buf) + 1)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RespError(rest.decode("latin-1"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            self._need(n + 2)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RespError(f"bad reply {line!r}")

    def call(self, *args):
        self.sock.sendall(encode(args))
        return self._reply()

    def pipeline(self, commands):
        """Sends every command, then reads every reply (errors as RespError
        objects in the list)."""
        out = []
        for i in range(0, len(commands), 1000):
            batch = commands[i:i + 1000]
            self.sock.sendall(b"".join(encode(c) for c in batch))
            for _ in batch:
                try:
                    out.append(self._reply())
                except RespError as e:
                    out.append(e)
        return out


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def quote(b):
    """Quotes bytes for redis-cli's (and hashstore-cli's) line syntax."""
    out = []
    for c in b:
        ch = chr(c)
        if ch in '\\"':
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'


def unquote(s):
    """Reverses redis-cli --no-raw's quoting of a bulk string."""
    assert s.startswith('"') and s.endswith('"'), s
    s, out, i = s[1:-1], bytearray(), 0
    simple = {"n": 10, "r": 13, "t": 9, "a": 7, "b": 8, '"': 34, "\\": 92}
    while i < len(s):
        c = s[i]
        if c == "\\":
            if s[i + 1] == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out.append(simple[s[i + 1]])
            i += 2
            continue
        out += c.encode("latin-1")
        i += 1
    return bytes(out)


def parse_noraw(lines):
    """One reply as redis-cli --no-raw prints it (flat arrays only); a
    status reply (OK) comes back as bytes, like a bulk string."""
    if len(lines) == 1 and not re.match(r"\s*\d+\) ", lines[0]):
        line = lines[0]
        if line.startswith("(integer) "):
            return int(line[10:])
        if line == "(nil)":
            return None
        if line in ("(empty array)", "(empty list or set)"):
            return []
        if line.startswith("(error) "):
            return RespError(line[8:])
        if line.startswith('"'):
            return unquote(line)
        return line.encode("latin-1")
    items = []
    for line in lines:
        index, sep, value = line.lstrip().partition(") ")
        if not sep or not index.isdigit():
            raise RuntimeError(f"cannot read the reply line {line!r}")
        items.append(unquote(value) if value.startswith('"') else parse_noraw([value]))
    return items


def run_cli(argv, commands):
    """Runs commands (lists of bytes) through a redis-cli style program
    (argv: redis-cli -c -p N, or hashstore-cli --dir D ...), one per line,
    and returns their replies. Each command is followed by ECHO of a
    separator, which splits the output."""
    text = "".join(" ".join(quote(a if isinstance(a, bytes) else str(a).encode()) for a in c)
                   + "\n" + "ECHO " + quote(SEP) + "\n" for c in commands)
    res = subprocess.run(argv + ["--no-raw"], input=text.encode("latin-1"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if res.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {res.returncode}: {res.stderr.decode(errors='replace')}")
    replies, current = [], []
    for line in res.stdout.decode("latin-1").split("\n"):
        if line == quote(SEP):
            replies.append(parse_noraw(current))
            current = []
        elif line and not line.startswith("-> Redirected to slot"):  # redis-cli -c's notes
            current.append(line)
    if len(replies) != len(commands):
        raise RuntimeError(f"{len(commands)} commands but {len(replies)} replies")
    return replies


def pairs(flat):
    return sorted(zip(flat[0::2], flat[1::2]))


def missing_tools():
    return [t for t in ("redis-server", "redis-cli", "redis-check-rdb") if shutil.which(t) is None]


# ---- The scale-out --------------------------------------------------------------


def snapshot_of(cli, data_dir, dbfilename):
    """hashstore's keys, HGETALL (sorted pairs) and PTTL, and when read."""
    base = [cli, "--dir", data_dir] + (["--dbfilename", dbfilename] if dbfilename else [])
    keys = run_cli(base, [[b"KEYS", b"*"]])[0]
    commands = []
    for k in keys:
        commands += [[b"HGETALL", k], [b"PTTL", k]]
    t = time.time()
    replies = run_cli(base, commands) if commands else []
    return {k: (pairs(replies[2 * i]), replies[2 * i + 1]) for i, k in enumerate(keys)}, t


def check_cluster(port, expected, read_at):
    """Compares the cluster's keys (through redis-cli -c) with expected;
    returns a list of differences."""
    keys = list(expected)
    commands = []
    for k in keys:
        commands += [[b"HGETALL", k], [b"PTTL", k]]
    replies = run_cli(["redis-cli", "-c", "-p", str(port)], commands) if commands else []
    slack_ms = int((time.time() - read_at) * 1000) + 1000
    bad = []
    for i, k in enumerate(keys):
        fields, pttl = pairs(replies[2 * i]), replies[2 * i + 1]
        want_fields, want_pttl = expected[k]
        if fields != want_fields:
            bad.append(f"{k!r}: HGETALL differs ({len(fields)} vs {len(want_fields)} fields)")
        if (want_pttl < 0 or pttl < 0) and pttl != want_pttl:
            bad.append(f"{k!r}: PTTL {pttl}, hashstore had {want_pttl}")
        elif want_pttl >= 0 and not (want_pttl - slack_ms <= pttl <= want_pttl):
            bad.append(f"{k!r}: PTTL {pttl}, hashstore had {want_pttl} ({slack_ms} ms apart)")
    return bad


def cluster_key_count(ports):
    return sum(Resp(p).call(b"DBSIZE") for p in ports)


def scale_out(cli, data_dir, dbfilename, ports_spec=None, keep_running=False, log=print):
    work = tempfile.mkdtemp(prefix="hashstore-scale-out-")
    ports = Ports(ports_spec)
    servers = []
    ok = False
    try:
        # 1. Export and check.
        rdb = os.path.join(work, "dump.rdb")
        export = [cli, "--dir", data_dir] + (["--dbfilename", dbfilename] if dbfilename else [])
        subprocess.run(export + ["--export-rdb", rdb], check=True)
        check = subprocess.run(["redis-check-rdb", rdb], capture_output=True, text=True)
        if "RDB looks OK" not in check.stdout:
            log(check.stdout + check.stderr)
            raise RuntimeError("redis-check-rdb refused the export")
        expected, read_at = snapshot_of(cli, data_dir, dbfilename)
        log(f"exported {len(expected)} keys to {rdb}; redis-check-rdb: OK")

        # 2. A standalone redis-server on the file.
        standalone = RedisProcess(ports.take(), work, "--dbfilename", "dump.rdb")
        servers.append(standalone)
        loaded = Resp(standalone.port).call(b"DBSIZE")
        log(f"standalone redis-server on port {standalone.port} loaded {loaded} keys")
        if loaded != len(expected):
            raise RuntimeError(f"redis-server loaded {loaded} keys of {len(expected)}")

        # 3. Three masters in cluster mode, each with its bus port from the range.
        nodes = []
        for i in range(3):
            port, bus = ports.take(), ports.take()
            d = os.path.join(work, f"node{i}")
            nodes.append(RedisProcess(port, d, "--cluster-enabled", "yes", "--cluster-port",
                                      str(bus), "--cluster-config-file",
                                      os.path.join(d, "nodes.conf")))
            servers.append(nodes[-1])
        addresses = [f"127.0.0.1:{n.port}" for n in nodes]
        subprocess.run(["redis-cli", "--cluster", "create"] + addresses +
                       ["--cluster-replicas", "0", "--cluster-yes"],
                       check=True, stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            states = [Resp(n.port).call(b"CLUSTER", b"INFO") for n in nodes]
            if all(b"cluster_state:ok" in s for s in states):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the cluster did not reach cluster_state:ok")
        log(f"cluster of 3 masters on ports {', '.join(str(n.port) for n in nodes)}: ok")

        # 4. Import (copy) the standalone's keys.
        subprocess.run(["redis-cli", "--cluster", "import", addresses[0], "--cluster-from",
                        f"127.0.0.1:{standalone.port}", "--cluster-copy"],
                       check=True, stdout=subprocess.DEVNULL)
        # redis-cli hands each key name to MIGRATE as a C string: a name with
        # a NUL byte is cut there, and the key stays behind. Those are copied
        # here with the same MIGRATE, sent binary-safe.
        nul_keys = [k for k in expected if b"\0" in k]
        if nul_keys:
            owner = {}
            for start, end, master, *_ in Resp(nodes[0].port).call(b"CLUSTER", b"SLOTS"):
                for slot in range(start, end + 1):
                    owner[slot] = master[1]
            src = Resp(standalone.port)
            for k in nul_keys:
                slot = Resp(nodes[0].port).call(b"CLUSTER", b"KEYSLOT", k)
                src.call(b"MIGRATE", b"127.0.0.1", owner[slot], k, b"0", b"10000", b"COPY")
            log(f"{len(nul_keys)} keys with a NUL byte in their name copied with MIGRATE")

        # 5. Compare.
        bad = check_cluster(nodes[0].port, expected, read_at)
        total = cluster_key_count([n.port for n in nodes])
        if total != len(expected):
            bad.append(f"the cluster holds {total} keys, hashstore {len(expected)}")
        for b in bad[:20]:
            log("MISMATCH " + b)
        log(f"{len(expected) - len(bad)} of {len(expected)} keys match (HGETALL and PTTL "
            f"through redis-cli -c)")
        ok = not bad
        if keep_running:
            for s in servers:
                log(f"left running: redis-server port {s.port} pid {s.proc.pid} ({s.log})")
            servers = []
        return ok
    finally:
        for s in servers:
            s.stop()
        if not keep_running:
            shutil.rmtree(work, ignore_errors=True)


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", required=True, help="path to hashstore-cli")
    ap.add_argument("--dir", required=True, help="hashstore's data directory")
    ap.add_argument("--dbfilename", help="its file name there (default: hashstore-cli's)")
    ap.add_argument("--ports", help="FIRST-LAST (default $HASHSTORE_RDB_PORTS or 22200-22299)")
    ap.add_argument("--keep-running", action="store_true")
    args = ap.parse_args()
    if missing_tools():
        print("skipped: missing " + ", ".join(missing_tools()))
        return SKIP
    signal.signal(signal.SIGTERM, on_signal)
    return 0 if scale_out(args.cli, args.dir, args.dbfilename, args.ports,
                          args.keep_running) else 1


if __name__ == "__main__":
    sys.exit(main())
