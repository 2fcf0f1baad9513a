"""A run killed with SIGKILL at any moment (mid-epoch, in the middle of a checkpoint write, between the checkpoint and
the metrics) or stopped with Ctrl-C, and resumed with `--resume RUN/last.pth` alone, ends with the same weights as the
uninterrupted run."""
import json, shutil, signal, subprocess, sys
from pathlib import Path
import pytest
import torch
from tensorboard_logs import logged, purge_marks

# Runs phaseformer-train in this process after arranging a SIGKILL of itself at the chosen point.
KILLER = r'''
import os, signal, sys, torch
import phaseformer.runs, phaseformer.train, phaseformer.trainer
point, count, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
calls = [0]
def die(): os.kill(os.getpid(), signal.SIGKILL)
def counted(fn, before=None):
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == count: (before or (lambda *a, **k: die()))(*args, **kwargs)
        return fn(*args, **kwargs)
    return wrapper
if point == 'step':  # after `count` optimizer steps
    torch.optim.Adam.step = counted(torch.optim.Adam.step)
elif point == 'checkpoint_write':  # halfway through writing the count-th checkpoint file
    def write_half(state, path):
        def half(f): f.write(b'PK\x03\x04 partial'); f.flush(); die()
        phaseformer.runs.write_atomically(path, half)
    phaseformer.trainer.save_checkpoint = counted(phaseformer.trainer.save_checkpoint, before=write_half)
elif point == 'before_checkpoint':  # the epoch's metrics row written, its checkpoint not yet
    phaseformer.trainer.save_checkpoint = counted(phaseformer.trainer.save_checkpoint)
elif point == 'interrupt':  # Ctrl-C before the count-th optimizer step
    def interrupt(*args, **kwargs): raise KeyboardInterrupt
    torch.optim.Adam.step = counted(torch.optim.Adam.step, before=interrupt)
phaseformer.train.main(argv)
'''

SETTINGS = ['--model', 'tiny', '--size', '32', '--crop', '--batch_size', '4', '--test_batch_size', '4', '--niter', '2',
            '--niter_decay', '1', '--no_perceptual', '--device', 'cpu', '--sample_every', '0', '--seed', '3',
            '--log', 'tensorboard', '--log_every', '1']  # --threads as users run it (2); every step sent to TensorBoard at once


def train(*args, kill=None):
    command = [sys.executable, '-c', KILLER, *(kill or ('none', '0')), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env={'OMP_NUM_THREADS': '1', 'PATH': '/usr/bin:/bin'})


def final_weights(run_dir: Path) -> dict:
    return torch.load(run_dir / 'last.pth', weights_only=True)['model']


def assert_same_weights(run: Path, uninterrupted: Path):
    expected = final_weights(uninterrupted)
    for name, value in final_weights(run).items():
        torch.testing.assert_close(value, expected[name], atol=1e-5, rtol=0, msg=f'{name} differs after the resume')


@pytest.fixture(scope='module')
def uninterrupted(tiny_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp('full')
    result = train('--dataset_path', str(tiny_dataset), '--output_dir', str(out), *SETTINGS)
    assert result.returncode == 0, result.stderr[-2000:]
    (run,) = out.iterdir()
    return run


@pytest.mark.parametrize('point, count', [('step', 6),               # in epoch 2 (4 steps an epoch)
                                          ('checkpoint_write', 3),   # epoch 2's last.pth (epoch 1 wrote last and best)
                                          ('before_checkpoint', 3)]) # epoch 2's metrics row written, last.pth still epoch 1
def test_killed_and_resumed_run_matches_the_uninterrupted_one(tiny_dataset, tmp_path, uninterrupted, point, count):
    killed = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path), *SETTINGS, kill=(point, str(count)))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
    (run,) = tmp_path.iterdir()
    assert torch.load(run / 'last.pth', weights_only=True)['epoch'] == 1  # a complete checkpoint, never a partial one
    resumed = train('--resume', str(run / 'last.pth'))  # nothing else: the run's own settings
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert 'Resumed' in resumed.stdout and 'Resuming with changed settings' not in resumed.stdout
    assert list(tmp_path.iterdir()) == [run]  # the same run folder
    assert_same_weights(run, uninterrupted)
    expected = logged(uninterrupted)
    assert [step for step, _ in expected] == list(range(1, 13))
    assert [step for step, _ in logged(run)] == list(range(1, 13))  # each step once, in order: the killed run's later steps purged
    assert [v for _, v in logged(run)] == pytest.approx([v for _, v in expected], abs=1e-5)  # the same curve
    assert [step for step, _ in logged(run, 'eval/psnr_low')] == [4, 8, 12]
    assert purge_marks(run) == [5] and purge_marks(uninterrupted) == []  # the resumed writer purges from the step after epoch 1
    rows = (run / 'metrics.csv').read_text().splitlines()
    assert [r.split(',')[0] for r in rows[1:]] == ['1', '2', '3']  # every epoch once, in order
    assert 'Resumed' in (run / 'train.log').read_text()


def test_ctrl_c_is_one_line_naming_the_checkpoint_to_resume(tiny_dataset, tmp_path, uninterrupted):
    stopped = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path), *SETTINGS, kill=('interrupt', '6'))
    assert stopped.returncode == 130 and 'Traceback' not in stopped.stderr, (stopped.returncode, stopped.stderr[-2000:])
    (run,) = tmp_path.iterdir()
    last_line = stopped.stderr.strip().splitlines()[-1]
    assert last_line == f'phaseformer-train: interrupted at step 5; {run / "last.pth"} holds epoch 1; continue with --resume {run / "last.pth"}'
    assert (run / 'train.log').read_text().endswith(last_line + '\n')  # the log says how the run ended, too
    resumed = train('--resume', str(run / 'last.pth'))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_same_weights(run, uninterrupted)


def test_resume_keeps_the_run_settings_and_lists_overrides(tiny_dataset, tmp_path, uninterrupted):
    run = shutil.copytree(uninterrupted, tmp_path / uninterrupted.name)  # the other tests' reference stays as it is
    result = train('--resume', str(run / 'last.pth'), '--niter_decay', '2', '--lr', '5e-4')
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'Resuming with changed settings: niter_decay: 1 -> 2; lr: 0.001 -> 0.0005' in result.stdout
    config = json.loads((run / 'config.json').read_text())
    assert (config['batch_size'], config['niter_decay'], config['lr'], config['seed']) == (4, 2, 5e-4, 3)
    assert [r.split(',')[0] for r in (run / 'metrics.csv').read_text().splitlines()[1:]] == ['1', '2', '3', '4']
    # the new --lr reaches training: epoch 4 (steps 13-16) runs at 5e-4 x (1 - 2/3), the lambda policy with --niter_decay 2
    # (the old rate would give twice that); epochs 1-3 keep the rates they were trained at
    rates = dict(logged(run, 'lr'))
    assert [round(rates[step], 9) for step in (1, 5, 9, 13, 16)] == [1e-3, 1e-3, 5e-4, round(5e-4 / 3, 9), round(5e-4 / 3, 9)], rates
    assert torch.load(uninterrupted / 'last.pth', weights_only=True)['epoch'] == 3  # untouched


OLD_RUN = Path(__file__).parent / 'data' / 'run_2026-12-07'  # see its README: written before the trainer was split into parts


def test_a_checkpoint_written_before_the_trainer_was_split_still_resumes(tiny_dataset, tmp_path):
    "The run folder of epoch 1 of 3, written by the code of 2026-12-07 (039ce48), continues to the weights of a run from scratch."
    from dataclasses import replace
    from phaseformer.config import config_from_dict
    from phaseformer.model import Phaseformer, phaseformer_tiny_config
    from phaseformer.trainer import Trainer
    run = shutil.copytree(OLD_RUN, tmp_path / 'old_run')
    saved = config_from_dict({k: v for k, v in json.loads((run / 'config.json').read_text()).items()})
    cfg = replace(saved, dataset_path=(str(tiny_dataset),), output_dir=str(tmp_path / 'runs'), max_steps=0)
    small = lambda: Phaseformer(phaseformer_tiny_config(dim=4))  # as the fixture was made: torch.manual_seed(0), then the model
    resumed = Trainer(replace(cfg, resume=str(run / 'last.pth')), model=small(), quiet=True)
    assert (resumed.state.epoch, resumed.state.global_step, resumed.record.run_dir) == (1, 4, run)
    resumed.fit()
    torch.manual_seed(0)
    scratch = Trainer(cfg, model=small(), quiet=True)
    scratch.fit()
    assert [r.split(',')[0] for r in (run / 'metrics.csv').read_text().splitlines()[1:]] == ['1', '2', '3']
    for name, value in scratch.model.state_dict().items():
        torch.testing.assert_close(resumed.model.state_dict()[name], value, atol=1e-5, rtol=0, msg=f'{name} differs')
