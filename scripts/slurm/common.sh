# shellcheck shell=bash
# Sourced by the ARCM Slurm job scripts: run arcm in the background so the
# script can catch the signal Slurm sends before the time limit
# (#SBATCH --signal=B:USR1@120), pass it on, and requeue the job when arcm
# stopped resumably (exit code 6). The requeued job finds NAME.partial and
# continues it with --resume.

# arcm_run_resumable ARCM_ARGS... : runs arcm, returns its exit code, and
# requeues this job after an interruption.
arcm_run_resumable() {
  local pid status
  trap 'echo "arcm-slurm: signal before the time limit, asking arcm to stop resumably"; kill -USR1 "$pid" 2>/dev/null' USR1
  trap 'kill -TERM "$pid" 2>/dev/null' TERM
  "$@" &
  pid=$!
  # `wait` returns early when a trapped signal arrives; wait again until arcm is gone.
  while true; do
    wait "$pid"
    status=$?
    kill -0 "$pid" 2>/dev/null || break
  done
  trap - USR1 TERM
  if [ "$status" -eq 6 ]; then
    if [ -n "${SLURM_JOB_ID:-}" ] && [ "${ARCM_NO_REQUEUE:-0}" != 1 ]; then
      echo "arcm-slurm: interrupted resumably; requeueing job $SLURM_JOB_ID"
      scontrol requeue "$SLURM_JOB_ID"
    fi
  fi
  return "$status"
}

# The shard file name arcm uses: NAME.shard-IIII-of-NNNN.h5 (NAME = the sweep file's `name:`).
arcm_shard_file() {
  printf '%s/%s.shard-%04d-of-%04d.h5' "$1" "$2" "$3" "$4"
}

# A name for the sweep's files: its top-level `name:`, else the file name without .yaml.
# array.sbatch and merge.sbatch both use it, so shards and merge agree.
arcm_sweep_name() {
  local name
  name=$(sed -n 's/^name:[[:space:]]*\(["'"'"']\{0,1\}\)\([^"'"'"'#]*\)\1[[:space:]]*\(#.*\)\{0,1\}$/\2/p' "$1" |
    head -n 1 | sed 's/[[:space:]]*$//')
  [ -n "$name" ] || name=$(basename "$1" .yaml)
  printf '%s' "$name"
}
