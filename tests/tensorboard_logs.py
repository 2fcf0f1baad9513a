"""Test helpers: what TensorBoard's own reader finds in a run folder."""
from pathlib import Path


def logged(run_dir: Path, tag: str = 'loss/total') -> list:
    "`(step, value)` of `tag` as TensorBoard's reader gives them."
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(str(run_dir), size_guidance={'scalars': 0}); events.Reload()
    return [(e.step, e.value) for e in events.Scalars(tag)]


def purge_marks(run_dir: Path) -> list:
    "The steps from which a writer of the run told TensorBoard to drop what came before (SessionLog START with a step)."
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    return [e.step for f in sorted(run_dir.glob('events.out.tfevents.*')) for e in EventFileLoader(str(f)).Load()
            if e.HasField('session_log') and e.session_log.status == e.session_log.START and e.step]


def tags(run_dir: Path) -> set:
    "Every scalar, image and text tag of the run's event files."
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(str(run_dir)); events.Reload()
    found = events.Tags()
    return set(found['scalars']) | set(found['images']) | {t.split('/')[0] for t in found['tensors']}
