"""The figures a maintainer watches: exported cells (median lines, public names per cell), the longest functions and
the import graph between the package's modules. `python tools/house_stats.py`."""
import ast, json, statistics, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def exported_cells():
    "`(notebook, source)` of every `#| export` / `#| exports` cell in the library notebooks (experiments excluded)."
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            src = ''.join(cell['source'])
            if cell['cell_type'] == 'code' and any(l.strip() in ('#| export', '#| exports') for l in src.splitlines()):
                yield nb.name, src

def public_names(src: str) -> list:
    "Top-level public functions, classes and assignments a cell defines (imports and `@patch` methods excluded)."
    try: tree = ast.parse(src)
    except SyntaxError: return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not any(getattr(d, 'id', None) == 'patch' for d in node.decorator_list): names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return [n for n in names if not n.startswith('_')]

def code_lines(src: str) -> int:
    "Lines of a cell that are not blank or nbdev directives."
    return sum(1 for l in src.splitlines() if l.strip() and not l.strip().startswith('#|'))

def functions(path: Path):
    "`(name, lines)` of every function and method in a module."
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)): yield f'{path.stem}.{node.name}', node.end_lineno - node.lineno + 1

def imports(path: Path) -> list:
    "The package modules a module imports (relative imports)."
    return sorted({n.module.split('.')[0] for n in ast.walk(ast.parse(path.read_text()))
                   if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module})

def main():
    cells = list(exported_cells())
    lines = [code_lines(src) for _, src in cells]
    multi = [(nb, public_names(src)) for nb, src in cells if len(public_names(src)) > 1]
    print(f'exported cells: {len(cells)}, median {statistics.median(lines)} lines, '
          f'{sum(l > 20 for l in lines)} over 20 lines; {len(multi)} define two or more public names')
    for nb, names in multi: print(f'  {nb}: {", ".join(names)}')
    modules = sorted(p for p in (ROOT / 'phaseformer').glob('*.py') if not p.name.startswith('_'))
    longest = sorted((f for p in modules for f in functions(p)), key=lambda f: -f[1])
    print('longest functions: ' + ', '.join(f'{n} {l}' for n, l in longest[:5]) + f'; over 40 lines: {sum(l > 40 for _, l in longest)}')
    print('imports (module: what it imports):')
    for p in modules: print(f'  {p.stem}: {", ".join(imports(p)) or "-"}')

if __name__ == '__main__': main()
