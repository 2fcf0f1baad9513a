"""Surveys across processes (CPU, gloo): `phaseformer-enhance` under `torchrun` gives every input of a nested tree exactly one
output, equal to a one-process run's; a rank SIGKILLed mid-run loses only what it had in flight, and the same command
finishes the rest with a whole manifest."""
import csv, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
import torch
from PIL import Image
from phaseformer.images import read_image
from phaseformer.model import Phaseformer, phaseformer_tiny_config
from test_elastic import workers

PHOTOS = 200


@pytest.fixture(scope='module')
def survey(tmp_path_factory):
    "A tree of 200 photos: cruises, dives and transects, the same camera names in every folder, one unreadable file."
    root = tmp_path_factory.mktemp('survey') / 'survey'
    rng = np.random.default_rng(0)
    for i in range(PHOTOS):
        folder = root / f'cruise{i % 2}' / f'dive{i % 5}' / f'transect{i % 4}'
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((rng.random((40, 48, 3)) * 255).astype(np.uint8)).save(folder / f'IMG_{i // 20:04d}.png')
    (root / 'cruise0' / 'broken.jpg').write_bytes(b'not a jpeg')
    return root


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('weights') / 'tiny.pth'
    torch.save(Phaseformer(phaseformer_tiny_config()).state_dict(), path)
    return path


def enhance(launcher: list, survey: Path, weights: Path, out: Path, *flags) -> subprocess.Popen:
    "`phaseformer-enhance` over the survey, started in the background: `launcher` is torchrun's arguments, or [] for one process."
    command = [sys.executable, *(['-m', 'torch.distributed.run', *launcher] if launcher else []), '-m', 'phaseformer.survey',
               str(survey), '--checkpoint', str(weights), '--out', str(out), '--device', 'cpu', '--batch', '1', *flags]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})


def ended(job: subprocess.Popen, status: int = 1) -> str:
    "Wait for a survey; its output, after checking its exit status (1: the unreadable file failed, as it must)."
    out, err = job.communicate(timeout=600)
    assert job.returncode == status, err[-3000:]
    return out + err


def outputs(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p for p in sorted(out.rglob('*.png'))}


@pytest.fixture(scope='module')
def one_process(survey, weights, tmp_path_factory):
    out = tmp_path_factory.mktemp('one_process') / 'enhanced'
    assert f'Enhanced 200 files into {out} in ' in ended(enhance([], survey, weights, out))
    return out


def manifest(out: Path) -> list:
    with open(out / 'manifest.csv', newline='') as f: return list(csv.DictReader(f))


def assert_like_one_process(out: Path, one_process: Path, in_flight: int = 0):
    "Every input once, at its mirrored path, with the one-process run's pixels; a whole manifest (`in_flight`: rows a kill may have cost)."
    mine, reference = outputs(out), outputs(one_process)
    assert len(reference) == PHOTOS and mine.keys() == reference.keys()
    for key, path in reference.items(): np.testing.assert_array_equal(read_image(mine[key]), read_image(path), err_msg=key)
    rows = manifest(out)
    assert len(rows) == PHOTOS + 1 and len({r['input'] for r in rows}) == PHOTOS + 1  # a row for every input
    assert [r['input'] for r in rows if r['status'] == 'failed'] == ['cruise0/broken.jpg']
    statuses = [r['status'] for r in rows if r['status'] != 'failed']
    assert statuses.count('done') >= PHOTOS - in_flight and statuses.count('done') + statuses.count('already done') == PHOTOS
    assert not (out / '.manifest').exists()  # every process's part merged


def test_two_processes_under_torchrun_share_the_survey(survey, weights, one_process, tmp_path):
    log = ended(enhance(['--standalone', '--nproc_per_node', '2'], survey, weights, tmp_path / 'enhanced'))
    assert 'Enhanced 200 files' in log and '0 already done; 1 failed' in log  # one summary for both processes
    assert_like_one_process(tmp_path / 'enhanced', one_process)
    plain = ended(enhance([], survey, weights, tmp_path / 'plain', '--nproc', '2'))  # the plain command's own processes
    assert 'Enhanced 200 files' in plain
    assert_like_one_process(tmp_path / 'plain', one_process)


def test_a_killed_rank_loses_only_its_work_in_flight(survey, weights, one_process, tmp_path):
    out = tmp_path / 'enhanced'
    job = enhance(['--standalone', '--nproc_per_node', '2'], survey, weights, out)
    deadline = time.time() + 300
    while len(outputs(out)) < 60 and time.time() < deadline and job.poll() is None: time.sleep(0.01)
    ranks = workers(job.pid)
    assert len(ranks) == 2 and job.poll() is None, 'the survey ended before a rank could be killed'
    os.kill(max(ranks), signal.SIGKILL)
    job.communicate(timeout=300)
    assert job.returncode != 0
    before = {key: (path.stat().st_ino, path.stat().st_mtime_ns) for key, path in outputs(out).items()}
    assert 0 < len(before) < PHOTOS, len(before)
    log = ended(enhance(['--standalone', '--nproc_per_node', '2'], survey, weights, out))
    assert f'{len(before)} already done' in log, log[-2000:]
    assert_like_one_process(out, one_process, in_flight=2 * 4 + 4)  # written, but its row not yet in the part: read-ahead and write-behind
    after = {key: (path.stat().st_ino, path.stat().st_mtime_ns) for key, path in outputs(out).items()}
    assert all(after[key] == stamp for key, stamp in before.items())  # nothing finished before the kill was done again


def test_an_output_folder_inside_the_input_is_refused(survey, weights):
    job = enhance([], survey, weights, survey / 'cruise0' / 'enhanced')
    message = ended(job, status=2).strip().splitlines()
    assert message == [f'phaseformer-enhance: --out {survey / "cruise0" / "enhanced"} is inside the input folder {survey}: a rerun '
                       'would enhance its own outputs; give a folder outside it']
    assert not (survey / 'cruise0' / 'enhanced').exists()
