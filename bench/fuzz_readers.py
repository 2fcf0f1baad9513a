"""Files from strangers, mutated in bulk, through every reader of untrusted files (#33).

Real files of each kind are made first (a tiny model's checkpoint as a zip, a legacy pickle, safetensors, a training
checkpoint, a whole pickled model and one carrying a code-running payload; PNG, JPEG, BMP, TIFF and WebP photos; split
files), then mutated, seeded: bit flips, truncations, spliced or zeroed byte ranges, repeated chunks, and the same
inside a zip's pickle record with the archive rebuilt around it (so the zip's checksums do not stop the mutation
before the unpickler sees it). Each case goes through its readers. The only allowed outcomes are a loaded result or a
one-line refusal naming the file (the error classes the commands print in one line); anything else is reported: a
traceback-class error, a case that takes over `--timeout` seconds, or code that ran (an audit hook watches for new
processes and for files opened for writing).

    python bench/fuzz_readers.py [--cases 3000] [--seed 0] [--timeout 10]

Prints the counts per reader and per mutation, and exits 1 if any case had another outcome.
"""
import argparse, io, os, random, resource, shutil, signal, sys, tempfile, time, traceback, warnings, zipfile
from collections import Counter
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from phaseformer.checkpoints import checkpoint_info, convert_checkpoint, load_model
from phaseformer.data import read_split_file
from phaseformer.files import USER_ERRORS
from phaseformer.images import read_image
from phaseformer.model import Phaseformer, phaseformer_tiny_config
from phaseformer.runs import read_training_state

GOLDEN = Path(__file__).resolve().parents[2] / 'shared' / 'golden' / 'official_whole_model_A.pth'
FORBIDDEN_EVENTS = ('os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.fork', 'subprocess.Popen', 'ctypes.dlopen')


class RunsCode:
    "Unpickles as `os.system(command)`."
    def __init__(self, command): self.command = command
    def __reduce__(self): return (os.system, (self.command,))


def make_originals(folder: Path) -> dict:
    "kind -> list of real files to mutate, written into `folder`."
    torch.manual_seed(0)
    model = Phaseformer(phaseformer_tiny_config()).eval()
    state = model.state_dict()
    torch.save(state, folder / 'state.pth')
    torch.save(state, folder / 'legacy.pth', _use_new_zipfile_serialization=False)
    convert_checkpoint(folder / 'state.pth', folder / 'state.safetensors')
    optimizer = torch.optim.AdamW(model.parameters()); model(torch.rand(1, 3, 16, 16))[0].mean().backward(); optimizer.step()
    torch.save({'format': 1, 'model': state, 'ema': state, 'optimizer': optimizer.state_dict(), 'epoch': 3, 'global_step': 30,
                'best_psnr': 21.5, 'config': {'model': 'tiny', 'lr': 2e-4}, 'value_range': [0, 1]}, folder / 'training.pth')
    torch.save(model, folder / 'whole.pth')  # names phaseformer's classes: read as inert records
    torch.save({'model': state, 'note': RunsCode(f'touch {folder / "payload.ran"}')}, folder / 'payload.pth')
    photo = np.asarray(Image.open(io.BytesIO(_sample_png())).convert('RGB'))
    for ext in ('png', 'jpg', 'bmp', 'tif', 'webp'): Image.fromarray(photo).save(folder / f'photo.{ext}')
    (folder / 'split.txt').write_text('# test names\nu2.png\nu4\n')
    (folder / 'split.json').write_text('{"train": ["/data/u1.png"], "test": ["/data/u2.png", "/data/u4.png"], "source": "t90.txt"}')
    checkpoints = ['state.pth', 'legacy.pth', 'state.safetensors', 'training.pth', 'whole.pth', 'payload.pth']
    originals = {'checkpoint': [folder / n for n in checkpoints], 'image': sorted(folder.glob('photo.*')),
                 'split file': [folder / 'split.txt', folder / 'split.json']}
    if GOLDEN.exists(): originals['checkpoint'].append(GOLDEN)
    return originals


def _sample_png() -> bytes:
    "A 48 px photo-like image (smooth colours and edges) as PNG bytes."
    y, x = np.mgrid[0:48, 0:48] / 47
    rgb = np.stack([0.2 + 0.6 * x, 0.5 + 0.3 * np.sin(6 * y), 0.8 - 0.5 * x * y], -1)
    buffer = io.BytesIO(); Image.fromarray((rgb * 255).astype(np.uint8)).save(buffer, 'png'); return buffer.getvalue()


def mutate(data: bytes, rng: random.Random, donors: list) -> tuple:
    "`(kind, mutated bytes)`: one seeded mutation of `data`."
    kind = rng.choice(['bit flips', 'truncation', 'splice', 'zeroed range', 'repeated chunk', 'header bytes'])
    data, n = bytearray(data), len(data)
    start, length = rng.randrange(n), rng.choice([1, 2, 4, 8, 64, 512, 4096])
    if kind == 'bit flips':
        for _ in range(rng.choice([1, 2, 4, 16])): i = rng.randrange(n); data[i] ^= 1 << rng.randrange(8)
    elif kind == 'truncation': data = data[:start]
    elif kind == 'splice':
        donor = rng.choice(donors); at = rng.randrange(len(donor))
        data[start:start + length] = donor[at:at + length]
    elif kind == 'zeroed range': data[start:start + length] = bytes(len(data[start:start + length]))
    elif kind == 'repeated chunk': data[start:start] = data[start:start + length]
    else:  # header bytes: where formats keep their lengths and counts
        for _ in range(rng.choice([1, 3])): data[rng.randrange(min(n, 64))] = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
    return kind, bytes(data)


def mutate_inside_zip(data: bytes, rng: random.Random, donors: list) -> tuple:
    "`(kind, archive bytes)`: a torch zip whose pickle (or a tensor record) is mutated, the archive rebuilt with valid checksums."
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        records = {i.filename: src.read(i) for i in src.infolist()}
    pickle_name = next(n for n in records if n.endswith('data.pkl'))  # half the time the pickle, else a tensor record
    name = pickle_name if rng.random() < 0.5 else rng.choice([n for n in records if '/data/' in n])
    kind, records[name] = mutate(records[name], rng, donors)
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as dst:
        for n, d in records.items(): dst.writestr(n, d)
    return f'{kind} in {"the pickle" if name.endswith("data.pkl") else "a tensor record"}', out.getvalue()


READERS = {'checkpoint': {'load_model': load_model, 'checkpoint_info': checkpoint_info, 'read_training_state': read_training_state},
           'image': {'read_image': read_image}, 'split file': {'read_split_file': read_split_file}}


class Watch:
    "An audit hook that records processes started and files opened for writing while `armed`."
    def __init__(self): self.armed, self.seen = False, []; sys.addaudithook(self)
    def __call__(self, event, args):
        if not self.armed: return
        writes = event == 'open' and len(args) > 1 and isinstance(args[1], str) and any(c in args[1] for c in 'wax+')
        if event.startswith(FORBIDDEN_EVENTS) or writes: self.seen.append(f'{event} {str(args)[:80]}')


class TookTooLong(BaseException): pass  # not an Exception: no reader's handler may swallow it


def _took_too_long(*_): raise TookTooLong()


def outcome(reader, path: Path, watch: Watch, timeout: float) -> tuple:
    "`(outcome, detail)`: 'loaded', 'refused' (one line naming the file), or what went wrong."
    signal.signal(signal.SIGALRM, _took_too_long)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    watch.armed, watch.seen = True, []
    try: reader(path); result = ('loaded', '')
    except TookTooLong: result = ('hang', f'over {timeout} s')
    except USER_ERRORS as e:
        one_line = '\n' not in str(e).strip() and (str(path) in str(e) or path.name in str(e))
        result = ('refused', str(e)) if one_line else ('not one line naming the file', f'{type(e).__name__}: {e}')
    except Exception as e: result = ('traceback', f'{type(e).__name__}: {e}\n{traceback.format_exc(limit=-3)}')
    finally: signal.setitimer(signal.ITIMER_REAL, 0); watch.armed = False
    if watch.seen: result = ('code ran', '; '.join(watch.seen))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--cases', type=int, default=3000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--timeout', type=float, default=10, help='seconds a case may take before it counts as a hang')
    parser.add_argument('--keep', help='a folder to copy the files of the cases with another outcome into')
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter('ignore')  # the decoders' warnings about damaged files are expected here
    rng, watch = random.Random(args.seed), Watch()
    by_reader, by_mutation, problems = Counter(), Counter(), []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp); originals = make_originals(folder)
        donors = [p.read_bytes() for files in originals.values() for p in files]
        started = time.perf_counter()
        for case in range(args.cases):
            kind = rng.choice(list(originals)); original = rng.choice(originals[kind])
            data = original.read_bytes()
            inside = kind == 'checkpoint' and zipfile.is_zipfile(original) and rng.random() < 0.5
            mutation, mutated = (mutate_inside_zip if inside else mutate)(data, rng, donors)
            path = folder / f'case{case}{original.suffix}'; path.write_bytes(mutated)
            for name, reader in READERS[kind].items():
                result, detail = outcome(reader, path, watch, args.timeout)
                by_reader[f'{kind}: {name}', result] += 1; by_mutation[mutation, result] += 1
                if result not in ('loaded', 'refused'): problems.append(f'case {case} ({original.name}, {mutation}) {name}: {result}: {detail}')
            if args.keep and problems and problems[-1].startswith(f'case {case} '):
                Path(args.keep).mkdir(parents=True, exist_ok=True); shutil.copy(path, Path(args.keep) / path.name)
            path.unlink()
        seconds = time.perf_counter() - started
        if (folder / 'payload.ran').exists(): problems.append('the payload ran: payload.ran exists')
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    calls = sum(by_reader.values())
    print(f'{args.cases} mutated files, {calls} reader calls in {seconds:.0f} s (seed {args.seed}); peak memory {peak:.0f} MB')
    for title, counts in (('reader', by_reader), ('mutation', by_mutation)):
        outcomes = sorted({o for _, o in counts})
        print(f'\n| {title} | ' + ' | '.join(outcomes) + ' |\n|---|' + '---:|' * len(outcomes))
        for row in sorted({r for r, _ in counts}): print(f'| {row} | ' + ' | '.join(str(counts[row, o]) for o in outcomes) + ' |')
    for problem in problems[:20]: print('\n' + problem)
    print(f'\n{len(problems)} cases with another outcome than loaded or a one-line refusal')
    sys.exit(1 if problems else 0)


if __name__ == '__main__': main()
