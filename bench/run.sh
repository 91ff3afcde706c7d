#!/usr/bin/env bash
# bench/run.sh [SIZE...] — heaplens benchmark (not a test).
#
# Generates Node 20 snapshots with fixtures/gen.sh once, cached outside the
# repository in ${HEAPLENS_BENCH_CACHE:-~/.cache/heaplens-bench}, then for
# each size runs, three times each (median reported):
#   cat FILE > /dev/null                               (page-cache read floor)
#   heaplens summary FILE --format json --timings      (full analysis)
#   the same summary pinned to one CPU with taskset ("summary-1cpu"): how
#   much the second core gave in that hour (on this KVM machine, two threads
#   of pure integer scanning have run no faster than one, while the whole
#   summary ran ~1.45x faster on two CPUs than on one)
#   heaplens diff BASELINE FILE --format json          (two loads + Comparison)
#   the same diff with HEAPLENS_MAX_MEMORY at twice FILE's size ("diff-low"),
#   which leaves too little memory for both loads side by side: the
#   baseline loads first and is shed before the target loads
# and prints wall, CPU, peak RSS, the ratio to cat, and per-stage times
# from --timings. With HEAPLENS_PEER set to another tool's command that
# takes `summary FILE` (e.g. dinfuehr/heap-snapshot's binary), it runs too,
# as "peer", in the same run. SIZE is the target heap in MB (default: 150 1000).
# Sizes above ~1000 MB need a lot of RAM to generate (Node's heap), so a
# multiple of 1000 above it (2000, 4000) is tiled instead: bench/tile.rs
# writes SIZE/1000 copies of the 1000 MB "after" graph under one root (each
# class's count, shallow and retained size times the copies, distances
# unchanged). Its baseline, for diff and diff-low, is that 1000 MB "after"
# (a symlink): those compare 1 GB with SIZE MB.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${HEAPLENS_BIN:-$here/target/release/heaplens}
cache=${HEAPLENS_BENCH_CACHE:-$HOME/.cache/heaplens-bench}
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(150 1000)
[ -x "$bin" ] || (cd "$here" && cargo build --release)

generate() {  # generate MB -> DIR with baseline/after
  local mb=$1 dir=$cache/$1mb
  if (( mb > 1000 && mb % 1000 == 0 )); then
    tile "$mb" "$dir"
  elif [ ! -s "$dir/after.heapsnapshot" ]; then
    local base=$(( mb * 6 / 10 )) heap=$(( mb * 8 > 4096 ? mb * 8 : 4096 ))
    echo "generating ${mb} MB snapshots into $dir (once)..." >&2
    NODE_HEAP_MB=$heap "$here/fixtures/gen.sh" --out "$dir" --target-mb "$mb" --baseline-mb "$base" >&2
  fi
  echo "$dir"
}

tile() {  # tile MB DIR: MB/1000 copies of the 1000 MB after, which is the baseline
  local mb=$1 dir=$2 one
  one=$(generate 1000)
  if [ ! -s "$dir/after.heapsnapshot" ]; then
    echo "tiling $one/after.heapsnapshot x$(( mb / 1000 )) into $dir (once)..." >&2
    mkdir -p "$dir"
    (cd "$here" && cargo run --release --quiet --example tile -- \
      "$one/after.heapsnapshot" "$dir/after.heapsnapshot" --copies $(( mb / 1000 ))) >&2
  fi
  [ -e "$dir/baseline.heapsnapshot" ] || ln -s ../1000mb/after.heapsnapshot "$dir/baseline.heapsnapshot"
}

measure() {  # measure CMD... -> "wall cpu rss_kb" (median of 3 by wall)
  local runs=()
  local stats
  stats=$(mktemp)
  for _ in 1 2 3; do
    /usr/bin/time -o "$stats" -f '%e %U %S %M' "$@" > /dev/null 2> /dev/null
    runs+=("$(tail -n 1 "$stats")")
  done
  rm -f "$stats"
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
}

printf '%-8s %-12s %8s %8s %8s %9s %8s\n' size command wall_s cpu_s rss_MB file_MB x_cat
for mb in "${sizes[@]}"; do
  dir=$(generate "$mb")
  file=$dir/after.heapsnapshot
  file_mb=$(( $(stat -c %s "$file") / 1000000 ))
  read -r cat_wall _ _ < <(measure cat "$file")
  budget=$(( $(stat -c %s "$file") * 2 ))
  commands=(summary diff diff-low)
  if command -v taskset > /dev/null; then commands=(summary summary-1cpu diff diff-low); fi
  [ -z "${HEAPLENS_PEER:-}" ] || commands+=(peer)
  for cmd in "${commands[@]}"; do
    case $cmd in
      summary) args=("$bin" summary "$file" --format json) ;;
      summary-1cpu) args=(taskset -c 0 "$bin" summary "$file" --format json) ;;
      diff) args=("$bin" diff "$dir/baseline.heapsnapshot" "$file" --format json) ;;
      peer) args=($HEAPLENS_PEER summary "$file") ;;
      diff-low) args=(env HEAPLENS_MAX_MEMORY=$budget "$bin" diff "$dir/baseline.heapsnapshot" "$file" --format json) ;;
    esac
    read -r wall cpu rss < <(measure "${args[@]}")
    ratio=$(awk -v a="$wall" -v b="$cat_wall" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }')
    # time's %M is in KiB; MB here are 10^6 bytes, as in --timings.
    printf '%-8s %-12s %8s %8s %8d %9d %8s\n' "${mb}MB" $cmd "$wall" "$cpu" $(( rss * 1024 / 1000000 )) "$file_mb" "$ratio"
  done
  echo "  cat: ${cat_wall} s; stages of one summary run:"
  "$bin" summary "$file" --format json --timings 2>&1 >/dev/null | sed 's/^/  /'

  # Reopened from indexes (issue 21): `heaplens index` writes one per
  # snapshot into a private temporary directory (removed after), then
  # summary and diff run with --index, and the TUI's times come from
  # bench/tui_reopen.sh (class rows, then the whole analysis).
  idx=$(mktemp -d); chmod 700 "$idx"
  for side in baseline after; do
    /usr/bin/time -o "$idx/took" -f '%e' "$bin" index "$dir/$side.heapsnapshot" -o "$idx/$side.hlx" 2> /dev/null
    echo "  index of $side: $(tail -n 1 "$idx/took") s to write, $(( $(stat -c %s "$idx/$side.hlx") / 1000000 )) MB"
  done
  for cmd in reopen-summary reopen-diff; do
    case $cmd in
      reopen-summary) args=("$bin" summary "$file" --format json --index "$idx/after.hlx") ;;
      reopen-diff) args=("$bin" diff "$dir/baseline.heapsnapshot" "$file" --format json --index "$idx/baseline.hlx" --index "$idx/after.hlx") ;;
    esac
    read -r wall cpu rss < <(measure "${args[@]}")
    printf '%-8s %-12s %8s %8s %8d %9d\n' "${mb}MB" $cmd "$wall" "$cpu" $(( rss * 1024 / 1000000 )) "$file_mb"
  done
  if command -v tmux > /dev/null; then "$here/bench/tui_reopen.sh" "$file" "$idx/after.hlx" "$bin" | sed 's/^/  TUI reopened: /'; fi
  rm -rf "$idx"
done
