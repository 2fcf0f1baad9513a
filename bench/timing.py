"""Timing helpers shared by the benchmarks."""
import time
import torch


def timed(fn, device):
    "Wall time of one call of `fn`, synchronising CUDA before and after."
    if device.type == 'cuda': torch.cuda.synchronize()
    start = time.perf_counter(); fn()
    if device.type == 'cuda': torch.cuda.synchronize()
    return time.perf_counter() - start


def median(values): return sorted(values)[len(values) // 2]


def median_seconds(fn, runs, device):
    "Median wall time of `fn` over `runs` calls after one warm-up call."
    fn()
    return median([timed(fn, device) for _ in range(runs)])


def interleaved_medians(fns, runs, device):
    "`{name: (median seconds of each function)}` for `{name: (fn, ...)}`, timing run i of every function before run i + 1."
    for group in fns.values():
        for fn in group: fn()  # warm-up (and compilation)
    times = {name: [[] for _ in group] for name, group in fns.items()}
    for _ in range(runs):
        for name, group in fns.items():
            for i, fn in enumerate(group): times[name][i].append(timed(fn, device))
    return {name: tuple(median(t) for t in ts) for name, ts in times.items()}
