"""Video enhancement speed: frames per second of `enhance_video` at 1280x720, decoding and encoding included (#32).

A generated clip (`make_test_clip`) of `--frames` frames is enhanced by the published-size model (random weights: the
speed does not depend on them) for each batch size, whole frames (`--tile 1280`) and in 512-pixel tiles (the
default, bounded memory), into an H.264 video. The first batch of each setting warms up and is timed separately.

    python bench/video_speed.py                                  # CPU, float32
    python bench/video_speed.py --device cuda --half --compile   # a GPU: bf16/fp16 autocast, torch.compile
"""
import argparse, tempfile, time
from pathlib import Path
import torch
from phaseformer.distributed import reuse_freed_memory
from phaseformer.inference import Enhancer
from phaseformer.model import Phaseformer
from phaseformer.video import make_test_clip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--size', type=int, nargs=2, default=(1280, 720), help='width height')
    parser.add_argument('--batch_sizes', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--tiles', type=int, nargs='+', default=[512, 1280], help='tile sides to try')
    parser.add_argument('--half', action='store_true', help='float16 on CUDA, bfloat16 on the CPU')
    parser.add_argument('--compile', action='store_true')
    args = parser.parse_args()
    reuse_freed_memory()  # as phaseformer-enhance does
    torch.manual_seed(0)
    model = Phaseformer()
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_test_clip(Path(tmp) / 'clip.mp4', frames=args.frames, size=tuple(args.size), rate=25, audio=False)
        print(f'{args.frames} frames of {args.size[0]}x{args.size[1]}, published-size model, {args.device}'
              f'{", half" if args.half else ""}{", compiled" if args.compile else ""}, decoding and H.264 encoding included')
        print('| batch | tile | frames/s | first batch (s) |\n|---:|---:|---:|---:|')
        for tile in args.tiles:
            enhancer = Enhancer(model, args.device, tile=tile, half=args.half, compile=args.compile)
            for batch in args.batch_sizes:
                warm = time.perf_counter(); enhancer.enhance(torch.rand(batch, 3, args.size[1], args.size[0]))
                warm = time.perf_counter() - warm
                report = enhancer.enhance_video(clip, Path(tmp) / f'out_{tile}_{batch}.mp4', batch_size=batch, quiet=True)
                print(f'| {batch} | {tile} | {report.frames_per_second:.2f} | {warm:.1f} |', flush=True)


if __name__ == '__main__': main()
