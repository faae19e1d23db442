#!/usr/bin/env bash
# status.sh JOBID: print running, success or failed (what Snakemake's generic cluster executor
# expects from a status command). A job is running while its process lives; then its exit
# file, written just before the process ends, decides.
set -uo pipefail
id="$1"
spool="${FAKE_CLUSTER_SPOOL:-.snakemake/fake-cluster}"
pid="$(cat "$spool/$id.pid" 2>/dev/null || true)"
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
  echo running
elif [[ "$(cat "$spool/$id.exit" 2>/dev/null)" == "0" ]]; then
  echo success
else
  echo failed
fi
