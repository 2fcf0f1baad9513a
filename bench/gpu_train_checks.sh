#!/usr/bin/env bash
# The trainer on a CUDA machine, as one script (see DEVELOPERS.md): bf16 training with sample grids written from the
# GPU, resume with a changed setting, torchrun with NCCL, the plain command, train.log and the guards' state. Run from
# the repository root:
#   bash bench/gpu_train_checks.sh OUT_DIR
# Expects phaseformer importable (pip install -e . or PYTHONPATH=.) and writes logs to OUT_DIR.
set -uo pipefail
out=${1:-gpu-results}; mkdir -p "$out"
export PYTHONUNBUFFERED=1 PHASEFORMER_CACHE=/tmp/phaseformer-cache
train() { python3 -m phaseformer.train "$@" 2>&1 | tr '\r' '\n' | grep -v "it/s\]\|s/it\]\|^\s*$"; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"

echo "== bf16 demo run, 3 epochs of 2, then resumed with --niter_decay 1 (one more epoch) =="
start=$(date +%s)
train --demo --device cuda --amp bf16 --niter 3 --niter_decay 0 --threads 4 --batch_size 16 --sample_every 5 --output_dir /tmp/runs-bf16 | tail -5 | tee "$out/bf16.txt"
echo "wall: $(( $(date +%s) - start )) s" | tee -a "$out/bf16.txt"
run=$(ls -d /tmp/runs-bf16/*/)
train --resume "$run/last.pth" --niter_decay 1 | grep -E "Resum|Epoch 4|Done" | tee -a "$out/bf16.txt"
cut -d, -f1-3 "$run/metrics.csv" | tee -a "$out/bf16.txt"
ls "$run" "$run/samples" | tr '\n' ' ' | tee -a "$out/bf16.txt"; echo
grep -c . "$run/train.log" | sed 's/^/train.log lines: /' | tee -a "$out/bf16.txt"

echo "== torchrun, 1 process, NCCL =="
timeout 300 torchrun --nproc_per_node=1 -m phaseformer.train --demo --device cuda --amp bf16 --niter 1 --niter_decay 0 \
    --max_steps 20 --threads 4 --output_dir /tmp/runs-ddp 2>&1 | tr '\r' '\n' | grep -E "Run folder|Done|Error|error" | tee "$out/ddp.txt"

echo "== the plain command on a 1-GPU machine: one process, no DDP =="
train --demo --device auto --niter 1 --niter_decay 0 --max_steps 10 --threads 4 --output_dir /tmp/runs-plain | grep -E "Starting|Run folder|Done" | tee "$out/plain.txt"
