#!/usr/bin/env python3
"""Compiles every ```cpp block of README.md, so the README cannot drift
from the API.

Each block becomes one translation unit: its #include lines go first, the
rest becomes the body of a function (a block is what a user pastes into a
function of theirs). The compiler runs with the flags given after `--`,
to which -Wall -Wextra -Werror are added: a discarded absl::StatusOr or an
unused variable fails the test as a compile error would.

Usage: readme_blocks.py README.md -- COMPILER [FLAG...]
  e.g. readme_blocks.py README.md -- g++ -std=c++20 $(pkg-config --cflags hashstore)
Exit status: 0 when every block compiled (and at least one was found), 1
otherwise, with the compiler's output and the block's README line.
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

WARNINGS = ["-Wall", "-Wextra", "-Werror"]


def blocks(text):
    """(line of the opening fence, source) of every ```cpp block."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```cpp":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            if j == len(lines):
                raise SystemExit("README line %d: ```cpp block never closed" % (i + 1))
            out.append((i + 1, lines[start:j]))
            i = j
        i += 1
    return out


def translation_unit(index, line, body):
    """The block as a TU; #line keeps the compiler's line numbers README's."""
    is_include = [bool(re.match(r"\s*#\s*include\b", l)) for l in body]
    includes = [l for l, inc in zip(body, is_include) if inc]
    rest = ["" if inc else l for l, inc in zip(body, is_include)]
    return "\n".join(
        includes +
        ["void readme_block_%d();" % index, "void readme_block_%d() {" % index,
         '#line %d "README.md"' % (line + 1)] + rest + ["}", ""])


def compile_one(args):
    index, line, source, command, workdir = args
    path = os.path.join(workdir, "readme_block_%d.cc" % index)
    with open(path, "w") as f:
        f.write(source)
    proc = subprocess.run(command + WARNINGS + ["-c", path, "-o", path + ".o"],
                          capture_output=True, text=True)
    return index, line, proc.returncode, proc.stdout + proc.stderr


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        found = blocks(f.read())
    if not found:
        print("no ```cpp block in", argv[1], file=sys.stderr)
        return 1
    command = argv[3:]
    failed = 0
    with tempfile.TemporaryDirectory() as workdir:
        jobs = []
        for index, (line, body) in enumerate(found, 1):
            jobs.append((index, line, translation_unit(index, line, body), command, workdir))
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for index, line, rc, output in pool.map(compile_one, jobs):
                if rc == 0:
                    print("README.md block %d (line %d): compiles" % (index, line))
                else:
                    failed += 1
                    print("README.md block %d (line %d): FAILED\n%s" % (index, line, output))
    print("%d of %d README C++ blocks compile" % (len(found) - failed, len(found)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
