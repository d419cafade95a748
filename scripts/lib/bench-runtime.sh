#!/usr/bin/env bash
# Benchmarks the local runtime over loopback with wrk: GET /api/v1/health (the
# platform component touching KV and SQL) and a trivial probe component (the
# same work as a "hello" Spin component: a fixed small JSON answer), at 32 and
# 128 connections, after timing `edge-host up` to the first successful request
# on a warm cache. Prints requests/s, p50/p99 latency and the app runtime's
# resident memory. Not part of the test suite; `scripts/bench runtime` runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-10s}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --profile host -q -p edge-host
target/host/edge-host build >/dev/null
target/host/edge-host build -f tests/fixtures/spin.toml >/dev/null

STATE=$(mktemp -d)
CACHE="$PWD/target/edge-cache"
# Production mode, so the secrets must pass the settings check (at least 32
# bytes each, an https public_base_url: docs/settings.md).
BENCH_SECRET=bench-secret-0123456789abcdef0123
export SPIN_VARIABLE_TOKEN_SECRET=$BENCH_SECRET SPIN_VARIABLE_OTP_PEPPER=$BENCH_SECRET \
  SPIN_VARIABLE_QR_SECRET=$BENCH_SECRET SPIN_VARIABLE_ADMIN_TOKEN=$BENCH_SECRET \
  SPIN_VARIABLE_PUBLIC_BASE_URL=https://bench.invalid SPIN_VARIABLE_MUST_HAVE=bench
PIDS=()
trap 'kill ${PIDS[@]+"${PIDS[@]}"} 2>/dev/null || true; rm -rf "$STATE"' EXIT

# Milliseconds from spawning edge-host until $2 answers 200 (polls every 5 ms).
time_to_first_ok() {
  local start end
  start=$(date +%s%N)
  "${@:3}" &
  PIDS+=($!)
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$2")" = 200 ]; do sleep 0.005; done
  end=$(date +%s%N)
  echo "$1: first 200 after $(( (end - start) / 1000000 )) ms"
}

load() {
  local label=$1 url=$2 conns=$3
  wrk -t2 -c"$conns" -d"$DURATION" --latency "$url" > "$STATE/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$STATE/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$STATE/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$STATE/wrk.txt")
  printf '%-28s %4s conns  %10s req/s  p50 %-8s p99 %-8s\n' "$label" "$conns" "$rps" "$p50" "$p99"
  grep -E "Non-2xx|Socket errors" "$STATE/wrk.txt" || true
}

# Warm the compiled-code cache, then measure a warm start.
target/host/edge-host up --listen 127.0.0.1:3911 --state-dir "$STATE/warmup" --cache-dir "$CACHE" >/dev/null 2>&1 &
WARM=$!
until curl -sf -o /dev/null http://127.0.0.1:3911/api/v1/health; do sleep 0.05; done
kill $WARM; wait $WARM 2>/dev/null || true

time_to_first_ok "app (warm cache)" http://127.0.0.1:3910/api/v1/health \
  target/host/edge-host up --listen 127.0.0.1:3910 --state-dir "$STATE/app" --cache-dir "$CACHE"
time_to_first_ok "probe (warm cache)" http://127.0.0.1:3912/probe/x/headers \
  target/host/edge-host up -f tests/fixtures/spin.toml --listen 127.0.0.1:3912 --state-dir "$STATE/probe" --cache-dir "$CACHE"
exec 3>&- 2>/dev/null || true

for c in 32 128; do
  load "trivial component" http://127.0.0.1:3912/probe/x/hello "$c"
  load "GET /api/v1/health (KV+SQL)" http://127.0.0.1:3910/api/v1/health "$c"
done
load "probe echoing Spin headers" http://127.0.0.1:3912/probe/x/headers 32
# Resident memory of the app's runtime after the load above.
echo "app edge-host resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/"${PIDS[0]}"/status)"
