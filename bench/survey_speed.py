"""Survey throughput: photos/s and megapixels/s of `phaseformer-enhance`'s pipeline (decoding threads ahead of the model,
encoding threads behind it, same-size photos batched) against reading, enhancing and writing one photo at a time.

    python bench/survey_speed.py                                   # 2,000 160x120 JPEGs, tiny model, this CPU
    python bench/survey_speed.py --device cuda --model published --size 1920x1080 --batch 8   # bench/gpu_checks.sh

The photos are generated (synthetic underwater scenes, JPEG quality 90, nested cruise/dive/transect folders with camera
names repeated in every folder); after a warm-up call of the model at both batch shapes, each mode enhances all of them
into its own folder twice, alternating, so that warm caches favour neither. Prints one line per run and the ratio.
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from phaseformer.inference import Enhancer
from phaseformer.model import Phaseformer, phaseformer_config, phaseformer_tiny_config
from phaseformer.survey import enhance_survey
from phaseformer.synth import skimage_photo, synthesize


def make_survey(root: Path, photos: int, size: tuple) -> Path:
    "`photos` JPEGs of `size` (w, h) in nested folders, from a few synthetic underwater scenes."
    scenes = [synthesize(skimage_photo(name), water, distance=4.0) for name in ('coffee', 'astronaut', 'chelsea') for water in ('II', '3C')]
    scenes = [np.asarray(Image.fromarray((s.permute(1, 2, 0).numpy() * 255).astype(np.uint8)).resize(size)) for s in scenes]
    for i in range(photos):
        folder = root / f'cruise{i % 2}' / f'dive{i % 5}' / f'transect{i % 4}'
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.roll(scenes[i % len(scenes)], i, axis=1)).save(folder / f'IMG_{i // 20:04d}.JPG', quality=90)
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--photos', type=int, default=2000)
    parser.add_argument('--size', default='160x120', help='WIDTHxHEIGHT of the generated photos')
    parser.add_argument('--model', default='tiny', choices=('tiny', 'published'))
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch', type=int, default=4, help='the pipelined run\'s --batch')
    parser.add_argument('--workers', type=int, default=2, help='the pipelined run\'s --workers')
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split('x'))
    torch.manual_seed(0)
    model = Phaseformer(phaseformer_tiny_config() if args.model == 'tiny' else phaseformer_config()).eval()
    enhancer = Enhancer(model, device=args.device)
    work = Path(tempfile.mkdtemp(prefix='survey_speed_'))
    started = time.perf_counter()
    survey = make_survey(work / 'survey', args.photos, size)
    print(f'{args.photos} photos of {size[0]}x{size[1]} generated in {time.perf_counter() - started:.0f} s; {args.model} model on '
          f'{args.device}, torch {torch.__version__}, {torch.get_num_threads()} threads')
    for batch in (1, args.batch): enhancer.enhance(torch.rand(batch, 3, size[1], size[0]))  # warm: the first call of a shape pays for it
    rates, modes = {}, (('sequential', 0, 1), ('pipelined', args.workers, args.batch))
    for n, (name, workers, batch) in enumerate(modes * 2):
        report = enhance_survey(enhancer, [survey], work / f'out{n}', workers=workers, batch=batch, quiet=True)
        assert report.done == args.photos, report
        rates.setdefault(name, []).append(report.done / report.seconds)
        print(f'{name:10} --workers {workers} --batch {batch}: {report.done / report.seconds:6.2f} photos/s, '
              f'{report.pixels / 1e6 / report.seconds:6.3f} MP/s ({report.seconds:.0f} s)')
    sequential, pipelined = np.mean(rates['sequential']), np.mean(rates['pipelined'])
    print(f'pipelined / sequential: {pipelined / sequential:.2f}x (means of two runs each)')


if __name__ == '__main__': main()
