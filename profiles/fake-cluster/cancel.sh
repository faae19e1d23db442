#!/usr/bin/env bash
# cancel.sh JOBID...: stop each job (its whole session: the job script and what it started).
set -uo pipefail
spool="${FAKE_CLUSTER_SPOOL:-.snakemake/fake-cluster}"
for id in "$@"; do
  pid="$(cat "$spool/$id.pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
  fi
done
