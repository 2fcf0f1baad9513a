"""The published Phaseformer forward pass, written plainly from a state dict, and the reference outputs it generates.

Nothing here comes from phaseformer: the literal phase formula `ifft2(exp(i angle(fft2(x)))).real`, Q, K and V sliced
from one convolution, Restormer's bias LayerNorm, the GDFN's two halves from one tensor, ECA on the mean phase-only
map, the published U-Net wiring, in NCHW float32. `tests/test_published.py` checks it against the published code's
outputs in `../shared/golden` where that folder exists, and checks phaseformer against the outputs it generated, kept in
`tests/reference/published_tiny.pt`, in every CI.   Regenerate that file: python tests/published_formulation.py
"""
import math
from pathlib import Path
import torch
import torch.nn.functional as F

REFERENCE = Path(__file__).parent / 'reference' / 'published_tiny.pt'


def phase_only(x): return torch.fft.ifft2(torch.exp(1j * torch.fft.fft2(x).angle())).real


def layer_norm(x, w, b):  # Restormer's WithBias_LayerNorm over the channels of each pixel
    mu, var = x.mean(1, keepdim=True), x.var(1, keepdim=True, unbiased=False)
    return (x - mu) / torch.sqrt(var + 1e-5) * w[:, None, None] + b[:, None, None]


def depthwise(x, w): return F.conv2d(x, w, padding=1, groups=x.shape[1])


def attention(x, p):
    b, c, h, w = x.shape
    heads = p['temperature'].shape[1]
    q, k, v = depthwise(F.conv2d(x, p['qkv.weight']), p['qkv_conv.weight']).chunk(3, dim=1)
    q, k = (F.normalize(phase_only(t).reshape(b, heads, c // heads, h * w), dim=-1) for t in (q, k))
    attn = torch.softmax(q @ k.transpose(-2, -1) * p['temperature'], dim=-1)
    out = (attn @ v.reshape(b, heads, c // heads, h * w)).reshape(b, c, h, w)
    return F.conv2d(out, p['project_out.weight'])


def feed_forward(x, p):
    gate, value = depthwise(F.conv2d(x, p['project_in.weight']), p['conv.weight']).chunk(2, dim=1)
    return F.conv2d(F.gelu(gate) * value, p['project_out.weight'])


def sub(state, prefix): return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def blocks(x, state, prefix):
    for i in range(len({k.split('.')[0] for k in sub(state, prefix)})):
        p = sub(state, f'{prefix}{i}.')
        x = x + attention(layer_norm(x, p['norm1.weight'], p['norm1.bias']), sub(p, 'attn.'))
        x = x + feed_forward(layer_norm(x, p['norm2.weight'], p['norm2.bias']), sub(p, 'ffn.'))
    return x


def eca(x, w):
    descriptor = phase_only(x).mean((-2, -1))  # (B, C)
    weights = F.conv1d(descriptor.unsqueeze(1), w, padding=(w.shape[-1] - 1) // 2)  # across the channels
    return x * torch.sigmoid(weights).transpose(1, 2).unsqueeze(-1)


def conv3(x, w): return F.conv2d(x, w, padding=1)


def published_forward(state: dict, x: torch.Tensor) -> tuple:
    "`(low, high)` of the published model with the weights `state` (phaseformer's key layout) on `x` (B, 3, H, W)."
    s = {k: v.float() for k, v in state.items()}
    down = lambda t, i: F.pixel_unshuffle(conv3(t, s[f'downs.{i}.body.0.weight']), 2)
    up = lambda t, name: F.pixel_shuffle(conv3(t, s[f'{name}.body.0.weight']), 2)
    e1 = blocks(conv3(x, s['embed_conv_rgb.weight']), s, 'encoders.0.')
    e2 = blocks(down(e1, 0), s, 'encoders.1.')
    e3 = blocks(down(e2, 1), s, 'encoders.2.')
    e4 = blocks(down(e3, 2), s, 'encoders.3.')
    d3 = blocks(F.conv2d(torch.cat([up(e4, 'ups.0'), eca(e3, s['attention.0.conv.weight'])], 1), s['reduces.0.weight']), s, 'decoders.0.')
    d2 = blocks(F.conv2d(torch.cat([up(d3, 'ups.1'), eca(e2, s['attention.1.conv.weight'])], 1), s['reduces.1.weight']), s, 'decoders.1.')
    d1 = blocks(torch.cat([up(d2, 'ups.2'), eca(e1, s['attention.2.conv.weight'])], 1), s, 'decoders.2.')
    features = blocks(d1, s, 'refinement.')
    low = conv3(conv3(features, s['outputl.weight']), s['output.weight'])
    high = conv3(conv3(up(features, 'ups1'), s['output1.weight']), s['output.weight'])
    return low, high


def reference_weights(seed: int = 0) -> dict:
    "A tiny model's weights in the published layout, every parameter drawn at random (temperatures and norms too)."
    from phaseformer.model import Phaseformer, phaseformer_tiny_config  # only for the key layout and the shapes
    generator = torch.Generator().manual_seed(seed)
    state = Phaseformer(phaseformer_tiny_config()).state_dict()
    state = {k: (torch.rand(v.shape, generator=generator) * 0.5 + 0.75 if k.endswith(('temperature', 'norm1.weight', 'norm2.weight'))
                 else torch.randn(v.shape, generator=generator) / math.sqrt(max(1, v[0].numel()))) for k, v in state.items()}
    state['output.weight'] /= 4  # outputs of order 1, as images are
    return state


def write_reference(path: Path = REFERENCE):
    "Generate the reference: weights, a 1x3x32x32 input in [0, 1], and the published forward's two heads."
    state = reference_weights()
    x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad(): low, high = published_forward(state, x)
    path.parent.mkdir(exist_ok=True)
    torch.save({'state_dict': state, 'input': x, 'low': low, 'high': high}, path)
    print(f'wrote {path}: low {tuple(low.shape)}, high {tuple(high.shape)}, |low| mean {low.abs().mean():.3f}')


if __name__ == '__main__': write_reference()
