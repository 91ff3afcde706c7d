#!/usr/bin/env bash
# tui_reopen.sh SNAPSHOT INDEX [BIN] — the TUI reopened from an index
# (`heaplens SNAPSHOT --index INDEX`): when its first frame, the Summary's
# class rows and the full analysis appear, measured from outside through
# tmux as bench/tui_latency.sh does (an upper bound: tmux polls). Prints
# milliseconds after start.
set -euo pipefail
file=$1 index=$2
bin=${3:-$(dirname "$0")/../target/release/heaplens}
sock=heaplens-reopen-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
now_ms() { date +%s%3N; }
wait_for() {  # wait_for TEXT -> ms when the pane shows TEXT
  while ! tmux -L "$sock" capture-pane -p -t reopen 2>/dev/null | grep -qF -- "$1"; do sleep 0.005; done
  now_ms
}
tmux -L "$sock" -f /dev/null new-session -d -s reopen -x 120 -y 40 \
  "sleep 0.3; exec $bin $file --index $index"
start=$(( $(now_ms) + 300 ))
first=$(wait_for "heaplens")
echo "first frame: $(( first - start )) ms after start"
counts=$(wait_for " ×")   # a class row's count
echo "class rows: $(( counts - start )) ms after start"
loaded=$(wait_for " objects, ")
echo "fully loaded: $(( loaded - start )) ms after start"
tmux -L "$sock" send-keys -t reopen q
