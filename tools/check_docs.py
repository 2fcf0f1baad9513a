"""Check the docs build as far as a machine without Quarto allows.

Runs what `nbdev_docs` runs before Quarto (nbdev.yml refresh, doc links, `sidebar.yml`, the notebook processors into
`_proc/`), fails on their errors, then renders every processed page to HTML with nbconvert and checks that each has
its title, that exported symbols have their `show_doc` signatures, that figures saved in the notebooks survive and
that what a reader sees is ours: no progress-bar redraws, machine paths or saved errors, no torch docstrings or
garbled signatures, no widget without its saved state, no image link that does not resolve.
Writes the pages to `_proc/html/` for a look (e.g. `chromium --headless --screenshot`).   Run: python tools/check_docs.py
"""
import json, re, shutil, sys
from pathlib import Path
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.doclinks import _build_modidx
from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
from nbdev.serve import proc_nbs
from run_notebooks import TEMPORARY_FOLDER, WIDGET_STATE, WIDGET_VIEW

ROOT = Path(__file__).resolve().parent.parent
NOT_OUR_TEXT = ('CustomOpDef is a wrapper', ':class:`', ':func:`', ':meth:`', '.. note::', '__main__.')


def page_problems(source: Path, html: str) -> list:
    "What is wrong with a rendered page: a missing title, show_doc section or figure, or what a reader should not see."
    nb = json.loads(source.read_text())
    outputs, problems = [o for c in nb['cells'] for o in c.get('outputs', [])], []
    title = next((l[2:].strip() for c in nb['cells'] if c['cell_type'] == 'markdown'
                  for l in ''.join(c['source']).splitlines() if l.startswith('# ')), None)
    if title and title not in html: problems.append(f'title {title!r} missing')
    exported = [m.group(1) for c in nb['cells'] if c['cell_type'] == 'code' and ''.join(c['source']).startswith('#| export')
                for m in re.finditer(r'^(?:def|class) ([A-Za-z]\w*)', ''.join(c['source']), re.M)]
    missing = [name for name in exported if f'>{name}<' not in html and f'{name}</h' not in html and f'> {name}' not in html]
    if missing: problems.append(f'no show_doc section for {", ".join(missing[:5])}')
    figures = sum(bool({'image/png', 'image/jpeg'} & set(o.get('data', {}))) for o in outputs)
    rendered = html.count('data:image/png') + html.count('data:image/jpeg')
    if rendered < figures: problems.append(f'{figures} saved figures, {rendered} rendered')
    rendered_docs = ''.join(''.join(o.get('data', {}).get('text/markdown', '')) for o in outputs)
    not_ours = [t for t in NOT_OUR_TEXT if t in rendered_docs]
    if not_ours: problems.append(f'documentation that is not ours (torch\'s docstrings, raw reStructuredText, the docs build\'s __main__): {", ".join(not_ours)}')
    signatures = [l for l in rendered_docs.splitlines() if l.startswith('>  ')]
    garbled = [l.strip('> ')[:60] for l in signatures if re.search(r'[:(,]\s*\w*\s*<|ForwardRef\(|\*args:Any', l)]
    if garbled: problems.append(f'signatures printed as Param reprs, forward references or nn.Module\'s (*args, **kwargs): {garbled[:3]}')
    streams = [''.join(o.get('text', '')) for o in outputs if o.get('output_type') == 'stream']
    if any('\r' in t for t in streams): problems.append('progress-bar redraws in a saved output (python tools/run_notebooks.py --tidy_only)')
    texts = streams + [''.join(o.get('data', {}).get('text/plain', '')) for o in outputs]
    if any(str(ROOT) in t or TEMPORARY_FOLDER.search(t) for t in texts): problems.append(f'a saved output shows this machine\'s paths ({ROOT} or a temporary folder)')
    if any(o.get('output_type') == 'error' for o in outputs): problems.append('a saved error')
    saved_state = nb.get('metadata', {}).get('widgets', {}).get(WIDGET_STATE, {}).get('state', {})
    stateless = [o['data'][WIDGET_VIEW]['model_id'] for o in outputs
                 if WIDGET_VIEW in o.get('data', {}) and o['data'][WIDGET_VIEW]['model_id'] not in saved_state]
    if stateless: problems.append(f'{len(stateless)} widget outputs without saved widget state (they render as text): python tools/run_notebooks.py')
    return problems


def missing_images(page: Path, html: str) -> list:
    "The images a rendered page links to that do not exist beside it."
    links = re.findall(r'<img[^>]+src="([^"]+)"', html)
    return [src for src in links if not src.startswith(('data:', 'http://', 'https://')) and not (page.parent / src).exists()]


def main():
    cfg = get_config()
    refresh_quarto_yml(); _build_modidx(); nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    proc = cfg.config_path / '_proc'
    proc_nbs(cfg.nbs_path, n_workers=0, force=True)
    out = proc / 'html'; out.mkdir(exist_ok=True)
    shutil.copytree(proc / 'images', out / 'images', dirs_exist_ok=True)  # as the site serves them, beside the pages
    exporter, failures = HTMLExporter(), {}
    pages = sorted(p for p in proc.rglob('*.ipynb') if out not in p.parents)  # experiments/ too
    for page in pages:
        name = str(page.relative_to(proc))
        html, _ = exporter.from_filename(str(page))
        target = out / page.relative_to(proc).with_suffix('.html'); target.parent.mkdir(exist_ok=True); target.write_text(html)
        problems = page_problems(page, html) + [f'image {src} does not resolve' for src in missing_images(target, html)]
        if problems: failures[name] = problems
        print(f'{name}: {len(html) // 1024} KiB' + (f'  PROBLEMS: {failures[name]}' if name in failures else ''))
    if failures: sys.exit(f'docs check failed on {len(failures)} pages')
    print(f'docs check passed: {len(pages)} pages in {out}')


if __name__ == '__main__': main()
