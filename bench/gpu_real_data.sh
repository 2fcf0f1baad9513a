#!/usr/bin/env bash
# The guide's settings on real pairs, for a few minutes on a CUDA machine, as one script: throughput and the PSNR
# reached on the LSUI sample's held-out pairs, then the benchmark on UIEB T90 and EUVP. Run from the repository root
# with ../shared beside it:
#   bash bench/gpu_real_data.sh OUT_DIR [MAX_STEPS]
# Expects phaseformer importable (pip install -e . or PYTHONPATH=.); the VGG19 weights must be in the torch hub cache
# (the machine may be offline), otherwise the perceptual term is left out and the log says so.
set -uo pipefail
out=${1:-gpu-real}; steps=${2:-1500}; mkdir -p "$out"
real=../shared/realpairs
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"
perceptual=--perceptual
timeout 30 python3 -c "from phaseformer.losses import _vgg_state_dict; _vgg_state_dict('vgg19', 'imagenet')" 2>/dev/null || {
  perceptual=--no_perceptual; echo "VGG19 weights unavailable offline: --no_perceptual" | tee -a "$out/gpu.txt"; }
echo "== the guide's settings (256 px, batch 8, lr 1e-3, bf16), $steps steps on the LSUI sample =="
start=$(date +%s)
python3 -m phaseformer.train --dataset_path "$real/LSUI_Ushape" --size 256 --batch_size 8 --lr 1e-3 --amp bf16 \
  --niter 50 --niter_decay 500 --max_steps "$steps" --threads 8 --cache $perceptual --device cuda --output_dir "$out/runs" \
  2>&1 | tr '\r' '\n' | grep -v "it/s\]\|s/it\]\|^\s*$" | tee "$out/train.txt" | grep -E "Epoch|Done|layout|Test set"
echo "wall: $(( $(date +%s) - start )) s" | tee -a "$out/train.txt"
run=$(ls -d "$out"/runs/*/ | tail -1)
phaseformer-benchmark --checkpoint "$run/last.pth" --dataset_path "$real/UIEB_T90_LiteEnhanceNet" \
  --dataset_path "$real/EUVP_FUnIE" --out "$out/benchmark" --device cuda --force 2>&1 | grep -v "%|" | tee "$out/benchmark.txt"
