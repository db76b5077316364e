#!/usr/bin/env bash
# Stops the one-node Slurm cluster that .ci/slurm-up.sh started: cancels its jobs, then stops slurmd, slurmctld and
# munged, and removes the /etc/slurm/slurm.conf link if it points to this cluster. The folder (state, logs) stays for
# reading; delete LENGTHGEN_SLURM_DIR to start from nothing. Stopping a cluster that does not run is harmless.
#
#   --restart   stop slurmctld and slurmd only: jobs keep running (slurmstepd outlives slurmd and reattaches when it
#               comes back) and munged stays; slurm-up.sh uses this when the configuration changed.
set -euo pipefail

dir="${LENGTHGEN_SLURM_DIR:-/var/lib/lengthgen-slurm}"
conf="$dir/etc/slurm.conf"
system_conf=/etc/slurm/slurm.conf
restart=0
case "${1:-}" in
  --restart) restart=1 ;;
  "") ;;
  *) echo "slurm-down: unknown argument $1 (only --restart)" >&2; exit 2 ;;
esac

say() { echo "slurm-down: $*"; }

[ "$(id -u)" = "0" ] || { echo "slurm-down: must run as root" >&2; exit 1; }

pid_of() {
  local pid_file="$1" name="$2" pid
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && echo "$pid"
}

# SIGTERM, then up to 15 s for a clean exit (slurmctld saves its state), then SIGKILL.
stop() {
  local pid_file="$1" name="$2" pid
  pid="$(pid_of "$pid_file" "$name")" || return 0
  say "stopping $name ($pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 150); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.1
  done
  say "$name did not stop in 15 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# The jobs' slurmstepd processes, found by name: a machine that runs this test cluster runs no other Slurm.
stepds() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = "slurmstepd" ] && echo "${p#/proc/}"
  done
  return 0
}

if [ "$restart" = 0 ] && [ -f "$conf" ] && pid_of "$dir/run/slurmctld.pid" slurmctld >/dev/null; then
  jobs="$(SLURM_CONF="$conf" squeue --noheader --format=%A 2>/dev/null | sort -u | tr '\n' ' ' || true)"
  if [ -n "${jobs// /}" ]; then
    say "cancelling jobs $jobs"
    # shellcheck disable=SC2086  # one argument per job id
    SLURM_CONF="$conf" scancel $jobs || true
  fi
  # Wait (up to KillWait + a margin) for the jobs' processes to end, so that none outlives the cluster.
  for _ in $(seq 400); do
    [ -z "$(stepds)" ] && break
    sleep 0.1
  done
fi

stop "$dir/run/slurmd.pid" slurmd
stop "$dir/run/slurmctld.pid" slurmctld
if [ "$restart" = 1 ]; then
  exit 0
fi
if pid="$(pid_of "$dir/munge/munged.pid" munged)"; then
  say "stopping munged ($pid)"
  munged --stop --socket="$dir/munge/munge.socket" >/dev/null 2>&1 || stop "$dir/munge/munged.pid" munged
fi
if [ "$(readlink "$system_conf" 2>/dev/null || true)" = "$conf" ]; then
  rm -f "$system_conf"
fi
left="$(stepds)"
if [ -n "$left" ]; then
  say "warning: slurmstepd processes still run: $left"
fi
say "stopped"
