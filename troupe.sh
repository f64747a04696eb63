#!/usr/bin/env bash
# troupe.sh: the whole set-up on a Debian 12 machine.
#
#   ./troupe.sh demo    install what is missing, build (Release), run the demo
#   ./troupe.sh test    install what is missing, build, run every test (ctest)
#
# Other verbs: deps (install only), build (Release build only), format (rewrite
# sources with clang-format), help. Both main verbs are idempotent and quiet
# when there is nothing to install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JOBS="${TROUPE_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Debian packages the build and the tests need (docs/design.md).
PACKAGES=(
  build-essential cmake pkg-config ccache clang-format
  libcaf-dev libprotobuf-dev protobuf-compiler librocksdb-dev
  libboost-test-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libxxhash-dev libbenchmark-dev nlohmann-json3-dev libjemalloc-dev
)

log() { printf '[troupe] %s\n' "$*" >&2; }

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$p")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  log "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# configure_and_build <build dir> <build type> [cmake args...]
configure_and_build() {
  local dir="$1" type="$2"; shift 2
  if [[ ! -f "$dir/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  else
    cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
  fi
  cmake --build "$dir" -j"$JOBS" -- --no-print-directory -s
}

# The demo needs the binaries, not the tests (those build in build/test).
release_build() {
  configure_and_build "$ROOT/build/release" Release -DTROUPE_BUILD_TESTS=OFF
}

cmd_demo() {
  install_deps
  release_build
  local troupe="$ROOT/build/release/apps/troupe"
  local cluster="$ROOT/examples/cluster/local-3.toml"
  log "demo: validate the example cluster config"
  "$troupe" config check "$cluster"
  log "demo: where keys live (key, shard, node) on that cluster's ring"
  "$troupe" ring owner --config "$cluster" alice bob account/42 order:1001
  log "demo: start a 3-node cluster in one process and run transactions"
  local dev="$ROOT/data/dev" cfg="$ROOT/data/dev/cluster.toml"
  mkdir -p "$dev" && rm -f "$cfg"
  "$troupe" dev --nodes 3 --data "$dev" >"$dev/dev.log" 2>&1 &
  local dev_pid=$!
  # Wait (bounded) until the dev cluster has written its config and every
  # node answers.
  local i
  for i in $(seq 1 100); do
    if [[ -f "$cfg" ]] && [[ $("$troupe" status --config "$cfg" --json \
         --timeout-ms 500 2>/dev/null | grep -c '"state": "up"') -eq 3 ]]; then
      break
    fi
    if ! kill -0 "$dev_pid" 2>/dev/null; then
      cat "$dev/dev.log" >&2; log "troupe dev exited early"; return 1
    fi
    sleep 0.1
  done
  "$troupe" status --config "$cfg"
  log "demo: troupe txn --config $cfg \"put alice 100; put bob 50; put carol 7\""
  "$troupe" txn --config "$cfg" "put alice 100; put bob 50; put carol 7"
  log "demo: troupe txn --config $cfg \"get alice; get bob; get carol\""
  "$troupe" txn --config "$cfg" "get alice; get bob; get carol"
  log "demo: examples/bank --config $cfg --accounts 64 --clients 4 --seconds 3"
  "$ROOT/build/release/examples/bank" --config "$cfg" --accounts 64 \
    --clients 4 --seconds 3
  kill -INT "$dev_pid" && wait "$dev_pid"
  log "demo: done (the dev cluster's log is in $dev/dev.log)"
}

cmd_test() {
  install_deps
  # Tests build with fail points compiled in and assertions on.
  # RelWithDebInfo defines NDEBUG; the test build keeps assert() on.
  configure_and_build "$ROOT/build/test" RelWithDebInfo -DTROUPE_FAILPOINTS=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g"
  cd "$ROOT/build/test"
  ctest --output-on-failure -j"$JOBS" "$@"
}

cmd_format() {
  install_deps
  git -C "$ROOT" ls-files '*.cpp' '*.hpp' | (cd "$ROOT" && xargs clang-format -i)
}

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

verb="${1:-help}"; shift || true
case "$verb" in
  demo) cmd_demo "$@" ;;
  test) cmd_test "$@" ;;
  deps) install_deps ;;
  build) install_deps; release_build ;;
  format) cmd_format ;;
  help|-h|--help) usage ;;
  *) log "unknown verb '$verb'"; usage; exit 2 ;;
esac
