#!/usr/bin/python3
"""PyTorch profiler overhead: three workloads timed with the profiler off and on (microseconds per
call, median of 7 repeats, common.time_per_call's method).
Usage: /usr/bin/python3 torch_profiler_overhead.py --threads 1
"On" runs each timed repeat inside its own fresh
  torch.profiler.profile(activities=[ProfilerActivity.CPU], record_shapes=True, profile_memory=True,
                         with_stack=False)
entered before the repeat's clock starts and exited after it stops: the figure is the cost while
recording, not the post-processing at exit (printed apart as <case>_exit_us_per_event). A repeat's
call count is calibrated as in common.time_per_call, then capped so one repeat records at most
--max-events profiler events (len(prof.events()), measured on the last calibration batch).
Workloads:
  add_1elem      torch.add(a, b), a,b = 1-element fp32 tensors
  mlp_tiny_sgd   MLP 8-16-ReLU-16-ReLU-1, batch 1: zero_grad(set_to_none=True), forward, .sum(),
                 backward, torch.optim.SGD(lr=1e-3).step()
  mlp784_adam    MLP 784-128-ReLU-64-ReLU-10 (common.make_mlp), batch 64 of random (64,1,28,28)
                 inputs and random labels, cross-entropy, zero_grad(set_to_none=True), backward,
                 torch.optim.Adam(lr=1e-3).step()
Figures, each suffixed _t<threads>:
  <case>_off, <case>_on            us per call
  <case>_overhead                  on - off, us per call
  <case>_overhead_pct              100 * (on - off) / off, %
  <case>_events_per_call           profiler events recorded per call
  <case>_exit_us_per_event         profile exit (event post-processing) time per event (not in "on")
"""
import argparse, os, statistics, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import setup, emit, time_per_call, make_mlp

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--max-events", type=int, default=50000)
args = ap.parse_args()
torch = setup(args.threads)
from torch.profiler import profile, ProfilerActivity
nn, F = torch.nn, torch.nn.functional
t = args.threads
torch.manual_seed(0)


def profiler():
    return profile(activities=[ProfilerActivity.CPU], record_shapes=True, profile_memory=True, with_stack=False)


def time_per_call_profiled(fn, min_time=0.2, repeats=7, warmup=10):
    """common.time_per_call, each batch of calls inside a fresh profiler (entered and exited
    outside the clock). Returns (seconds per call, events per call, exit seconds per event)."""
    with profiler():
        for _ in range(warmup):
            fn()
    n = 1
    while True:
        with profiler() as p:
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            dt = time.perf_counter() - t0
        if dt >= 0.02 or n >= (1 << 24):
            break
        n *= 2
    per_call = max(len(p.events()) / n, 1e-9)
    n = max(1, min(int(n * min_time / max(dt, 1e-9)), int(args.max_events / per_call)))
    res, exits, events = [], [], 0
    for _ in range(repeats):
        with profiler() as p:
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            t1 = time.perf_counter()
            res.append((t1 - t0) / n)
        exits.append(time.perf_counter() - t1)
        events = len(p.events())
    return statistics.median(res), events / n, statistics.median(exits) / max(events, 1)


def measure(name, fn):
    off = time_per_call(fn) * 1e6
    on, per_call, exit_s = time_per_call_profiled(fn)
    on *= 1e6
    emit(f"{name}_off_t{t}", off, "us")
    emit(f"{name}_on_t{t}", on, "us")
    emit(f"{name}_overhead_t{t}", on - off, "us")
    emit(f"{name}_overhead_pct_t{t}", 100.0 * (on - off) / off, "%")
    emit(f"{name}_events_per_call_t{t}", per_call, "events")
    emit(f"{name}_exit_us_per_event_t{t}", exit_s * 1e6, "us")


a, b = torch.ones(1), torch.ones(1)
measure("add_1elem", lambda: torch.add(a, b))

tiny = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
x1 = torch.randn(1, 8)
sgd = torch.optim.SGD(tiny.parameters(), lr=1e-3)


def tiny_step():
    sgd.zero_grad(set_to_none=True)
    tiny(x1).sum().backward()
    sgd.step()


measure("mlp_tiny_sgd", tiny_step)

mlp = make_mlp(torch)
adam = torch.optim.Adam(mlp.parameters(), lr=1e-3)
xb, yb = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))


def mlp_step():
    loss = F.cross_entropy(mlp(xb), yb)
    adam.zero_grad(set_to_none=True)
    loss.backward()
    adam.step()


measure("mlp784_adam", mlp_step)
