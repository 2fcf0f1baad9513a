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


def interleaved_medians(fns, runs, device):
    "`{name: (median seconds of each function)}` for `{name: (fn, ...)}`, timing run i of every function before run i + 1."
    def timed(fn):
        if device.type == 'cuda': torch.cuda.synchronize()
        start = time.perf_counter(); fn()
        if device.type == 'cuda': torch.cuda.synchronize()
        return time.perf_counter() - start
    for group in fns.values():
        for fn in group: fn()  # warm-up (and compilation)
    times = {name: [[] for _ in group] for name, group in fns.items()}
    for _ in range(runs):
        for name, group in fns.items():
            for i, fn in enumerate(group): times[name][i].append(timed(fn))
    return {name: tuple(sorted(t)[len(t) // 2] for t in ts) for name, ts in times.items()}
