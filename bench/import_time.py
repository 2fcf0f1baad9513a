"""What importing costs: wall time of a fresh Python that imports torch, phaseformer, and phaseformer's names on first
use (medians over `--runs` fresh processes, run in turn), with each against `import torch`.

    python bench/import_time.py [--runs 7]
"""
import argparse, subprocess, sys, time
from timing import median

STATEMENTS = {'python': 'pass', 'import torch': 'import torch', 'import phaseformer': 'import phaseformer',
              'pf.Phaseformer': 'import phaseformer as pf; pf.Phaseformer',
              'pf.load_model': 'import phaseformer as pf; pf.load_model',
              'pf.Enhancer': 'import phaseformer as pf; pf.Enhancer',
              'pf.train_model': 'import phaseformer as pf; pf.train_model'}


def seconds(statement: str) -> float:
    "Wall time of a fresh Python running `statement`."
    start = time.perf_counter()
    subprocess.run([sys.executable, '-c', statement], check=True)
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--runs', type=int, default=7)
    args = p.parse_args()
    times = {name: [] for name in STATEMENTS}
    for _ in range(args.runs):
        for name, statement in STATEMENTS.items(): times[name].append(seconds(statement))
    torch_s = median(times['import torch'])
    print(f'median of {args.runs} fresh processes each (the interpreter alone included)')
    for name, ts in times.items():
        print(f'{name:20s} {median(ts) * 1000:7.0f} ms   {median(ts) / torch_s:5.2f}x import torch')


if __name__ == '__main__': main()
