"""Inference speed and memory: images/s at 256x256 (batch 1 and 8), seconds for one 1369x914 photo (the size of the
SQUID samples), and peak resident memory for a 4000x3000 image with 512 px tiles (measured in a child process).
Like the command-line tools, it first calls `reuse_freed_memory()`; `--glibc_defaults` measures without it.

    python bench/infer_speed.py [--device cuda] [--glibc_defaults]
"""
import argparse, resource, subprocess, sys, time
import torch
from timing import median_seconds
from phaseformer.model import Phaseformer
from phaseformer.distributed import reuse_freed_memory
from phaseformer.inference import Enhancer


def peak_memory_child(device):
    "Enhance one 4000x3000 image in this process and print its peak RSS."
    enhancer = Enhancer(Phaseformer(), device=device, tile=512)
    image = torch.rand(3, 3000, 4000)
    start = time.perf_counter(); out = enhancer.enhance(image)
    print(f'4000x3000 with 512 px tiles: {time.perf_counter() - start:.1f} s, output {tuple(out.shape)}, '
          f'peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu'); p.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--glibc_defaults', action='store_true', help="leave malloc's settings alone (freed memory goes back to the kernel)")
    args = p.parse_args()
    reused = not args.glibc_defaults and reuse_freed_memory()
    if args.child: return peak_memory_child(args.device)
    device = torch.device(args.device)
    model = Phaseformer().to(device).eval()
    enhancer = Enhancer(model, device=args.device)
    print(f'device: {torch.cuda.get_device_name() if device.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"}; '
          f'{"reuse_freed_memory()" if reused else "malloc defaults"}')
    for batch in (1, 8):
        x = torch.rand(batch, 3, 256, 256, device=device)
        with torch.no_grad(): t = median_seconds(lambda: model(x), 3, device)
        print(f'256x256, batch {batch}: {batch / t:.1f} images/s')
    photo = torch.rand(3, 914, 1369)
    print(f'one 1369x914 photo (padded to 1376x920, one tile of 2048): {median_seconds(lambda: Enhancer(model, device=args.device, tile=2048).enhance(photo), 1, device):.2f} s; '
          f'with 512 px tiles: {median_seconds(lambda: enhancer.enhance(photo), 1, device):.2f} s')
    subprocess.run([sys.executable, __file__, '--child', '--device', args.device] + ['--glibc_defaults'] * args.glibc_defaults, check=True)


if __name__ == '__main__':
    main()
