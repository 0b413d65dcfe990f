#!/bin/bash
# Queues a sharded bench on Slurm: N array tasks (one shard each), then the merge, which runs only
# once every shard succeeded (afterok). Usage: examples/slurm/submit.sh [N] (default 8), from the
# repository root, with deno on the PATH of the compute nodes and `deno install` run once.
set -euo pipefail
N="${1:-8}"
mkdir -p out/slurm
ARRAY=$(sbatch --parsable --array="1-$N" examples/slurm/bench.sbatch)
sbatch --dependency="afterok:$ARRAY" examples/slurm/merge.sbatch
echo "queued shards as job $ARRAY (1-$N) and the merge after them"
