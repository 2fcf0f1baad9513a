"""Two-process DistributedDataParallel training on CPU (gloo): replicas stay identical, one run folder is written."""
import os, socket
import torch
import torch.multiprocessing as mp
from phaseformer.train import Trainer, TrainConfig


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def train_rank(rank, world_size, port, cfg_fields, out_dir):
    "One torchrun-like process: the environment torchrun would set, a short run, then its final weights saved."
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                      MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    trainer = Trainer(TrainConfig(**cfg_fields), quiet=True)
    summary = trainer.fit()
    torch.save({'model': trainer.model.state_dict(), 'loss_weights': trainer.criterion.state_dict(),
                'summary': summary}, f'{out_dir}/rank{rank}.pt')
    torch.distributed.destroy_process_group()


def test_two_process_ddp_keeps_replicas_identical(tiny_dataset, tmp_path):
    runs = tmp_path / 'runs'
    cfg = dict(dataset_path=(str(tiny_dataset),), model='tiny', size=32, crop=True, batch_size=2, test_batch_size=2,
               niter=2, niter_decay=0, perceptual=False, threads=0, device='cpu', output_dir=str(runs), sample_every=0,
               max_steps=4)
    mp.spawn(train_rank, args=(2, free_port(), cfg, str(tmp_path)), nprocs=2, join=True)
    states = [torch.load(tmp_path / f'rank{r}.pt', weights_only=True) for r in range(2)]
    assert states[0]['summary']['psnr_low'] == states[1]['summary']['psnr_low']  # metrics reduced over ranks
    for key in ('model', 'loss_weights'):
        for name, value in states[0][key].items():
            assert torch.equal(value, states[1][key][name]), f'{key}.{name} differs between the replicas'
    initial = Trainer(TrainConfig(**{**cfg, 'output_dir': str(tmp_path / 'unused')}), quiet=True).model.state_dict()
    assert any(not torch.equal(v, initial[k]) for k, v in states[0]['model'].items()), 'the model did not train'
    run_dirs = [p for p in runs.iterdir() if p.is_dir()]
    assert len(run_dirs) == 1, f'expected one run folder, found {run_dirs}'
    assert (run_dirs[0] / 'last.pth').exists() and (run_dirs[0] / 'metrics.csv').exists()
