#!/usr/bin/python3
"""Generate PyTorch reference ("golden") JSON files for TinyTorch's C++ tests.

Run:  /usr/bin/python3 tests/golden/make_golden.py
Needs torch (1.13) + numpy. Everything is computed in torch.float64 from inputs
drawn with fixed torch.Generator seeds; every input is stored in the files, so the
C++ side never has to reproduce PyTorch's RNG. Re-running gives byte-identical files.
The format is documented in tests/golden/README.md.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

DT = torch.float64
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)  # keep reductions in one fixed order


# ----------------------------------------------------------------------------- output
def T(t):
    """Tensor -> {"shape": [...], "data": [flat row-major floats]}."""
    t = t.detach().to(DT).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def ints(t):
    return [int(v) for v in t.reshape(-1).tolist()]


def _scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("non-finite float in golden data")
        return repr(v)  # shortest string that round-trips the double exactly
    if isinstance(v, str):
        return json.dumps(v)
    raise TypeError(type(v))


def _inline(o):
    if isinstance(o, dict):
        return list(o.keys()) == ["shape", "data"] or all(
            not isinstance(v, (dict, list)) for v in o.values())
    if isinstance(o, list):
        return all(not isinstance(v, (dict, list)) for v in o)
    return True


def _fmt(o, ind):
    if isinstance(o, (list, tuple)):
        o = list(o)
    if not isinstance(o, (dict, list)):
        return _scalar(o)
    if _inline(o):
        if isinstance(o, dict):
            return "{" + ", ".join(json.dumps(k) + ": " + _fmt(v, ind) for k, v in o.items()) + "}"
        return "[" + ", ".join(_fmt(v, ind) for v in o) + "]"
    pad, pad2 = " " * ind, " " * (ind + 1)
    if isinstance(o, dict):
        body = (",\n").join(pad2 + json.dumps(k) + ": " + _fmt(v, ind + 1) for k, v in o.items())
        return "{\n" + body + "\n" + pad + "}"
    body = (",\n").join(pad2 + _fmt(v, ind + 1) for v in o)
    return "[\n" + body + "\n" + pad + "]"


def write(name, obj):
    text = _fmt(obj, 0) + "\n"
    assert json.loads(text) is not None  # valid JSON
    with open(os.path.join(OUT_DIR, name), "w") as f:
        f.write(text)
    print(f"wrote {name}: {len(text)} bytes")


def meta(seed, **extra):
    return {"generator": "tests/golden/make_golden.py", "torch_version": torch.__version__,
            "dtype": "float64", "seed": seed, **extra}


def gen(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


# ----------------------------------------------------------------------------- activations
def make_activations():
    g = gen(1001)
    x = torch.rand(4, 5, generator=g, dtype=DT) * 8 - 4
    x.view(-1)[:8] = torch.tensor([0.0, 1e-7, -1e-7, 1e-3, -1e-3, -4.0, 4.0, 0.5], dtype=DT)
    x_big = torch.rand(4, 5, generator=g, dtype=DT) * 100 - 50
    x_big.view(-1)[:4] = torch.tensor([-50.0, 50.0, 0.0, -49.5], dtype=DT)
    grad_out = torch.randn(4, 5, generator=g, dtype=DT)
    fns = [
        ("relu", {}, F.relu),
        ("leaky_relu", {"negative_slope": 0.01}, lambda t: F.leaky_relu(t, 0.01)),
        ("leaky_relu", {"negative_slope": 0.2}, lambda t: F.leaky_relu(t, 0.2)),
        ("elu", {"alpha": 1.0}, lambda t: F.elu(t, 1.0)),
        ("elu", {"alpha": 0.5}, lambda t: F.elu(t, 0.5)),
        ("sigmoid", {}, torch.sigmoid),
        ("tanh", {}, torch.tanh),
        ("gelu", {"approximate": "none"}, lambda t: F.gelu(t, approximate="none")),
        ("gelu", {"approximate": "tanh"}, lambda t: F.gelu(t, approximate="tanh")),
        ("silu", {}, F.silu),
        ("softmax", {"dim": -1}, lambda t: F.softmax(t, dim=-1)),
        ("softmax", {"dim": 0}, lambda t: F.softmax(t, dim=0)),
        ("log_softmax", {"dim": -1}, lambda t: F.log_softmax(t, dim=-1)),
        ("log_softmax", {"dim": 0}, lambda t: F.log_softmax(t, dim=0)),
    ]
    big = [("softmax", {"dim": -1}, lambda t: F.softmax(t, dim=-1)),
           ("log_softmax", {"dim": -1}, lambda t: F.log_softmax(t, dim=-1)),
           ("sigmoid", {}, torch.sigmoid)]
    cases = []
    for inp, tag, table in ((x, "", fns), (x_big, "_large", big)):
        for name, params, fn in table:
            xi = inp.clone().requires_grad_(True)
            y = fn(xi)
            (gx,) = torch.autograd.grad((y * grad_out).sum(), xi)
            args = ", ".join(f"{k}={v}" for k, v in params.items())
            case = name + (f"({args})" if args else "") + tag
            cases.append({"name": name, "case": case, "params": params, "x": T(inp),
                          "grad_out": T(grad_out), "y": T(y), "grad_x": T(gx)})
    write("activations.json", {"meta": meta(1001), "cases": cases})


# ----------------------------------------------------------------------------- losses
def make_losses():
    g = gen(2002)
    rn = lambda *s: torch.randn(s, generator=g, dtype=DT)
    a, b = rn(6, 4), rn(6, 4)
    b[0, 0] = a[0, 0]  # exact zero difference: l1 gradient sign(0) = 0
    hub_in, hub_tg = rn(6, 4) * 1.5, rn(6, 4)
    logits = rn(6, 4) * 2
    tgt = torch.tensor([0, 3, 1, 2, 1, 3])
    tgt_ign = torch.tensor([0, -100, 1, 2, -100, 3])
    logp = F.log_softmax(rn(6, 4), dim=1)
    probs = torch.sigmoid(rn(6, 4))
    hard = (torch.rand(6, 4, generator=g, dtype=DT) > 0.5).to(DT)
    soft = torch.rand(6, 4, generator=g, dtype=DT)
    big_logits = rn(6, 4) * 3
    big_logits.view(-1)[:6] = torch.tensor([30.0, -30.0, 25.0, -25.0, 0.0, 18.0], dtype=DT)
    ce = lambda **kw: (lambda i, t, reduction: F.cross_entropy(i, t, reduction=reduction, **kw))
    nll = lambda **kw: (lambda i, t, reduction: F.nll_loss(i, t, reduction=reduction, **kw))
    specs = [
        ("mse_loss", "mse_loss", {}, a, b, F.mse_loss),
        ("l1_loss", "l1_loss", {}, a, b, F.l1_loss),
        ("huber_loss", "huber_loss_delta1", {"delta": 1.0}, hub_in, hub_tg,
         lambda i, t, reduction: F.huber_loss(i, t, reduction=reduction, delta=1.0)),
        ("huber_loss", "huber_loss_delta0.5", {"delta": 0.5}, hub_in, hub_tg,
         lambda i, t, reduction: F.huber_loss(i, t, reduction=reduction, delta=0.5)),
        ("cross_entropy", "cross_entropy", {"ignore_index": -100, "label_smoothing": 0.0},
         logits, tgt, ce()),
        ("cross_entropy", "cross_entropy_label_smoothing",
         {"ignore_index": -100, "label_smoothing": 0.1}, logits, tgt, ce(label_smoothing=0.1)),
        ("cross_entropy", "cross_entropy_ignore_index",
         {"ignore_index": -100, "label_smoothing": 0.0}, logits, tgt_ign, ce(ignore_index=-100)),
        ("cross_entropy", "cross_entropy_ignore_index_1",
         {"ignore_index": 1, "label_smoothing": 0.0}, logits, tgt, ce(ignore_index=1)),
        ("cross_entropy", "cross_entropy_label_smoothing_ignore_index",
         {"ignore_index": -100, "label_smoothing": 0.1}, logits, tgt_ign,
         ce(ignore_index=-100, label_smoothing=0.1)),
        ("nll_loss", "nll_loss", {"ignore_index": -100}, logp, tgt, nll()),
        ("nll_loss", "nll_loss_ignore_index", {"ignore_index": -100}, logp, tgt_ign,
         nll(ignore_index=-100)),
        ("nll_loss", "nll_loss_ignore_index_1", {"ignore_index": 1}, logp, tgt, nll(ignore_index=1)),
        ("binary_cross_entropy", "binary_cross_entropy_hard", {}, probs, hard,
         F.binary_cross_entropy),
        ("binary_cross_entropy", "binary_cross_entropy_soft", {}, probs, soft,
         F.binary_cross_entropy),
        ("binary_cross_entropy_with_logits", "bce_with_logits_hard", {}, big_logits, hard,
         F.binary_cross_entropy_with_logits),
        ("binary_cross_entropy_with_logits", "bce_with_logits_soft", {}, big_logits, soft,
         F.binary_cross_entropy_with_logits),
    ]
    cases = []
    for name, case, params, inp, target, fn in specs:
        for red in ("mean", "sum", "none"):
            xi = inp.clone().requires_grad_(True)
            out = fn(xi, target, reduction=red)
            go = torch.ones((), dtype=DT) if red != "none" else rn(*out.shape)
            (gi,) = torch.autograd.grad(out, xi, go)
            tg = ints(target) if target.dtype == torch.int64 else T(target)
            cases.append({"name": name, "case": case + "_" + red, "params": params,
                          "input": T(inp), "target": tg, "reduction": red, "output": T(out),
                          "grad_out": T(go), "grad_input": T(gi)})
    write("losses.json", {"meta": meta(2002), "cases": cases})


# ----------------------------------------------------------------------------- optimizers
def _group_hparams(group):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k != "params"}


def make_optimizers():
    g = gen(3003)
    rn = lambda *s: torch.randn(s, generator=g, dtype=DT)
    X, W_true, b_true = rn(8, 4), rn(3, 4), rn(3)
    Y = X @ W_true.T + b_true + 0.1 * rn(8, 3)
    W0, b0 = 0.5 * rn(3, 4), 0.5 * rn(3)
    loss_fn = lambda W, b: ((X @ W.T + b - Y) ** 2).mean()
    O = torch.optim
    configs = [
        ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.05, "momentum": 0.9}),
        ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
        ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        ("Adam", {"lr": 0.05}), ("Adam", {"lr": 0.05, "betas": [0.8, 0.9], "weight_decay": 0.1}),
        ("Adam", {"lr": 0.05, "amsgrad": True}), ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
        ("RMSprop", {"lr": 0.01}),
        ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
        ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
        ("Adagrad", {"lr": 0.1}),
        ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                     "initial_accumulator_value": 0.1}),
        ("Adam", {"lr": 0.05}, [{"params": ["W"]},
                                {"params": ["b"], "lr": 0.01, "weight_decay": 0.1}]),
    ]
    runs = []
    for cfg in configs:
        opt_name, hp = cfg[0], cfg[1]
        groups = cfg[2] if len(cfg) > 2 else None
        W, b = W0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        named = {"W": W, "b": b}
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in hp.items()}
        if groups is None:
            opt = getattr(O, opt_name)([W, b], **kw)
        else:
            pg = [dict(gr, params=[named[p] for p in gr["params"]]) for gr in groups]
            opt = getattr(O, opt_name)(pg, **kw)
        steps = []
        for _ in range(25):
            opt.zero_grad()
            loss = loss_fn(W, b)
            loss.backward()
            opt.step()
            steps.append({"loss": float(loss), "W": T(W), "b": T(b)})
        run = {"optimizer": opt_name, "hyperparams": hp}
        if groups is not None:
            run["param_groups"] = groups
        run["resolved_groups"] = [dict(_group_hparams(gr), params=[n for n, p in named.items()
                                  if any(p is q for q in gr["params"])]) for gr in opt.param_groups]
        run["final_loss"] = float(loss_fn(W, b))
        run["steps"] = steps
        runs.append(run)

    W, b = W0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    loss_fn(W, b).backward()
    gW, gb = W.grad.clone(), b.grad.clone()
    clips = []
    for kind, arg in (("clip_grad_norm_", {"max_norm": 0.5, "norm_type": 2.0}),
                      ("clip_grad_norm_", {"max_norm": 0.5, "norm_type": "inf"}),
                      ("clip_grad_norm_", {"max_norm": 100.0, "norm_type": 2.0}),
                      ("clip_grad_value_", {"clip_value": 0.1})):
        W.grad, b.grad = gW.clone(), gb.clone()
        c = {"function": kind, "params": arg}
        if kind == "clip_grad_norm_":
            nt = math.inf if arg["norm_type"] == "inf" else arg["norm_type"]
            c["total_norm"] = float(torch.nn.utils.clip_grad_norm_([W, b], arg["max_norm"], nt))
        else:
            torch.nn.utils.clip_grad_value_([W, b], arg["clip_value"])
        c["grad_W"], c["grad_b"] = T(W.grad), T(b.grad)
        clips.append(c)
    problem = {"loss": "mean((X @ W.T + b - Y)**2)  (mean over all 8*3 elements)",
               "W0": T(W0), "b0": T(b0), "X": T(X), "Y": T(Y), "num_steps": 25}
    clip = {"grads_before": {"W": T(gW), "b": T(gb)}, "cases": clips}
    write("optimizers.json", {"meta": meta(3003), "problem": problem, "runs": runs,
                              "clipping": clip})


# ----------------------------------------------------------------------------- schedulers
def make_schedulers():
    S = torch.optim.lr_scheduler
    specs = [
        ("StepLR", {"step_size": 7, "gamma": 0.5}, {"lr": 0.1},
         "lr = base_lr * gamma ** floor(t / step_size)"),
        ("CosineAnnealingLR", {"T_max": 20, "eta_min": 0.001}, {"lr": 0.1},
         "closed form: lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2 "
         "(PyTorch evaluates it recursively; no clamping at t > T_max, so lr rises again)"),
        ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}, {"lr": 0.1},
         "lr = base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)"),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 30, "pct_start": 0.3,
                        "anneal_strategy": "cos", "cycle_momentum": True, "base_momentum": 0.85,
                        "max_momentum": 0.95, "div_factor": 25.0, "final_div_factor": 1e4,
                        "three_phase": False}, {"lr": 0.1, "momentum": 0.9}, None),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 30, "pct_start": 0.3,
                        "anneal_strategy": "linear", "cycle_momentum": True, "base_momentum": 0.85,
                        "max_momentum": 0.95, "div_factor": 25.0, "final_div_factor": 1e4,
                        "three_phase": False}, {"lr": 0.1, "momentum": 0.9}, None),
    ]
    onecycle = ("initial_lr = max_lr / div_factor; min_lr = initial_lr / final_div_factor; "
                "phase 1: t in [0, e1], e1 = pct_start*total_steps - 1, lr initial_lr -> max_lr, "
                "momentum max_momentum -> base_momentum; phase 2: t in (e1, e2], e2 = total_steps - 1, "
                "lr max_lr -> min_lr, momentum base_momentum -> max_momentum; pct = (t - start)/(end - start) "
                "with start = 0 (phase 1) or e1 (phase 2); cos: end + (start_v - end)/2 * (1 + cos(pi*pct)); "
                "linear: start_v + (end - start_v) * pct")
    out = []
    for cls, params, opt_kw, formula in specs:
        p = torch.nn.Parameter(torch.zeros(1, dtype=DT))
        opt = torch.optim.SGD([p], **opt_kw)
        sched = getattr(S, cls)(opt, **params)
        lrs, moms = [], []
        for _ in range(30):
            lrs.append(float(opt.param_groups[0]["lr"]))
            moms.append(float(opt.param_groups[0]["momentum"]))
            opt.step()  # no grad -> no-op, keeps PyTorch's step-order check quiet
            sched.step()
        e = {"scheduler": cls, "params": params, "optimizer": dict(opt_kw, type="SGD"),
             "num_steps": 30, "formula": formula or onecycle}
        if cls == "OneCycleLR":
            e["derived"] = {"initial_lr": params["max_lr"] / params["div_factor"],
                            "min_lr": params["max_lr"] / params["div_factor"] / params["final_div_factor"],
                            "phase_end_steps": [float(ph["end_step"]) for ph in sched._schedule_phases]}
        e["lr"] = lrs
        if cls == "OneCycleLR":
            e["momentum"] = moms
        out.append(e)
    write("schedulers.json", {"meta": meta(None), "schedulers": out})


# ----------------------------------------------------------------------------- mlp
def make_mlp():
    g = gen(5005)
    nn = torch.nn
    cases = []
    specs = [("mlp_relu_tanh", [nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(),
                                nn.Linear(5, 3)],
              [{"type": "Linear", "in_features": 6, "out_features": 8}, {"type": "ReLU"},
               {"type": "Linear", "in_features": 8, "out_features": 5}, {"type": "Tanh"},
               {"type": "Linear", "in_features": 5, "out_features": 3}]),
             ("mlp_gelu_leakyrelu", [nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 5),
                                     nn.LeakyReLU(0.1), nn.Linear(5, 3)],
              [{"type": "Linear", "in_features": 6, "out_features": 8},
               {"type": "GELU", "approximate": "none"},
               {"type": "Linear", "in_features": 8, "out_features": 5},
               {"type": "LeakyReLU", "negative_slope": 0.1},
               {"type": "Linear", "in_features": 5, "out_features": 3}])]
    for name, layers, desc in specs:
        model = nn.Sequential(*layers).to(DT)
        with torch.no_grad():
            for m in model:
                if isinstance(m, nn.Linear):
                    bound = 1.0 / math.sqrt(m.in_features)
                    m.weight.copy_(torch.rand(m.weight.shape, generator=g, dtype=DT) * 2 * bound - bound)
                    m.bias.copy_(torch.rand(m.bias.shape, generator=g, dtype=DT) * 2 * bound - bound)
        x = torch.randn(4, 6, generator=g, dtype=DT).requires_grad_(True)
        target = torch.randint(0, 3, (4,), generator=g)
        hidden, h = [], x
        for m in model:
            h = m(h)
            hidden.append(T(h))
        logits = h
        loss = F.cross_entropy(logits, target)
        loss.backward()
        sd = model.state_dict()
        cases.append({"name": name, "layers": desc,
                      "state_dict": {k: T(v) for k, v in sd.items()},
                      "x": T(x), "target": ints(target), "layer_outputs": hidden,
                      "logits": T(logits), "loss": float(loss),
                      "grads": {k: T(p.grad) for k, p in model.named_parameters()},
                      "grad_x": T(x.grad)})
    write("mlp.json", {"meta": meta(5005, loss="cross_entropy(logits, target), reduction mean"),
                       "cases": cases})


# ----------------------------------------------------------------------------- init
def make_init_stats():
    init = torch.nn.init
    gains = {"linear": init.calculate_gain("linear"), "conv2d": init.calculate_gain("conv2d"),
             "sigmoid": init.calculate_gain("sigmoid"), "tanh": init.calculate_gain("tanh"),
             "relu": init.calculate_gain("relu"), "selu": init.calculate_gain("selu"),
             "leaky_relu_default(0.01)": init.calculate_gain("leaky_relu"),
             "leaky_relu_sqrt5": init.calculate_gain("leaky_relu", math.sqrt(5))}
    gains = {k: float(v) for k, v in gains.items()}
    shapes = [[128, 784], [10, 128], [3, 4], [64, 32], [16, 3, 5, 5], [8, 1, 3, 3]]
    rows = []
    for s in shapes:
        fi, fo = init._calculate_fan_in_and_fan_out(torch.empty(s))
        g_relu, g_a5 = init.calculate_gain("relu"), init.calculate_gain("leaky_relu", math.sqrt(5))
        rows.append({
            "shape": s, "fan_in": fi, "fan_out": fo,
            "xavier_uniform_bound": 1.0 * math.sqrt(6.0 / (fi + fo)),
            "xavier_normal_std": 1.0 * math.sqrt(2.0 / (fi + fo)),
            "kaiming_normal_fan_in_relu_std": g_relu / math.sqrt(fi),
            "kaiming_normal_fan_out_relu_std": g_relu / math.sqrt(fo),
            "kaiming_uniform_fan_in_relu_bound": math.sqrt(3.0) * g_relu / math.sqrt(fi),
            "kaiming_uniform_a_sqrt5_bound": math.sqrt(3.0) * g_a5 / math.sqrt(fi),
            "default_bias_bound": 1.0 / math.sqrt(fi)})
    torch.manual_seed(6006)
    lin = torch.nn.Linear(784, 128, dtype=DT)
    fi = 784
    st = lambda t: {"min": float(t.min()), "max": float(t.max()), "mean": float(t.mean()),
                    "std": float(t.std()), "numel": t.numel()}
    linear = {"in_features": 784, "out_features": 128, "fan_in": fi,
              "weight_init": "kaiming_uniform_(a=sqrt(5)): gain = sqrt(2/(1+a^2)), "
                             "bound = sqrt(3)*gain/sqrt(fan_in) = 1/sqrt(fan_in)",
              "bias_init": "uniform_(-1/sqrt(fan_in), 1/sqrt(fan_in))",
              "weight_bound": math.sqrt(3.0) * gains["leaky_relu_sqrt5"] / math.sqrt(fi),
              "bias_bound": 1.0 / math.sqrt(fi),
              "expected_weight_std": 1.0 / math.sqrt(fi) / math.sqrt(3.0),
              "torch_sample_weight": st(lin.weight.detach()),
              "torch_sample_bias": st(lin.bias.detach())}
    formulas = {"fan_in": "size(1) * receptive_field", "fan_out": "size(0) * receptive_field",
                "receptive_field": "prod(shape[2:]) (1 for 2-D)",
                "xavier_uniform_bound": "gain * sqrt(6/(fan_in+fan_out)), gain=1",
                "xavier_normal_std": "gain * sqrt(2/(fan_in+fan_out)), gain=1",
                "kaiming_normal_std": "gain/sqrt(fan), gain=calculate_gain('relu')=sqrt(2)",
                "kaiming_uniform_bound": "sqrt(3)*gain/sqrt(fan_in)",
                "leaky_relu_gain": "sqrt(2/(1+negative_slope^2))"}
    write("init_stats.json", {"meta": meta(6006), "gains": gains, "formulas": formulas,
                              "linear_default": linear, "fans": rows})


# ----------------------------------------------------------------------------- layer_norm / linear+act
def make_layer_norm():
    """layer_norm.json: F.layer_norm and the fused Linear+activation, forward and backward.

    {"meta", "layer_norm": [case], "linear_act": [case]}
    layer_norm case = {"case", "normalized_shape": [ints], "eps", "affine": bool, "x", "weight" and
        "bias" (only when affine), "grad_out", "y", "grad_x", "grad_weight" and "grad_bias" (when
        affine)}; grads are d(sum(y * grad_out)) / d input.
    linear_act case = {"case", "activation": "none" | "relu" | "gelu" | "gelu_tanh" | "silu",
        "x" [5,6], "weight" [4,6], "bias" [4], "grad_out" [5,4], "y" = act(x @ weight.T + bias),
        "grad_x", "grad_weight", "grad_bias"}.
    """
    g = gen(7007)
    rn = lambda *s: torch.randn(s, generator=g, dtype=DT)
    ln_specs = [  # (case, x, normalized_shape, eps, affine)
        ("last_dim_affine", rn(4, 6), [6], 1e-5, True),
        ("two_dims_affine", rn(2, 3, 4), [3, 4], 1e-3, True),
        ("two_dims_no_affine", rn(2, 3, 4), [3, 4], 1e-5, False),
        # float32-representable values, so the float32 run sees the same x (1000 + noise would
        # otherwise be rounded by ulp(1000)/2 = 3e-5, an error no kernel can undo)
        ("large_mean_affine", (1000.0 + 0.5 * rn(3, 8)).float().to(DT), [8], 1e-5, True),
        ("one_d_affine", rn(7), [7], 1e-5, True),
    ]
    ln_cases = []
    for case, x, shape, eps, affine in ln_specs:
        xi = x.clone().requires_grad_(True)
        w = (1.0 + 0.5 * rn(*shape)).requires_grad_(True) if affine else None
        b = (0.5 * rn(*shape)).requires_grad_(True) if affine else None
        y = F.layer_norm(xi, shape, w, b, eps)
        go = rn(*y.shape)
        inputs = [xi] + ([w, b] if affine else [])
        grads = torch.autograd.grad((y * go).sum(), inputs)
        c = {"case": case, "normalized_shape": shape, "eps": eps, "affine": affine, "x": T(x)}
        if affine:
            c["weight"], c["bias"] = T(w), T(b)
        c.update({"grad_out": T(go), "y": T(y), "grad_x": T(grads[0])})
        if affine:
            c["grad_weight"], c["grad_bias"] = T(grads[1]), T(grads[2])
        ln_cases.append(c)
    acts = [("none", lambda t: t), ("relu", F.relu), ("gelu", lambda t: F.gelu(t, approximate="none")),
            ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh")), ("silu", F.silu)]
    x, w, b, go = rn(5, 6), 0.5 * rn(4, 6), 0.5 * rn(4), rn(5, 4)
    lin_cases = []
    for name, act in acts:
        xi, wi, bi = (t.clone().requires_grad_(True) for t in (x, w, b))
        y = act(F.linear(xi, wi, bi))
        gx, gw, gb = torch.autograd.grad((y * go).sum(), [xi, wi, bi])
        lin_cases.append({"case": "linear_" + name, "activation": name, "x": T(x), "weight": T(w),
                          "bias": T(b), "grad_out": T(go), "y": T(y), "grad_x": T(gx),
                          "grad_weight": T(gw), "grad_bias": T(gb)})
    write("layer_norm.json", {"meta": meta(7007), "layer_norm": ln_cases, "linear_act": lin_cases})


# ----------------------------------------------------------------------------- pooling, batch norm
def make_pool_bn():
    """pool_bn.json: pooling forward + input gradient, BatchNorm1d/2d in training and evaluation.

    {"meta", "pool": [case], "batch_norm": [case], "running": [run]}
    pool case = {"case", "op": "max_pool2d" | "avg_pool2d" | "adaptive_avg_pool2d", "params" (the
        F.<op> keyword args; pairs as [h, w]), "x", "grad_out", "y", "grad_x"}.
    batch_norm case = {"case", "module": "BatchNorm1d" | "BatchNorm2d", "num_features", "eps",
        "momentum", "x", "weight", "bias", "grad_out", "y" (training mode), "grad_x", "grad_weight",
        "grad_bias", "running_mean", "running_var" (after this one step, from zeros and ones)}.
    run = {"case", "module", "num_features", "momentum" (null = cumulative average), "weight",
        "bias", "batches": [x1, x2, x3], "steps": [{"y", "running_mean", "running_var",
        "num_batches_tracked"}] (after each training step), "eval": {"x", "grad_out", "y",
        "grad_x", "grad_weight", "grad_bias"} (eval mode after the 3 steps)}.
    Grads are d(sum(y * grad_out)) / d input. Inputs are float32-representable.
    """
    g = gen(8008)
    rn = lambda *s: torch.randn(s, generator=g, dtype=torch.float32).to(DT)
    pool_specs = [  # (case, op, x, params)
        ("max_k2", "max_pool2d", rn(2, 2, 4, 6), {"kernel_size": [2, 2]}),
        ("max_k3_s2_p1_ceil", "max_pool2d", rn(1, 1, 7, 6),
         {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True}),
        ("max_dilated", "max_pool2d", rn(1, 1, 7, 6),
         {"kernel_size": [2, 3], "stride": [2, 1], "padding": [1, 1], "dilation": [2, 1]}),
        ("avg_k3_s2_p1", "avg_pool2d", rn(1, 1, 7, 6),
         {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1]}),
        ("avg_ceil_exclude_pad", "avg_pool2d", rn(1, 1, 6, 7),
         {"kernel_size": [3, 2], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True,
          "count_include_pad": False}),
        ("avg_ceil_include_pad", "avg_pool2d", rn(1, 1, 6, 7),
         {"kernel_size": [3, 2], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True}),
        ("adaptive_3x2", "adaptive_avg_pool2d", rn(1, 2, 7, 5), {"output_size": [3, 2]}),
        ("adaptive_global_3d", "adaptive_avg_pool2d", rn(3, 4, 5), {"output_size": [1, 1]}),
    ]
    fns = {"max_pool2d": F.max_pool2d, "avg_pool2d": F.avg_pool2d,
           "adaptive_avg_pool2d": F.adaptive_avg_pool2d}
    pool = []
    for case, op, x, params in pool_specs:
        xi = x.clone().requires_grad_(True)
        y = fns[op](xi, **{k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})
        go = rn(*y.shape)
        (gx,) = torch.autograd.grad((y * go).sum(), [xi])
        pool.append({"case": case, "op": op, "params": params, "x": T(x), "grad_out": T(go),
                     "y": T(y), "grad_x": T(gx)})

    def module(name, c, **kw):
        m = getattr(torch.nn, name)(c, dtype=DT, **kw)
        with torch.no_grad():
            m.weight.copy_(1.0 + 0.5 * rn(c))
            m.bias.copy_(0.5 * rn(c))
        return m

    bn = []
    for case, name, x in [("bn2d_train", "BatchNorm2d", 2.0 * rn(4, 3, 2, 3) + 1.0),
                          ("bn1d_train_2d", "BatchNorm1d", rn(5, 4) - 0.5),
                          ("bn1d_train_3d", "BatchNorm1d", rn(3, 3, 4))]:
        m = module(name, x.shape[1], eps=1e-3 if name == "BatchNorm1d" else 1e-5)
        w0, b0 = m.weight.detach().clone(), m.bias.detach().clone()
        xi = x.clone().requires_grad_(True)
        y = m(xi)
        go = rn(*y.shape)
        gx, gw, gb = torch.autograd.grad((y * go).sum(), [xi, m.weight, m.bias])
        bn.append({"case": case, "module": name, "num_features": x.shape[1], "eps": m.eps,
                   "momentum": m.momentum, "x": T(x), "weight": T(w0), "bias": T(b0),
                   "grad_out": T(go), "y": T(y), "grad_x": T(gx), "grad_weight": T(gw),
                   "grad_bias": T(gb), "running_mean": T(m.running_mean),
                   "running_var": T(m.running_var)})

    runs = []
    for case, name, momentum, shape in [("bn2d_momentum_0.1", "BatchNorm2d", 0.1, (2, 3, 2, 2)),
                                        ("bn2d_momentum_none", "BatchNorm2d", None, (2, 3, 2, 2)),
                                        ("bn1d_momentum_0.3", "BatchNorm1d", 0.3, (4, 3))]:
        m = module(name, shape[1], momentum=momentum)
        w0, b0 = m.weight.detach().clone(), m.bias.detach().clone()
        batches = [1.5 * rn(*shape) + float(k) for k in range(3)]  # means drift: the average matters
        steps = []
        for x in batches:
            y = m(x)
            steps.append({"y": T(y), "running_mean": T(m.running_mean),
                          "running_var": T(m.running_var),
                          "num_batches_tracked": int(m.num_batches_tracked)})
        m.eval()
        x = rn(*shape) + 1.0
        xi = x.clone().requires_grad_(True)
        y = m(xi)
        go = rn(*y.shape)
        gx, gw, gb = torch.autograd.grad((y * go).sum(), [xi, m.weight, m.bias])
        runs.append({"case": case, "module": name, "num_features": shape[1], "momentum": momentum,
                     "weight": T(w0), "bias": T(b0), "batches": [T(b) for b in batches],
                     "steps": steps, "eval": {"x": T(x), "grad_out": T(go), "y": T(y),
                                              "grad_x": T(gx), "grad_weight": T(gw),
                                              "grad_bias": T(gb)}})
    write("pool_bn.json", {"meta": meta(8008), "pool": pool, "batch_norm": bn, "running": runs})


# ----------------------------------------------------------------------------- convolutions
def make_conv():
    """conv.json: F.conv2d, F.conv1d and F.conv_transpose2d, forward and backward.

    {"meta", "cases": [case]}
    case = {"case", "op": "conv2d" | "conv1d" | "conv_transpose2d", "params" (the F.<op> keyword
        args: stride, padding, dilation (lists [h, w] for the 2-D ops, ints for conv1d; padding may
        be "same"), groups, and output_padding for conv_transpose2d), "x", "weight", "bias" (only
        when the case has one), "grad_out", "y", "grad_x", "grad_weight", "grad_bias" (with bias)}.
    Inputs are float32-representable, so the float32 run of the test sees exactly the same values.
    """
    import warnings
    g = gen(9009)
    rn = lambda *s: torch.randn(s, generator=g, dtype=DT).float().to(DT)
    specs = [  # (case, op, x shape, weight shape, bias, params)
        ("conv2d_basic", "conv2d", [2, 2, 4, 4], [3, 2, 3, 3], True, {}),
        ("conv2d_stride_padding_dilation", "conv2d", [1, 2, 7, 5], [2, 2, 3, 2], True,
         {"stride": [2, 1], "padding": [1, 2], "dilation": [2, 1]}),
        ("conv2d_same_even_kernel", "conv2d", [1, 2, 5, 4], [2, 2, 4, 2], False,
         {"padding": "same", "dilation": [1, 2]}),
        ("conv2d_groups", "conv2d", [1, 4, 3, 3], [4, 2, 3, 3], True, {"padding": [1, 1], "groups": 2}),
        ("conv2d_depthwise", "conv2d", [1, 3, 5, 5], [3, 1, 3, 3], True,
         {"stride": [2, 2], "padding": [1, 1], "groups": 3}),
        ("conv2d_1x1", "conv2d", [2, 4, 2, 3], [3, 4, 1, 1], True, {}),
        ("conv1d_stride_padding", "conv1d", [2, 3, 7], [4, 3, 3], True, {"stride": 2, "padding": 1}),
        ("conv1d_same_dilation_groups", "conv1d", [1, 4, 6], [4, 2, 4], False,
         {"padding": "same", "dilation": 2, "groups": 2}),
        ("conv_transpose2d_stride_output_padding", "conv_transpose2d", [1, 3, 3, 3], [3, 2, 3, 3], True,
         {"stride": [2, 2], "padding": [1, 1], "output_padding": [1, 1]}),
        ("conv_transpose2d_groups_dilation", "conv_transpose2d", [1, 4, 2, 3], [4, 1, 2, 2], True,
         {"stride": [1, 2], "output_padding": [1, 1], "groups": 2, "dilation": [2, 1]}),
    ]
    fns = {"conv2d": F.conv2d, "conv1d": F.conv1d, "conv_transpose2d": F.conv_transpose2d}
    cases = []
    for case, op, xs, ws, has_bias, params in specs:
        x, w = rn(*xs), rn(*ws)
        out_channels = ws[0] if op != "conv_transpose2d" else ws[1] * params.get("groups", 1)
        b = rn(out_channels) if has_bias else None
        inputs = [t.clone().requires_grad_(True) for t in ([x, w] + ([b] if has_bias else []))]
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in params.items()}
        with warnings.catch_warnings():  # "same" with an even kernel: PyTorch notes its padded copy
            warnings.simplefilter("ignore", UserWarning)
            y = fns[op](inputs[0], inputs[1], inputs[2] if has_bias else None, **kw)
        go = rn(*y.shape)
        grads = torch.autograd.grad((y * go).sum(), inputs)
        c = {"case": case, "op": op, "params": params, "x": T(x), "weight": T(w)}
        if has_bias:
            c["bias"] = T(b)
        c.update({"grad_out": T(go), "y": T(y), "grad_x": T(grads[0]), "grad_weight": T(grads[1])})
        if has_bias:
            c["grad_bias"] = T(grads[2])
        cases.append(c)
    write("conv.json", {"meta": meta(9009), "cases": cases})


# ----------------------------------------------------------------------------- a small CNN
def make_cnn_model():
    """cnn_model.json: a small CNN end to end, one training-mode step.

    {"meta", "x" [3,2,8,8], "target" [3] ints, "state_dict" (before the step; BatchNorm buffers
    included), "layer_outputs" [per layer], "logits", "loss" (cross-entropy, mean), "grads"
    {parameter name: gradient}, "grad_x", "running_mean", "running_var" (BatchNorm2d's buffers
    after the forward), "eval_logits" (the model in eval mode after that forward)}.
    Model: Conv2d(2,4,3,padding=1), BatchNorm2d(4), ReLU, MaxPool2d(2), Conv2d(4,6,3,groups=2),
    ReLU, AdaptiveAvgPool2d(1), Flatten, Linear(6,3).
    """
    g = gen(6006)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3, groups=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(6, 3)).to(DT)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=DT) * 0.5)
        model[1].running_mean.copy_(torch.randn(4, generator=g, dtype=DT) * 0.1)
        model[1].running_var.copy_(1.0 + torch.rand(4, generator=g, dtype=DT))
    sd = {k: T(v) for k, v in model.state_dict().items()}
    model.train()
    x = torch.randn(3, 2, 8, 8, generator=g, dtype=DT).requires_grad_(True)
    target = torch.randint(0, 3, (3,), generator=g)
    hidden, h = [], x
    for m in model:
        h = m(h)
        hidden.append(T(h))
    loss = F.cross_entropy(h, target)
    loss.backward()
    running_mean, running_var = T(model[1].running_mean), T(model[1].running_var)
    model.eval()
    with torch.no_grad():
        eval_logits = model(x)
    write("cnn_model.json", {"meta": meta(6006, loss="cross_entropy(logits, target), reduction mean"),
                             "x": T(x), "target": ints(target), "state_dict": sd, "layer_outputs": hidden,
                             "logits": T(h), "loss": float(loss),
                             "grads": {k: T(p.grad) for k, p in model.named_parameters()},
                             "grad_x": T(x.grad), "running_mean": running_mean, "running_var": running_var,
                             "eval_logits": T(eval_logits)})

# ----------------------------------------------------------------------------- attention
def _sdpa(q, k, v, mask, causal, scale):
    """softmax(q kᵀ·scale, masked)·v in float64, kv heads repeated for grouped-query attention.

    TinyTorch's convention for a query row with no visible key is zeros (PyTorch's would be NaN):
    hidden scores are filled with -1e30 (not -inf) and the probabilities zeroed after, which
    gives that row o = 0 and zero gradient."""
    B, Hq, Tq, D = q.shape
    Hkv, Tk = k.shape[1], k.shape[2]
    k = k.repeat_interleave(Hq // Hkv, dim=1)
    v = v.repeat_interleave(Hq // Hkv, dim=1)
    s = (q @ k.transpose(-1, -2)) * scale
    visible = torch.ones(Tq, Tk, dtype=torch.bool)
    if causal:  # bottom-right aligned: query i sees key j iff j <= i + (Tk - Tq)
        visible = torch.arange(Tk)[None, :] <= torch.arange(Tq)[:, None] + (Tk - Tq)
    if mask is not None:
        visible = visible & mask
    p = torch.softmax(s.masked_fill(~visible, -1e30), dim=-1).masked_fill(~visible, 0.0)
    return p @ v


def make_attention():
    """attention.json: scaled dot-product attention (with GQA, causal and bool masks), RMSNorm and
    rotary position embedding, forward and backward.

    {"meta", "attention": [case], "rms_norm": [case], "rope": [case]}
    attention case = {"case", "causal": bool, "scale", "q" [B,Hq,Tq,D], "k" [B,Hkv,Tk,D],
        "v" [B,Hkv,Tk,Dv], "mask" (only when present: a tensor of 0/1 values, true = attend,
        broadcast to [B,Hq,Tq,Tk]), "grad_out", "o", "grad_q", "grad_k", "grad_v"}.
    rms_norm case = {"case", "eps", "x", "weight", "grad_out", "y", "grad_x", "grad_weight"},
        y = x / sqrt(mean(x², last dim) + eps) · weight (Hugging Face LlamaRMSNorm).
    rope case = {"case", "pos0", "base", "x" [..., T, D], "grad_out", "y", "grad_x"}, rotate-half
        (Hugging Face LLaMA's apply_rotary_pos_emb) at positions pos0 + t.
    Grads are d(sum(out * grad_out)) / d input.
    """
    g = gen(1111)
    rn = lambda *s: torch.randn(s, generator=g, dtype=DT)
    att_specs = [  # (case, B, Hq, Hkv, Tq, Tk, D, Dv, causal, mask shape or None)
        ("gqa_causal", 2, 4, 2, 5, 5, 8, 8, True, None),
        ("gqa_causal_mask_fully_masked_row", 1, 2, 1, 4, 4, 4, 4, True, (4, 4)),
        ("mqa_key_padding_decode", 2, 4, 1, 1, 6, 8, 4, True, (2, 1, 1, 6)),
    ]
    att = []
    for case, B, Hq, Hkv, Tq, Tk, D, Dv, causal, mshape in att_specs:
        q, k, v = rn(B, Hq, Tq, D), rn(B, Hkv, Tk, D), rn(B, Hkv, Tk, Dv)
        mask = None
        if mshape is not None:
            mask = torch.rand(mshape, generator=g, dtype=DT) > 0.3
            if len(mshape) == 2:
                mask[1, :] = False  # row 1 sees no key: zeros, zero gradient
        scale = 1.0 / math.sqrt(D)
        qi, ki, vi = (t.clone().requires_grad_(True) for t in (q, k, v))
        o = _sdpa(qi, ki, vi, mask, causal, scale)
        go = rn(*o.shape)
        gq, gk, gv = torch.autograd.grad((o * go).sum(), [qi, ki, vi])
        c = {"case": case, "causal": causal, "scale": scale, "q": T(q), "k": T(k), "v": T(v)}
        if mask is not None:
            c["mask"] = T(mask.to(DT))
        c.update({"grad_out": T(go), "o": T(o), "grad_q": T(gq), "grad_k": T(gk), "grad_v": T(gv)})
        att.append(c)
    rms = []
    for case, shape, eps in [("rows_of_8", (3, 8), 1e-6), ("btc", (2, 3, 6), 1e-5)]:
        x, w = rn(*shape), 1.0 + 0.5 * rn(shape[-1])
        xi, wi = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
        y = xi * torch.rsqrt(xi.pow(2).mean(-1, keepdim=True) + eps) * wi
        go = rn(*y.shape)
        gx, gw = torch.autograd.grad((y * go).sum(), [xi, wi])
        rms.append({"case": case, "eps": eps, "x": T(x), "weight": T(w), "grad_out": T(go), "y": T(y),
                    "grad_x": T(gx), "grad_weight": T(gw)})
    rope = []
    for case, shape, pos0, base in [("bhtd", (1, 2, 5, 8), 0, 10000.0), ("offset_base100", (2, 3, 6), 7, 100.0)]:
        x = rn(*shape)
        Tn, Dn = shape[-2], shape[-1]
        inv_freq = 1.0 / (base ** (torch.arange(0, Dn, 2, dtype=DT) / Dn))  # θ_i = base^(-2i/D)
        ang = torch.outer(torch.arange(pos0, pos0 + Tn, dtype=DT), inv_freq)
        emb = torch.cat([ang, ang], dim=-1)
        rot_half = lambda t: torch.cat([-t[..., Dn // 2:], t[..., :Dn // 2]], dim=-1)
        xi = x.clone().requires_grad_(True)
        y = xi * emb.cos() + rot_half(xi) * emb.sin()
        go = rn(*y.shape)
        (gx,) = torch.autograd.grad((y * go).sum(), [xi])
        rope.append({"case": case, "pos0": pos0, "base": base, "x": T(x), "grad_out": T(go), "y": T(y),
                     "grad_x": T(gx)})
    write("attention.json", {"meta": meta(1111), "attention": att, "rms_norm": rms, "rope": rope})


if __name__ == "__main__":
    make_activations()
    make_losses()
    make_optimizers()
    make_schedulers()
    make_mlp()
    make_init_stats()
    make_layer_norm()
    make_pool_bn()
    make_conv()
    make_cnn_model()
    make_attention()
