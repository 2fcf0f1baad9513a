"""Eager, torch.compile and CUDA graphs side by side: training throughput, single-image inference, compile time and
peak GPU memory, as one Markdown table; then the memory of the dual-head loss against the low head alone.

    python bench/compile_speed.py --device cuda --size 256 --batch_size 8 --amp bf16     # the GPU targets
    python bench/compile_speed.py --size 64 --batch_size 2 --steps 3                      # a quick CPU run

Modes: `eager`; `compile` (Inductor, `compile_model`); `cudagraphs` (`mode="reduce-overhead"`: Inductor and CUDA
graphs, CUDA only). Inputs are random tensors, so the figures are the model's and the loss's, not the data loader's.
"""
import argparse
import torch
from timing import median_seconds, timed
from phaseformer.model import Phaseformer, compile_model
from phaseformer.losses import PhaseformerLoss

MODES = {'eager': None, 'compile': {}, 'cudagraphs': {'mode': 'reduce-overhead'}}
AMP = {'off': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}


def new_model(device, mode):
    torch.manual_seed(0)
    model = Phaseformer().to(device)
    return compile_model(model, **MODES[mode]) if MODES[mode] is not None else model


def peak_memory(device):
    return torch.cuda.max_memory_allocated(device) / 2**30 if device.type == 'cuda' else float('nan')


def training(device, mode, args, heads='both'):
    "(images/s, first-call seconds, peak GiB) of Adam training steps with the Phaseformer loss."
    model, dtype = new_model(device, mode), AMP[args.amp]
    criterion = PhaseformerLoss(perceptual=args.perceptual, vgg_weights=None).to(device)
    optimizer = torch.optim.Adam(list(model.parameters()) + list(criterion.parameters()), lr=1e-4)
    b, s = args.batch_size, args.size
    x, y, y_high = torch.rand(b, 3, s, s, device=device), torch.rand(b, 3, s, s, device=device), torch.rand(b, 3, 2 * s, 2 * s, device=device)
    def step():
        if mode == 'cudagraphs': torch.compiler.cudagraph_mark_step_begin()
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            low, high = model(x, high=heads == 'both')
        loss, _ = criterion(low.float(), y, None if high is None else high.float(), y_high)
        loss.backward(); optimizer.step(); optimizer.zero_grad(set_to_none=True)
    return measure(step, device, args.steps, args.batch_size)


def inference(device, mode, args):
    "(images/s, first-call seconds, peak GiB) of one 3 x size x size image through the low head."
    model = new_model(device, mode).eval()
    dtype = AMP[args.amp]
    x = torch.rand(1, 3, args.size, args.size, device=device)
    def run():
        if mode == 'cudagraphs': torch.compiler.cudagraph_mark_step_begin()
        with torch.no_grad(), torch.autocast(device.type, dtype=dtype, enabled=dtype is not None): model(x, high=False)
    return measure(run, device, args.steps, 1)


def measure(fn, device, steps, images):
    "(images/s, seconds of the first two calls, peak GiB) of `fn`, which handles `images` images a call."
    if device.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(device)
    first = timed(fn, device) + timed(fn, device)  # compilation happens in the first calls (CUDA graphs record in the second)
    return images / median_seconds(fn, steps, device), first, peak_memory(device)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu'); p.add_argument('--size', type=int, default=256)
    p.add_argument('--batch_size', type=int, default=8); p.add_argument('--steps', type=int, default=10)
    p.add_argument('--amp', default='off', choices=list(AMP))
    p.add_argument('--perceptual', action='store_true', help='include the VGG19 term (random weights: the same cost)')
    p.add_argument('--modes', nargs='+', default=None, help='default: eager compile, and cudagraphs on CUDA')
    args = p.parse_args()
    device = torch.device(args.device)
    modes = args.modes or (['eager', 'compile', 'cudagraphs'] if device.type == 'cuda' else ['eager', 'compile'])
    name = torch.cuda.get_device_name() if device.type == 'cuda' else f'cpu, {torch.get_num_threads()} threads'
    print(f'device: {name}, torch {torch.__version__}; {args.size}x{args.size}, batch {args.batch_size}, amp {args.amp}, '
          f'perceptual {args.perceptual}')
    print('| mode | training images/s | first 2 steps s | peak GiB | inference (batch 1) images/s | first 2 calls s |')
    print('|---|---|---|---|---|---|')
    base = None
    for mode in modes:
        try: train, infer = training(device, mode, args), inference(device, mode, args)
        except Exception as e: print(f'| {mode} | failed: {type(e).__name__}: {str(e).splitlines()[0][:120]} |'); continue
        base = base or (train[0], infer[0])
        print(f'| {mode} | {train[0]:.1f} ({train[0] / base[0]:.2f}x) | {train[1]:.0f} | {train[2]:.2f} | '
              f'{infer[0]:.1f} ({infer[0] / base[1]:.2f}x) | {infer[1]:.0f} |')
    if device.type == 'cuda':
        both, low = training(device, 'eager', args, 'both'), training(device, 'eager', args, 'low')
        print(f'Training memory, eager: both heads {both[2]:.2f} GiB, low head alone {low[2]:.2f} GiB '
              f'(+{100 * (both[2] / low[2] - 1):.0f} % for the 2x head; the guide claims +40-50 %)')


if __name__ == '__main__':
    main()
