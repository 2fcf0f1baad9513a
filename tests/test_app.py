"""The web page as its users meet it: `phaseformer-app` on 127.0.0.1, in Debian's Chromium driven by Playwright, and
through its API with `gradio_client`."""
import os, signal, subprocess, zipfile
import pytest
from gradio_client import Client, handle_file
from phaseformer.checkpoints import save_checkpoint
from phaseformer.images import make_camera_files, describe_metadata
from phaseformer.model import Phaseformer, phaseformer_tiny_config
from phaseformer.video import make_test_clip
from app_browser import browser_missing, running_app, browser_page, enhance_on_page, download
from weights_server import serve_released

needs_browser = pytest.mark.skipif(bool(browser_missing()) and not os.environ.get('CI'), reason=f'{browser_missing()}')  # never skipped in CI


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    env, server = serve_released(tmp_path_factory.mktemp('released'))
    yield env, server
    server.close()


@pytest.fixture
def photos(tmp_path):
    "A phone's JPEG (P3, on its side, GPS and time) and a corrupt file."
    photo = make_camera_files(tmp_path / 'camera')['jpeg']
    (tmp_path / 'broken.jpg').write_bytes(b'not a photo')
    return photo, tmp_path / 'broken.jpg'


@needs_browser
def test_a_photo_downloaded_from_the_page_is_the_file_the_command_writes(released, photos, tmp_path):
    env, _ = released
    photo, broken = photos
    with running_app('--device', 'cpu', env=env) as app, browser_page() as page:
        enhance_on_page(page, app.url, [photo, broken], 'test')
        assert page.get_by_text('Enhanced 1 of 2 files.').is_visible()
        assert page.get_by_text('broken.jpg could not be enhanced: Cannot read image broken.jpg').is_visible()  # the rest went on
        page.get_by_text('dive_p3.jpg: before | after').wait_for()  # the slider: drawn after the request's line, so waited for
        page.get_by_text('UIQM').first.wait_for()
        downloaded = download(page, 'Download dive_p3.png', tmp_path / 'page.png')
        page.screenshot(path=str(tmp_path / 'app.png'), full_page=True)
        assert page.outside == []  # the page asked nothing of the internet
    assert not app.folder.exists()  # SIGTERM: uploads and results removed
    command = subprocess.run(['phaseformer-enhance', str(photo), '--weights', 'test', '--device', 'cpu', '--ext', 'png',
                              '--out', str(tmp_path / 'cli')], env=env, capture_output=True, text=True, timeout=300)
    assert command.returncode == 0, command.stderr
    assert downloaded.read_bytes() == (tmp_path / 'cli' / 'dive_p3.png').read_bytes()
    assert describe_metadata(downloaded)['Exif.Image.Software'] == 'phaseformer 0.1.0 (weights: test)'
    assert (tmp_path / 'app.png').stat().st_size > 50_000


def test_the_api_refuses_what_the_page_does_not_offer(released, photos, tmp_path):
    env, _ = released
    photo, _ = photos
    model = Phaseformer(phaseformer_tiny_config()).eval()
    offered, outside = tmp_path / 'offered' / 'best.pth', tmp_path / 'outside.pth'
    for path in (offered, outside): save_checkpoint({'model': model.state_dict()}, path)
    (tmp_path / 'big.jpg').write_bytes(os.urandom(1_200_000))
    with running_app('--checkpoint', str(offered.parent), '--max_upload_mb', '1', '--device', 'cpu', env=env) as app:
        app.wait_for('listening on 127.0.0.1, this computer only')
        client = Client(app.url, verbose=False)
        def enhance(file, weights): return client.predict([handle_file(str(file))], weights, 'low', 512, 'png', api_name='/enhance')
        for weights in (str(outside), str(offered), '../outside.pth', 'offered/best.pth/../../outside.pth'):
            with pytest.raises(Exception, match='not in the list of choices|weights must be one of'): enhance(photo, weights)
        summary, archive = enhance(photo, 'offered/best.pth')
        assert summary == 'Enhanced 1 of 1 file.' and archive.endswith('phaseformer-enhanced.zip')
        summary, archive = enhance(make_test_clip(tmp_path / 'dive.mp4'), 'offered/best.pth')  # a video
        assert summary == 'Enhanced 1 of 1 file.' and zipfile.ZipFile(archive).namelist() == ['dive.mp4']
        with pytest.raises(Exception, match='(?i)exceeds|too large|maximum'): enhance(tmp_path / 'big.jpg', 'offered/best.pth')
        app.process.send_signal(signal.SIGINT)  # Ctrl-C
        assert app.process.wait(30) == 0
    assert not app.folder.exists()
