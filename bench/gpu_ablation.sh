#!/usr/bin/env bash
# The ablation of experiments/ablation.ipynb on a CUDA machine, with the guide's settings: 256 px, batch 8, lr 1e-3,
# bf16, the guide's schedule compressed to STEPS optimizer steps per run; the same six settings x SEEDS seeds, trained on
# the LSUI sample and scored on UIEB T90 and both EUVP samples at 256 px. Run from the repository root with ../shared beside it:
#   bash bench/gpu_ablation.sh OUT_DIR [STEPS] [SEEDS]     # defaults: 1000 steps, 3 seeds (18 runs)
# Run it again after a stop: finished runs are skipped, a stopped one continues. OUT_DIR/report/ holds the tables and
# the figure for the notebook. The VGG19 weights must be in the torch hub cache (the machine may be offline),
# otherwise the perceptual term is left out and the log says so.
set -uo pipefail
out=${1:-gpu-ablation}; steps=${2:-1000}; seeds=${3:-3}; mkdir -p "$out"
real=$(cd ../shared/realpairs && pwd)
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"
perceptual=true
timeout 30 python3 -c "from phaseformer.losses import _vgg_state_dict; _vgg_state_dict('vgg19', 'imagenet')" 2>/dev/null || {
  perceptual=false; echo "VGG19 weights unavailable offline: no perceptual term" | tee -a "$out/gpu.txt"; }
python3 - "$out" "$steps" "$seeds" "$real" "$perceptual" <<'PY'
import json, sys
out, steps, seeds, real, perceptual = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == 'true'
settings = {'published': {}, 'plain_attention': {'attention': 'plain'}, 'phase_stats': {'attention': 'phase_stats'},
            'eca_skip': {'skip': 'eca'}, 'no_skip': {'skip': 'none'}, 'low_head': {'outputs': 'low'}}
base = {'dataset_path': [f'{real}/LSUI_Ushape'], 'size': 256, 'batch_size': 8, 'lr': 1e-3, 'amp': 'bf16', 'cache': True,
        'threads': 8, 'device': 'cuda', 'perceptual': perceptual, 'niter': 50, 'niter_decay': 500, 'max_steps': steps,
        'eval_every': 10, 'sample_every': 0}
test_sets = {'UIEB T90': f'{real}/UIEB_T90_LiteEnhanceNet', 'EUVP FUnIE': f'{real}/EUVP_FUnIE', 'EUVP Shallow-UWnet': f'{real}/EUVP_ShallowUWnet'}
json.dump({'settings': settings, 'base': base, 'seeds': list(range(seeds)), 'test_sets': test_sets, 'test_size': 256,
           'output_dir': out}, open(f'{out}/ablation.json', 'w'), indent=1)
PY
start=$(date +%s)
phaseformer-experiments "$out/ablation.json" --split_identity 20 2>&1 | grep -v "Warning\|warnings.warn" | tee "$out/experiments.txt"
echo "wall: $(( $(date +%s) - start )) s" | tee -a "$out/experiments.txt"
