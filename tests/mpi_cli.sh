#!/usr/bin/env bash
# `mpirun -np N xgrad train` (issue 23), one check per call:
#   mpi_cli.sh MPIRUN XGRAD same-bits    1, 2 and 3 processes give the single-process run's
#                                        JSON (costs, predictions, accuracies) and --save file,
#                                        full batch and mini-batch Adam; --json records the processes
#   mpi_cli.sh MPIRUN XGRAD other-flags  a process started with other flags: one message from
#                                        rank 0, status != 0, no output written
#   mpi_cli.sh MPIRUN XGRAD failing-rank one process's data file is broken: that process says so
#                                        and every process ends, status != 0, nothing written
#   mpi_cli.sh MPIRUN XGRAD killed-rank  one process killed mid-run: every process ends within
#                                        10 s, status != 0, the output files left as they were
set -uo pipefail
mpirun=$1
xgrad=$(realpath "$2")
check=$3
work=$(mktemp -d)
job=
trap '[ -n "$job" ] && kill -KILL "$job" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
run_mpi() { local n=$1; shift; "$mpirun" --oversubscribe --allow-run-as-root -np "$n" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

case "$check" in
same-bits)
  # Full batch: 30 000 columns, several tiles; mini-batches of 1500 (3 tiles) with Adam.
  for run in "full:--dataset circles --samples 30000 --iterations 60 --record-every 10" \
             "adam:--dataset circles --samples 6000 --mini-batch-size 1500 --epochs 3 --optimizer adam --lr 0.01 --record-every 1"; do
    name=${run%%:*}
    flags=${run#*:}
    # shellcheck disable=SC2086
    "$xgrad" --threads 1 train $flags --json "$name.one.json" --save "$name.one.npz" > "$name.one.out" ||
      fail "$name: the single-process run failed"
    for n in 1 2 3; do
      # shellcheck disable=SC2086
      run_mpi "$n" "$xgrad" --threads 2 train $flags --json "$name.$n.json" --save "$name.$n.npz" > "$name.$n.out" 2>&1 ||
        { cat "$name.$n.out"; fail "$name: mpirun -np $n failed"; }
      cmp -s "$name.one.npz" "$name.$n.npz" || fail "$name: the parameters of -np $n differ from one process's"
      python3 - "$name.one.json" "$name.$n.json" "$n" <<'PY' || fail "$name: -np $n's JSON differs"
import json, sys
one, shared, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
for key in ("costs", "cost_iterations", "final_cost", "train_accuracy", "test_accuracy",
            "train_predictions", "test_predictions"):
    if one[key] != shared[key]:
        sys.exit(f"{key} differs")
if shared["settings"].get("processes") != n:
    sys.exit(f"settings.processes is {shared['settings'].get('processes')}, not {n}")
PY
      grep -q "^processes: $n " "$name.$n.out" || fail "$name: -np $n does not print the processes"
      [ "$(grep -c '^train accuracy' "$name.$n.out")" -eq 1 ] || fail "$name: -np $n printed more than rank 0's lines"
    done
    echo "$name: 1, 2 and 3 processes give the single-process bits"
  done
  ;;
other-flags)
  echo "before the run" > out.json
  "$mpirun" --oversubscribe --allow-run-as-root \
    -np 1 "$xgrad" train --dataset circles --samples 3000 --iterations 5 --json out.json : \
    -np 1 "$xgrad" train --dataset circles --samples 3000 --iterations 5 --lr 0.5 --json out.json > stdout 2> stderr
  status=$?
  cat stderr
  [ "$status" -ne 0 ] || fail "mpirun exited with status 0"
  grep -q "process 1 of 2 was started with other settings than process 0" stderr || fail "no message naming process 1"
  [ "$(grep -c '^xgrad: error' stderr)" -eq 1 ] || fail "not exactly one error line"
  [ "$(cat out.json)" = "before the run" ] || fail "out.json was replaced"
  echo "PASS: one message, status $status, nothing written"
  ;;
failing-rank)
  # The same command line, but process 1's data file (its own working folder) is broken: it
  # fails alone, says so, and ends every process; nothing is written.
  mkdir good bad
  python3 -c "
import random
random.seed(1)
with open('good/data.csv', 'w') as f:
    for i in range(3000):
        x, y = random.uniform(-1, 1), random.uniform(-1, 1)
        f.write(f'{x},{y},{int(x * x + y * y < 0.5)}\\n')
"
  (cd good && "$xgrad" train --data data.csv --iterations 2 > /dev/null) || fail "the good data file does not train"
  head -c 2000 good/data.csv > bad/data.csv  # cut in the middle of a line
  echo "before the run" > good/out.json
  cp good/out.json bad/out.json
  "$mpirun" --oversubscribe --allow-run-as-root \
    -np 1 -wdir "$work/good" "$xgrad" train --data data.csv --iterations 100000 --json out.json : \
    -np 1 -wdir "$work/bad" "$xgrad" train --data data.csv --iterations 100000 --json out.json > stdout 2> stderr
  status=$?
  head -5 stderr
  [ "$status" -ne 0 ] || fail "mpirun exited with status 0"
  grep -q "^xgrad: error: process 1 of 2: " stderr || fail "no message from process 1 naming itself"
  [ "$(cat good/out.json)" = "before the run" ] || fail "rank 0's out.json was replaced"
  echo "PASS: process 1 failed alone, every process ended with status $status, nothing written"
  ;;
killed-rank)
  echo "before the run" > out.json
  # Long enough never to finish on its own: 3 processes, m = 200 000, a million iterations.
  # -x: each process carries this run's folder in its environment, so that it is found in /proc
  # (and not another job's).
  "$mpirun" --oversubscribe --allow-run-as-root -x XGRAD_TEST_RUN="$work" -np 3 \
    "$xgrad" --threads 1 train --dataset circles --samples 200000 --iterations 1000000 --json out.json \
    > stdout 2> stderr &
  job=$!
  ranks() {  # "PID RANK" of this run's processes
    local environ vars pid
    for environ in /proc/[0-9]*/environ; do
      vars=$({ tr '\0' '\n' < "$environ"; } 2>/dev/null) || continue
      grep -qx "XGRAD_TEST_RUN=$work" <<< "$vars" || continue
      pid=${environ#/proc/}
      echo "${pid%/environ} $(grep '^OMPI_COMM_WORLD_RANK=' <<< "$vars" | cut -d= -f2)"
    done
  }
  victim=
  for _ in $(seq 1 120); do  # all 3 started (at most 60 s on a loaded machine)
    listed=$(ranks)
    if [ "$(grep -c . <<< "$listed")" -ge 3 ]; then victim=$(awk '$2 == 1 {print $1}' <<< "$listed"); break; fi
    kill -0 "$job" 2>/dev/null || { cat stderr; fail "mpirun ended before the run started"; }
    sleep 0.5
  done
  [ -n "$victim" ] || { kill "$job"; fail "the 3 processes did not start within 60 s"; }
  others=$(awk '$2 != 1 {print $1}' <<< "$listed")
  sleep 2  # mid-run
  echo "killing rank 1 (pid $victim)"
  start=$(date +%s%N)
  kill -KILL "$victim"
  elapsed_ms() { echo $(( ($(date +%s%N) - start) / 1000000 )); }
  while kill -0 "$job" 2>/dev/null && [ "$(elapsed_ms)" -lt 10000 ]; do sleep 0.1; done
  if kill -0 "$job" 2>/dev/null; then
    kill -KILL "$job" $others 2>/dev/null
    fail "mpirun still runs 10 s after rank 1 was killed"
  fi
  wait "$job"
  status=$?
  echo "mpirun ended $(elapsed_ms) ms after the kill with status $status"
  alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
  for pid in $others; do
    while alive "$pid" && [ "$(elapsed_ms)" -lt 10000 ]; do sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid"; fail "process $pid still runs 10 s after rank 1 was killed"; fi
  done
  echo "every process ended $(elapsed_ms) ms after the kill"
  head -12 stderr
  [ "$status" -ne 0 ] || fail "mpirun exited with status 0"
  [ "$(cat out.json)" = "before the run" ] || fail "out.json was replaced"
  echo "PASS: every process ended, status $status, out.json untouched"
  ;;
*) echo "mpi_cli.sh: unknown check '$check'" >&2; exit 2 ;;
esac
