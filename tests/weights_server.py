"""Test helpers for released weights: an HTTP server on 127.0.0.1 that logs its requests, and whole-model pickles saved
the authors' way. Used by `nbs/01a_pretrained.ipynb` and the tests; nothing here reaches the internet."""
import http.server, json, os, sys, threading, types
from pathlib import Path
import torch


class WeightsServer:
    "Serves `files` (URL path -> bytes) on 127.0.0.1 in a thread; `/drop/PATH` sends half of PATH and hangs up; 404 otherwise."
    def __init__(self, files: dict):
        self.files, self.requests = files, []
        server = self
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path.removeprefix('/drop'))
                if body is None: return self.send_error(404)
                self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers()
                self.wfile.write(body[:len(body) // 2] if self.path.startswith('/drop/') else body)
            def log_message(self, *args): pass
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_port}'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self): self.httpd.shutdown(); self.httpd.server_close()


def save_authors_whole_model(model: torch.nn.Module, path: Path):
    "`torch.save(model)` of `model` dressed as the authors' `model_with_eca.Restormer`, as their train.py saves checkpoints."
    stand_in = types.ModuleType('model_with_eca')
    Restormer = type('Restormer', (type(model),), {'__module__': 'model_with_eca'})
    stand_in.Restormer = Restormer
    sys.modules['model_with_eca'] = stand_in
    try:
        dressed = Restormer.__new__(Restormer); dressed.__dict__.update(model.__dict__)
        torch.save(dressed, path)
    finally: del sys.modules['model_with_eca']
    return path


def registry_file(path: Path, entries: list) -> Path:
    "A registry of extra released weights (the file `PHASEFORMER_REGISTRY` names)."
    path.write_text(json.dumps(entries)); return path


def serve_released(root: Path) -> tuple:
    "A tiny model saved the authors' way, served from 127.0.0.1 and registered as 'test': `(the commands' environment, server)`."
    from phaseformer.model import Phaseformer, phaseformer_tiny_config
    from phaseformer.pretrained import file_hashes
    path = save_authors_whole_model(Phaseformer(phaseformer_tiny_config()).eval(), root / 'best.pth')
    server = WeightsServer({'/best.pth': path.read_bytes()})
    blob, sha256 = file_hashes(path)
    registry_file(root / 'registry.json', [{'name': 'test', 'url': server.url + '/best.pth', 'git_blob': blob, 'sha256': sha256,
                                            'trained_on': 'nothing (a test)'}])
    return {**os.environ, 'PHASEFORMER_REGISTRY': str(root / 'registry.json'), 'TORCH_HOME': str(root / 'torch_home')}, server
