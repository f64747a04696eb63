#!/usr/bin/env bash
# Runs `troupe bench bank` against a fresh 3-process cluster on this machine
# and prints one JSON line per client count (see bench/README.md).
#
#   bench/bank_cluster.sh [--troupe BIN] [--clients 1,8,64] [--duration S]
#                         [--accounts N] [--ports P] [--scheduler-threads T]
#                         [--keep-logs DIR] [-- extra bench args]
#
# Defaults: build/release/apps/troupe, clients 1,8,64, 10 s, 10,000
# accounts, cross-shard, ports 7201-7203. The cluster's data lives in a
# temporary directory that is removed on exit, with the nodes; --keep-logs
# first copies each node's log (NODE.log) and RocksDB LOG (NODE.rocksdb.LOG,
# where flushes and stalls are reported) into DIR, with a listing of its
# store's files (NODE.files: WAL and table sizes).
set -euo pipefail

troupe=build/release/apps/troupe
clients=1,8,64
duration=10
accounts=10000
port=7201
threads=0
keep=""
extra=(--cross-shard)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --troupe) troupe=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --accounts) accounts=$2; shift 2 ;;
    --ports) port=$2; shift 2 ;;
    --scheduler-threads) threads=$2; shift 2 ;;
    --keep-logs) keep=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bank_cluster.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -x "$troupe" ]] || { echo "bank_cluster.sh: no executable $troupe" >&2; exit 2; }
troupe=$(realpath "$troupe")

dir=$(mktemp -d /tmp/troupe-bank.XXXXXX)
pids=()
sampler=""
cleanup() {
  [[ -n $sampler ]] && kill "$sampler" 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n $keep ]]; then
    mkdir -p "$keep"
    for n in n1 n2 n3; do
      cp "$dir/$n.log" "$keep/$n.log" 2>/dev/null || true
      cp "$dir/$n/store/LOG" "$keep/$n.rocksdb.LOG" 2>/dev/null || true
      ls -l "$dir/$n/store" >"$keep/$n.files" 2>/dev/null || true
    done
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/c.toml" <<EOF
[cluster]
name = "bench"
scheduler_threads = $threads
[[nodes]]
name = "n1"
port = $port
data_dir = "$dir/n1"
[[nodes]]
name = "n2"
port = $((port + 1))
data_dir = "$dir/n2"
[[nodes]]
name = "n3"
port = $((port + 2))
data_dir = "$dir/n3"
[durability]
sync = true
[log]
level = "warn"
EOF

for n in n1 n2 n3; do
  "$troupe" node --config "$dir/c.toml" --name "$n" >"$dir/$n.log" 2>&1 &
  pids+=($!)
done
up=false
for _ in $(seq 100); do
  if "$troupe" status --config "$dir/c.toml" --timeout-ms 500 >/dev/null 2>&1; then
    up=true
    break
  fi
  sleep 0.2
done
if [[ $up != true ]]; then
  echo "bank_cluster.sh: the cluster did not come up; node logs:" >&2
  tail -n 5 "$dir"/n*.log >&2
  exit 1
fi

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
     "load $(cut -d' ' -f1-3 /proc/loadavg); $troupe"
# Prints "unix ms, CPU time (user + system, clock ticks) of the nodes so
# far", with shell builtins only: the sampler must not cost the cores it
# measures (fields 14 and 15 of /proc/PID/stat; "troupe" has no spaces).
sample() {
  local t=0 p f
  for p in "${pids[@]}"; do
    read -ra f <"/proc/$p/stat" || return 1
    t=$((t + f[13] + f[14]))
  done
  echo "$((${EPOCHREALTIME/./} / 1000)) $t"
}
# Samples every 100 ms, so that the nodes' CPU can be read over exactly the
# bench's transfer phase (window_start_unix_ms and seconds in its JSON).
while sample; do sleep 0.1; done >"$dir/samples" 2>/dev/null &
sampler=$!
hz=$(getconf CLK_TCK)
IFS=, read -ra counts <<<"$clients"
for c in "${counts[@]}"; do
  out=$("$troupe" bench bank --config "$dir/c.toml" --clients "$c" \
    --duration "$duration" --accounts "$accounts" "${extra[@]}" --json)
  start=$(jq '.window_start_unix_ms' <<<"$out")
  end=$(jq '.window_start_unix_ms + (.seconds * 1000 | floor)' <<<"$out")
  node_s=$(awk -v a="$start" -v b="$end" -v hz="$hz" '
    $1 >= a && t0 == "" { t0 = $1; c0 = $2 }
    $1 <= b { t1 = $1; c1 = $2 }
    END { printf "%.3f", (t1 > t0) ? (c1 - c0) / hz * (b - a) / (t1 - t0) : 0 }
  ' "$dir/samples")
  # CPU per committed transfer over the transfer phase, in ms: the three
  # nodes together, and the bench process (64 client threads, audits).
  jq -c --argjson nodes "$node_s" '. + {cpu_ms_per_transfer:
        {nodes: ($nodes * 1000 / .committed),
         client: (.client_cpu_s * 1000 / .committed)}}' <<<"$out"
done
