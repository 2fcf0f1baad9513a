"""Data pipeline throughput: pairs/second of the training transform at 256 px, 0 and 2 workers, with and without
the in-memory cache, on a folder of 200 synthetic 640x480 pairs (made once in a temporary folder).

    python bench/data_speed.py
"""
import tempfile, time
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from phaseformer.data import PairedImageDataset, PairedTransform, collect_pairs, make_loader


def make_folder(root: Path, n=200):
    rng = np.random.default_rng(0)
    for side in ('input', 'gt'): (root / 'train' / side).mkdir(parents=True)
    base = (rng.random((60, 80, 3)) * 255).astype(np.uint8)
    for i in range(n):
        img = Image.fromarray(np.roll(base, i, axis=1)).resize((640, 480), Image.BICUBIC)
        img.save(root / 'train' / 'input' / f'{i:04d}.jpg', quality=90)
        img.save(root / 'train' / 'gt' / f'{i:04d}.jpg', quality=90)


def pairs_per_second(dataset, threads, epochs=2):
    loader = make_loader(dataset, 8, True, threads, 0)
    rates = []
    for _ in range(epochs):
        start, n = time.perf_counter(), 0
        for x, *_ in loader: n += len(x)
        rates.append(n / (time.perf_counter() - start))
    return rates


def main():
    with tempfile.TemporaryDirectory() as tmp:
        make_folder(Path(tmp))
        pairs = collect_pairs(tmp)
        print(f'{len(pairs)} pairs of 640x480 JPEGs, batch 8, 256 px, torch threads {torch.get_num_threads()}')
        for mode in ('resize', 'crop'):
            for cache in (False, True):
                start = time.perf_counter()
                dataset = PairedImageDataset(pairs, PairedTransform(256, mode), cache=cache)
                fill = time.perf_counter() - start
                for workers in (0, 2):
                    first, second = pairs_per_second(dataset, workers)
                    print(f'  {mode:6s} cache={str(cache):5s} workers={workers}: epoch 1 {first:6.1f} pairs/s, '
                          f'epoch 2 {second:6.1f} pairs/s' + (f' (cache filled in {fill:.1f} s)' if cache else ''))


if __name__ == '__main__':
    main()
