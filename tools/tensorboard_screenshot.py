"""The TensorBoard view of a short demo run in the docs (`nbs/images/tensorboard.png`): a short `phaseformer-train --demo`,
`tensorboard --logdir` on its output folder, and Debian's Chromium on the page (TensorBoard is a web page).

    apt-get install chromium && pip install -e ".[dev]"
    python tools/tensorboard_screenshot.py            # about a minute on 2 CPU cores (the demo data, the tiny model)
"""
import subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))
from app_browser import browser_page, free_port, wait_until_answering  # noqa: E402

runs = Path(tempfile.mkdtemp())
subprocess.run(['phaseformer-train', '--demo', '--model', 'tiny', '--niter', '6', '--niter_decay', '2', '--log_every', '3', '--output_dir', str(runs)],
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
port = free_port()
board = subprocess.Popen(['tensorboard', '--logdir', str(runs), '--host', '127.0.0.1', '--port', str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    wait_until_answering(f'http://127.0.0.1:{port}/')
    with browser_page(1400, 1000, webgl=True) as page:  # TensorBoard's charts are drawn with WebGL
        page.goto(f'http://127.0.0.1:{port}/#timeseries')
        tags = page.get_by_role('combobox', name='Filter tags (regex)')
        tags.wait_for(timeout=90_000)
        tags.fill('loss/total|weights/head|eval/psnr_low|eval/identity_psnr_low')
        page.get_by_role('button', name='Settings').click()  # the settings panel closed: room for the charts
        time.sleep(8)  # the charts draw
        page.screenshot(path=str(ROOT / 'nbs' / 'images' / 'tensorboard.png'))
        print(f'nbs/images/tensorboard.png written; requests refused outside 127.0.0.1: {len(page.outside)}')
finally: board.terminate(); board.wait()
