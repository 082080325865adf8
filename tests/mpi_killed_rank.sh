#!/usr/bin/env bash
# One process of a data-parallel run killed (SIGKILL) mid-run: every process must end within
# 10 s, mpirun with a non-zero status, and rank 0's output file must be left as it was.
#   mpi_killed_rank.sh MPIRUN MPI_CIRCLES_RUN
set -uo pipefail
mpirun=$1
program=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "before the run" > "$work/out.txt"
# Long enough never to finish: 3 processes, m = 200 000, a million iterations.
"$mpirun" --oversubscribe --allow-run-as-root -np 3 "$program" 200000 1000000 "$work/out.txt" "$work" \
  > "$work/stdout" 2> "$work/stderr" &
job=$!
for _ in $(seq 1 600); do  # every process started (at most 60 s on a loaded machine)
  [ -s "$work/rank0.pid" ] && [ -s "$work/rank1.pid" ] && [ -s "$work/rank2.pid" ] && break
  sleep 0.1
done
if ! [ -s "$work/rank1.pid" ]; then
  echo "FAIL: the processes did not start within 60 s"; cat "$work/stderr"; kill "$job"; exit 1
fi
sleep 1  # mid-run
victim=$(cat "$work/rank1.pid")
echo "killing rank 1 (pid $victim)"
start=$(date +%s%N)
kill -KILL "$victim"
status=
for _ in $(seq 1 100); do  # 10 s
  if ! kill -0 "$job" 2>/dev/null; then wait "$job"; status=$?; break; fi
  sleep 0.1
done
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
if [ -z "$status" ]; then
  echo "FAIL: mpirun still runs 10 s after rank 1 was killed"
  kill -KILL "$job" 2>/dev/null
  for r in 0 2; do kill -KILL "$(cat "$work/rank$r.pid")" 2>/dev/null; done
  exit 1
fi
echo "mpirun ended ${elapsed} ms after the kill with status $status"
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
for r in 0 2; do  # the other ranks too, within 10 s of the kill (a zombie counts as ended)
  pid=$(cat "$work/rank$r.pid")
  while alive "$pid" && [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 10000 ]; do sleep 0.1; done
  if alive "$pid"; then echo "FAIL: rank $r still runs 10 s after rank 1 was killed"; kill -KILL "$pid"; exit 1; fi
done
echo "every rank ended $(( ($(date +%s%N) - start) / 1000000 )) ms after the kill"
fail=0
[ "$status" -ne 0 ] || { echo "FAIL: mpirun exited with status 0"; fail=1; }
[ "$(cat "$work/out.txt")" = "before the run" ] || { echo "FAIL: the output file was replaced"; fail=1; }
echo "--- mpirun's stderr:"; head -20 "$work/stderr"
[ $fail -eq 0 ] && echo "PASS: all ranks ended, status $status, output file untouched"
exit $fail
