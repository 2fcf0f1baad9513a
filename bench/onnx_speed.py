"""A fixed-size ONNX file against PyTorch on the CPU: one 512x512 tile (the enhancer's), the published model's size.

Exports the `low` head of a Phaseformer with random weights twice, for 512x512 inputs (the phase maps as matrix
products) and, with `--dynamic`, for any size (ONNX's `DFT`); then times onnxruntime and PyTorch eager on the same tile
in this one process, interleaved, and reports the largest output difference on random images and on real photos
(`../shared/realworld`, when present).

    python bench/onnx_speed.py [--size 512] [--runs 7] [--threads 2] [--dynamic]
"""
import argparse, tempfile, time
from pathlib import Path
import torch
from timing import interleaved_medians
from phaseformer.model import Phaseformer, ImageHead
from phaseformer.export import export_onnx, OnnxModel
from phaseformer.distributed import reuse_freed_memory
from phaseformer.images import image_files, read_image, to_tensor

PHOTOS = Path(__file__).resolve().parents[2] / 'shared' / 'realworld'


def test_images(size):
    "Random images, and the top-left tile of each real photo at least `size` on both sides."
    images = [torch.rand(1, 3, size, size) for _ in range(2)]
    if PHOTOS.is_dir():
        photos = [to_tensor(read_image(p))[None] for d in sorted(PHOTOS.iterdir()) if d.is_dir() for p in image_files(d)]
        images += [p[..., :size, :size].contiguous() for p in photos if min(p.shape[-2:]) >= size]
    return images


def export_timed(checkpoint, out, size, threads):
    start = time.perf_counter(); export_onnx(checkpoint, out, size=size)
    print(f'exported {out.name} in {time.perf_counter() - start:.0f} s ({out.stat().st_size / 1e6:.1f} MB)')
    return OnnxModel(out, threads)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--size', type=int, default=512)
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--threads', type=int, default=torch.get_num_threads(), help='for both PyTorch and onnxruntime')
    parser.add_argument('--dynamic', action='store_true', help="also time the any-size export (ONNX's DFT: slow)")
    args = parser.parse_args()
    reuse_freed_memory(); torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Phaseformer().eval()
    tmp = Path(tempfile.mkdtemp())
    torch.save(model.state_dict(), tmp / 'published.pth')
    runners = {'onnxruntime, fixed size': export_timed(tmp / 'published.pth', tmp / 'fixed.onnx', args.size, args.threads)}
    if args.dynamic: runners['onnxruntime, any size'] = export_timed(tmp / 'published.pth', tmp / 'any.onnx', None, args.threads)
    head = ImageHead(model)
    images = test_images(args.size)
    with torch.no_grad():
        for name, runner in runners.items():
            diffs = [(runner(x)[0] - head(x)).abs().max().item() for x in images]
            print(f'{name}: max |difference| from PyTorch {max(diffs[:2]):.1e} (random images)'
                  + (f', {max(diffs[2:]):.1e} ({len(diffs) - 2} real photos)' if len(diffs) > 2 else ''))
    tile = images[0]
    def pytorch():
        with torch.no_grad(): head(tile)
    fns = {'PyTorch eager': (pytorch,), **{name: ((lambda r=r: r(tile)),) for name, r in runners.items()}}
    results = interleaved_medians(fns, args.runs, torch.device('cpu'))
    base = results['PyTorch eager'][0]
    print(f'{args.size}x{args.size} tile, low head, {args.threads} threads, torch {torch.__version__}, median of {args.runs}:')
    for name, (seconds,) in results.items():
        print(f'  {name:26s} {seconds * 1e3:8.0f} ms   {base / seconds:5.2f}x PyTorch')


if __name__ == '__main__':
    main()
