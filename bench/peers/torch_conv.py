#!/usr/bin/python3
"""Conv2d forward and forward+backward GFLOP/s (PyTorch, CPU, float32), median of 7 repeats.
Usage: /usr/bin/python3 torch_conv.py --threads 1
Layers (NCHW, stride 1, bias, padding as listed; the same list as TinyTorch's `tito bench cnn`):
  cnn1   N=64, 1->8,  3x3, 28x28, pad 0    (the peer CNN's first conv)
  cnn2   N=64, 8->16, 3x3, 13x13, pad 0    (its second conv)
  c64    N=16, 64->64, 3x3, 32x32, pad 1   (a ResNet-style block conv)
  pw     N=16, 64->128, 1x1, 32x32, pad 0  (pointwise)
  dw     N=16, 64->64, 3x3, 32x32, pad 1, groups 64 (depthwise)
FLOPs = 2·N·O·OH·OW·(C/groups)·kH·kW forward (bias adds not counted); forward+backward counts
3× that (input and weight gradients). Timed: F.conv2d(x, w, b) on fixed tensors; backward: the
forward plus out.backward(g) with x, w, b requiring grad (grads cleared with set_to_none).
Figures: conv_<layer>_fwd_t<T> and conv_<layer>_fwdbwd_t<T> in GFLOP/s.
"""
import argparse
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import setup, emit, time_per_call

LAYERS = [  # name, N, C, O, k, H, pad, groups
    ("cnn1", 64, 1, 8, 3, 28, 0, 1),
    ("cnn2", 64, 8, 16, 3, 13, 0, 1),
    ("c64", 16, 64, 64, 3, 32, 1, 1),
    ("pw", 16, 64, 128, 1, 32, 0, 1),
    ("dw", 16, 64, 64, 3, 32, 1, 64),
]

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
args = ap.parse_args()
torch = setup(args.threads)
F = torch.nn.functional
torch.manual_seed(0)
t = args.threads
for name, n, c, o, k, h, pad, groups in LAYERS:
    x = torch.randn(n, c, h, h)
    w = torch.randn(o, c // groups, k, k) * 0.1
    b = torch.randn(o)
    oh = h + 2 * pad - k + 1
    flops = 2.0 * n * o * oh * oh * (c // groups) * k * k
    s = time_per_call(lambda: F.conv2d(x, w, b, padding=pad, groups=groups), min_time=0.1, repeats=7, warmup=3)
    emit(f"conv_{name}_fwd_t{t}", flops / s / 1e9, "GFLOP/s")
    xg, wg, bg = x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()
    g = torch.randn(n, o, oh, oh)

    def step():
        xg.grad = wg.grad = bg.grad = None
        F.conv2d(xg, wg, bg, padding=pad, groups=groups).backward(g)

    s = time_per_call(step, min_time=0.1, repeats=7, warmup=3)
    emit(f"conv_{name}_fwdbwd_t{t}", 3 * flops / s / 1e9, "GFLOP/s")
