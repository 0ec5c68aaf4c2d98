#!/bin/sh
# Starts a one-node Slurm cluster (munge + slurmctld + slurmd, Debian packages) for the sweep tests.
# Needs root. Usage: eval "$(scripts/slurm-up.sh)"  → exports SLURM_CONF (and MINIMA_SLURM_DIR).
# Install first: apt-get update && apt-get install -y slurmctld slurmd slurm-client munge
set -eu
DIR=${MINIMA_SLURM_DIR:-/tmp/minima-slurm}
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/MemTotal/ {print int($2/1024*0.8)}' /proc/meminfo)
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
# munge: a key owned by munge, mode 400, runtime folders owned by munge
if [ ! -f /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! pgrep -u munge munged >/dev/null 2>&1; then
  su -s /bin/sh munge -c "$(command -v munged || echo /usr/sbin/munged)"
fi
cat > "$DIR/slurm.conf" <<CONF
ClusterName=minima
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPort=${MINIMA_SLURMCTLD_PORT:-16817}
SlurmdPort=${MINIMA_SLURMD_PORT:-16818}
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
MpiDefault=none
SchedulerType=sched/backfill
MaxArraySize=10001
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$DIR/slurm.conf"
[ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null || "$(command -v slurmctld || echo /usr/sbin/slurmctld)" -c -f "$SLURM_CONF"
[ -f "$DIR/slurmd.pid" ] && kill -0 "$(cat "$DIR/slurmd.pid")" 2>/dev/null || "$(command -v slurmd || echo /usr/sbin/slurmd)" -f "$SLURM_CONF"
i=0
until sinfo -h -o %T 2>/dev/null | grep -q idle; do
  i=$((i + 1))
  if [ $i -gt 60 ]; then echo "slurm did not come up; see $DIR/log" >&2; exit 1; fi
  sleep 0.5
done
echo "export SLURM_CONF=$SLURM_CONF MINIMA_SLURM_DIR=$DIR"
