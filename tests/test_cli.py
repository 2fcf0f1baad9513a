"""The console scripts answer bad input with one clear line and a non-zero exit status, never a traceback."""
import csv, json, os, re, shutil, signal, subprocess, sys, time
import numpy as np
import pytest
import torch
from PIL import Image
from phaseformer.model import Phaseformer, phaseformer_tiny_config
from weights_server import serve_released
from foreground import as_foreground


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
    (['--attention', 'ordinary'], ['--attention', 'phase, plain, phase_stats', "'ordinary'"]),
])
def test_train_bad_input(args, fragments, tmp_path):
    assert_one_line_error(run('phaseformer.train', *args, '--output_dir', str(tmp_path)), 'phaseformer-train:', *fragments)


def test_train_help_lists_every_setting_with_its_default():
    from dataclasses import fields
    from phaseformer.config import TrainConfig
    result = run('phaseformer.train', '--help')
    assert result.returncode == 0
    for f in fields(TrainConfig): assert f'--{f.name}' in result.stdout, f.name
    assert '(default: 0.001)' in result.stdout.replace('\n', ' ') and '(default: adam)' in result.stdout


def test_train_config_file_and_flags(tiny_dataset, tmp_path):
    settings = tmp_path / 'settings.json'
    settings.write_text(json.dumps({'dataset_path': [str(tiny_dataset)], 'model': 'tiny', 'size': 32, 'crop': True,
                                    'batch_size': 8, 'niter': 1, 'niter_decay': 0, 'perceptual': False, 'threads': 0,
                                    'lr': 0.5, 'weight_decay': 0.01, 'optimizer': 'adamw'}))
    result = run('phaseformer.train', '--config', str(settings), '--lr', '0.002', '--batch_size', '4', '--max_steps', '1',
                 '--output_dir', str(tmp_path / 'runs'))
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tmp_path / 'runs').iterdir()
    config = json.loads((run_dir / 'config.json').read_text())
    assert (config['lr'], config['batch_size'], config['size'], config['weight_decay'], config['optimizer']) == (0.002, 4, 32, 0.01, 'adamw')
    assert 'Run folder' in (run_dir / 'train.log').read_text()
    settings.write_text(json.dumps({'learning_rate': 1}))
    assert_one_line_error(run('phaseformer.train', '--config', str(settings)), 'unknown settings learning_rate')


def test_train_a_model_variant_and_load_it_back(tiny_dataset, tmp_path):
    from phaseformer.checkpoints import load_model
    result = run('phaseformer.train', '--dataset_path', str(tiny_dataset), '--model', 'tiny', '--size', '32', '--crop',
                 '--batch_size', '8', '--niter', '1', '--niter_decay', '0', '--no_perceptual', '--threads', '0',
                 '--attention', 'phase_stats', '--skip', 'eca', '--outputs', 'low', '--output_dir', str(tmp_path))
    assert result.returncode == 0, result.stderr
    (run_dir,) = tmp_path.iterdir()
    last = list(csv.DictReader(open(run_dir / 'metrics.csv')))[-1]
    assert last['psnr_high'] == '' and last['psnr_low'] != ''  # one head: no 2x figures
    model = load_model(run_dir / 'last.pth')  # the kinds travel in the checkpoint's settings
    assert (model.cfg.attention, model.cfg.skip, model.cfg.outputs) == ('phase_stats', 'eca', 'low')
    assert model(torch.rand(1, 3, 32, 32)).high is None


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp('ckpt')
    torch.save(Phaseformer(phaseformer_tiny_config()).state_dict(), root / 'tiny.pth')  # plain weights: config read from shapes
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
    assert_one_line_error(enhance(str(tmp_path / 'empty'), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'o')), 'no image or video files')


def test_enhance_reports_a_corrupt_image_and_goes_on(checkpoints, tiny_dataset, tmp_path):
    folder = tmp_path / 'in'; folder.mkdir()
    for p in list((tiny_dataset / 'test' / 'input').iterdir())[:2]: (folder / p.name).write_bytes(p.read_bytes())
    (folder / 'zz_corrupt.png').write_bytes(b'\x89PNG broken')
    result = enhance(str(folder), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'out'))
    assert result.returncode == 1 and 'zz_corrupt.png' in result.stderr and '2 files' in result.stdout and '1 failed' in result.stdout
    assert len(list((tmp_path / 'out').glob('*.png'))) == 2
    with open(tmp_path / 'out' / 'manifest.csv', newline='') as f:
        assert [(r['input'], r['status']) for r in csv.DictReader(f)][-1] == ('zz_corrupt.png', 'failed')
    originals = {p.name: p.read_bytes() for p in folder.iterdir()}
    into_inputs = enhance(str(folder), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(folder), '--force')
    assert_one_line_error(into_inputs, 'is inside the input folder')
    photo = next(folder.glob('*.png'))  # one photo named, its own folder as --out: the photo is never its own output
    into_itself = enhance(str(photo), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(folder), '--force')
    assert into_itself.returncode == 1 and 'is an input: never overwritten' in into_itself.stdout + into_itself.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != 'manifest.csv'} == originals


def test_enhance_ext_sets_the_output_format(checkpoints, tiny_dataset, tmp_path):
    result = enhance(str(tiny_dataset / 'test' / 'input'), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path), '--ext', 'jpg')
    assert result.returncode == 0, result.stderr
    outputs = [p for p in tmp_path.iterdir() if p.name != 'manifest.csv']
    assert outputs and {p.suffix for p in outputs} == {'.jpg'} and {Image.open(p).format for p in outputs} == {'JPEG'}


def test_enhance_a_folder_of_camera_files_keeps_what_they_hold(checkpoints, tmp_path):
    "One folder mixing a P3 JPEG (orientation 6, GPS, XMP, IPTC), 16-bit TIFF and PNG, a HEIC and a DNG: one output each."
    from phaseformer.images import make_camera_files, describe_metadata, read_image, SURVEY_EXIF
    camera = make_camera_files(tmp_path / 'dive')
    result = enhance(str(tmp_path / 'dive'), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'out'))
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == ['camera.tif', 'dive_p3.jpg', 'manifest.csv', 'phone.heic', 'survey16.png', 'survey16.tif']
    for name in ('dive_p3.jpg', 'survey16.tif', 'survey16.png', 'phone.heic'):
        kept = describe_metadata(tmp_path / 'out' / name)
        assert kept['Exif.GPSInfo.GPSLatitude'] == SURVEY_EXIF['Exif.GPSInfo.GPSLatitude'] and kept['Exif.Image.Orientation'] == '1', name
        assert kept['Exif.Image.Software'].startswith('phaseformer ') and '(weights: tiny.pth)' in kept['Exif.Image.Software']
    assert describe_metadata(tmp_path / 'out' / 'dive_p3.jpg')['Iptc.Application2.Caption'] == 'Transect 4, 12 m'
    assert read_image(tmp_path / 'out' / 'camera.tif').dtype.name == 'uint16' and read_image(tmp_path / 'out' / 'dive_p3.jpg').shape == (64, 96, 3)
    private = enhance(str(camera['jpeg']), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'private'),
                      '--strip_metadata', '--colour_space', 'input')
    assert private.returncode == 0, private.stderr[-2000:]
    stripped = describe_metadata(tmp_path / 'private' / 'dive_p3.jpg')
    assert stripped['Exif.GPSInfo.GPSLatitude'] is None and stripped['Iptc.Application2.Caption'] is None
    assert stripped['ICC profile'] == describe_metadata(camera['jpeg'])['ICC profile'] != 'sRGB built-in'  # the input's own profile
    assert_one_line_error(enhance(str(camera['jpeg']), '--checkpoint', str(checkpoints / 'tiny.pth'), '--colour_space', 'p3'), "--colour_space must be one of srgb, input, got 'p3'")
    scored = subprocess.run(['phaseformer-eval', '--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tmp_path / 'dive'),
                             '--size', '64'], capture_output=True, text=True, timeout=300, cwd=tmp_path)  # every kind read by the evaluation too
    assert scored.returncode == 0 and '5 images' in scored.stdout, scored.stdout + scored.stderr[-2000:]


def test_eval_bad_input_and_a_real_run(checkpoints, tiny_dataset, tmp_path):
    assert_one_line_error(evaluate('--checkpoint', str(checkpoints / 'other.pth'), '--dataset_path', str(tiny_dataset)), 'do not fit this model')
    (tmp_path / 'empty').mkdir()
    assert_one_line_error(evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tmp_path / 'empty')), 'neither a paired dataset')
    result = evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '32', '--save', str(tmp_path / 'ev'))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(tmp_path / 'ev' / 'metrics.csv')))
    psnrs = [float(r['psnr']) for r in rows]
    assert f'  psnr   {np.mean(psnrs):8.4f} ± {np.std(psnrs):.4f}' in result.stdout, result.stdout  # the summary is the file's
    from phaseformer.inference import load_enhancer
    from phaseformer.images import read_image, resize_image
    from phaseformer.metrics import psnr
    name = rows[0]['image']  # one image scored here, through the library: the command's number
    out = load_enhancer(str(checkpoints / 'tiny.pth'), device='cpu').enhance(resize_image(read_image(tiny_dataset / 'test/input' / name), (32, 32)))
    assert abs(psnr(out, resize_image(read_image(tiny_dataset / 'test/gt' / name), (32, 32))) - psnrs[0]) < 1e-4
    first = (tmp_path / 'ev' / 'metrics.csv').read_text()
    assert_one_line_error(evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '64',
                                   '--save', str(tmp_path / 'ev')), 'metrics.csv exists: an earlier evaluation is not overwritten')
    assert (tmp_path / 'ev' / 'metrics.csv').read_text() == first
    forced = evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '64',
                      '--save', str(tmp_path / 'ev'), '--force')
    assert forced.returncode == 0 and (tmp_path / 'ev' / 'metrics.csv').read_text() != first, forced.stderr
    half = evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '32', '--half', '--save', str(tmp_path / 'half'))
    assert half.returncode == 0 and 'half precision' in half.stdout, half.stderr
    psnr = lambda run: [float(r['psnr']) for r in csv.DictReader((tmp_path / run / 'metrics.csv').read_text().splitlines())]
    full = evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '32', '--save', str(tmp_path / 'full'))
    assert full.returncode == 0, full.stderr  # the float32 run at the same size ('ev' now holds the 64 px one)
    differences = [abs(a - b) for a, b in zip(psnr('half'), psnr('full'))]
    assert 0 < max(differences) < 0.5, differences  # bfloat16 on the CPU: the same model, rounded


def test_eval_reports_uiqm_as_papers_compute_it(checkpoints, tiny_dataset, tmp_path):
    common = ('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--size', '32')
    result = evaluate(*common, '--uiqm', 'funie_gan', '--save', str(tmp_path / 'ev'))
    assert result.returncode == 0, result.stderr
    assert 'uiqm_funie_gan' in result.stdout and 'uiqm_funie_gan' in (tmp_path / 'ev' / 'metrics.csv').read_text().splitlines()[0]
    assert_one_line_error(evaluate(*common, '--uiqm', 'paper'), "the UIQM variant must be one of pinned, funie_gan, got 'paper'")


def test_eval_full_resolution_and_a_root_without_test_split(checkpoints, tiny_dataset, tmp_path):
    result = evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tiny_dataset), '--full',
                      '--save', str(tmp_path / 'full'))
    assert result.returncode == 0, result.stderr
    assert 'full resolution' in result.stdout
    sizes = {Image.open(p).size for p in (tmp_path / 'full').glob('*.png')}
    assert sizes == {Image.open(p).size for p in (tiny_dataset / 'test' / 'input').iterdir()}  # native size
    shutil.copytree(tiny_dataset / 'train', tmp_path / 'train_only' / 'train')
    assert_one_line_error(evaluate('--checkpoint', str(checkpoints / 'tiny.pth'), '--dataset_path', str(tmp_path / 'train_only')),
                          'no test/ split')


def test_a_bug_keeps_its_traceback_in_train_log(tiny_dataset, tmp_path):
    "An unexpected error is not dressed up as a user mistake: one line points to the traceback in the run's train.log."
    script = ('import phaseformer.train as t, phaseformer.trainer as trainer\n'
              'def broken(self, epoch): raise TypeError("unsupported operand")\n'
              'trainer.EpochTrainer.__call__ = broken\n'
              't.main()\n')
    result = subprocess.run([sys.executable, '-c', script, '--dataset_path', str(tiny_dataset), '--model', 'tiny', '--size', '32',
                             '--no_perceptual', '--threads', '0', '--output_dir', str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    line = [l for l in result.stderr.splitlines() if l.startswith('phaseformer-train:')][-1]
    assert 'unexpected TypeError: unsupported operand' in line and 'train.log' in line
    (run_dir,) = tmp_path.iterdir()
    log = (run_dir / 'train.log').read_text()
    assert 'Traceback' in log and 'def broken' not in result.stderr


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    "A tiny model saved the authors' way, served from 127.0.0.1 and registered as 'test'; the commands' environment."
    env, server = serve_released(tmp_path_factory.mktemp('released'))
    yield env, server
    server.close()


def test_every_command_takes_released_weights_by_name(released, tiny_dataset, tmp_path):
    env, server = released
    def cli(*args): return subprocess.run(list(args), capture_output=True, text=True, timeout=300, env=env)
    ev = cli('phaseformer-eval', '--weights', 'test', '--dataset_path', str(tiny_dataset), '--size', '32', '--save', str(tmp_path / 'ev'))
    assert ev.returncode == 0 and (tmp_path / 'ev' / 'metrics.csv').exists(), ev.stderr
    bench = cli('phaseformer-benchmark', '--weights', 'test', '--dataset_path', str(tiny_dataset), '--protocol', 'authors',
                '--methods', 'identity', '--out', str(tmp_path / 'bench'))
    assert bench.returncode == 0 and '| test |' in bench.stdout, bench.stderr
    assert "the authors' protocol" in (tmp_path / 'bench' / 'benchmark.md').read_text()
    assert_one_line_error(cli('phaseformer-benchmark', '--weights', 'test', '--dataset_path', str(tiny_dataset), '--protocol', 'authors',
                              '--size', '256'), '--protocol authors sets the size')
    convert = cli('phaseformer-convert', '--weights', 'test', str(tmp_path / 'test.safetensors'))
    assert convert.returncode == 0, convert.stderr
    info = cli('phaseformer-info', str(tmp_path / 'test.safetensors'))
    assert 'value_range:  -1,1' in info.stdout and "released weights 'test'" in info.stdout, info.stdout
    # phaseformer-export takes a minute even for the tiny model (05_export exports one): here only its flags
    assert_one_line_error(cli('phaseformer-export', '--weights', 'test', '--checkpoint', 'x.pth'), 'not both')
    assert_one_line_error(cli('phaseformer-export', '--weights', 'nosuch'), "no released weights named 'nosuch'")
    train = cli('phaseformer-train', '--weights', 'test', '--dataset_path', str(tiny_dataset), '--model', 'tiny', '--size', '32',
                '--max_steps', '1', '--no_perceptual', '--threads', '0', '--output_dir', str(tmp_path / 'runs'))
    assert train.returncode == 0, train.stderr
    assert "holds model weights only (released weights 'test'" in train.stdout, train.stdout
    assert 'trained on images in [-1.0, 1.0]' in train.stdout
    assert server.requests == ['/best.pth']  # downloaded once, then read from the cache by every command
    assert_one_line_error(cli('phaseformer-train', '--weights', 'test', '--resume', str(tmp_path / 'test.safetensors')), 'not both')
    assert_one_line_error(cli('phaseformer-eval', '--weights', 'uiebb', '--dataset_path', str(tiny_dataset)),
                          "no released weights named 'uiebb'; known: uieb, ufo120, low_light, test")


def test_enhance_a_video_keeps_its_rate_and_sound(checkpoints, tmp_path):
    import av
    from phaseformer.video import make_test_clip
    clip = make_test_clip(tmp_path / 'dive.mp4', frames=8, rate=8)
    result = enhance(str(clip), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'dive_enhanced.mp4'))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'{clip}: 8 frames at 8 fps -> {tmp_path / "dive_enhanced.mp4"}' in result.stdout and 'audio copied' in result.stdout
    assert 'flicker' in result.stdout and 'frame/s' in result.stderr  # the report, and the progress bar's rate
    with av.open(str(tmp_path / 'dive_enhanced.mp4')) as video:
        assert sorted(s.type for s in video.streams) == ['audio', 'video'] and video.streams.video[0].average_rate == 8
        assert sum(1 for _ in video.decode(video=0)) == 8
    frames = enhance(str(clip), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'frames'), '--frames', '--ext', 'jpg')
    assert frames.returncode == 0 and len(list((tmp_path / 'frames' / 'dive').glob('dive_*.jpg'))) == 8, frames.stderr[-2000:]
    again = enhance(str(clip), '--checkpoint', str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'dive_enhanced.mp4'))
    assert again.returncode == 1 and 'exists: not overwritten' in again.stderr
    photos_into_a_video = enhance(str(clip), str(tmp_path / 'frames' / 'dive' / 'dive_000001.jpg'), '--checkpoint',
                                  str(checkpoints / 'tiny.pth'), '--out', str(tmp_path / 'x.mp4'))
    assert_one_line_error(photos_into_a_video, 'is a video file: give a folder for photos')


def test_experiments_grid_refuses_a_bad_setting_then_resumes_after_ctrl_c(tiny_dataset, tmp_path):
    base = {'dataset_path': [str(tiny_dataset)], 'model': 'tiny', 'size': 32, 'batch_size': 4, 'test_batch_size': 4, 'niter': 2,
            'niter_decay': 0, 'perceptual': False, 'threads': 0, 'sample_every': 0, 'cache': True, 'device': 'cpu'}
    grid = tmp_path / 'grid.json'
    grid.write_text(json.dumps({'settings': {'published': {}, 'wide': {'attention': 'wide'}}, 'base': base}))
    assert_one_line_error(subprocess.run(['phaseformer-experiments', str(grid)], capture_output=True, text=True, timeout=300),
                          'phaseformer-experiments:', "grid setting 'wide'", 'phase, plain, phase_stats')
    assert not (tmp_path / 'grid').exists()  # refused before any run
    grid.write_text(json.dumps({'settings': {'published': {}, 'no_skip': {'skip': 'none'}}, 'base': base, 'seeds': [0, 1],
                                'test_sets': {'tiny': str(tiny_dataset), 'gone': str(tmp_path / 'nowhere')}, 'test_size': 32}))
    command = subprocess.Popen(['phaseformer-experiments', str(grid)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=as_foreground)
    deadline = time.time() + 240
    while not list((tmp_path / 'grid').glob('*/*/*/last.pth')) and time.time() < deadline and command.poll() is None: time.sleep(0.1)
    command.send_signal(signal.SIGINT)  # Ctrl-C in the first run
    out, err = command.communicate(timeout=120)
    assert command.returncode == 130, (out, err)
    assert 'interrupted; finished runs are kept and the same command continues the grid' in err and 'Traceback' not in err
    started = len(list((tmp_path / 'grid').glob('*/*/*/last.pth')))  # runs with a checkpoint: the first one
    result = subprocess.run(['phaseformer-experiments', str(grid), '--split_identity', '20'], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    finished, stopped, new = map(int, re.search(r'4 runs \(2 settings x 2 seeds\): (\d) finished, (\d) to continue, (\d) to start', result.stdout).groups())
    assert (finished + stopped, new) == (started, 4 - started), result.stdout  # what the first command did is kept, the rest start
    assert all(len(list(seed.iterdir())) == 1 for seed in (tmp_path / 'grid').glob('*/seed_*'))  # one run folder per run: continued, not restarted
    assert 'test set gone:' in result.stderr and 'compared on the others' in result.stderr
    assert '| tiny | published | no_skip | 2 |' in result.stdout and '| tiny (identity' in result.stdout
    report = tmp_path / 'grid' / 'report'
    assert sorted(p.name for p in report.iterdir()) == ['comparison.png', 'pairs.csv', 'per_image.csv', 'report.md', 'summary.csv']
    assert 'test set gone' in (report / 'report.md').read_text()
    again = subprocess.run(['phaseformer-experiments', str(grid), '--compare_only'], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and 'to start' not in again.stdout, again.stderr
