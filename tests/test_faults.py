"""Storage faults: a disk that fills up during a run (a file-size limit on the child process: CPython ignores the
limit's signal, so writes past it fail with EFBIG, as on a full disk), and output folders that cannot be written."""
import os, resource, subprocess, sys, time
from pathlib import Path
import pytest
import torch

SETTINGS = ['--model', 'tiny', '--size', '32', '--crop', '--batch_size', '4', '--test_batch_size', '4', '--niter_decay', '0',
            '--no_perceptual', '--threads', '0', '--device', 'cpu', '--sample_every', '0']
CHECKPOINT_WONT_FIT = 1_000_000  # bytes: the tiny run's checkpoints take 2.7 MB, its other files under 40 kB


ENV = {'OMP_NUM_THREADS': '1', 'PATH': '/usr/bin:/bin', 'PYTHONDONTWRITEBYTECODE': '1'}  # no bytecode: Python's own .pyc
                                                                                         # writes ignore a short write

def limited(file_limit):
    "A `preexec_fn` that limits the child's files to `file_limit` bytes, or None."
    return (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))) if file_limit else None


def run(*command, file_limit=None):
    "A command in a child process, its files limited to `file_limit` bytes if given."
    return subprocess.run(command, capture_output=True, text=True, timeout=600, preexec_fn=limited(file_limit), env=ENV)


def train(*args, file_limit=None): return run(sys.executable, '-m', 'phaseformer.train', *args, *SETTINGS, file_limit=file_limit)


def assert_one_line_stop(result, *fragments):
    "Exit status 2 and, after the progress bars, one line that names what happened; no traceback."
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2 and 'Traceback' not in result.stderr and 'This is a bug' not in result.stderr, result.stderr[-3000:]
    for fragment in fragments: assert fragment in last, (fragment, last)


def test_a_full_disk_at_the_first_checkpoint(tiny_dataset, tmp_path):
    result = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path), '--niter', '1', file_limit=CHECKPOINT_WONT_FIT)
    run_dir = next(tmp_path.iterdir())
    assert_one_line_stop(result, f'phaseformer-train: {run_dir / "last.pth"} could not be written (File too large): is the disk full',
                         'Nothing was left behind. The run stopped: no checkpoint was written yet')
    assert sorted(p.name for p in run_dir.iterdir() if not p.name.startswith('events.out.tfevents')) == \
        ['config.json', 'curves.png', 'metrics.csv', 'samples', 'train.log', 'weights.png']  # and TensorBoard's events


def test_a_full_disk_later_leaves_the_last_complete_epoch(tiny_dataset, tmp_path):
    first = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path), '--niter', '1')
    assert first.returncode == 0, first.stderr[-2000:]
    last = next(tmp_path.iterdir()) / 'last.pth'
    saved = last.read_bytes()
    result = train('--resume', str(last), '--niter', '2', file_limit=CHECKPOINT_WONT_FIT)
    assert_one_line_stop(result, f'{last} could not be written (File too large)', 'The earlier last.pth is as it was.',
                         f'The run stopped: {last} holds epoch 1; continue with --resume {last}')
    assert last.read_bytes() == saved and torch.load(last, weights_only=True)['epoch'] == 1
    assert not list(last.parent.glob('.*.tmp-*'))  # no half-written file beside it


def test_a_full_disk_on_rank_0_stops_every_process(tiny_dataset, tmp_path):
    "Processes started one by one, as Slurm's srun does without torchrun: no launcher kills the others when rank 0 stops."
    from phaseformer.distributed import free_port
    env = ENV | {'WORLD_SIZE': '2', 'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(free_port())}
    command = [sys.executable, '-m', 'phaseformer.train', '--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path),
               '--niter', '3', *SETTINGS]
    started = time.monotonic()
    ranks = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env | {'RANK': str(r), 'LOCAL_RANK': str(r)},
                              preexec_fn=limited(CHECKPOINT_WONT_FIT if r == 0 else None)) for r in (0, 1)]
    try: (out0, err0), (out1, err1) = (rank.communicate(timeout=300) for rank in ranks)
    finally:
        for rank in ranks: rank.kill()
    assert ranks[0].returncode == 2 and ranks[1].returncode == 2, (err0[-2000:], err1[-2000:])
    assert 'last.pth could not be written (File too large)' in err0.strip().splitlines()[-1] and 'Traceback' not in err0 + err1
    assert 'phaseformer-train' not in err1 and time.monotonic() - started < 120  # rank 0 alone says why; nobody waits long


def test_output_folders_that_cannot_be_written_are_refused_before_any_work(tiny_dataset, tmp_path):
    a_file = tmp_path / 'a_file'; a_file.write_text('not a folder')
    result = train('--dataset_path', str(tiny_dataset), '--output_dir', str(a_file / 'runs'), '--niter', '1')
    assert_one_line_stop(result, f'phaseformer-train: --output_dir {a_file / "runs"} cannot be written (Not a directory)')
    result = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path / 'runs'), '--checkpoint_dir', str(a_file), '--niter', '1')
    assert_one_line_stop(result, f'--checkpoint_dir {a_file} cannot be written')
    assert 'Epoch 1' not in result.stdout + result.stderr  # refused before training


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    from phaseformer.model import Phaseformer, phaseformer_tiny_config
    path = tmp_path_factory.mktemp('weights') / 'tiny.pth'
    torch.save(Phaseformer(phaseformer_tiny_config()).state_dict(), path)
    return path


@pytest.mark.parametrize('command, flag', [('phaseformer-enhance', '--out'), ('phaseformer-eval', '--save'), ('phaseformer-benchmark', '--out')])
def test_commands_refuse_an_output_folder_they_cannot_write(command, flag, weights, tiny_dataset, tmp_path):
    a_file = tmp_path / 'a_file'; a_file.write_text('not a folder')
    inputs = [str(tiny_dataset / 'test' / 'input')] if command == 'phaseformer-enhance' else ['--dataset_path', str(tiny_dataset)]
    result = run(Path(sys.executable).parent / command, *inputs, '--checkpoint', str(weights), flag, str(a_file / 'out'))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f'{a_file / "out"} cannot be written (Not a directory)' in result.stderr


def test_enhance_stops_in_one_line_when_the_disk_fills(weights, tiny_dataset, tmp_path):
    result = run(Path(sys.executable).parent / 'phaseformer-enhance', str(tiny_dataset / 'train' / 'input'), '--checkpoint', str(weights),
                 '--out', str(tmp_path / 'out'), '--ext', 'bmp', file_limit=5000)  # a 48 px BMP takes 7 kB
    assert result.returncode == 2 and 'could not be written (File too large): is the disk full' in result.stderr.strip().splitlines()[-1]
    assert 'Traceback' not in result.stderr and not list((tmp_path / 'out').glob('*.bmp'))  # no image half-written


def test_convert_stops_in_one_line_when_the_disk_fills(tmp_path):
    from phaseformer.model import Phaseformer
    weights = tmp_path / 'published_size.pth'; torch.save(Phaseformer().state_dict(), weights)  # large tensors: torch's writer
    out = tmp_path / 'out'; out.mkdir()                                                       # fails as a RuntimeError
    result = run(Path(sys.executable).parent / 'phaseformer-convert', str(weights), str(out / 'copy.pth'), file_limit=1_000_000)
    assert result.returncode == 2 and 'copy.pth could not be written (File too large)' in result.stderr, result.stderr[-2000:]
    assert 'Traceback' not in result.stderr and not list(out.iterdir())

