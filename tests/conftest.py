"""Shared fixtures: a tiny synthetic paired dataset made once per test session."""
import pytest
from phaseformer.synth import synthesize_folder, skimage_photo
from phaseformer.images import write_image


@pytest.fixture(scope='session')
def tiny_dataset(tmp_path_factory):
    "A paired dataset in the guide layout: 5 photos x 4 crops of 48 px, split by photo."
    root = tmp_path_factory.mktemp('data')
    (root / 'clean').mkdir()
    for name in ('astronaut', 'coffee', 'chelsea', 'rocket', 'retina'):
        write_image(skimage_photo(name)[:, :96, :96], root / 'clean' / f'{name}.png')
    synthesize_folder(root / 'clean', root / 'synth', n=4, crop=48, test_fraction=0.2)
    return root / 'synth'
