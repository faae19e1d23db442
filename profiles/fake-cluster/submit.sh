#!/usr/bin/env bash
# submit.sh JOBSCRIPT: start JOBSCRIPT in the background, in its own session, and print a job
# id, like a scheduler's submit command. The job's output goes to $SPOOL/<id>.out, its pid to
# $SPOOL/<id>.pid and, when it ends, its exit code to $SPOOL/<id>.exit.
set -euo pipefail
jobscript="$1"
spool="${FAKE_CLUSTER_SPOOL:-.snakemake/fake-cluster}"
mkdir -p "$spool"
id="fake-$(date +%s%N)-$$"
# The job must not hold this script's stdout open: Snakemake reads the id until it closes.
setsid bash -c '
  bash "$1" >"$2.out" 2>&1
  echo $? >"$2.exit.tmp" && mv "$2.exit.tmp" "$2.exit"
' fake-job "$jobscript" "$spool/$id" </dev/null >/dev/null 2>&1 &
echo $! >"$spool/$id.pid"
echo "$id"
