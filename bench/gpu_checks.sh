#!/usr/bin/env bash
# The CUDA checks, as one script for a lent GPU machine (see DEVELOPERS.md). Run from the repository root:
#   bash bench/gpu_checks.sh OUT_DIR          # everything: items12, then the rest (about 15 minutes more on an H100)
#   bash bench/gpu_checks.sh OUT_DIR items12  # only #32 items 1-2: model_speed against the published computation, and
#                                             # phaseformer-train's own img/s over whole epochs (under 10 minutes)
#   bash bench/gpu_checks.sh OUT_DIR speed    # only the eager / compile / CUDA graphs table (about 5 minutes)
#   bash bench/gpu_checks.sh OUT_DIR survey   # only #43: the survey pipeline against one photo at a time (about 5 minutes)
# Expects phaseformer importable (pip install -e . or PYTHONPATH=.) and writes logs to OUT_DIR.
set -uo pipefail
out=${1:-gpu-results}; only=${2:-all}; mkdir -p "$out"
export PYTHONUNBUFFERED=1 PHASEFORMER_CACHE=/tmp/phaseformer-cache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" | tee -a "$out/gpu.txt"

if [ "$only" = survey ] || [ "$only" = all ]; then
  echo "== #43: survey throughput, pipelined against sequential (400 1280x720 JPEGs, published model) =="
  timeout 420 python3 bench/survey_speed.py --device cuda --model published --size 1280x720 --photos 400 --batch 8 --workers 8 \
      2>&1 | grep -v Warning | tee "$out/survey_speed.txt"
  [ "$only" = survey ] && exit 0
fi

if [ "$only" != speed ]; then
  echo "== #32 item 1: eager forward and training step against the published computation (float32; >= 1.5x, 1e-4) =="
  python3 bench/model_speed.py --device cuda --runs 20 2>&1 | tee "$out/model_speed.txt"
  echo "== #32 item 2: the trainer's own img/s per epoch (bf16, 256 px, batch 8, both heads, all four losses) =="
  data=$(python3 -c "from phaseformer.synth import demo_dataset; print(demo_dataset('/tmp/pf-speed-data', n_train=120, crop=256))")
  vgg=/tmp/vgg19-random.pth  # the machine is offline: a random VGG19 does the ImageNet one's work, which is all a speed needs
  python3 -c "import torch; from phaseformer.losses import vgg_features; torch.save({'features.' + k: v for k, v in vgg_features('vgg19').state_dict().items()}, '$vgg')"
  for mode in "" "--compile"; do
    echo "-- phaseformer-train $mode" | tee -a "$out/train_throughput.txt"
    timeout 240 python3 -m phaseformer.train --dataset_path "$data" --device cuda --amp bf16 --size 256 --batch_size 8 \
        --niter 3 --niter_decay 0 --threads 8 --vgg_weights "$vgg" $mode --output_dir /tmp/pf-speed-runs 2>&1 | tr '\r' '\n' \
        | grep "img/s" | tee -a "$out/train_throughput.txt"
  done
  [ "$only" = items12 ] && exit 0
fi

echo "== Speed: eager, torch.compile and CUDA graphs (256x256, batch 8, bf16), and the memory of the 2x head =="
(cd bench && python3 compile_speed.py --device cuda --size 256 --batch_size 8 --amp bf16 --steps 20) 2>&1 \
    | grep -v Warning | tee "$out/compile_speed.md"
[ "$only" = speed ] && exit 0

echo "== AMP numerics: bf16 / fp16 forward against fp32 (published model, 256x256) =="
python3 - <<'PY' 2>&1 | tee "$out/amp_numerics.txt"
import torch
from phaseformer.model import Phaseformer
torch.manual_seed(0)
m = Phaseformer().cuda().eval(); x = torch.rand(2, 3, 256, 256, device='cuda')
with torch.no_grad():
    ref = m(x)
    for dt in (torch.bfloat16, torch.float16):
        with torch.autocast('cuda', dtype=dt): out = m(x)
        print(dt, 'finite', all(torch.isfinite(o).all().item() for o in out),
              'max |low - fp32| %.2e' % (out.low.float() - ref.low).abs().max().item())
from phaseformer.inference import Enhancer
import time
for half in (False, True):
    e = Enhancer(m, 'cuda', half=half); photo = torch.rand(3, 914, 1369)
    e.enhance(photo); torch.cuda.synchronize(); t = time.perf_counter(); out = e.enhance(photo); torch.cuda.synchronize()
    print(f'Enhancer half={half}: 1369x914 in {time.perf_counter() - t:.3f} s, output {tuple(out.shape)}, finite {torch.isfinite(out).all().item()}')
PY

echo "== Training step: 256 px, batch 8, off / bf16 / fp16 =="
python3 bench/train_speed.py --device cuda --size 256 --batch_size 8 --amp off bf16 fp16 --steps 10 --workers 4 2>&1 | grep -v Warning | tee "$out/train_speed.txt"

for amp in bf16 fp16; do
  echo "== Trainer end to end with --amp $amp =="
  timeout 300 python3 -m phaseformer.train --demo --device cuda --amp $amp --niter 2 --niter_decay 0 --threads 4 \
      --output_dir /tmp/runs-$amp 2>&1 | tr '\r' '\n' | grep -v "it/s\]\|s/it\]" | tail -6 | tee "$out/train_$amp.txt"
done

echo "== DDP with NCCL under torchrun (1 process, the one GPU) =="
timeout 300 torchrun --nproc_per_node=1 -m phaseformer.train --demo --device cuda --amp bf16 --niter 1 --niter_decay 0 \
    --max_steps 10 --threads 4 --output_dir /tmp/runs-ddp 2>&1 | tr '\r' '\n' | grep -v "it/s\]\|s/it\]" | tail -6 | tee "$out/ddp.txt"
python3 -c "import torch.distributed as d; print('nccl available:', d.is_nccl_available())" | tee -a "$out/ddp.txt"

echo "== Inference speed and memory =="
python3 bench/infer_speed.py --device cuda 2>&1 | tee "$out/infer_speed.txt"

echo "== Video: frames/s at 1280x720, decoding and encoding included (half, compiled) =="
python3 bench/video_speed.py --device cuda --half --compile --frames 32 2>&1 | grep -v Warning | tee "$out/video_speed.md"
