#!/usr/bin/env bash
# status.sh JOBID: print running, success or failed (what Snakemake's generic cluster executor
# expects from a status command). A finished job has an exit file (written, then renamed into
# place, just before its process ends); a job without one is running while its process lives
# (a zombie left for the init process to reap counts as ended).
set -uo pipefail
id="$1"
spool="${FAKE_CLUSTER_SPOOL:-.snakemake/fake-cluster}"

finished() {
  local code
  code="$(cat "$spool/$id.exit" 2>/dev/null)" || return 1
  if [[ "$code" == "0" ]]; then echo success; else echo failed; fi
}

alive() {
  local pid="$1" stat state
  kill -0 "$pid" 2>/dev/null || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 0
  state="${stat##*) }"
  [[ "${state%% *}" != "Z" ]]
}

finished && exit 0
pid="$(cat "$spool/$id.pid" 2>/dev/null || true)"
if [[ -n "$pid" ]] && alive "$pid"; then
  echo running
else
  # the job may have ended between the two checks
  finished || echo failed
fi
