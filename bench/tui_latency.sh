#!/usr/bin/env bash
# tui_latency.sh SNAPSHOT [BIN] — first-frame and key latency of the TUI
# while SNAPSHOT loads, and when the first class counts and the full
# analysis appear, measured from outside through tmux (an upper bound: it
# includes tmux's own polling). Prints milliseconds, then the TUI's peak
# RSS once loaded (VmHWM).
set -euo pipefail
file=$1
bin=${2:-$(dirname "$0")/../target/release/heaplens}
sock=heaplens-latency-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
now_ms() { date +%s%3N; }
wait_for() {  # wait_for TEXT [POLL_S] -> ms when the pane shows TEXT
  # Polling costs CPU the load needs: fine polling only for key latency.
  while ! tmux -L "$sock" capture-pane -p -t lat 2>/dev/null | grep -qF -- "$1"; do sleep "${2:-0.05}"; done
  now_ms
}
tmux -L "$sock" -f /dev/null new-session -d -s lat -x 120 -y 40 "sleep 0.3; exec $bin $file"
start=$(( $(now_ms) + 300 ))
first=$(wait_for "heaplens" 0.002)
echo "first frame: $(( first - start )) ms after start"
wait_for "q cancels" >/dev/null   # loading, with its progress line
for i in 1 2 3 4 5; do
  sent=$(now_ms); tmux -L "$sock" send-keys -t lat '?'
  shown=$(wait_for "Keys (j/k scroll" 0.002)
  echo "key '?' answered while loading: $(( shown - sent )) ms"
  tmux -L "$sock" send-keys -t lat Escape
  while tmux -L "$sock" capture-pane -p -t lat | grep -qF "Keys (j/k scroll"; do sleep 0.002; done
done
counts=$(wait_for " ×")   # a class row's count: the early Summary
echo "first counts (early Summary): $(( counts - start )) ms after start"
loaded=$(wait_for " objects, ")
echo "fully loaded: $(( loaded - start )) ms after start"
# The pane's process is heaplens itself (the shell execs it).
pid=$(tmux -L "$sock" display -p -t lat '#{pane_pid}')
echo "peak RSS once loaded: $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
tmux -L "$sock" send-keys -t lat q
