#!/usr/bin/env python3
"""hashstore-cli as a program: --version, and the snapshot saved at exit
with --dir (tools/cli/save_on_exit.h): writes survive to the next run, a
session that only reads leaves the file untouched, FLUSHALL is saved, a
save that fails at exit says so with exit status 1, --export-resp and runs
without --dir write nothing.

Usage: cli_program_test.py HASHSTORE_CLI VERSION   (exit status 0 when all passed)
"""
import os
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAILED:", what, file=sys.stderr)


def cli(binary, *args, stdin="", cwd=None):
    return subprocess.run([binary, *args], input=stdin.encode(), capture_output=True,
                          cwd=cwd, timeout=60)


def main():
    binary, version = os.path.abspath(sys.argv[1]), sys.argv[2]
    for flag in ("--version", "-v"):
        r = cli(binary, flag)
        check(r.returncode == 0 and r.stdout.decode() == "hashstore-cli %s\n" % version,
              "%s prints the version: %r" % (flag, r.stdout))
    r = cli(binary, "--help")
    check(b"saved there when hashstore-cli exits" in r.stdout, "--help tells of the save at exit")

    with tempfile.TemporaryDirectory() as d:
        dump = os.path.join(d, "dump.hss")
        # One-shot commands: the HSET then HGET.
        r = cli(binary, "--dir", d, "HSET", "x", "f", "v")
        check(r.returncode == 0 and r.stdout == b"(integer) 1\n", "HSET one-shot: %r" % (r,))
        check(os.path.exists(dump), "the write was saved at exit")
        r = cli(binary, "--dir", d, "HGET", "x", "f")
        check(r.stdout == b'"v"\n', "the next run reads it: %r" % r.stdout)

        # A session that only reads does not rewrite the file.
        before = os.stat(dump)
        r = cli(binary, "--dir", d, stdin="HGET x f\nHGETALL x\nDBSIZE\n")
        after = os.stat(dump)
        check(r.returncode == 0 and (before.st_ino, before.st_mtime_ns) ==
              (after.st_ino, after.st_mtime_ns), "reads leave the snapshot alone")

        # Lines from standard input, ended by quit or by the end of input.
        r = cli(binary, "--dir", d, stdin="HSET y f 1\nHINCRBY y f 2\nquit\nHSET z f 1\n")
        check(r.returncode == 0, "stdin session")
        r = cli(binary, "--dir", d, stdin="HGET y f\nEXISTS z\n")
        check(r.stdout == b'"3"\n(integer) 0\n', "saved at quit, nothing after it ran: %r" % r.stdout)
        r = cli(binary, "--dir", d, stdin="DEL y\n")
        r = cli(binary, "--dir", d, "EXISTS", "y")
        check(r.stdout == b"(integer) 0\n", "a DEL is saved at end of input")

        # FLUSHALL sends no event but is a change.
        r = cli(binary, "--dir", d, "FLUSHALL")
        r = cli(binary, "--dir", d, "DBSIZE")
        check(r.stdout == b"(integer) 0\n", "FLUSHALL is saved: %r" % r.stdout)

        # --dbfilename names the file in the working directory.
        r = cli(binary, "--dbfilename", "other.hss", "HSET", "k", "f", "v", cwd=d)
        check(os.path.exists(os.path.join(d, "other.hss")), "--dbfilename alone saves in the cwd")

        # --export-resp only reads.
        before = os.stat(dump)
        r = cli(binary, "--dir", d, "--export-resp", "-")
        check(r.returncode == 0 and os.stat(dump).st_mtime_ns == before.st_mtime_ns,
              "--export-resp does not save")

        # A save that fails at exit (the session pointed dbfilename at a
        # directory): reported, exit status 1, the replies still printed.
        bad = os.path.join(d, "bad")
        os.mkdir(bad)
        os.mkdir(os.path.join(bad, "adir"))
        r = cli(binary, "--dir", bad, stdin="CONFIG SET dbfilename adir\nHSET k f v\n")
        err = r.stderr.decode()
        check(r.returncode == 1 and r.stdout == b"OK\n(integer) 1\n" and
              "cannot save the snapshot at exit" in err and os.path.join(bad, "adir") in err,
              "failed save at exit: %r" % (r,))

    # Without --dir or --dbfilename nothing is written anywhere.
    with tempfile.TemporaryDirectory() as d:
        r = cli(binary, "HSET", "k", "f", "v", cwd=d)
        check(r.returncode == 0 and os.listdir(d) == [], "no snapshot without --dir")

    if failures:
        print("cli_program_test: %d failed" % len(failures))
        return 1
    print("cli_program_test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
