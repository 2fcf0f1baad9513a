#!/usr/bin/env bash
# Build the sdist and, from it, the wheel (`python -m build` builds the wheel out of the sdist, so the wheel proves the
# sdist complete); install the wheel into a fresh virtual environment (CPU torch first), then import the package and
# run every console script's --help there. Run from the repository root with the dev environment active.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
scripts=$(python - <<'PY'
from configparser import ConfigParser
c = ConfigParser(delimiters=['=']); c.read('settings.ini')
print(' '.join(line.split('=')[0].strip() for line in c['DEFAULT']['console_scripts'].split('\n') if line.strip()))
PY
)
env="$work/venv"  # fresh: CPU torch first, then the wheel with its dependencies
python -m venv "$env"
"$env/bin/pip" install -q torch==2.13.0
ls "$work"/dist/*.tar.gz >/dev/null  # the sdist was built
wheel=$(ls "$work"/dist/*.whl)
"$env/bin/pip" install -q "$wheel"
(cd "$work" && "$env/bin/python" -c "import phaseformer, phaseformer.train, phaseformer.inference, phaseformer.checkpoints, phaseformer.export; print('import phaseformer', phaseformer.__version__, 'from', phaseformer.__file__)")
for script in $scripts; do "$env/bin/$script" --help >/dev/null || { echo "$script --help failed from $(basename "$wheel")"; exit 1; }; done
echo "$(basename "$wheel"): installs, imports, and all $(echo $scripts | wc -w) console scripts answer --help"
