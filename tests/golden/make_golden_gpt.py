#!/usr/bin/python3
"""Generate tests/golden/gpt.json: two small GPTs in PyTorch, written plainly, as the reference for
TinyTorch's nn::GPT (tests/nn/golden_gpt_test.cpp).

Run:  /usr/bin/python3 tests/golden/make_golden_gpt.py   (torch 1.13, float64, byte-identical reruns)
Each case stores its config, the state_dict (names as TinyTorch's), token ids and targets, the
logits, the mean cross-entropy loss and the gradient of every parameter. The two cases:
  classic: learned positions, LayerNorm, GELU MLP, 2 heads, untied head with bias (GPT-2 shape);
  modern:  RoPE (rotate-half), RMSNorm (eps 1e-6), SwiGLU MLP, grouped-query attention (4 query
           heads, 2 KV heads), no biases, head tied to the token embedding (LLaMA shape).
Attention: softmax(q kᵀ / √Dh + causal mask) v, query head h reading KV head h // (Hq/Hkv).
"""
import math

import torch
import torch.nn.functional as F

from make_golden import DT, T, gen, ints, meta, write


def rms_norm(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, base=10000.0):  # x (B, H, T, D): rotate-half convention
    Tn, D = x.shape[-2], x.shape[-1]
    inv = base ** (-torch.arange(0, D // 2, dtype=DT) * 2.0 / D)
    ang = torch.arange(Tn, dtype=DT)[:, None] * inv[None, :]  # (T, D/2)
    cos, sin = torch.cos(ang), torch.sin(ang)
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def params(cfg, g):
    """Random parameters in TinyTorch's names; norms near 1 so every path is exercised."""
    V, D, L, H, KV, HID = cfg["vocab"], cfg["d"], cfg["layers"], cfg["heads"], cfg["kv_heads"], cfg["hidden"]
    Dh = D // H
    p = {"tok.weight": torch.randn(V, D, generator=g, dtype=DT) * 0.5}
    if cfg["position"] == "learned":
        p["pos.weight"] = torch.randn(cfg["context"], D, generator=g, dtype=DT) * 0.5
    bias = cfg["bias"]
    fc_out = HID if cfg["mlp"] == "gelu" else 2 * HID

    def lin(name, o, i):
        p[name + ".weight"] = torch.randn(o, i, generator=g, dtype=DT) / math.sqrt(i)
        if bias:
            p[name + ".bias"] = torch.randn(o, generator=g, dtype=DT) * 0.1

    def norm(name):
        p[name + ".weight"] = 1 + 0.1 * torch.randn(D, generator=g, dtype=DT)
        if cfg["norm"] == "layer_norm":
            p[name + ".bias"] = 0.1 * torch.randn(D, generator=g, dtype=DT)

    for l in range(L):
        b = f"blocks.{l}."
        norm(b + "norm1")
        lin(b + "attn.qkv", (H + 2 * KV) * Dh, D)
        lin(b + "attn.proj", D, H * Dh)
        norm(b + "norm2")
        lin(b + "mlp.fc", fc_out, D)
        lin(b + "mlp.proj", D, HID)
    norm("norm_f")
    if not cfg["tie"]:
        lin("head", V, D)
    return {k: v.requires_grad_(True) for k, v in p.items()}


def forward(cfg, p, ids):
    B, Tn = ids.shape
    D, H, KV, HID = cfg["d"], cfg["heads"], cfg["kv_heads"], cfg["hidden"]
    Dh = D // H

    def lin(name, x):
        return F.linear(x, p[name + ".weight"], p.get(name + ".bias"))

    def norm(name, x):
        if cfg["norm"] == "layer_norm":
            return F.layer_norm(x, (D,), p[name + ".weight"], p[name + ".bias"], 1e-5)
        return rms_norm(x, p[name + ".weight"])

    x = F.embedding(ids, p["tok.weight"])
    if cfg["position"] == "learned":
        x = x + p["pos.weight"][:Tn]
    causal = torch.tril(torch.ones(Tn, Tn, dtype=torch.bool))
    for l in range(cfg["layers"]):
        b = f"blocks.{l}."
        h = norm(b + "norm1", x)
        qkv = lin(b + "attn.qkv", h)
        q = qkv[..., : H * Dh].view(B, Tn, H, Dh).transpose(1, 2)
        k = qkv[..., H * Dh:(H + KV) * Dh].view(B, Tn, KV, Dh).transpose(1, 2)
        v = qkv[..., (H + KV) * Dh:].view(B, Tn, KV, Dh).transpose(1, 2)
        if cfg["position"] == "rope":
            q, k = rope(q), rope(k)
        k, v = k.repeat_interleave(H // KV, dim=1), v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(Dh)
        att = F.softmax(att.masked_fill(~causal, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, Tn, H * Dh)
        x = x + lin(b + "attn.proj", y)
        h = lin(b + "mlp.fc", norm(b + "norm2", x))
        h = F.gelu(h) if cfg["mlp"] == "gelu" else F.silu(h[..., :HID]) * h[..., HID:]
        x = x + lin(b + "mlp.proj", h)
    x = norm("norm_f", x)
    return F.linear(x, p["tok.weight"]) if cfg["tie"] else lin("head", x)


def case(name, cfg, seed):
    g = gen(seed)
    p = params(cfg, g)
    ids = torch.randint(0, cfg["vocab"], (2, cfg["T"]), generator=g)
    target = torch.randint(0, cfg["vocab"], (2, cfg["T"]), generator=g)
    logits = forward(cfg, p, ids)
    loss = F.cross_entropy(logits.reshape(-1, cfg["vocab"]), target.reshape(-1))
    loss.backward()
    return {"case": name, "config": cfg, "state_dict": {k: T(v) for k, v in p.items()},
            "ids": {"shape": list(ids.shape), "data": ints(ids)},
            "target": {"shape": list(target.shape), "data": ints(target)},
            "logits": T(logits), "loss": float(loss), "grads": {k: T(v.grad) for k, v in p.items()}}


if __name__ == "__main__":
    torch.set_num_threads(1)
    base = dict(vocab=9, context=8, T=6, d=8, layers=2)
    classic = dict(base, heads=2, kv_heads=2, hidden=16, position="learned", norm="layer_norm", mlp="gelu", tie=False,
                   bias=True)
    modern = dict(base, heads=4, kv_heads=2, hidden=12, position="rope", norm="rms_norm", mlp="swiglu", tie=True,
                  bias=False)
    write("gpt.json", {"meta": meta(4242, generator="tests/golden/make_golden_gpt.py", loss="cross_entropy(logits.view(-1, V), target.view(-1)), mean"),
                       "cases": [case("classic", classic, 4242), case("modern", modern, 4343)]})
