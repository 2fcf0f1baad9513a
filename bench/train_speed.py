"""Training-step throughput and where the time goes: data loading, forward, loss, backward, optimizer.

    python bench/train_speed.py                       # CPU: 128 px, batch 4, with and without the perceptual term
    python bench/train_speed.py --device cuda --size 256 --batch_size 8 --amp bf16 fp16 off

The perceptual term needs VGG weights: downloaded when online, else give --vgg_weights FILE; without either, a
randomly initialised VGG of the same size is timed (same cost) and the output says so.
"""
import argparse, time, warnings
import torch
from phaseformer.model import Phaseformer
from phaseformer.losses import PhaseformerLoss
from phaseformer.data import PairedImageDataset, PairedTransform, collect_pairs, make_loader
from phaseformer.synth import demo_dataset


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def measure(device, size, batch_size, perceptual, vgg_weights, amp, steps, loader):
    torch.manual_seed(0)
    model = Phaseformer().to(device)
    try: criterion = PhaseformerLoss(perceptual=perceptual, vgg_weights=vgg_weights).to(device)
    except (RuntimeError, FileNotFoundError):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            criterion = PhaseformerLoss(perceptual=perceptual, vgg_weights=None).to(device)
        print('  (VGG weights unavailable offline: timing a randomly initialised VGG19 of the same cost)')
    optimizer = torch.optim.Adam(list(model.parameters()) + list(criterion.parameters()), lr=1e-4, betas=(0.5, 0.999))
    dtype = {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(amp)
    scaler = torch.amp.GradScaler(device.type, enabled=amp == 'fp16')
    parts = dict.fromkeys(('data', 'forward', 'loss', 'backward', 'optimizer'), 0.0)
    it, done = iter(loader), 0
    while done < steps + 2:
        t0 = time.perf_counter()
        try: x, y, y_high, _ = next(it)
        except StopIteration: it = iter(loader); continue
        x, y, y_high = x.to(device), y.to(device), y_high.to(device); sync(device); t1 = time.perf_counter()
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            low, high = model(x)
        sync(device); t2 = time.perf_counter()
        loss, _ = criterion(low.float(), y, high.float(), y_high); sync(device); t3 = time.perf_counter()
        scaler.scale(loss).backward(); sync(device); t4 = time.perf_counter()
        scaler.step(optimizer); scaler.update(); optimizer.zero_grad(set_to_none=True); sync(device); t5 = time.perf_counter()
        if done >= 2:  # two warm-up steps
            for k, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)): parts[k] += dt
        done += 1
    total = sum(parts.values())
    shares = ', '.join(f'{k} {100 * v / total:.0f}%' for k, v in parts.items())
    print(f'  {size}px batch {batch_size} amp={amp:4s} perceptual={str(perceptual):5s}: '
          f'{steps * batch_size / total:6.1f} images/s ({1000 * total / steps:.0f} ms/step) | {shares}')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu'); p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch_size', type=int, default=4); p.add_argument('--steps', type=int, default=8)
    p.add_argument('--amp', nargs='+', default=['off']); p.add_argument('--vgg_weights', default='imagenet')
    p.add_argument('--workers', type=int, default=2)
    args = p.parse_args()
    device = torch.device(args.device)
    root = demo_dataset()
    dataset = PairedImageDataset(collect_pairs(root), PairedTransform(args.size, 'resize'), cache=True)
    loader = make_loader(dataset, args.batch_size, True, args.workers, 0, pin_memory=device.type == 'cuda')
    print(f'device: {torch.cuda.get_device_name() if device.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"}, torch {torch.__version__}')
    for amp in args.amp:
        for perceptual in (True, False):
            measure(device, args.size, args.batch_size, perceptual, args.vgg_weights, amp, args.steps, loader)


if __name__ == '__main__':
    main()
