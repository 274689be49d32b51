#!/usr/bin/env bash
# The same operations as `hashstore-bench --workloads=speed`, on a real
# redis-server over loopback with redis-benchmark (pipelined), so the README
# can show hashstore, the in-process baseline and Redis side by side.
# Starts its own redis-server on a free port and stops it by its PID.
#   tools/redis_bench.sh [requests (default 1000000)] [pipeline (default 32)]
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh
ensure_packages redis-server redis-tools
N=${1:-1000000}
P=${2:-32}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
run() {
  local name=$1; shift
  local rps
  rps=$(redis-benchmark -p "$port" -n "$N" -P "$P" -r 100000 -q "$@" 2>/dev/null | tr '\r' '\n' |
        grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  printf '%-20s %14s ops/s (redis-server, redis-benchmark -P %s)\n' "$name" "$rps" "$P"
}
# 100,000 six-field profiles keyed user:<12-digit __rand_int__> (-r 100000),
# loaded with enough random writes to cover nearly every key.
redis-benchmark -p "$port" -n 600000 -P "$P" -r 100000 -q HSET user:__rand_int__ name user1234 \
  email u123456@example.com age 42 city OSL created_at 2024-01-01T00:00:00Z stock 1000000000000 \
  >/dev/null 2>&1
run "hget (1 field)" HGET user:__rand_int__ email
run "hmget (3 fields)" HMGET user:__rand_int__ name email city
run "hgetall" HGETALL user:__rand_int__
run "hset (1 field)" HSET user:__rand_int__ city LON
run "hincrby" HINCRBY user:__rand_int__ age 1
# reserve has no Redis command; the closest is a script doing HRESERVE's
# check-and-take atomically (what a Redis user would run instead).
run "reserve (EVAL)" EVAL "local v = tonumber(redis.call('HGET', KEYS[1], 'stock')) if v and v >= 1 then return redis.call('HINCRBY', KEYS[1], 'stock', -1) end return false" 1 user:__rand_int__
