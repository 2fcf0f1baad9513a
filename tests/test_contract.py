"""The module contract (`phaseformer.model.check_contract`) on every `nn.Module` class the package defines."""
import importlib, inspect, pkgutil, warnings
from typing import NamedTuple, Callable
import pytest
import torch
import torch.nn as nn
import phaseformer
from phaseformer.model import (ChannelLayerNorm, PhaseAttention, GDFN, TransformerBlock, DownSample, UpSample, PhaseformerBody, Phaseformer,
                               ImageHead, phaseformer_tiny_config, check_contract)
from phaseformer.phase import PhaseECA
from phaseformer.losses import (CharbonnierLoss, GradientLoss, MSSSIMLoss, PerceptualLoss, SoftmaxWeighting, FixedWeighting,
                                UncertaintyWeighting, PhaseformerLoss)

feature_map, image, target = torch.randn(2, 16, 12, 8), torch.rand(2, 3, 32, 48), torch.rand(2, 3, 32, 48)
high, target_high = torch.rand(2, 3, 64, 96), torch.rand(2, 3, 64, 96)
tiny = lambda: Phaseformer(phaseformer_tiny_config())

class Case(NamedTuple):
    make: Callable  # builds the module
    inputs: tuple
    expected_shape: tuple  # of the first output
    unused: tuple = ()  # parameters the output does not depend on by design

CASES = {name: Case(*case) for name, case in {
    'ChannelLayerNorm': (lambda: ChannelLayerNorm(16), (feature_map,), feature_map.shape),
    'PhaseECA': (lambda: PhaseECA(16), (feature_map,), feature_map.shape),
    'PhaseAttention': (lambda: PhaseAttention(16, 2), (feature_map,), feature_map.shape),
    'GDFN': (lambda: GDFN(16), (feature_map,), feature_map.shape),
    'TransformerBlock': (lambda: TransformerBlock(16, 4), (feature_map,), feature_map.shape),
    'DownSample': (lambda: DownSample(16), (feature_map,), (2, 32, 6, 4)),
    'UpSample': (lambda: UpSample(16), (feature_map,), (2, 8, 24, 16)),
    'PhaseformerBody': (lambda: PhaseformerBody(phaseformer_tiny_config()), (image,), (2, phaseformer_tiny_config().channels[1], 32, 48)),
    'Phaseformer': (tiny, (image,), image.shape),
    'ImageHead': (lambda: ImageHead(tiny(), 'high', (-1.0, 1.0)), (image,), target_high.shape, ('model.outputl.',)),  # the low head's
    'CharbonnierLoss': (CharbonnierLoss, (image, target), ()),
    'GradientLoss': (GradientLoss, (image, target), ()),
    'MSSSIMLoss': (MSSSIMLoss, (image, target), ()),
    'PerceptualLoss': (lambda: PerceptualLoss('vgg16', vgg_weights=None), (image, target), ()),
    'SoftmaxWeighting': (lambda: SoftmaxWeighting(4), (torch.rand(4),), ()),
    'FixedWeighting': (lambda: FixedWeighting(4), (torch.rand(4),), ()),
    'UncertaintyWeighting': (lambda: UncertaintyWeighting(4), (torch.rand(4),), ()),
    'PhaseformerLoss': (lambda: PhaseformerLoss(vgg='vgg16', vgg_weights=None), (image, target, high, target_high), ()),
}.items()}
NO_CASE = {'LossWeighting': 'an abstract base: its subclasses above are the weightings',
           'OnnxModel': 'runs onnxruntime, not torch: no parameters or gradients (05_export compares its outputs with PyTorch)'}


def package_modules() -> set:
    "The names of the nn.Module classes defined in phaseformer's modules."
    names = set()
    for info in pkgutil.iter_modules(phaseformer.__path__):
        if info.name.startswith('_'): continue
        module = importlib.import_module(f'phaseformer.{info.name}')
        names |= {name for name, obj in vars(module).items()
                  if inspect.isclass(obj) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__}
    return names


def test_every_module_has_a_contract_case():
    assert package_modules() == set(CASES) | set(NO_CASE), 'a module without a contract case, or a case for no module'


@pytest.mark.parametrize('name', sorted(CASES))
def test_contract(name):
    case = CASES[name]
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the random VGG's warning, MS-SSIM's few-scales warning at 32 px
        check_contract(case.make(), *case.inputs, expected_shape=case.expected_shape, unused=case.unused)
