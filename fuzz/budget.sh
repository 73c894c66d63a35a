#!/usr/bin/env bash
# Fuzz each named target until it has used a budget of CPU time (user + system), not wall time,
# so that a fuzzer sharing the machine with builds at nice 19 is credited only with what it ran.
#
#   fuzz/budget.sh <cpu-seconds> <target>...
#
# Targets run one after another, at nice 19, from the committed seeds plus corpus/<target>.
# While the file fuzz/PAUSE exists (e.g. during benchmarks) the running fuzzer is stopped with
# SIGINT (libFuzzer prints its final stats) and restarted once the file is gone; its CPU time so
# far is kept in logs/<target>.cpu. Each segment's output goes to logs/<target>.<n>.log.
# Build first: RUSTC_BOOTSTRAP=1 cargo fuzz build -O
set -u
cd "$(dirname "$0")"
budget=$1
shift
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs corpus
ticks=$(getconf CLK_TCK)

cpu_seconds() { # utime + stime of a live pid, in seconds
  awk -v t="$ticks" '{ print int(($14 + $15) / t) }' "/proc/$1/stat" 2>/dev/null || echo 0
}

for target in "$@"; do
  mkdir -p "corpus/$target"
  used=$(cat "logs/$target.cpu" 2>/dev/null || echo 0)
  segment=$(ls logs/"$target".*.log 2>/dev/null | wc -l)
  while [ "$used" -lt "$budget" ]; do
    while [ -e PAUSE ]; do sleep 5; done
    segment=$((segment + 1))
    log="logs/$target.$segment.log"
    nice -n 19 "$bin/$target" "corpus/$target" "seeds/$target" \
      -timeout=10 -print_final_stats=1 -max_total_time=86400 >"$log" 2>&1 &
    pid=$!
    last=0
    while kill -0 "$pid" 2>/dev/null; do
      sleep 5
      now=$(cpu_seconds "$pid")
      [ "$now" -gt 0 ] && last=$now
      if [ -e PAUSE ] || [ $((used + last)) -ge "$budget" ]; then
        kill -INT "$pid" 2>/dev/null
      fi
    done
    wait "$pid"
    status=$?
    used=$((used + last))
    echo "$used" >"logs/$target.cpu"
    echo "$(date -u +%FT%TZ) $target segment $segment: +${last}s CPU, total ${used}s, exit $status" \
      | tee -a logs/summary.txt
    # 72 is libFuzzer's exit after SIGINT; anything else is a finding or a harness failure.
    if [ "$status" -ne 72 ] && [ "$status" -ne 0 ]; then
      echo "$target stopped with exit $status: see $log and artifacts/$target/" | tee -a logs/summary.txt
      break
    fi
  done
done
