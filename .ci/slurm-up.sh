#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (localhost), for the tests that submit experiments to a real Slurm.
#
# Run as root on Debian 12 (what CI is): it installs slurm-wlm and munge when they are missing, writes the
# configuration, starts munged, slurmctld and slurmd, and returns once the node accepts jobs. Running it again, or
# while the cluster runs, is harmless: a running daemon is kept, and only a changed configuration restarts them.
# Everything it writes lives under one folder, LENGTHGEN_SLURM_DIR (default /var/lib/lengthgen-slurm):
#   etc/slurm.conf, munge/ (key, socket, pid, seed), state/ (slurmctld), spool/ (slurmd), run/ (pid files),
#   log/ (daemon logs, jobcomp.txt).
# The one thing outside it is a symbolic link /etc/slurm/slurm.conf -> etc/slurm.conf, made only where no slurm.conf
# exists there, so that sbatch, squeue and sinfo find the cluster without SLURM_CONF (which the script prints and
# which works as well). .ci/slurm-down.sh stops the daemons and removes the link.
set -euo pipefail

dir="${LENGTHGEN_SLURM_DIR:-/var/lib/lengthgen-slurm}"
conf="$dir/etc/slurm.conf"
socket="$dir/munge/munge.socket"
system_conf=/etc/slurm/slurm.conf
# How long to wait for the node to become idle; a cold start takes a few seconds.
ready_timeout_s=60

say() { echo "slurm-up: $*"; }
die() { echo "slurm-up: $*" >&2; exit 1; }

[ "$(id -u)" = "0" ] || die "must run as root (it starts munged, slurmctld and slurmd)"

# --- packages --------------------------------------------------------------------------------------------------
# slurm-wlm depends on exactly slurmctld, slurmd and slurm-client; every plugin the configuration below names is in
# slurm-wlm-basic-plugins, which those depend on. Its recommends (HDF5, RRD, InfluxDB... plugins) are not needed.
missing=()
command -v munged >/dev/null 2>&1 || missing+=(munge)
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1
then
  missing+=(slurm-wlm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]}"
  apt-get update -q >/dev/null
  # The packages' own services are not wanted (this script runs its own daemons under $dir); where systemd runs,
  # Debian's postinst starts them, so they are stopped and disabled right away.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now slurmctld slurmd munge >/dev/null 2>&1 || true
  fi
fi

mkdir -p "$dir"/{etc,munge,state,spool,run,log}
# munged refuses a key that others can read and a key or socket folder that others can write; the socket folder
# must be searchable by every user who submits jobs.
chmod 0755 "$dir" "$dir"/{etc,munge,state,spool,run,log}

# --- the configuration -----------------------------------------------------------------------------------------
# The node as slurmd itself detects it (sockets, cores, threads, memory), so that the configured node never claims
# more than exists: slurmd would then register it as invalid and slurmctld would drain it.
hw="$(slurmd -C)"
hw="${hw%%$'\n'*}"
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$hw"; }
cpus="$(field CPUs)"
memory_mb="$(field RealMemory)"
if [ -z "$cpus" ] || [ -z "$memory_mb" ]; then
  die "could not read CPUs and RealMemory from 'slurmd -C': $hw"
fi
node="NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus Boards=$(field Boards) SocketsPerBoard=$(field SocketsPerBoard)"
node="$node CoresPerSocket=$(field CoresPerSocket) ThreadsPerCore=$(field ThreadsPerCore) RealMemory=$memory_mb"
# Without a default memory per CPU, a job that does not ask for memory is given the whole node's, and array tasks
# then run one at a time; with an even share per CPU, a 1-CPU task leaves room for the others.
mem_per_cpu=$((memory_mb / cpus))

new_conf="$(mktemp)"
trap 'rm -f "$new_conf"' EXIT
cat >"$new_conf" <<EOF
# Written by lengthgen's .ci/slurm-up.sh: a one-node Slurm for tests. Rewritten on every start.
ClusterName=lengthgen
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
# munged of this cluster, on its own socket. cred_expire: Slurm 22.05 holds a requeued job (state BeginTime) for the
# job credential's lifetime + 1 s before it may start again: 121 s by default; 5 s is the least it accepts.
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket,cred_expire=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# Processes are tracked through /proc rather than cgroups: a CI container or VM need not delegate cgroups to slurmd.
# linuxproc signals every descendant of a step, as proctrack/cgroup does on a cluster; task/affinity pins each job
# to its CPUs, so that the JVM's availableProcessors() is the job's CPU count, as under a cgroup cpuset.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
# No slurmdbd: squeue shows live jobs (and finished ones for MinJobAge); finished jobs are appended to a text file
# that 'sacct --completion' (-c) reads.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
# Jobs are requeueable unless submitted with --no-requeue (the Slurm default, stated so the tests' premise is here).
JobRequeue=1
# Scheduling: the main scheduler runs on events (submit, end) and every sched_interval seconds (60 by default), and
# an eligible job that no event wakes (a requeued one whose BeginTime has passed) waits for that pass; backfill runs
# every bf_interval (30 by default). From 'scontrol requeue' of a running array task to that task running again,
# on a 2-core VM with Slurm 22.05.8: 172 s with the defaults of both (one requeue), 18-23 s with cred_expire=5 alone
# (two), 8.7-9.2 s with both as here (five).
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$mem_per_cpu
# Preemption, for testing what a preempted run sees: a job in the 'urgent' partition requeues jobs of 'local' that
# hold the CPUs it needs. Every process of a preempted job gets SIGCONT and SIGTERM, then SIGKILL KillWait seconds
# later if still alive, and the job goes back to the queue.
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
KillWait=30
# A node that was down comes back by itself once slurmd registers with a valid configuration.
ReturnToService=2
MinJobAge=300
$node State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=urgent Nodes=localhost Default=NO MaxTime=INFINITE State=UP PriorityTier=2
EOF

conf_changed=0
if ! cmp -s "$new_conf" "$conf"; then
  conf_changed=1
  install -m 0644 "$new_conf" "$conf"
fi
if [ ! -e "$system_conf" ] && [ ! -L "$system_conf" ]; then
  mkdir -p "$(dirname "$system_conf")"
  ln -s "$conf" "$system_conf"
elif [ "$(readlink "$system_conf" || true)" != "$conf" ]; then
  say "note: $system_conf is not this cluster's; export SLURM_CONF=$conf for sbatch, squeue and sinfo"
fi
export SLURM_CONF="$conf"

# --- daemons ---------------------------------------------------------------------------------------------------
# A daemon runs when its pid file names a live process of that name (a stale pid file, after a reboot, does not
# count).
running() {
  local pid_file="$1" name="$2" pid
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]
}

if [ "$conf_changed" = 1 ] && { running "$dir/run/slurmctld.pid" slurmctld || running "$dir/run/slurmd.pid" slurmd; }
then
  say "configuration changed: restarting slurmctld and slurmd"
  "$(dirname "${BASH_SOURCE[0]}")/slurm-down.sh" --restart
fi

# munged: its own key, so that this cluster does not depend on (or disturb) a system munge.
if [ ! -f "$dir/munge/munge.key" ]; then
  mungekey --create --keyfile="$dir/munge/munge.key"
fi
chmod 0600 "$dir/munge/munge.key"
if ! running "$dir/munge/munged.pid" munged; then
  say "starting munged"
  # --force: munged refuses to run as root otherwise; here root is the only user of this cluster.
  munged --force --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log"
fi
munge --socket="$socket" --no-input | unmunge --socket="$socket" >/dev/null \
  || die "munged does not answer on $socket (see $dir/log/munged.log)"

if ! running "$dir/run/slurmctld.pid" slurmctld; then
  say "starting slurmctld"
  slurmctld -f "$conf"
fi
if ! running "$dir/run/slurmd.pid" slurmd; then
  say "starting slurmd"
  slurmd -f "$conf" -N localhost
fi

# --- ready -----------------------------------------------------------------------------------------------------
# The node accepts work once slurmd has registered: idle, or mixed/allocated when jobs from before a restart run.
deadline=$((SECONDS + ready_timeout_s))
while :; do
  state="$(sinfo --noheader --nodes=localhost --format=%T 2>/dev/null | head -n 1 || true)"
  case "$state" in
    idle|mixed|allocated|completing) break ;;
    # A node left drained or down by an earlier run (a failed job launch drains it) is handed back once.
    drain*|down*)
      if [ -z "${resumed:-}" ]; then
        scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
        resumed=1
      fi ;;
  esac
  # A daemon that exits at once (a configuration it rejects) says why in its log; show that rather than wait.
  problem=""
  running "$dir/run/slurmctld.pid" slurmctld || problem="slurmctld is not running"
  running "$dir/run/slurmd.pid" slurmd || problem="slurmd is not running"
  if [ -z "$problem" ] && [ $SECONDS -ge $deadline ]; then
    problem="the node is not ready after ${ready_timeout_s}s (state: ${state:-no answer from slurmctld})"
  fi
  if [ -n "$problem" ]; then
    echo "slurm-up: $problem" >&2
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
say "node localhost is $state ($cpus CPUs, $memory_mb MB, $mem_per_cpu MB per CPU by default)"
say "SLURM_CONF=$conf"
