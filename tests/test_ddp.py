"""Two-process DistributedDataParallel training on CPU (gloo): replicas stay identical, each process draws its own
crops, every test image is counted exactly once, the demo data is built once, and the plain command starts the
processes itself."""
import subprocess, sys
import pytest
import torch
from phaseformer.trainer import Trainer, TrainConfig
from phaseformer.distributed import launch_processes
from phaseformer.synth import synthesize_folder, skimage_photo
from phaseformer.images import write_image


def train_rank(cfg_fields, out_dir):
    "One process: a short run, then its final weights, first batch and evaluation count saved."
    torch.set_num_threads(1)
    trainer = Trainer(TrainConfig(**cfg_fields), quiet=True)
    rank = trainer.rank
    first_inputs = []
    forward = trainer.net.forward
    def record(x, *a, **k):
        if not first_inputs: first_inputs.append(x.detach().clone())
        return forward(x, *a, **k)
    trainer.net.forward = record
    summary = trainer.fit()
    torch.save({'model': trainer.model.state_dict(), 'loss_weights': {n: p.detach() for n, p in trainer.criterion.named_parameters()},
                'summary': summary, 'first_inputs': first_inputs[0], 'test_size': len(trainer.data.test_set)}, f'{out_dir}/rank{rank}.pt')
    torch.distributed.destroy_process_group()


@pytest.fixture(scope='module')
def odd_dataset(tmp_path_factory):
    "A paired dataset whose test split has an odd number of images (5), so that padding would show."
    root = tmp_path_factory.mktemp('odd')
    (root / 'clean').mkdir()
    for name in ('astronaut', 'coffee', 'chelsea', 'rocket', 'retina', 'immunohistochemistry'):
        image = skimage_photo(name)
        write_image(image[:, :96, :96], root / 'clean' / f'{name}.png')
    synthesize_folder(root / 'clean', root / 'synth', n=5, crop=48, test_fraction=0.17)
    return root / 'synth'


def test_two_process_ddp(odd_dataset, tmp_path):
    runs = tmp_path / 'runs'
    cfg = dict(dataset_path=(str(odd_dataset),), model='tiny', size=32, crop=True, batch_size=2, test_batch_size=2,
               niter=2, niter_decay=0, perceptual=False, threads=0, device='cpu', output_dir=str(runs), sample_every=0,
               max_steps=4)
    launch_processes(train_rank, 2, cfg, str(tmp_path))
    states = [torch.load(tmp_path / f'rank{r}.pt', weights_only=True) for r in range(2)]
    test_size = states[0]['test_size']
    assert test_size % 2 == 1, 'the test set should be odd for this test'
    assert states[0]['summary']['images'] == states[1]['summary']['images'] == test_size  # each image once, none twice
    assert states[0]['summary']['psnr_low'] == states[1]['summary']['psnr_low']  # metrics reduced over ranks
    assert not torch.equal(states[0]['first_inputs'], states[1]['first_inputs']), 'both processes drew the same batch'
    for key in ('model', 'loss_weights'):
        for name, value in states[0][key].items():
            assert torch.equal(value, states[1][key][name]), f'{key}.{name} differs between the replicas'
    initial = Trainer(TrainConfig(**{**cfg, 'output_dir': str(tmp_path / 'unused')}), quiet=True).model.state_dict()
    assert any(not torch.equal(v, initial[k]) for k, v in states[0]['model'].items()), 'the model did not train'
    run_dirs = [p for p in runs.iterdir() if p.is_dir()]
    assert len(run_dirs) == 1, f'expected one run folder, found {run_dirs}'
    assert (run_dirs[0] / 'last.pth').exists() and (run_dirs[0] / 'metrics.csv').exists()


def test_plain_command_starts_the_processes_and_builds_the_demo_once(tmp_path):
    env = {'PHASEFORMER_CACHE': str(tmp_path / 'cache'), 'PATH': '/usr/bin:/bin'}
    result = subprocess.run([sys.executable, '-m', 'phaseformer.train', '--demo', '--nproc', '2', '--device', 'cpu',
                             '--model', 'tiny', '--size', '32', '--niter', '1', '--niter_decay', '0', '--max_steps', '2',
                             '--output_dir', str(tmp_path / 'runs')], capture_output=True, text=True, timeout=600,
                            env={**__import__('os').environ, **env})
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Starting 2 DDP processes' in result.stdout and '2 processes' in result.stdout
    assert [p.name for p in (tmp_path / 'cache').iterdir()] == ['demo-v1']  # built once: no leftover partial copies
    assert len(list((tmp_path / 'runs').iterdir())) == 1
