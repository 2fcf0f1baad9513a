"""Memory of listing a survey of 1,000,000 files: what `phaseformer-enhance` holds while it walks the tree (each rank walks
it; two ranks' share out of it), against holding the sorted list of `Path` objects, as `sorted(root.rglob('*'))` does.

    python bench/survey_listing.py [--files 1000000] [--per_folder 1000]

Generates empty files in nested folders (removed at the end); each listing runs in a fresh process and reports its peak
resident memory above the memory it had once the libraries were imported, its time, and the number of files it saw.
"""
import argparse, os, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path

LISTINGS = {  # name: code run in a fresh process with `root` defined; it leaves the number of files in `count`
    'phaseformer walk, one rank': "count = sum(1 for _ in survey_items([root], out))",
    'phaseformer walk, rank 1 of 2': "count = sum(1 for _ in shard(survey_items([root], out), 1, 2))",
    'sorted list of Path objects': "paths = sorted(p for p in root.rglob('*') if p.is_file()); count = len(paths)",
}


def measure(code: str, root: Path) -> tuple:
    "`(peak MB above the imports, seconds, count)` of `code` in a fresh process."
    program = f"""
import resource, time
from pathlib import Path
from phaseformer.survey import survey_items, shard
root, out = Path({str(root)!r}), Path({str(root.parent / 'enhanced')!r})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
{code}
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base, time.perf_counter() - started, count)
"""
    peak_kb, seconds, count = subprocess.run([sys.executable, '-c', program], capture_output=True, text=True, check=True).stdout.split()
    return int(peak_kb) / 1024, float(seconds), int(count)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--files', type=int, default=1_000_000)
    parser.add_argument('--per_folder', type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix='survey_listing_'))
    try:
        started = time.perf_counter()
        root = work / 'survey'
        for i in range(args.files):
            if i % args.per_folder == 0:
                folder = root / f'cruise{i // (100 * args.per_folder)}' / f'dive{i // args.per_folder:05d}'
                folder.mkdir(parents=True)
            os.close(os.open(folder / f'IMG_{i % args.per_folder:04d}.JPG', os.O_CREAT | os.O_WRONLY))
        print(f'{args.files:,} empty files in {args.files // args.per_folder:,} folders made in {time.perf_counter() - started:.0f} s')
        for name, code in LISTINGS.items():
            peak, seconds, count = measure(code, root)
            print(f'{name:30} {count:>9,} files  {seconds:6.1f} s  peak memory +{peak:7.1f} MB')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__': main()
