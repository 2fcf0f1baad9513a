"""The console scripts answer bad input with one clear line and a non-zero exit status, never a traceback."""
import subprocess, sys
import pytest
import torch
from phaseformer.model import Phaseformer, phaseformer_tiny


def run(*args, cwd=None):
    return subprocess.run([sys.executable, '-m', *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0, result.stdout
    assert 'Traceback' not in result.stderr, result.stderr
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(message) == 1, result.stderr
    for fragment in fragments: assert fragment in message[0], message[0]


@pytest.mark.parametrize('args, fragments', [
    (['--dataset_path', 'no/such/folder'], ['no/such/folder', 'no such folder']),
    (['--batch_size', '0'], ['--batch_size', 'at least 1']),
    (['--size', '100'], ['--size', 'multiple of 8']),
    (['--lr_policy', 'linear'], ['--lr_policy', 'lambda, step, plateau, cosine, onecycle']),
    (['--resume', 'missing.pth'], ['missing.pth']),
])
def test_train_bad_input(args, fragments, tmp_path):
    assert_one_line_error(run('phaseformer.train', *args, '--output_dir', str(tmp_path)), 'phaseformer-train:', *fragments)


def test_train_help_is_readable():
    result = run('phaseformer.train', '--help')
    assert result.returncode == 0 and '--dataset_path' in result.stdout and '--niter_decay' in result.stdout


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp('ckpt')
    torch.save(Phaseformer(phaseformer_tiny()).state_dict(), root / 'tiny.pth')  # plain weights: config read from shapes
    state = Phaseformer().state_dict()
    torch.save({k: v for k, v in state.items() if not k.startswith('ups1')}, root / 'other.pth')  # another architecture
    (root / 'corrupt.pth').write_bytes(b'not a checkpoint')
    return root


def enhance(*args): return subprocess.run(['phaseformer-enhance', *args], capture_output=True, text=True, timeout=300)
def evaluate(*args): return subprocess.run(['phaseformer-eval', *args], capture_output=True, text=True, timeout=300)


def test_enhance_bad_input(checkpoints, tiny_dataset, tmp_path):
    photos = str(tiny_dataset / 'test' / 'input')
    assert_one_line_error(enhance(photos, '--checkpoint', str(checkpoints / 'missing.pth'), '--out', str(tmp_path)), 'No checkpoint file')
    assert_one_line_error(enhance(photos, '--checkpoint', str(checkpoints / 'other.pth'), '--out', str(tmp_path)), 'do not fit this model')
    assert_one_line_error(enhance(photos, '--checkpoint', str(checkpoints / 'corrupt.pth'), '--out', str(tmp_path)),
                          str(checkpoints / 'corrupt.pth'), 'not a PyTorch checkpoint')
    (tmp_path / 'empty').mkdir()
    assert_one_line_error(enhance(str(tmp_path / 'empty'), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'o')), 'no image files')


def test_enhance_reports_a_corrupt_image_and_goes_on(checkpoints, tiny_dataset, tmp_path):
    folder = tmp_path / 'in'; folder.mkdir()
    for p in list((tiny_dataset / 'test' / 'input').iterdir())[:2]: (folder / p.name).write_bytes(p.read_bytes())
    (folder / 'zz_corrupt.png').write_bytes(b'\x89PNG broken')
    result = enhance(str(folder), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'out'))
    assert result.returncode == 1 and 'zz_corrupt.png' in result.stderr
    assert len(list((tmp_path / 'out').iterdir())) == 2


def test_eval_bad_input_and_a_real_run(checkpoints, tiny_dataset, tmp_path):
    assert_one_line_error(evaluate('--checkpoint', str(checkpoints / 'other.pth'), '--dataset_path', str(tiny_dataset)), 'do not fit this model')
    (tmp_path / 'empty').mkdir()
    assert_one_line_error(evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tmp_path / 'empty')), 'neither a paired dataset')
    result = evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '32', '--save', str(tmp_path / 'ev'))
    assert result.returncode == 0, result.stderr
    assert 'psnr' in result.stdout and (tmp_path / 'ev' / 'metrics.csv').exists()
