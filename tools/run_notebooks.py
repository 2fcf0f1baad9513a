"""Execute the notebooks and save them in place with their outputs, slow (`notest`) cells included.

nbdev builds the docs from the saved outputs, and readers see the results on GitHub and in JupyterLab without
running anything. Run from the repository root, with `../shared` beside it for the real-photo figures:

    python tools/run_notebooks.py                 # every notebook in nbs/
    python tools/run_notebooks.py 02_losses 06f_trainer
    python tools/run_notebooks.py --skip_slow     # leave `notest` cells unexecuted (their old outputs are dropped)
    python tools/run_notebooks.py --keep_slow 06f_trainer  # leave them unexecuted with their saved outputs (after an edit
                                                        # elsewhere that cannot change them)
    python tools/run_notebooks.py --tidy_only experiments/real_data  # tidy the saved outputs, execute nothing

Saved streams are tidied as a terminal would leave them: progress bars keep their last redraw (not hundreds of
lines), cleared bars go, paths inside this repository are written relative to it and temporary folders as `<tmp>`. The state of
the widgets a notebook shows is saved in its metadata, as JupyterLab's "Save Widget State Automatically" does, so the
docs site and a fresh clone render them before anyone runs a cell.

Then `nbdev_clean` (run here at the end) strips metadata noise and keeps the outputs.
"""
import argparse, re, subprocess, sys, tempfile, time, warnings
import ipywidgets
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

NBS = Path(__file__).resolve().parent.parent / 'nbs'
SLOW_FLAGS = ('notest', 'slow', 'cuda')
TEMPORARY_FOLDER = re.compile(re.escape(tempfile.gettempdir()) + r'/tmp[\w-]+')  # tempfile's folders: tmp8ah9y5xn
WIDGET_VIEW, WIDGET_STATE = 'application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json'


def is_slow(cell) -> bool:
    "A code cell flagged `notest`, `slow` or `cuda`."
    first_lines = cell.source.splitlines()[:3]
    return cell.cell_type == 'code' and any(line.startswith('#|') and set(line[2:].split()) & set(SLOW_FLAGS) for line in first_lines)


def skip_cell(cell, skip_slow: bool) -> bool:
    "Leave out markdown, the final `nbdev_export()`, and with `skip_slow` the flagged cells."
    if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
    return skip_slow and is_slow(cell)


def tidy_text(text: str) -> str:
    "`text` without this machine's paths: repository paths relative, temporary folders as `<tmp>`."
    return TEMPORARY_FOLDER.sub('<tmp>', text.replace(f'{NBS.parent}/', ''))


def tidy_stream(text: str) -> str:
    "What a terminal shows of `text`: each line's last carriage-return redraw, cleared lines dropped, no machine paths."
    shown = [(line.rsplit('\r', 1)[-1], '\r' in line) for line in text.split('\n')]
    return tidy_text('\n'.join(last for last, redrawn in shown if last.strip() or not redrawn))


def tidy(nb):
    "Tidy every saved stream and plain-text output of `nb` in place."
    for cell in nb.cells:
        for out in cell.get('outputs', []):
            if out.get('output_type') == 'stream': out['text'] = tidy_stream(''.join(out['text']))
            elif 'text/plain' in out.get('data', {}): out['data']['text/plain'] = tidy_text(''.join(out['data']['text/plain'])).splitlines(keepends=True)


def save_widget_state(nb):
    "Record in `nb`'s metadata the state of the live widgets if its outputs show any (drop stale state otherwise)."
    shows_widgets = any(WIDGET_VIEW in out.get('data', {}) for cell in nb.cells for out in cell.get('outputs', []))
    nb.metadata.pop('widgets', None)
    if shows_widgets: nb.metadata['widgets'] = {WIDGET_STATE: ipywidgets.Widget.get_manager_state(drop_defaults=True)}


def run_notebook(path: Path, skip_slow: bool = False, keep_slow: bool = False) -> float:
    "Execute `path` top to bottom in its folder and write it back with outputs; stops at the first error."
    start = time.time()
    nb = read_nb(path)
    for cell in nb.cells:
        if cell.cell_type == 'code' and not (keep_slow and is_slow(cell)): cell.outputs, cell.execution_count = [], None
    ipywidgets.Widget.close_all()  # the state saved below is this notebook's widgets only
    shell = CaptureShell(path.parent, mpl_format='jpeg')  # photos: a tenth of the size of PNG
    with working_directory(path.parent):
        shell.run_all(nb, exc_stop=True, preproc=lambda cell: skip_cell(cell, skip_slow or keep_slow))
    tidy(nb); save_widget_state(nb); write_nb(nb, path)
    return time.time() - start


if __name__ == '__main__':
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated')  # setuptools' notice when nbdev loads: not ours to save
    warnings.filterwarnings('ignore', message='`torch._prims_common.check` is deprecated')  # torch's own, inside torch.compile
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('names', nargs='*', help='notebook names (default: all in nbs/)')
    parser.add_argument('--skip_slow', action='store_true', help='do not execute notest/slow/cuda cells')
    parser.add_argument('--keep_slow', action='store_true', help='do not execute notest/slow/cuda cells; keep their saved outputs')
    parser.add_argument('--tidy_only', action='store_true', help='execute nothing: tidy the saved outputs')
    args = parser.parse_args()
    paths = [NBS / (n if n.endswith('.ipynb') else f'{n}.ipynb') for n in args.names] or sorted(NBS.glob('[!_]*.ipynb'))
    for path in paths:
        if args.tidy_only: nb = read_nb(path); tidy(nb); write_nb(nb, path); continue
        print(f'{path.name}: {run_notebook(path, args.skip_slow, args.keep_slow):.0f} s', flush=True)
    subprocess.run(['nbdev_clean'], check=True, cwd=NBS.parent)
