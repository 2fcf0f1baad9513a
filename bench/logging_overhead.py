"""What logging costs a training epoch: the same epochs with no logger, TensorBoard (the default) and TensorBoard with
MLflow's local store, timed in turn (the median of several epochs each). The target: under 2 % of an epoch.

    python bench/logging_overhead.py                                  # CPU: the default model, 64 px crops, batch 8
    python bench/logging_overhead.py --model tiny --epochs 3                # a quick, pessimistic check
    python bench/logging_overhead.py --device cuda --size 256 --epochs 5
"""
import argparse, tempfile, warnings
from phaseformer.config import TrainConfig
from phaseformer.synth import demo_dataset
from phaseformer.trainer import Trainer
from timing import interleaved_medians

parser = argparse.ArgumentParser()
parser.add_argument('--device', default='cpu'); parser.add_argument('--size', type=int, default=64)
parser.add_argument('--batch_size', type=int, default=8); parser.add_argument('--epochs', type=int, default=5)
parser.add_argument('--log_every', type=int, default=50)
parser.add_argument('--model', default='default', help='default, or tiny: a smaller epoch, so logging weighs more')
args = parser.parse_args()
warnings.simplefilter('ignore')
data, out = demo_dataset(), tempfile.mkdtemp()
trainers = {log: Trainer(TrainConfig(dataset_path=(str(data),), model=args.model, size=args.size, crop=True, batch_size=args.batch_size, perceptual=False,
                                     threads=2, cache=True, device=args.device, sample_every=0, niter=100, niter_decay=0, log=log,
                                     log_every=args.log_every, output_dir=f'{out}/{log}'), quiet=True)
            for log in ('none', 'tensorboard', 'tensorboard,mlflow')}
epochs = {log: [0] for log in trainers}
def one_epoch(log):
    def run():
        trainer = trainers[log]; epochs[log][0] += 1
        stats = trainer.train_epoch(epochs[log][0])
        trainer.report.epoch(epochs[log][0], stats, {}, {'psnr_low': 0.0}, improved=False)  # the epoch's logging and checkpoint, as in a run
    return run
times = interleaved_medians({log: (one_epoch(log),) for log in trainers}, args.epochs, trainers['none'].device)
base = times['none'][0]
steps = trainers['none'].state.iters_per_epoch
print(f'{args.model} model, {steps} optimizer steps an epoch, {args.size} px, batch {args.batch_size}, {args.device}, --log_every {args.log_every}')
for log, (seconds,) in times.items():
    print(f'--log {log:<20} {seconds:7.2f} s an epoch  {100 * (seconds / base - 1):+6.2f} %')
