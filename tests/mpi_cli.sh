#!/usr/bin/env bash
# `mpirun -np N xgrad train` (issue 23), one check per call:
#   mpi_cli.sh MPIRUN XGRAD same-bits    1, 2 and 3 processes give the single-process run's
#                                        JSON (costs, predictions, accuracies) and --save file,
#                                        full batch and mini-batch Adam; --json records the processes
#   mpi_cli.sh MPIRUN XGRAD other-flags  a process started with other flags: one message from
#                                        rank 0, status != 0, no output written
#   mpi_cli.sh MPIRUN XGRAD failing-rank one process's data file is broken: that process says so
#                                        and every process ends, status != 0, nothing written
#   mpi_cli.sh MPIRUN XGRAD share-files  .npy (C and Fortran order), .npz, .csv and .mat data, each
#                                        process reading its share: 1, 2 and 3 processes give
#                                        the single-process JSON and --save file
#   mpi_cli.sh MPIRUN XGRAD short-file   a .npy shorter than its header says: every process
#                                        stops within seconds, one message, nothing written
#   mpi_cli.sh MPIRUN XGRAD run-features validation (split and file), early stopping with
#                                        --restore-best, --schedule, --checkpoint-every: 2 and 3
#                                        processes give the single-process bits; a run
#                                        checkpointed on 2 processes and resumed on 3 (and on 1)
#                                        gives the bits of the uninterrupted one-process run
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

# same_json ONE SHARED N: the keys a run reports (costs, accuracies, predictions, the run's
# stop reason and counters) are equal, and SHARED records N processes.
same_json() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
one, shared, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
for key in ("costs", "cost_iterations", "final_cost", "train_accuracy", "test_accuracy",
            "train_predictions", "test_predictions", "validation_costs", "validation_accuracies",
            "epochs_run", "steps", "stop_reason", "stop_message", "last_validation"):
    if one.get(key) != shared.get(key):
        sys.exit(f"{key} differs: {str(one.get(key))[:200]} against {str(shared.get(key))[:200]}")
for key, value in one["settings"].items():
    if key not in ("processes", "threads", "blas_threads") and shared["settings"].get(key) != value:
        sys.exit(f"settings.{key} differs: {value} against {shared['settings'].get(key)}")
if shared["settings"].get("processes") != n:
    sys.exit(f"settings.processes is {shared['settings'].get('processes')}, not {n}")
PY
}

# Data files written without numpy: circles-like points, 2 features, 0/1 labels.
write_data_files() {
  python3 - <<'PY'
import random, struct, zipfile
random.seed(7)
def points(n):
    xs = [[random.uniform(-1, 1) for _ in range(n)] for _ in range(2)]
    ys = [[float(xs[0][j] ** 2 + xs[1][j] ** 2 < 0.5) for j in range(n)]]
    return xs, ys
def npy(rows, fortran=False):
    r, c = len(rows), len(rows[0])
    header = "{'descr': '<f8', 'fortran_order': %s, 'shape': (%d, %d), }" % (fortran, r, c)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    data = [rows[i][j] for j in range(c) for i in range(r)] if fortran else [v for row in rows for v in row]
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<%dd" % len(data), *data)
X, Y = points(3000)
TX, TY = points(1000)
for name, rows, fortran in (("X", X, False), ("Y", Y, False), ("XF", X, True), ("TX", TX, False), ("TY", TY, False)):
    open(name + ".npy", "wb").write(npy(rows, fortran))
with zipfile.ZipFile("data.npz", "w", zipfile.ZIP_STORED) as z:
    for name, rows in (("train_X", X), ("train_Y", Y), ("test_X", TX), ("test_Y", TY)):
        z.writestr(name + ".npy", npy(rows))
with open("data.csv", "w") as f:
    for j in range(3000):
        f.write("%r,%r,%d\n" % (X[0][j], X[1][j], Y[0][j]))
PY
}

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
share-files)
  write_data_files || fail "cannot write the data files"
  for run in "npy:--data X.npy --labels Y.npy --test-data TX.npy --test-labels TY.npy" \
             "fortran:--data XF.npy --labels Y.npy" \
             "npz:--data data.npz" \
             "csv:--data data.csv --test-data TX.npy --test-labels TY.npy" \
             "mat:--data ${XGRAD_SHARED:-/nonexistent}/data/football.mat --mini-batch-size 64 --epochs 2"; do
    name=${run%%:*}
    if [ "$name" = mat ] && [ ! -f "${XGRAD_SHARED:-/nonexistent}/data/football.mat" ]; then
      echo "mat: skipped (no ../shared/data/football.mat)"
      continue
    fi
    flags="${run#*:} --record-every 5"
    case "$flags" in *--epochs*) ;; *) flags="$flags --iterations 30" ;; esac
    # shellcheck disable=SC2086
    "$xgrad" --threads 1 train $flags --json "$name.one.json" --save "$name.one.npz" > "$name.one.out" ||
      { cat "$name.one.out"; fail "$name: the single-process run failed"; }
    for n in 1 2 3; do
      # shellcheck disable=SC2086
      run_mpi "$n" "$xgrad" --threads 1 train $flags --json "$name.$n.json" --save "$name.$n.npz" > "$name.$n.out" 2>&1 ||
        { cat "$name.$n.out"; fail "$name: mpirun -np $n failed"; }
      cmp -s "$name.one.npz" "$name.$n.npz" || fail "$name: the parameters of -np $n differ from one process's"
      same_json "$name.one.json" "$name.$n.json" "$n" || fail "$name: -np $n's JSON differs"
    done
    echo "$name: 1, 2 and 3 processes, each reading its share, give the single-process bits"
  done
  ;;
short-file)
  write_data_files || fail "cannot write the data files"
  head -c 30000 X.npy > short.npy  # the header says (2, 3000) float64: 48 000 bytes of data
  echo "before the run" > out.json
  start=$(date +%s%N)
  run_mpi 3 "$xgrad" train --data short.npy --labels Y.npy --iterations 10 --json out.json > stdout 2> stderr
  status=$?
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  cat stderr
  [ "$status" -ne 0 ] || fail "mpirun exited with status 0"
  [ "$(grep -c '^xgrad: error' stderr)" -eq 1 ] || fail "not exactly one error line"
  grep -q "^xgrad: error: --data: short.npy: truncated" stderr || fail "no message naming the file"
  [ "$(cat out.json)" = "before the run" ] || fail "out.json was replaced"
  [ "$elapsed" -lt 10000 ] || fail "it took $elapsed ms"
  echo "PASS: one message, status $status, $elapsed ms, nothing written"
  ;;
run-features)
  write_data_files || fail "cannot write the data files"
  for run in "split:--dataset circles --samples 8000 --iterations 120 --record-every 10 --validation-split 0.3 --validation-every 10 --early-stopping 2:0.001 --restore-best --schedule step:0.5:40" \
             "file:--data X.npy --labels Y.npy --validation-data TX.npy --validation-labels TY.npy --mini-batch-size 700 --epochs 6 --optimizer adam --lr 0.01 --record-every 1 --schedule cosine:6:0.1 --checkpoint-every 2"; do
    name=${run%%:*}
    flags=${run#*:}
    case "$flags" in *--checkpoint-every*) ck=(--checkpoint ck.npz) ;; *) ck=() ;; esac
    # shellcheck disable=SC2086
    "$xgrad" --threads 1 train $flags "${ck[@]/ck.npz/$name.one.ck.npz}" --json "$name.one.json" --save "$name.one.npz" > "$name.one.out" ||
      { cat "$name.one.out"; fail "$name: the single-process run failed"; }
    for n in 2 3; do
      # shellcheck disable=SC2086
      run_mpi "$n" "$xgrad" --threads 1 train $flags "${ck[@]/ck.npz/$name.$n.ck.npz}" --json "$name.$n.json" --save "$name.$n.npz" > "$name.$n.out" 2>&1 ||
        { cat "$name.$n.out"; fail "$name: mpirun -np $n failed"; }
      cmp -s "$name.one.npz" "$name.$n.npz" || fail "$name: the parameters of -np $n differ from one process's"
      same_json "$name.one.json" "$name.$n.json" "$n" || fail "$name: -np $n's JSON differs"
      if [ ${#ck[@]} -gt 0 ]; then
        cmp -s "$name.one.ck.npz" "$name.$n.ck.npz" || fail "$name: the checkpoint of -np $n differs from one process's"
      fi
    done
    grep -q "^Validation after" "$name.3.out" || fail "$name: no validation line"
    echo "$name: 2 and 3 processes give the single-process bits"
  done
  # Checkpointed after 3 of 6 epochs on 2 processes, resumed on 3 and on 1: the bits of 6 epochs in one go.
  flags="--data X.npy --labels Y.npy --mini-batch-size 700 --optimizer adam --lr 0.01 --record-every 1 --schedule step:0.5:2 --validation-split 0.2"
  # shellcheck disable=SC2086
  "$xgrad" --threads 1 train $flags --epochs 6 --json whole.json --save whole.npz > whole.out || fail "the uninterrupted run failed"
  # shellcheck disable=SC2086
  run_mpi 2 "$xgrad" --threads 1 train $flags --epochs 3 --checkpoint half.npz > half.out 2>&1 ||
    { cat half.out; fail "the first half on 2 processes failed"; }
  [ -f half.npz ] || fail "no checkpoint written"
  for n in 3 1; do
    # shellcheck disable=SC2086
    run_mpi "$n" "$xgrad" --threads 1 train $flags --epochs 3 --resume half.npz --json "resumed.$n.json" --save "resumed.$n.npz" > "resumed.$n.out" 2>&1 ||
      { cat "resumed.$n.out"; fail "resuming on $n processes failed"; }
    cmp -s whole.npz "resumed.$n.npz" || fail "resumed on $n processes: the parameters differ from the uninterrupted run's"
    python3 - whole.json "resumed.$n.json" <<'PY' || fail "resumed on $n processes: the JSON differs"
import json, sys
one, resumed = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for key in ("costs", "cost_iterations", "final_cost", "train_accuracy", "train_predictions", "validation_costs", "steps"):
    if one.get(key) != resumed.get(key):
        sys.exit(f"{key} differs")
PY
  done
  echo "checkpoint on 2 processes, resumed on 3 and on 1: the bits of the uninterrupted run"
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
