"""Test helpers for the web page: `phaseformer-app` started on a free port of 127.0.0.1, and Debian's Chromium driven by
Playwright through the page's steps. Used by `tests/test_app.py` and `tools/app_screenshot.py`."""
import re, subprocess, threading, time, urllib.request
from contextlib import contextmanager
from pathlib import Path
from phaseformer.distributed import free_port
from foreground import as_foreground

CHROMIUM = dict(executable_path='/usr/bin/chromium', args=['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                                                           '--disable-component-update', '--disable-sync', '--no-first-run'])


def browser_missing() -> str | None:
    "Why the browser tests cannot run here (no Chromium, no Playwright), or None."
    if not Path(CHROMIUM['executable_path']).exists(): return 'no /usr/bin/chromium (apt-get install -y chromium)'
    try: import playwright.sync_api
    except ImportError: return 'no playwright (pip install playwright)'


def wait_until_answering(url: str, timeout: float = 120):
    "Wait until `url` answers an HTTP request (a server just started)."
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2): return
        except OSError:
            if time.time() > deadline: raise AssertionError(f'{url} did not answer in {timeout:.0f} s') from None
            time.sleep(0.3)


class RunningApp:
    "A `phaseformer-app` process: its URL, its temporary folder, and everything it has printed."
    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url, self.lines = process, url, []
        threading.Thread(target=lambda: self.lines.extend(process.stdout), daemon=True).start()  # never blocks on a full pipe
        self.folder = Path(self.wait_for(r'Uploads and results: (\S+)').group(1))
        self.wait_for(r'Running on local URL')

    def wait_for(self, pattern: str, timeout: float = 120):
        "The first match of `pattern` in what the app printed, waiting for it."
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                if match := re.search(pattern, line): return match
            if self.process.poll() is not None: break
            time.sleep(0.1)
        raise AssertionError(f'phaseformer-app never printed {pattern!r}:\n{"".join(self.lines)}')


@contextmanager
def running_app(*flags, env=None):
    "`phaseformer-app FLAGS` on a free port of 127.0.0.1; stopped with SIGTERM after."
    port = free_port()
    process = subprocess.Popen(['phaseformer-app', '--port', str(port), *flags], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env, preexec_fn=as_foreground)  # the tests send it Ctrl-C
    try: yield RunningApp(process, f'http://127.0.0.1:{port}/')
    finally:
        process.terminate()
        try: process.wait(30)
        except subprocess.TimeoutExpired: process.kill(); process.wait()


@contextmanager
def browser_page(width: int = 1280, height: int = 1000, webgl: bool = False):
    "A Chromium page that refuses every request leaving 127.0.0.1 (`page.outside` lists them); `webgl`: drawn by SwiftShader."
    from playwright.sync_api import sync_playwright
    args = [a for a in CHROMIUM['args'] if a != '--disable-gpu'] + ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] if webgl else CHROMIUM['args']
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM['executable_path'], args=args)
        page = browser.new_page(viewport={'width': width, 'height': height}, accept_downloads=True)
        page.outside = []
        def answer(route):
            if route.request.url.startswith('http://127.0.0.1'): return route.continue_()
            page.outside.append(route.request.url); route.abort()
        page.route('**/*', answer)
        try: yield page
        finally: browser.close()


def enhance_on_page(page, url: str, files: list, weights: str, timeout: float = 120):
    "Open the page, upload `files`, choose `weights`, press Enhance and wait for the request's line."
    page.goto(url)
    page.get_by_role('button', name='Enhance').wait_for()
    page.locator('input[type=file]').first.set_input_files([str(f) for f in files])
    for name in (Path(f).name for f in files): page.get_by_label(name, exact=True).first.wait_for()  # uploaded: in the file list
    page.get_by_label('Weights').click(); page.get_by_role('option', name=weights, exact=True).click()
    page.get_by_role('button', name='Enhance').click()
    page.get_by_text(re.compile(r'Enhanced \d+ of \d+ file')).wait_for(timeout=timeout * 1000)


def download(page, button: str, target: Path) -> Path:
    "Click the download button named `button` and save what the browser receives as `target`."
    with page.expect_download() as received: page.get_by_role('button', name=button).click()
    received.value.save_as(target); return target
