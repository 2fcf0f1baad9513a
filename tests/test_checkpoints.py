"""Every console script takes every checkpoint format, refuses code-running pickles with one line and no side effect,
and a converted checkpoint enhances to the same pixels as the original."""
import os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import torch
import torch.nn as nn
from PIL import Image
from phaseformer.model import Phaseformer, phaseformer_tiny_config
from phaseformer.inference import Enhancer
from phaseformer.images import read_image

GOLDEN = Path(__file__).parents[1] / '..' / 'shared' / 'golden'


def cli(*args, cwd=None):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, cwd=cwd)


def one_line_error(result):
    assert result.returncode != 0, result.stdout
    assert 'Traceback' not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


class RunsCode:
    "Unpickles as `os.system('touch MARKER')`."
    def __init__(self, marker): self.marker = str(marker)
    def __reduce__(self): return (os.system, (f'touch {self.marker}',))


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp('checkpoints')
    torch.manual_seed(0)
    model = Phaseformer(phaseformer_tiny_config()).eval()
    torch.save(model, root / 'whole.pth')  # a whole-module pickle naming phaseformer.model.Phaseformer: a "fork"
    torch.save(nn.DataParallel(model), root / 'whole_dp.pth')
    state = model.state_dict()
    torch.save(RunsCode(root / 'plain.ran'), root / 'plain.pth')
    torch.save({'model': state, 'note': RunsCode(root / 'hidden.ran')}, root / 'hidden.pth')
    model.payload = RunsCode(root / 'dressed.ran')
    torch.save(model, root / 'dressed.pth')
    Image.fromarray((np.random.default_rng(0).random((40, 56, 3)) * 255).astype(np.uint8)).save(root / 'photo.png')
    return root


@pytest.mark.parametrize('name', ['plain', 'hidden', 'dressed'])
def test_every_entry_point_refuses_code_running_pickles(files, tiny_dataset, tmp_path, name):
    path = str(files / f'{name}.pth')
    runs = [['phaseformer-enhance', str(files / 'photo.png'), '--checkpoint', path, '--out', str(tmp_path / 'out')],
            ['phaseformer-eval', '--checkpoint', path, '--dataset_path', str(tiny_dataset), '--size', '32'],
            [sys.executable, '-m', 'phaseformer.train', '--dataset_path', str(tiny_dataset), '--model', 'tiny', '--size', '32',
             '--resume', path, '--output_dir', str(tmp_path / 'runs'), '--no_perceptual', '--max_steps', '1'],
            ['phaseformer-convert', path, str(tmp_path / 'converted.safetensors')],
            ['phaseformer-info', path]]
    for args in runs:
        line = one_line_error(cli(*args, cwd=tmp_path))
        assert path in line and 'refused, the pickle asks for posix.system' in line, line
    assert not (files / f'{name}.ran').exists(), 'the payload ran'
    assert not (tmp_path / 'converted.safetensors').exists() and not (tmp_path / 'out').exists()


def test_whole_module_pickles_enhance_convert_and_describe(files, tmp_path):
    photo = str(files / 'photo.png')
    reference = Enhancer(str(files / 'whole.pth'), 'cpu').enhance(read_image(files / 'photo.png'))
    for source in ('whole.pth', 'whole_dp.pth'):
        info = cli('phaseformer-info', str(files / source))
        assert info.returncode == 0 and 'whole-module pickle' in info.stdout and '-1,1' in info.stdout, info.stderr
        result = cli('phaseformer-enhance', photo, '--checkpoint', str(files / source), '--out', str(tmp_path / source))
        assert result.returncode == 0, result.stderr
        np.testing.assert_array_equal(read_image(tmp_path / source / 'photo.png'), reference)
    for converted in ('weights.safetensors', 'weights.pth'):
        result = cli('phaseformer-convert', str(files / 'whole_dp.pth'), str(tmp_path / converted))
        assert result.returncode == 0, result.stderr
        assert 'refuse' not in result.stderr
        info = cli('phaseformer-info', str(tmp_path / converted)).stdout
        assert 'converted' in info and 'value_range:  -1,1' in info, info
        out = tmp_path / f'out_{converted}'
        assert cli('phaseformer-enhance', photo, '--checkpoint', str(tmp_path / converted), '--out', str(out)).returncode == 0
        np.testing.assert_array_equal(read_image(out / 'photo.png'), reference)  # identical pixels
    again = cli('phaseformer-convert', str(files / 'whole.pth'), str(tmp_path / 'weights.safetensors'))
    assert 'exists: not overwritten (use --force)' in one_line_error(again)
    assert cli('phaseformer-convert', str(files / 'whole.pth'), str(tmp_path / 'weights.safetensors'), '--force').returncode == 0


def test_train_resumes_from_a_whole_module_pickle(files, tiny_dataset, tmp_path):
    result = cli(sys.executable, '-m', 'phaseformer.train', '--dataset_path', str(tiny_dataset), '--model', 'tiny',
                 '--size', '32', '--crop', '--resume', str(files / 'whole_dp.pth'), '--output_dir', str(tmp_path),
                 '--no_perceptual', '--max_steps', '1', '--niter', '1', '--niter_decay', '0', '--threads', '0')
    assert result.returncode == 0, result.stderr
    assert 'holds model weights only (whole-module pickle' in result.stdout


@pytest.mark.skipif(not GOLDEN.is_dir(), reason='../shared/golden ships with the development checkout only')
def test_published_whole_model_through_enhance(tmp_path):
    golden = torch.load(GOLDEN / 'official_layout_A.pt', weights_only=True)
    image = ((golden['input'][0] + 1) / 2 * 255).round().byte().permute(1, 2, 0).numpy()  # in [-1, 1]: near the golden input
    Image.fromarray(image).save(tmp_path / 'golden.png')
    whole = str(GOLDEN / 'official_whole_model_A.pth')
    result = cli('phaseformer-enhance', str(tmp_path / 'golden.png'), '--checkpoint', whole, '--out', str(tmp_path / 'out'))
    assert result.returncode == 0, result.stderr
    cli_output = read_image(tmp_path / 'out' / 'golden.png')
    np.testing.assert_array_equal(cli_output, Enhancer(whole, 'cpu').enhance(image))
    published = ((golden['low'][0] + 1) / 2).clamp(0, 1).permute(1, 2, 0).numpy() * 255
    # The 8-bit input is the golden input to within 1/255; these weights amplify that to a few levels at most pixels.
    assert np.abs(cli_output - published).mean() <= 1.0
