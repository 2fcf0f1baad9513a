"""Runs watched where researchers watch them: a real MLflow server (killed mid-run, then back), Weights & Biases offline,
and no host-device synchronisation added to a training step. TensorBoard across a SIGKILL and resume: tests/test_resume.py."""
import json, os, signal, struct, subprocess, time
from pathlib import Path
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from phaseformer.config import TrainConfig
from phaseformer.trainer import Trainer
from phaseformer.distributed import free_port
from app_browser import wait_until_answering
from tensorboard_logs import logged, tags

TINY = ['--model', 'tiny', '--size', '32', '--batch_size', '4', '--test_batch_size', '4', '--no_perceptual', '--device', 'cpu',
        '--threads', '0', '--sample_every', '0', '--niter_decay', '0']


def train(*args, env=None, **popen):
    return subprocess.Popen(['phaseformer-train', *TINY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, 'OMP_NUM_THREADS': '1', **(env or {})}, **popen)


def mlflow_server(folder: Path, port: int) -> subprocess.Popen:
    "`mlflow server` on 127.0.0.1 with an SQLite store in `folder`, once it answers."
    server = subprocess.Popen(['mlflow', 'server', '--backend-store-uri', f'sqlite:///{folder}/mlflow.db', '--default-artifact-root',
                               (folder / 'artifacts').as_uri(), '--host', '127.0.0.1', '--port', str(port), '--workers', '1'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # its workers in its group
    try: wait_until_answering(f'http://127.0.0.1:{port}/health')
    except AssertionError: stop(server); raise
    return server


def stop(server: subprocess.Popen):
    "Kill the server and the workers it started (SIGKILL: a server that goes away)."
    os.killpg(server.pid, signal.SIGKILL); server.wait()


def test_a_real_mlflow_server_killed_mid_run(tiny_dataset, tmp_path):
    from mlflow.tracking import MlflowClient
    port = free_port(); uri = f'http://127.0.0.1:{port}'
    server, client = mlflow_server(tmp_path, port), MlflowClient(uri)
    run = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path / 'out'), '--niter', '12', '--log', 'mlflow,tensorboard',
                '--log_every', '1', '--mlflow_uri', uri)
    history = []
    while len(history) < 3 and run.poll() is None:  # the run is logging: the server goes away
        time.sleep(0.2)
        found = client.search_runs([e.experiment_id for e in client.search_experiments()])
        history = client.get_metric_history(found[0].info.run_id, 'loss/total') if found else []
    stop(server)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err[-2000:]
    assert err.count('MLflow logging stopped') == 1, err[-2000:]  # one warning, and the run went on
    (run_dir,) = (tmp_path / 'out').iterdir()
    assert [step for step, _ in logged(run_dir)] == list(range(1, 49))  # TensorBoard and metrics.csv kept everything
    assert len((run_dir / 'metrics.csv').read_text().splitlines()) == 13
    server = mlflow_server(tmp_path, port)  # back: the next run logs again
    try:
        again = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path / 'out'), '--niter', '1', '--log', 'mlflow',
                      '--mlflow_uri', uri)
        assert again.wait(300) == 0, again.stderr.read()[-2000:]
        first, second = sorted(client.search_runs([e.experiment_id for e in client.search_experiments()]), key=lambda r: r.info.start_time)
        assert [m.step for m in client.get_metric_history(first.info.run_id, 'loss/total')][:3] == [1, 2, 3]  # read back from the store
        assert [m.step for m in client.get_metric_history(second.info.run_id, 'loss/total')] == [1, 2, 3, 4]
        assert second.data.params['lr'] == '0.001' and second.data.metrics['eval/psnr_low'] > second.data.metrics['eval/identity_psnr_low'] - 10
        assert json.loads((run_dir / 'tracking.json').read_text())['mlflow'] == first.info.run_id
    finally: stop(server)


def wandb_history(path: Path) -> list:
    "The history rows of an offline W&B run file (LevelDB's log format: 32 kB blocks of records, each with a 7-byte header)."
    from wandb.proto.wandb_internal_pb2 import Record
    data, pos, block, pieces, rows = path.read_bytes(), 7, 32768, b'', []  # after the file's own 7-byte header
    while pos + 7 <= len(data):
        if block - pos % block < 7: pos += block - pos % block; continue  # a block's tail too short for a header is padding
        length, kind = struct.unpack('<HB', data[pos + 4:pos + 7])
        pieces += data[pos + 7:pos + 7 + length]; pos += 7 + length
        if kind in (1, 4):  # a whole record, or the last piece of one
            record = Record(); record.ParseFromString(pieces); pieces = b''
            if record.WhichOneof('record_type') == 'history':
                rows.append({'/'.join(item.nested_key) or item.key: json.loads(item.value_json) for item in record.history.item})
    return rows


def test_wandb_offline_holds_the_same_metrics_and_resumes_its_run(tiny_dataset, tmp_path):
    env = {'WANDB_MODE': 'offline', 'WANDB_SILENT': 'true'}
    first = train('--dataset_path', str(tiny_dataset), '--output_dir', str(tmp_path), '--niter', '2', '--log', 'wandb,tensorboard', env=env)
    assert first.wait(300) == 0, first.stderr.read()[-2000:]
    (run_dir,) = tmp_path.iterdir()
    (offline,) = run_dir.glob('wandb/offline-run-*/run-*.wandb')
    rows = wandb_history(offline)
    steps = [(r['_step'], r['loss/total']) for r in rows if 'loss/total' in r]
    assert [s for s, _ in steps] == [s for s, _ in logged(run_dir)] == list(range(1, 9))
    assert [v for _, v in steps] == pytest.approx([v for _, v in logged(run_dir)], abs=1e-6)  # the values TensorBoard has
    assert {'weights/head_low', 'grad_norm', 'lr', 'epoch/images_per_s', 'eval/psnr_high', 'eval/identity_psnr_high', 'samples/path'} <= set().union(*rows)
    every_step = {f'loss/{head}{term}' for head in ('low', 'high') for term in ('', '_charbonnier', '_gradient', '_ms_ssim')} \
                 | {'loss/total', 'grad_norm', 'lr', 'skipped_steps'} | {f'weights/{w}' for w in ('charbonnier', 'gradient', 'ms_ssim', 'head_low', 'head_high')}
    every_evaluation = {f'eval/{who}{m}_{head}' for who in ('', 'identity_') for m in ('psnr', 'ssim') for head in ('low', 'high')} | {'samples'}
    once = {'epoch/images_per_s', 'epoch/peak_memory_gb', 'command', 'model', 'hparams/psnr_low'}
    assert every_step | every_evaluation | once <= tags(run_dir)  # TensorBoard has every kind of value
    resumed = train('--resume', str(run_dir / 'last.pth'), '--niter', '3', env=env)
    assert resumed.wait(300) == 0, resumed.stderr.read()[-2000:]
    run_id = json.loads((run_dir / 'tracking.json').read_text())['wandb']
    assert offline.name == f'run-{run_id}.wandb' and len(list(run_dir.glob(f'wandb/offline-run-*-{run_id}'))) == 2  # the same run, resumed
    assert [step for step, _ in logged(run_dir)] == list(range(1, 13))


class Syncs(TorchDispatchMode):
    "Counts the reads of a tensor's value by the host (`aten::_local_scalar_dense`: `.item()`, `float()`, `if tensor`)."
    def __init__(self): super().__init__(); self.count = 0
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += func is torch.ops.aten._local_scalar_dense.default
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize('clip', [0.0])  # no clipping: the one case where the norm is computed for the loggers alone
def test_logging_adds_no_synchronisation_to_a_step(tiny_dataset, tmp_path, clip):
    def syncs(log: str) -> int:
        cfg = TrainConfig(dataset_path=(str(tiny_dataset),), model='tiny', size=32, batch_size=4, perceptual=False, threads=0,
                          device='cpu', sample_every=0, niter=1, niter_decay=0, clip=clip, log=log, log_every=100, output_dir=str(tmp_path / log))
        trainer = Trainer(cfg, quiet=True)
        with Syncs() as counted: trainer.train_epoch(1)
        assert len(trainer.record.tracker.buffer) == (4 if log != 'none' else 0)  # four steps kept, none read yet
        return counted.count
    assert syncs('tensorboard') == syncs('none')  # the same reads, logging or not


def test_a_grid_run_is_filed_under_its_setting_and_seed(tiny_dataset, tmp_path):
    from mlflow.tracking import MlflowClient
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    cfg = TrainConfig(dataset_path=(str(tiny_dataset),), model='tiny', size=32, batch_size=4, perceptual=False, threads=0, device='cpu',
                      sample_every=0, niter=1, niter_decay=0, log='mlflow,tensorboard', output_dir=str(tmp_path), mlflow_experiment='grid')
    summary = Trainer(cfg, quiet=True, tags={'setting': 'no_skip', 'seed': 1}).fit()  # as run_grid starts each run
    client = MlflowClient(f'sqlite:///{tmp_path}/mlflow.db')  # the default store: beside the runs
    (run,) = client.search_runs([client.get_experiment_by_name('grid').experiment_id])
    assert (run.info.run_name, run.data.tags['setting'], run.data.tags['seed']) == ('no_skip/1', 'no_skip', '1')
    assert run.data.params['setting'] == 'no_skip' and run.data.metrics['hparams/psnr_low'] == pytest.approx(summary['psnr_low'])
    events = EventAccumulator(summary['run_dir']); events.Reload()
    hparams = events.PluginTagToContent('hparams')  # TensorBoard's HPARAMS view: the settings, the tags among them
    assert b'no_skip' in hparams['_hparams_/session_start_info'] and b'hparams/psnr_low' in hparams['_hparams_/experiment']


def test_a_resumed_run_continues_its_mlflow_run(tiny_dataset, tmp_path):
    from dataclasses import replace
    from mlflow.tracking import MlflowClient
    cfg = TrainConfig(dataset_path=(str(tiny_dataset),), model='tiny', size=32, batch_size=4, perceptual=False, threads=0, device='cpu',
                      sample_every=0, niter=1, niter_decay=0, log='mlflow', output_dir=str(tmp_path))
    run_dir = Path(Trainer(cfg, quiet=True).fit()['run_dir'])
    Trainer(replace(cfg, resume=str(run_dir / 'last.pth'), niter=2), quiet=True).fit()
    client = MlflowClient(f'sqlite:///{tmp_path}/mlflow.db')
    (run,) = client.search_runs([client.get_experiment_by_name('phaseformer').experiment_id])
    assert json.loads((run_dir / 'tracking.json').read_text()) == {'mlflow': run.info.run_id}
    assert [m.step for m in client.get_metric_history(run.info.run_id, 'loss/total')] == list(range(1, 9))  # one run, continued
    assert run.info.status == 'FINISHED'
