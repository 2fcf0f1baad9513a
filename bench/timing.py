"""Timing helper shared by the benchmarks."""
import time
import torch


def median_seconds(fn, runs, device):
    "Median wall time of `fn` over `runs` calls after one warm-up call (synchronising CUDA)."
    fn()
    times = []
    for _ in range(runs):
        if device.type == 'cuda': torch.cuda.synchronize()
        start = time.perf_counter(); fn()
        if device.type == 'cuda': torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]
