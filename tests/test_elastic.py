"""Runs that outlive their processes and machines (CPU, gloo): `phaseformer-train --max_restarts` (torchrun's elastic
agent, started by the command) restarts a killed worker and the run continues to the uninterrupted run's weights; two launchers on 127.0.0.1 (`--nnodes 2`, c10d rendezvous) train
as one launcher with two processes does."""
import os, random, signal, subprocess, sys, time
from pathlib import Path
import pytest
import torch
from phaseformer.distributed import free_port

SETTINGS = ['--model', 'tiny', '--size', '32', '--crop', '--batch_size', '2', '--test_batch_size', '2', '--niter', '4',
            '--niter_decay', '0', '--no_perceptual', '--device', 'cpu', '--sample_every', '0', '--seed', '5']  # --threads as users run it (2)


def start(command: list, data: Path, out: Path, settings: list = SETTINGS, store_fix: bool = False) -> subprocess.Popen:
    "`COMMAND -m phaseformer.train` on `data` into `out`, started in the background (`store_fix`: see 06g_train)."
    command = [sys.executable, *command, '-m', 'phaseformer.train', '--dataset_path', str(data), '--output_dir', str(out), *settings]
    env = {k: v for k, v in os.environ.items() if k != 'TORCH_DISABLE_SHARE_RDZV_TCP_STORE'}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**env, 'OMP_NUM_THREADS': '1', **({'TORCH_DISABLE_SHARE_RDZV_TCP_STORE': '1'} if store_fix else {})})


def torchrun(launcher: list, data: Path, out: Path, store_fix: bool = True) -> subprocess.Popen:
    "`torchrun LAUNCHER -m phaseformer.train --resume auto` on `data` into `out`, in the background."
    return start(['-m', 'torch.distributed.run', *launcher], data, out, SETTINGS + ['--resume', 'auto'], store_fix)


def finished(process: subprocess.Popen) -> str:
    "Wait for a launcher; its output, after checking that it succeeded."
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    return out + err


def the_run(out: Path) -> Path:
    "The one run folder in `out`."
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def assert_same_weights(run: Path, reference: Path):
    expected = torch.load(reference / 'last.pth', weights_only=True)['model']
    for name, value in torch.load(run / 'last.pth', weights_only=True)['model'].items():
        torch.testing.assert_close(value, expected[name], atol=1e-5, rtol=0, msg=f'{name} differs')


def workers(pid: int) -> list:
    "The processes whose parent is `pid` (torchrun's workers)."
    found = []
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try: parent = int(stat.read_text().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError): continue
        if parent == pid: found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope='module')
def uninterrupted(tiny_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp('uninterrupted')
    finished(torchrun(['--standalone', '--nproc_per_node', '2'], tiny_dataset, out))
    return the_run(out)


def kill_a_worker_after_the_first_checkpoint(job: subprocess.Popen, out: Path):
    "SIGKILL one of torchrun's workers a moment after the run's first checkpoint."
    deadline = time.time() + 300
    while not list(out.glob('*/last.pth')) and time.time() < deadline and job.poll() is None: time.sleep(0.02)
    time.sleep(random.Random(0).uniform(0, 0.3))
    victims = workers(job.pid)
    assert victims and job.poll() is None, 'the run ended before a worker could be killed'
    os.kill(random.Random(1).choice(victims), signal.SIGKILL)


def test_a_killed_worker_is_restarted_and_the_run_goes_on(tiny_dataset, uninterrupted, tmp_path):
    "The plain command with --max_restarts: no torchrun, no variable to set, no --resume auto to remember."
    job = start([], tiny_dataset, tmp_path, SETTINGS + ['--nproc', '2', '--max_restarts', '2'])
    kill_a_worker_after_the_first_checkpoint(job, tmp_path)
    finished(job)
    run = the_run(tmp_path)  # one history: the restarted workers continued the same folder
    log = (run / 'train.log').read_text()
    assert '(torchrun restart 1)' in log and 'Resumed' in log, log[-2000:]
    assert [line.split(',')[0] for line in (run / 'metrics.csv').read_text().splitlines()[1:]] == ['1', '2', '3', '4']
    assert_same_weights(run, uninterrupted)


def test_two_launchers_train_as_one(tiny_dataset, uninterrupted, tmp_path):
    launcher = ['--nnodes', '2', '--nproc_per_node', '1', '--rdzv-backend', 'c10d', '--rdzv-endpoint', f'127.0.0.1:{free_port()}',
                '--rdzv-id', 'phaseformer-test']
    nodes = [torchrun(launcher, tiny_dataset, tmp_path) for _ in range(2)]
    for node in nodes: finished(node)
    assert_same_weights(the_run(tmp_path), uninterrupted)


def test_a_bare_torchrun_restart_stops_in_one_line_instead_of_hanging(tiny_dataset, tmp_path):
    job = torchrun(['--standalone', '--nproc_per_node', '2', '--max-restarts', '1'], tiny_dataset, tmp_path, store_fix=False)
    kill_a_worker_after_the_first_checkpoint(job, tmp_path)
    killed = time.time()
    out, err = job.communicate(timeout=300)
    assert job.returncode != 0 and time.time() - killed < 60
    lines = [line for line in err.splitlines() if line.startswith('phaseformer-train: torchrun restarted this worker')]
    assert lines and 'TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1' in lines[0], err[-3000:]
