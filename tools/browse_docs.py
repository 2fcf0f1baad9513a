"""Look at the docs pages and the notebooks in JupyterLab as a reader does: headless Chromium, screenshots to read.

Outside CI (it needs a browser). After `python tools/check_docs.py` has rendered the pages into `_proc/html/`:

    apt-get install chromium                        # Debian's Chromium
    pip install playwright                          # the driver only; it runs Debian's /usr/bin/chromium
    npm install --prefix /tmp/widgets @jupyter-widgets/html-manager@1 requirejs   # the widget renderer, offline
    python tools/browse_docs.py --widgets /tmp/widgets/node_modules --out /tmp/shots

Pages are served from 127.0.0.1; the scripts the pages load from CDNs (require.js, ipywidgets' html-manager) are
answered from the npm folder and everything else outside 127.0.0.1 is refused, so the widgets render from the state
saved in the notebooks as they would on the site. Then JupyterLab starts in a copy of the repository (its autosave
never writes to the notebooks here, and no ../shared is beside it, as in a user's clone), opens two notebooks
trusted (as `jupyter trust` does) for a screenshot of the saved widget state, runs every cell of each and takes a
screenshot of the live widget. Each screenshot's name says what it shows; the script prints what it found on a page.
"""
import argparse, functools, http.server, shutil, subprocess, sys, tempfile, threading, time
from pathlib import Path
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = ('index', '00_phase', '06f_trainer', '05b_inference', '07_benchmark')
NOTEBOOKS = ('00_phase', '05b_inference')
SHOWN = '.jp-NotebookPanel:not(.lm-mod-hidden)'  # the notebook in the front tab
CHROMIUM = dict(executable_path='/usr/bin/chromium', args=['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                                                           '--disable-component-update', '--disable-sync', '--no-first-run'])


def serve(folder: Path) -> int:
    "Serve `folder` on 127.0.0.1 in a thread; the port."
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def offline(page, widgets: Path):
    "Answer the CDN scripts from the npm folder `widgets`; refuse every other request that leaves 127.0.0.1."
    local = {'require.min.js': widgets / 'requirejs' / 'require.js',
             'embed-amd.js': widgets / '@jupyter-widgets' / 'html-manager' / 'dist' / 'embed-amd.js'}
    def answer(route):
        url = route.request.url
        if url.startswith('http://127.0.0.1'): return route.continue_()
        name = url.split('?')[0].rsplit('/', 1)[-1]
        if name in local: return route.fulfill(path=str(local[name]), content_type='application/javascript')
        if '@jupyter-widgets/html-manager' in url and name.endswith('.js'):  # chunks embed-amd.js loads beside it
            chunk = widgets / '@jupyter-widgets' / 'html-manager' / 'dist' / name
            if chunk.exists(): return route.fulfill(path=str(chunk), content_type='application/javascript')
        route.abort()
    page.route('**/*', answer)


def shoot(page, element, path: Path):
    "Scroll `element` into view and save the viewport."
    element.scroll_into_view_if_needed(); time.sleep(0.5); page.screenshot(path=str(path))


def docs_pages(browser, port: int, widgets: Path, out: Path):
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    offline(page, widgets)
    for name in PAGES:
        page.goto(f'http://127.0.0.1:{port}/{name}.html'); page.wait_for_load_state('networkidle'); time.sleep(2)
        page.screenshot(path=str(out / f'docs-{name}-top.png'))
        figures, live_widgets = page.locator('img'), page.locator('.widget-interact, .jupyter-widgets.widget-slider, .widget-dropdown')
        broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
        print(f'docs {name}: {figures.count()} images ({broken} not shown), {live_widgets.count()} rendered widget parts, '
              f'{page.locator("text=interactive(children").count()} widgets shown as text')
        if figures.count(): shoot(page, figures.nth(figures.count() // 2), out / f'docs-{name}-figure.png')
        if live_widgets.count(): shoot(page, live_widgets.first, out / f'docs-{name}-widget.png')
    page.close()


def fresh_copy() -> Path:
    "The repository's files as a clone has them (no ../shared beside it), so JupyterLab's autosave never touches ours."
    copy = Path(tempfile.mkdtemp()) / 'phaseformer'
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns('.git', '.venv*', '_proc', '__pycache__', '*.egg-info'))
    return copy


def jupyterlab(browser, out: Path):
    port, copy = 8897, fresh_copy()
    for name in NOTEBOOKS:  # JupyterLab renders saved widget state in trusted notebooks only (untrusted: text, figure beside)
        subprocess.run([sys.executable, '-m', 'jupyter', 'trust', str(copy / 'nbs' / f'{name}.ipynb')], check=True, capture_output=True)
    lab = subprocess.Popen([sys.executable, '-m', 'jupyter', 'lab', '--no-browser', f'--port={port}', '--ServerApp.token=',
                            '--ServerApp.password=', '--ServerApp.disable_check_xsrf=True', '--allow-root'],
                           cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = browser.new_page(viewport={'width': 1400, 'height': 950})
        for _ in range(60):
            try: page.goto(f'http://127.0.0.1:{port}/lab'); break
            except Exception: time.sleep(1)
        for name in NOTEBOOKS:
            page.goto(f'http://127.0.0.1:{port}/lab/tree/nbs/{name}.ipynb'); page.wait_for_selector('.jp-Notebook', timeout=60000); time.sleep(5)
            saved = page.locator(f'{SHOWN} .jp-OutputArea-output .jupyter-widgets')
            errors = page.locator(f'{SHOWN} >> text=Error displaying widget').count()
            print(f'JupyterLab {name}, opened: {saved.count()} widget parts from the saved state, {errors} "Error displaying widget"')
            if saved.count(): shoot(page, saved.first, out / f'lab-{name}-opened.png')
            page.click('.lm-MenuBar-itemLabel:text-is("Run")'); page.click('.lm-Menu-itemLabel:text-is("Run All Cells")'); time.sleep(3)
            page.wait_for_function("document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt').length > 0 && "
                                   "![...document.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('*'))",
                                   timeout=300000)
            time.sleep(3)
            live = page.locator(f'{SHOWN} .jp-OutputArea-output .widget-interact')
            errors = page.locator(f'{SHOWN} >> text=Error displaying widget').count()
            failed = page.locator(f'{SHOWN} [data-mime-type="application/vnd.jupyter.error"]').count()
            print(f'JupyterLab {name}, after Run All: {live.count()} live interact widgets, {errors} "Error displaying widget", {failed} cells failed')
            if live.count(): shoot(page, live.last, out / f'lab-{name}-after-run.png')
    finally:
        lab.terminate()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--widgets', required=True, type=Path, help='node_modules with @jupyter-widgets/html-manager and requirejs')
    parser.add_argument('--out', default=Path('/tmp/shots'), type=Path, help='folder for the screenshots')
    parser.add_argument('--skip_lab', action='store_true', help='the docs pages only')
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(**CHROMIUM)
        docs_pages(browser, serve(ROOT / '_proc' / 'html'), args.widgets, args.out)
        if not args.skip_lab: jupyterlab(browser, args.out)
        browser.close()
    print(f'screenshots in {args.out}')
