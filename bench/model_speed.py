"""Phaseformer speed: the project's model against the same weights run the published way.

The baseline is `Phaseformer(phaseformer_config(naive_phase=True, channels_last=False))`: the literal
`ifft2(exp(1j*angle(fft2(x)))).real` for Q, K and the ECA descriptors, in the default NCHW layout, as the
published code computes it. Both models hold the same weights and run in this one process, interleaved (run 1 of
every model, then run 2, ...), so a machine that slows down or speeds up during the run affects them alike.

    python bench/model_speed.py [--device cpu|cuda] [--runs 7] [--compile] [--freezing] [--bf16]

`--bf16` also times the fast model under bf16 autocast and reports how far its outputs are from float32 (PSNR in dB
of the bf16 output against the float32 one, images in [0, 1]); it is not held to the 1e-4 of the float32 models.
"""
import argparse, contextlib
import torch
from timing import interleaved_medians
from phaseformer.model import Phaseformer, phaseformer_config, compile_model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--compile', action='store_true', help='also time torch.compile of the fast model')
    parser.add_argument('--freezing', action='store_true', help="also time torch.compile with Inductor's freezing (forward only)")
    parser.add_argument('--bf16', action='store_true', help='also time the fast model under bf16 autocast, and its error')
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    fast = Phaseformer().to(device)
    naive = Phaseformer(phaseformer_config(naive_phase=True, channels_last=False)).to(device)
    naive.load_state_dict(fast.state_dict())
    models = {'published formula': naive, 'phaseformer': fast}
    if args.compile:  # a copy, compiled in place; the warm-up calls compile it (static shapes: once per size and mode)
        compiled = Phaseformer().to(device); compiled.load_state_dict(fast.state_dict())
        models['phaseformer + torch.compile'] = compile_model(compiled)
    if args.freezing:  # weights become constants: inference only, so its training step is not timed
        frozen = Phaseformer().to(device).eval(); frozen.load_state_dict(fast.state_dict())
        models['phaseformer + compile, freezing'] = compile_model(frozen, options={'freezing': True})

    image = torch.rand(1, 3, 256, 256, device=device)
    batch = torch.rand(2, 3, 128, 128, device=device)
    target_low, target_high = torch.rand(2, 3, 128, 128, device=device), torch.rand(2, 3, 256, 256, device=device)
    tf32 = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False  # compare in true float32
    with torch.no_grad():  # the first calls of compiled models compile them
        ref = naive(image)
        outputs = {name: m(image) for name, m in models.items() if m is not naive}
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32
    diffs = {name: max((ref.low - out.low).abs().max().item(), (ref.high - out.high).abs().max().item())
             for name, out in outputs.items()}
    print(f'device: {device} ({torch.cuda.get_device_name() if device.type == "cuda" else f"{torch.get_num_threads()} threads"}), torch {torch.__version__}')
    print('max |output difference| from the published formula (must be <= 1e-4): '
          + ', '.join(f'{name} {diff:.1e}' for name, diff in diffs.items()))
    bf16 = lambda: torch.autocast(device.type, dtype=torch.bfloat16)
    if args.bf16:
        with torch.no_grad(), bf16(): low = fast(image).low.float()
        error = (low - outputs['phaseformer'].low).abs()
        psnr = -10 * torch.log10(error.square().mean()).item()
        print(f'bf16 autocast against float32 (low head): max |difference| {error.max().item():.1e}, mean {error.mean().item():.1e}, PSNR {psnr:.1f} dB')

    def forward(model, autocast=contextlib.nullcontext):
        def run():
            with torch.no_grad(), autocast(): model(image)
        return run

    def train_step(model, autocast=contextlib.nullcontext):
        def run():
            with autocast(): low, high = model(batch)
            loss = (low - target_low).abs().mean() + (high - target_high).abs().mean()
            model.zero_grad(set_to_none=True); loss.backward()
        return run

    timed_runs = {name: (forward(m),) + ((train_step(m),) if m.training else ()) for name, m in models.items()}
    if args.bf16: timed_runs['phaseformer, bf16 autocast'] = forward(fast, bf16), train_step(fast, bf16)
    results = interleaved_medians(timed_runs, args.runs, device)
    base_fwd, base_step = results['published formula']
    print(f'{"":32s} {"forward 1x3x256x256":>22s} {"train step 2x3x128x128":>24s}')
    for name, (fwd, *step) in results.items():
        step_text = f'{step[0] * 1e3:15.1f} ms {base_step / step[0]:5.2f}x' if step else f'{"(inference only)":>24s}'
        print(f'{name:32s} {fwd * 1e3:13.1f} ms {base_fwd / fwd:5.2f}x {step_text}')
    assert max(diffs.values()) <= 1e-4, 'outputs differ'


if __name__ == '__main__':
    main()
