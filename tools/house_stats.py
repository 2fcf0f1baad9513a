"""The figures a maintainer watches: exported cells (median and longest, names per cell), the longest functions, `@patch`
methods and the import graph between the package's modules. Every exported cell and function counts, private helpers
and patched methods included. `python tools/house_stats.py`."""
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

def defined_names(src: str) -> list:
    "Top-level functions, classes (`@patch` methods too) and assignments a cell defines, private ones included."
    try: tree = ast.parse(src)
    except SyntaxError: return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names

def skeleton_gaps(cells: list) -> list:
    "What a notebook lacks of STYLE.md's skeleton: title and summary, default_exp, exported imports, hidden test imports, a last nbdev_export()."
    src = [''.join(c['source']) for c in cells]
    code = lambda i: 0 <= i < len(cells) and cells[i]['cell_type'] == 'code'
    checks = {'title and summary': cells[0]['cell_type'] == 'markdown' and src[0].startswith('# ') and '\n> ' in src[0],
              'default_exp': code(1) and src[1].startswith('#| default_exp'),
              'exported imports': code(2) and src[2].startswith('#| export') and 'import' in src[2],
              'hidden test imports': code(3) and src[3].startswith('#| hide') and 'import' in src[3],
              'last cell nbdev_export()': code(len(cells) - 1) and src[-1].startswith('#| hide') and 'nbdev_export()' in src[-1]}
    return [name for name, ok in checks.items() if not ok]

def code_lines(src: str) -> int:
    "Lines of a cell that are not blank or nbdev directives."
    return sum(1 for l in src.splitlines() if l.strip() and not l.strip().startswith('#|'))

def functions(path: Path):
    "`(name, lines)` of every function and method in a module."
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)): yield f'{path.stem}.{node.name}', node.end_lineno - node.lineno + 1

def patched(path: Path) -> int:
    "How many functions of a module are `@patch` methods (fastcore's way of adding a method outside its class)."
    return sum(1 for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
               and any(getattr(d, 'id', None) == 'patch' for d in node.decorator_list))

def imports(path: Path) -> list:
    "The package modules a module imports (relative imports, and `phaseformer.x` ones inside functions)."
    found = set()
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.ImportFrom) and n.module and (n.level == 1 or n.module.startswith('phaseformer.')):
            found.add(n.module.removeprefix('phaseformer.').split('.')[0])
    return sorted(found)

def notebook_of(module: str) -> str | None:
    "The notebook that exports `module` (its `#| default_exp`)."
    for nb in (ROOT / 'nbs').glob('[0-9]*.ipynb'):
        if f'#| default_exp {module}"' in nb.read_text(): return nb.stem

def main():
    cells = [(nb, src, code_lines(src)) for nb, src in exported_cells()]
    lines = [n for *_, n in cells]
    longest_cells = sorted(cells, key=lambda c: -c[2])
    multi = [(nb, defined_names(src)) for nb, src, _ in cells if len(defined_names(src)) > 1]
    print(f'exported cells: {len(cells)}, median {statistics.median(lines)} lines, {sum(l > 20 for l in lines)} over 20 lines, '
          f'{sum(l > 30 for l in lines)} over 30; {len(multi)} define two or more names')
    print('longest cells: ' + ', '.join(f'{nb} ({", ".join(defined_names(src)) or "-"}) {n}' for nb, src, n in longest_cells[:5]))
    gaps = {nb.name: g for nb in sorted((ROOT / 'nbs').glob('[0-9]*.ipynb')) if (g := skeleton_gaps(json.loads(nb.read_text())['cells']))}
    print(f'notebooks without the skeleton: {len(gaps)}' + ''.join(f'\n  {nb}: {", ".join(g)}' for nb, g in gaps.items()))
    modules = sorted(p for p in (ROOT / 'phaseformer').glob('*.py') if not p.name.startswith('_'))
    longest = sorted((f for p in modules for f in functions(p)), key=lambda f: -f[1])
    print('longest functions: ' + ', '.join(f'{n} {l}' for n, l in longest[:5]) + f'; over 40 lines: {sum(l > 40 for _, l in longest)}')
    print(f'@patch methods: {sum(patched(p) for p in modules)}')
    order = {p.stem: notebook_of(p.stem) for p in modules}
    later = [f'{order[p.stem]} imports {order[m]}' for p in modules for m in imports(p) if order.get(m) and order[m] > order[p.stem]]
    print(f'notebooks importing a later one: {len(later)}' + ''.join(f'\n  {line}' for line in later))
    print('imports (module: what it imports):')
    for p in modules: print(f'  {p.stem}: {", ".join(imports(p)) or "-"}')

if __name__ == '__main__': main()
