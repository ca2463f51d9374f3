#!/bin/bash
# The Slurm scripts end to end on a real single-node Slurm started here:
# munged, slurmctld and slurmd with a generated configuration in a temporary
# directory (own ports and munge socket, so nothing of the machine's own set-up
# is used or changed), then
#   1. scripts/slurm/submit-array: 2 shards + the dependent merge job; one
#      shard gets the pre-time-limit signal (scancel --signal=USR1 --batch),
#      must stop resumably, requeue itself and resume;
#   2. scripts/slurm/mpi.sbatch with 2 ranks (when arcm was built with MPI);
# and compares the merged and the MPI file dataset by dataset with a
# single-process sweep. The daemons are always stopped (trap).
#
# usage: test_slurm.sh ARCM WORKDIR [MPI]   (MPI: "mpi" when arcm has MPI)
# Exit 77 (skip) when not root or when Slurm/munge are not installed.
set -uo pipefail
ARCM=$(readlink -f "$1")
WORK=$2
WITH_MPI=${3:-}
HERE=$(dirname "$(readlink -f "$0")")
ROOT=$(readlink -f "$HERE/../..")
SWEEP=$HERE/data/hpc_lhs.yaml
SKIP=77
TIMEOUT=${ARCM_SLURM_TEST_TIMEOUT:-420}

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the Slurm test starts munged, slurmctld and slurmd, which needs root"
  exit $SKIP
fi
for command in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
  if ! command -v "$command" >/dev/null; then
    echo "SKIP: $command is not installed (Debian packages slurm-wlm and munge)"
    exit $SKIP
  fi
done

fail() {
  echo "FAIL: $*"
  for log in "$DAEMONS"/log/*.log "$WORK"/log/*.out; do
    [ -e "$log" ] && { echo "---- $log"; tail -n 25 "$log"; }
  done
  exit 1
}

rm -rf "$WORK"
mkdir -p "$WORK/log" "$WORK/runs"
DAEMONS=$(mktemp -d /tmp/arcm-slurm-test.XXXXXX)
chmod 755 "$DAEMONS"
mkdir -p "$DAEMONS/state" "$DAEMONS/spool" "$DAEMONS/log" "$DAEMONS/munge"

stop_daemons() {
  [ -n "${SLURM_CONF:-}" ] && scancel --quiet --user=root 2>/dev/null
  for pidfile in "$DAEMONS/slurmd.pid" "$DAEMONS/slurmctld.pid" "$DAEMONS/munge/munged.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  rm -rf "$DAEMONS"
}
trap stop_daemons EXIT

# The single-process reference, before the daemons take the cores.
"$ARCM" sweep "$SWEEP" -o "$WORK/reference.h5" --threads 1 --quiet || fail "reference sweep"

# munge: the key the munge package generated (made here if missing), our own socket.
KEY=/etc/munge/munge.key
if [ ! -s "$KEY" ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of="$KEY" bs=1024 count=1 status=none
  chown munge:munge "$KEY" 2>/dev/null
  chmod 400 "$KEY"
fi
chown munge:munge "$DAEMONS/munge" 2>/dev/null
runuser -u munge -- munged --socket="$DAEMONS/munge/munge.socket" --pid-file="$DAEMONS/munge/munged.pid" \
  --log-file="$DAEMONS/munge/munged.log" --seed-file="$DAEMONS/munge/munged.seed" --key-file="$KEY" ||
  fail "munged did not start"

# Free ports for slurmctld and slurmd.
read -r PORT_CTLD PORT_D < <(/usr/bin/python3 -c '
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("", 0)); ports.append(s); 
print(*[s.getsockname()[1] for s in ports])')
NODE_LINE=$(slurmd -C | head -n 1)
NODE=${NODE_LINE#NodeName=}
NODE=${NODE%% *}
export SLURM_CONF=$DAEMONS/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=arcmtest
SlurmctldHost=$NODE
SlurmctldPort=$PORT_CTLD
SlurmdPort=$PORT_D
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DAEMONS/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DAEMONS/state
SlurmdSpoolDir=$DAEMONS/spool
SlurmctldPidFile=$DAEMONS/slurmctld.pid
SlurmdPidFile=$DAEMONS/slurmd.pid
SlurmctldLogFile=$DAEMONS/log/slurmctld.log
SlurmdLogFile=$DAEMONS/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
$NODE_LINE State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 100); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 0.3
done
[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] || fail "the node did not become idle: $(sinfo 2>&1)"
echo "slurm up: node $NODE, ports $PORT_CTLD/$PORT_D"

export ARCM
export ARCM_SWEEP_ARGS="--batch-size 8 --checkpoint-every 0"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ARCM_ARRAY_ARGS="--cpus-per-task=1 --time=10 --mem=400M --output=$WORK/log/shard-%A_%a.out"
export ARCM_MERGE_ARGS="--mem=400M --time=10 --output=$WORK/log/merge-%j.out"
cd "$WORK" || fail "no $WORK"
submitted=$("$ROOT/scripts/slurm/submit-array" "$SWEEP" 2 "$WORK/runs" "$WORK/merged.h5") || fail "submit-array"
echo "$submitted"
ARRAY=$(echo "$submitted" | sed -n 's/^array job \([0-9]*\) .*/\1/p')
[ -n "$ARRAY" ] || fail "no array job id in: $submitted"

# The signal Slurm sends before a time limit, to shard 0 while it runs.
PARTIAL=$WORK/runs/hpc_lhs.shard-0000-of-0002.h5.partial
signalled=0
for _ in $(seq 600); do
  if [ "$(squeue -h -j "${ARRAY}_0" -o %T 2>/dev/null)" = RUNNING ] && [ -e "$PARTIAL" ]; then
    sleep 0.1
    scancel --signal=USR1 --batch "${ARRAY}_0" && signalled=1
    break
  fi
  sleep 0.05
done
[ $signalled = 1 ] || fail "shard 0 never ran with its partial file"
# Slurm holds a requeued batch job back for a while before its next start (about three minutes
# here); once the requeue has happened, let it start at once so the test stays short.
for _ in $(seq 300); do
  info=$(scontrol show job "${ARRAY}_0" 2>/dev/null)
  if echo "$info" | grep -q "Restarts=[1-9]" && echo "$info" | grep -q "JobState=PENDING"; then
    scontrol update JobId="${ARRAY}_0" StartTime=now || true
    break
  fi
  echo "$info" | grep -q "JobState=COMPLETED" && break
  sleep 0.2
done

if [ "$WITH_MPI" = mpi ]; then
  MPI_JOB=$(sbatch --parsable --ntasks=2 --cpus-per-task=1 --mem-per-cpu=400M --time=10 \
    --output="$WORK/log/mpi-%j.out" "$ROOT/scripts/slurm/mpi.sbatch" "$SWEEP" "$WORK/mpi.h5") || fail "sbatch mpi"
  echo "mpi job $MPI_JOB"
fi

started=$(date +%s)
while [ -n "$(squeue -h 2>/dev/null)" ]; do
  if [ $(($(date +%s) - started)) -gt "$TIMEOUT" ]; then
    squeue
    fail "jobs still queued after $TIMEOUT s"
  fi
  sleep 1
done
echo "all jobs done after $(($(date +%s) - started)) s"

grep -q "requeueing job" "$WORK"/log/shard-"${ARRAY}"_0.out || fail "shard 0 was not requeued after USR1"
grep -q "restart 1" "$WORK"/log/shard-"${ARRAY}"_0.out || fail "shard 0 did not run again after its requeue"
[ -e "$WORK/merged.h5" ] || fail "the merge job wrote no $WORK/merged.h5"
/usr/bin/python3 "$ROOT/tests/tools/compare_datasets.py" "$WORK/reference.h5" "$WORK/merged.h5" ||
  fail "the merged file differs from the single-process sweep"
"$ARCM" status "$WORK/runs" || fail "arcm status does not call the shards complete"
if [ "$WITH_MPI" = mpi ]; then
  [ -e "$WORK/mpi.h5" ] || fail "the MPI job wrote no $WORK/mpi.h5"
  /usr/bin/python3 "$ROOT/tests/tools/compare_datasets.py" "$WORK/reference.h5" "$WORK/mpi.h5" ||
    fail "the MPI job's file differs from the single-process sweep"
fi
echo "PASS: Slurm array (with a requeued shard) + merge$([ "$WITH_MPI" = mpi ] && echo " and MPI job") give the single-process datasets"
