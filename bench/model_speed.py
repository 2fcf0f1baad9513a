"""Phaseformer speed: the project's model against the same weights run the published way.

The baseline is `Phaseformer(phaseformer_default(naive_phase=True, channels_last=False))`: the literal
`ifft2(exp(1j*angle(fft2(x)))).real` for Q, K and the ECA descriptors, in the default NCHW layout, as the
published code computes it. Both models hold the same weights and run in this one process, interleaved (run 1 of
every model, then run 2, ...), so a machine that slows down or speeds up during the run affects them alike.

    python bench/model_speed.py [--device cpu|cuda] [--runs 7] [--compile]
"""
import argparse
import torch
from timing import interleaved_medians
from phaseformer.model import Phaseformer, phaseformer_default, compile_model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--compile', action='store_true', help='also time torch.compile of the fast model')
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    fast = Phaseformer().to(device)
    naive = Phaseformer(phaseformer_default(naive_phase=True, channels_last=False)).to(device)
    naive.load_state_dict(fast.state_dict())
    models = {'published formula': naive, 'phaseformer': fast}
    if args.compile:  # a copy, compiled in place; the warm-up calls compile it (static shapes: once per size and mode)
        compiled = Phaseformer().to(device); compiled.load_state_dict(fast.state_dict())
        models['phaseformer + torch.compile'] = compile_model(compiled)

    image = torch.rand(1, 3, 256, 256, device=device)
    batch = torch.rand(2, 3, 128, 128, device=device)
    target_low, target_high = torch.rand(2, 3, 128, 128, device=device), torch.rand(2, 3, 256, 256, device=device)
    tf32 = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False  # compare in true float32
    with torch.no_grad():
        ref, out = naive(image), fast(image)
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32
    diff = max((ref.low - out.low).abs().max().item(), (ref.high - out.high).abs().max().item())
    print(f'device: {device} ({torch.cuda.get_device_name() if device.type == "cuda" else f"{torch.get_num_threads()} threads"}), torch {torch.__version__}')
    print(f'max |output difference| = {diff:.1e} (must be <= 1e-4)')

    def forward(model):
        def run():
            with torch.no_grad(): model(image)
        return run

    def train_step(model):
        def run():
            low, high = model(batch)
            loss = (low - target_low).abs().mean() + (high - target_high).abs().mean()
            model.zero_grad(set_to_none=True); loss.backward()
        return run

    results = interleaved_medians({name: (forward(m), train_step(m)) for name, m in models.items()}, args.runs, device)
    base_fwd, base_step = results['published formula']
    print(f'{"":30s} {"forward 1x3x256x256":>22s} {"train step 2x3x128x128":>24s}')
    for name, (fwd, step) in results.items():
        print(f'{name:30s} {fwd * 1e3:13.1f} ms {base_fwd / fwd:5.2f}x {step * 1e3:15.1f} ms {base_step / step:5.2f}x')
    assert diff <= 1e-4, 'outputs differ'


if __name__ == '__main__':
    main()
