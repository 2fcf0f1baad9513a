"""Nothing grows: the memory of a long training run, sampled while it runs (#33).

Trains the tiny model with `phaseformer-train` on a small generated dataset for `--steps` optimizer steps (2,000 by
default: 20 epochs of 100 steps, so what is done once an epoch, such as evaluating, logging, plotting the curves
and writing checkpoints, happens 20 times), and samples the resident memory (RSS) of the training process and its
data-loader workers every `--every` seconds. The figure that matters is the growth after the first epoch: the
largest RSS after it against the RSS at its end.

    python bench/memory_flat.py [--steps 2000] [--steps_per_epoch 100] [--threads 2] [--limit 5]

Prints RSS at the end of the first epoch and at each tenth of the run, the growth, and exits 1 if it exceeds `--limit` %.
"""
import argparse, subprocess, sys, tempfile, time
from pathlib import Path
from phaseformer.images import write_image
from phaseformer.synth import skimage_photo, synthesize_folder


def rss_mb(pid: int) -> float:
    "Resident memory of process `pid` and its children (the loader workers), in MB; 0 once it has ended."
    total = 0
    for p in [pid] + children(pid):
        try: total += int(next(l for l in Path(f'/proc/{p}/status').read_text().splitlines() if l.startswith('VmRSS')).split()[1])
        except (OSError, StopIteration): pass
    return total / 1024


def children(pid: int) -> list:
    try: return [int(c) for c in Path(f'/proc/{pid}/task/{pid}/children').read_text().split()]
    except OSError: return []


def epochs_done(run_root: Path) -> int:
    "Epochs finished so far: the rows of the run's metrics.csv, once the first epoch's checkpoint (its last write) is there."
    found = list(run_root.glob('*/metrics.csv'))
    if not found or not (found[0].parent / 'last.pth').exists(): return 0
    try: return max(0, len(found[0].read_text().splitlines()) - 1)
    except OSError: return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=2000)
    parser.add_argument('--steps_per_epoch', type=int, default=100)
    parser.add_argument('--threads', type=int, default=2, help='data-loader workers (their memory counts too)')
    parser.add_argument('--every', type=float, default=0.2, help='seconds between samples')
    parser.add_argument('--limit', type=float, default=5, help='allowed growth after the first epoch, in %%')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / 'clean').mkdir()
        for name in ('astronaut', 'coffee', 'chelsea', 'rocket', 'retina'):
            write_image(skimage_photo(name)[:, :96, :96], tmp / 'clean' / f'{name}.png')
        steps_per_epoch = args.steps_per_epoch  # 4 photos train, 1 tests; batch 2
        synthesize_folder(tmp / 'clean', tmp / 'data', n=steps_per_epoch // 2, crop=48, test_fraction=0.2)
        command = [sys.executable, '-m', 'phaseformer.train', '--dataset_path', str(tmp / 'data'), '--output_dir', str(tmp / 'runs'),
                   '--model', 'tiny', '--size', '32', '--crop', '--batch_size', '2', '--test_batch_size', '10', '--no_perceptual',
                   '--niter', str(args.steps // steps_per_epoch), '--niter_decay', '0', '--threads', str(args.threads),
                   '--device', 'cpu', '--sample_every', '0']
        started, samples = time.monotonic(), []  # (seconds, epochs done, MB)
        with open(tmp / 'stderr.txt', 'w') as stderr:  # a file: a pipe nobody reads fills up and stops the run
            job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
            while job.poll() is None:
                samples.append((time.monotonic() - started, epochs_done(tmp / 'runs'), rss_mb(job.pid)))
                time.sleep(args.every)
        if job.returncode != 0: sys.exit(f'the training run failed:\n{(tmp / "stderr.txt").read_text()[-2000:]}')
    epochs = args.steps // steps_per_epoch
    after_first = [s for s in samples if s[1] >= 1 and s[2] > 0]
    first = after_first[0][2]
    print(f'{epochs} epochs x {steps_per_epoch} steps = {epochs * steps_per_epoch} steps of the tiny model in {samples[-1][0]:.0f} s, '
          f'{args.threads} loader workers; {len(samples)} samples of RSS (process + workers)')
    print(f'RSS once epoch 1 is done (its checkpoint written): {first:.1f} MB')
    for tenth in range(1, 11):
        epoch = max(1, epochs * tenth // 10)
        at = [s[2] for s in after_first if s[1] <= epoch]
        print(f'  by epoch {epoch:4d}: {at[-1]:.1f} MB (largest so far {max(at):.1f} MB)')
    growth = 100 * (max(s[2] for s in after_first) / first - 1)
    print(f'growth after the first epoch: {growth:+.1f} % (the largest sample against that one; limit {args.limit} %)')
    sys.exit(1 if growth > args.limit else 0)


if __name__ == '__main__': main()
