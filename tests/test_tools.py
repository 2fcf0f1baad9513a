"""The repository's own tools: what `tools/run_notebooks.py` saves and what `tools/check_docs.py` refuses."""
import json, sys, tempfile
from pathlib import Path
import ipywidgets
from execnb.nbio import dict2nb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tools'))
from run_notebooks import NBS, WIDGET_STATE, WIDGET_VIEW, save_widget_state, tidy, tidy_stream  # noqa: E402
from check_docs import page_problems  # noqa: E402


def test_tidy_keeps_what_a_terminal_shows():
    bar = 'Epoch 1:   0%|  | 0/9\rEpoch 1:  50%|# | 4/9\rEpoch 1: 100%|##| 9/9\nloss 0.1\n\r\r\n'
    assert tidy_stream(bar) == 'Epoch 1: 100%|##| 9/9\nloss 0.1\n'
    temporary = Path(tempfile.mkdtemp())
    text = f'{NBS.parent}/phaseformer/losses.py:75: warning\nWrote {temporary}/tiny.onnx\n'
    assert tidy_stream(text) == 'phaseformer/losses.py:75: warning\nWrote <tmp>/tiny.onnx\n'
    nb = dict2nb({'cells': [{'cell_type': 'code', 'source': '', 'metadata': {},
                             'outputs': [{'output_type': 'execute_result', 'metadata': {}, 'data': {'text/plain': [f"PosixPath('{temporary}/a.png')"]}}]}],
                  'metadata': {}})
    tidy(nb)
    assert nb.cells[0].outputs[0]['data']['text/plain'] == ["PosixPath('<tmp>/a.png')"]


def _notebook(outputs, metadata=None):
    return {'cells': [{'cell_type': 'markdown', 'source': '# A page', 'metadata': {}},
                      {'cell_type': 'code', 'source': 'x', 'metadata': {}, 'outputs': outputs}], 'metadata': metadata or {}}


def _problems(nb) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / 'page.ipynb'; page.write_text(json.dumps(nb))
        return page_problems(page, '<h1>A page</h1>')


def test_widgets_are_saved_with_their_state_and_the_check_refuses_them_without():
    ipywidgets.Widget.close_all()
    slider = ipywidgets.IntSlider(value=3, description='photo')
    view = {'output_type': 'display_data', 'metadata': {},
            'data': {'text/plain': ['IntSlider(value=3)'], WIDGET_VIEW: {'version_major': 2, 'version_minor': 0, 'model_id': slider.model_id}}}
    nb = dict2nb(_notebook([view]))
    assert any('widget outputs without saved widget state' in p for p in _problems(nb))
    save_widget_state(nb)
    assert nb.metadata['widgets'][WIDGET_STATE]['state'][slider.model_id]['state']['value'] == 3
    assert _problems(json.loads(json.dumps(nb))) == []
    plain = dict2nb(_notebook([], {'widgets': {WIDGET_STATE: {'state': {}}}}))
    save_widget_state(plain)
    assert 'widgets' not in plain.metadata  # no widget shown: stale state dropped


def test_the_docs_check_refuses_what_readers_should_not_see():
    def markdown(text): return {'output_type': 'display_data', 'metadata': {}, 'data': {'text/markdown': [text]}}
    def stderr(text): return {'output_type': 'stream', 'name': 'stderr', 'text': [text]}
    cases = {'progress-bar redraws': stderr('10%\r20%\n'),
             "machine's paths": stderr(f'Wrote {tempfile.gettempdir()}/tmpab12cd34/x.png\n'),
             'documentation that is not ours': markdown('*CustomOpDef is a wrapper around a custom op*'),
             'signatures printed as Param reprs': markdown('>      enhance_cli (inputs:str<imagefilesorfolders>)'),
             'forward references': markdown(">      Output (low:ForwardRef('torch.Tensor'))"),
             'a saved error': {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'x', 'traceback': []}}
    for expected, output in cases.items():
        assert any(expected in p for p in _problems(_notebook([output]))), expected
    assert _problems(_notebook([markdown('>      enhance_cli (inputs:str, tile:int=512)'), stderr('Epoch 1: 100%\n')])) == []
