"""The web page's picture in the docs (`nbs/images/app.png`): `phaseformer-app` with the demo model, in Debian's Chromium,
after the browser test's steps on the first example photo and a corrupt file.

    apt-get install chromium && pip install -e ".[dev]"
    python tools/app_screenshot.py            # writes nbs/images/app.png
"""
import sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))
from app_browser import running_app, browser_page, enhance_on_page  # noqa: E402

with running_app('--checkpoint', str(ROOT / 'nbs' / 'models' / 'demo.safetensors'), '--device', 'cpu') as app, \
     browser_page(1280, 1160) as page:
    broken = Path(tempfile.mkdtemp()) / 'IMG_0002.JPG'
    broken.write_bytes(b'a card read half-way')
    enhance_on_page(page, app.url, [app.folder / 'examples' / 'coffee-underwater.jpg', broken], 'demo.safetensors')
    page.mouse.move(0, 0)
    page.screenshot(path=str(ROOT / 'nbs' / 'images' / 'app.png'))
    print(f'nbs/images/app.png written; requests refused outside 127.0.0.1: {page.outside or "none"}')
