#!/bin/sh
# Stops the daemons scripts/slurm-up.sh started, by the PIDs in their pid files.
DIR=${MINIMA_SLURM_DIR:-/tmp/minima-slurm}
for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid"; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && rm -f "$f"
done
exit 0
