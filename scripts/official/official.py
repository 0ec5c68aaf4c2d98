"""Runs the OFFICIAL optimizer implementations (torch built-ins, or the upstream files imported from a
checkout directory) on a `minima replay` problem, in float32, and records the same trajectory.

Nothing upstream is copied: the upstream modules are imported from `--upstream DIR`, which holds one
checkout per repository (folder names in UPSTREAM below). What is ours is glue, and each piece is
named where it is used (see `GLUE`):
  * the model, the full-batch closures and the loss definitions (mean softmax CE; MSE mean over all
    outputs), which are those of src/commands/replay.ts;
  * wiring each wrapper's base optimizer and a constant-rho scheduler where the official class
    needs one (GSAM, GAM);
  * gradient clipping: torch.nn.utils.clip_grad_norm_ called right before the (base) optimizer's
    step, which is where minima's `clip_grad_norm` acts;
  * SGDW: there is no official PyTorch SGDW, so torch.optim.SGD(weight_decay=0) plus the decoupled
    decay p ← p·(1 − lr·wd) before its step;
  * reading diagnostics: sys.settrace records locals of upstream functions when they return, and
    MoMo's `min` is looked up through a module-global hook; the upstream code runs unchanged.
"""
from __future__ import annotations

import builtins
import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from types import MethodType, ModuleType, SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from problems import LAYOUTS

# folder under --upstream -> (GitHub repository, commit the results were measured at)
UPSTREAM = {
    'automl': ('google/automl', '6a54c8741e7c3265d4547c4f35f47a0391122dc5'),
    'Grams': ('Gunale0926/Grams', 'f91a375daaa85c5a4644e3f064ca6693c59f6cdb'),
    'MoMo': ('fabian-sp/MoMo', '7be52f222709b6fe324c0bf4fe985491bc909f50'),
    'sam': ('davda54/sam', '3c3afdbd71cff2462ec91c734b3d1170bd0f3707'),
    'ASAM': ('SamsungLabs/ASAM', 'f156a680171db16d551c0d85cba2514fa3bff6a2'),
    'GSAM': ('juntang-zhuang/GSAM', 'a770275b3324a3ed4bf4a1cddb976b2782ba852b'),
    'GAM': ('xxgege/GAM', '694133d9df9266a3df892087ca6b1be72ba610c0'),
    'grokking-at-the-edge-of-numerical-stability': (
        'LucasPrietoAl/grokking-at-the-edge-of-numerical-stability', '0cc9e8dc62ce5ed66d29d80eebbaf14da2f71c67'),
    # flatness and regularisation procedures (issue 18)
    'AMP-Regularizer': ('hiyouga/AMP-Regularizer', '87e689fa2a570bfbeda5c74e4edb007c1be524ea'),
    'AWP': ('csdongxian/AWP', 'a7acf5d842fccf1bbb4b91644352ce157d370a26'),
    'F-SAM': ('nblt/F-SAM', '2e2f9899ab473880430640fa5def4ad8f5aa2401'),
    'dlrover': ('intelligent-machine-learning/dlrover', 'bfd04ef1df01efe6061d3ef2111405907b24313a'),
    'SAF': ('AngusDujw/SAF', '6e856004c59f9a8497d48e4a5d545e59f7b87d3e'),
    # tier 2 (issue 21)
    'AdamP': ('clovaai/AdamP', '7f6f0383ff6ad3839d5c7f79f1db0a44c5a12fdb'),
    'pytorch-lamb': ('cybertronai/pytorch-lamb', 'd3ab8dccf6717977c1ad0d6b95499f6b25bba41b'),
    'pytorch-image-models': ('huggingface/pytorch-image-models', 'aa4b5850c1543fa488abf260f18390eda46cf85d'),
    'C-Optim': ('kyleliang919/C-Optim', '2c0517c4db2e50b56d389ba4803eab1f4b3b8ae3'),
    'adopt': ('iShohei220/adopt', '6468572b4b3688a2f056b796b071da540568520e'),
    'Adabelief-Optimizer': ('juntang-zhuang/Adabelief-Optimizer', '2855178eff6776762793f915ce2c615f776a1e4b'),
    'grokfast': ('ironjr/grokfast', '93b2248e351d4bb9e4dda8ac32a6999b8970404b'),
    'Adan': ('sail-sg/Adan', '2c65beaf400775753b155da4082c3819fea689b9'),
    'Muon': ('KellerJordan/Muon', '857d1adc159e098212f828d927460782d3da59e9'),
    'schedule_free': ('facebookresearch/schedule_free', '70785b53e778d0e872c0bbb75ff4ee54ee10c291'),
    'prodigy': ('konstmish/prodigy', '3efb213ee8af5a6bf76f28726398433a847b38e9'),
    'dadaptation': ('facebookresearch/dadaptation', 'c984980213a989ff7cac1e3d68c19a2257bcd571'),
    'Sophia': ('Liuhong99/Sophia', 'a7e157229b71d58cf995d32854f1be15c265b350'),
    # philipzmr/FRUGAL could not be cloned here; this copy carries its author's (fzmushko) commits unchanged
    # up to c7ebe4c, on which the copy's owner later built (dynamic rho/T): check out c7ebe4c
    'FRUGAL': ('hungquangbui02022003/FRUGAL', 'c7ebe4c242f7908e036c287e3a10512a84634648'),
}

# The glue each optimizer needs beyond "construct the official class and call it as its README does".
GLUE = {
    'sgd': 'none (torch.optim.SGD)',
    'sgdw': 'no official PyTorch SGDW: torch.optim.SGD(weight_decay=0) + p·(1 − lr·wd) (or p·(1 − wd)) before its step',
    'adam': 'none (torch.optim.Adam)',
    'adamw': 'none (torch.optim.AdamW)',
    'lion': 'none (automl lion/lion_pytorch.py Lion)',
    'grams': 'none (Grams grams/src/grams.py Grams)',
    'momo': 'none (MoMo momo.Momo, step(loss=loss)); tau/t1/lb read through a hook on the module-global `min`',
    'momo-adam': 'none (MoMo momo.MomoAdam, step(loss=loss)); tau/t1/lb read through a hook on `min`',
    'sam': 'davda54 SAM(params, base_cls, rho, adaptive, **base_kwargs); first backward before step(closure); '
           'a wrapper-level clip is applied to the base step (the two-step usage, clip before second_step)',
    'asam': 'ASAM(base, model, rho, eta) with kernels registered under names containing "weight" '
            '(torch name test) and biases under "bias*"; example_cifar.py loop (ascent_step / descent_step)',
    'gsam': 'GSAM needs a rho_scheduler: ProportionScheduler(LambdaLR(base, 1), lr, lr, rho, rho) (constant rho); '
            'alpha and rho have no class default, minima defaults are passed',
    'gam': 'GAM needs rho schedulers (ProportionScheduler, constant) and an args namespace with grad_beta_1, '
           'grad_beta_2 = 1 − grad_beta_0, grad_beta_3 = 1 − grad_beta_1, grad_gamma (as main_cifar.py derives them); '
           'no class defaults, minima defaults are passed',
    'orthograd': 'OrthoGrad(params, base_cls, **base_kwargs); backward, then step() (its step(closure) would '
                 'recompute the gradients after projecting them)',
    # flatness and regularisation procedures (issue 18)
    'amp': 'AMP(params, lr, epsilon, inner_lr, inner_iter, base_optimizer=base_cls, **base_kwargs) and its '
           'step(closure) as main.py; the closure returns (outputs, loss)',
    'awp': 'AdvWeightPerturb(model, proxy, proxy_optim=SGD(proxy, lr=proxy_lr), gamma) on the clean batch: '
           'calc_awp, perturb, backward at w + γv, base step, restore (train_cifar10.py order); its module-global '
           '`F.cross_entropy` is pointed at the problem\'s loss (calc_awp hard-codes −CE)',
    'friendly-sam': 'FriendlySAM(params, base_cls, rho, sigma, lmbda, adaptive, **base_kwargs) and step(closure) after a '
                    'first backward; the class is taken from utils.py by ast (the module imports torchvision and timm)',
    'mesa': 'the loss mesa and its EMA teacher: MESA_train.py train_one_epoch run as published (taken out by ast: the script '
            'imports timm models, torchvision and tensorboard), one call per step with epoch = step // steps_per_epoch and a '
            'one-batch loader of (indices, x, y) (prefetcher on: no .cuda(); torch.cuda.synchronize a no-op on CPU; no '
            'logging); the vendored timm ModelEmaV2 teacher and rein_CrossEntropyLoss; the base optimizer is the case\'s '
            '(torch.optim.SGD); unset loss options take the script\'s argparse defaults, read from its source',
    'wsam': 'WeightedSAM(model, base, rho, gamma, sam_eps, adaptive, decouple, max_norm) and step(closure); '
            'atorch.optimizers.utils (BatchNorm switches) is stubbed with no-ops (the problems have no BatchNorm)',
    # tier 2: classic baselines (issue 21)
    'rmsprop': 'none (torch.optim.RMSprop)',
    'adagrad': 'none (torch.optim.Adagrad)',
    'adadelta': 'none (torch.optim.Adadelta)',
    'adamax': 'none (torch.optim.Adamax)',
    'nadam': 'none (torch.optim.NAdam)',
    'radam': 'none (torch.optim.RAdam)',
    'asgd': 'none (torch.optim.ASGD); its averaged iterate ax is not compared (state only)',
    'sign-sgd': 'no official PyTorch signSGD (the authors\' is MXNet signsgd_update): SignReference, the MXNet formula in torch ops',
    'signum': 'no official PyTorch Signum (the authors\' is MXNet Signum): SignReference, the MXNet formula in torch ops',
    'lamb': 'cybertronai/pytorch-lamb Lamb (bias_correction false; a stub `tensorboardX` module, imported only for its logging '
            'helper) or, with bias_correction, timm Lamb(max_grad_norm=None, always_adapt=True); minima\'s excluded tensors '
            '(biases) go to a second Lamb(adam=True, weight_decay=0) / a timm group with weight_decay 0 and always_adapt False',
    'lars': 'timm Lars; minima\'s excluded tensors (biases) in a parameter group with weight_decay 0 (timm does not adapt it)',
    'adamp': 'AdamP on kernels in torch\'s [out, in] layout (Net(torch_layout=True): W stored transposed, x @ W.T), '
             'so its channel view (dim 0) is the output channel, as minima\'s last axis',
    'sgdp': 'SGDP on kernels in torch\'s [out, in] layout, as adamp',
    'cautious': 'C-Optim c_lion.Lion (base lion, normalize count) or c_adamw.AdamW(correct_bias=True, foreach=False) '
                '(base adamw, normalize mean; imported without a package __init__ for its relative import); the '
                'C-AdamW denominator is HF-style sqrt(v) + eps, so the cases set a negligible eps on both sides',
    'adopt': 'none (adopt.ADOPT; clip_exponent e passed as clip_lambda = step**e, null as None)',
    'adabelief': 'adabelief_pytorch 0.2.1 AdaBelief(print_change_log=False); stub `tabulate`/`colorama` modules '
                 '(imported for the change-log printout only)',
    'grokfast': 'gradfilter_ema / gradfilter_ma(model, grads, …) between backward() and the base step, as its README',
    'adan': 'none (Adan, its default foreach path)',
    'muon': 'SingleDeviceMuonWithAuxAdam with the kernels (rank ≥ 2, torch [out, in] layout) in a use_muon group and the '
            'biases in an Adam group; zeropower_via_newtonschulz5 recompiled from its source with G.bfloat16() → the '
            "problem's float dtype (minima computes in float32); nesterov and ns_steps are muon_update's fixed defaults",
    'schedule-free-sgd': 'none (SGDScheduleFree; optimizer.train() before the first step; the parameters are y in train mode)',
    'schedule-free-adamw': 'none (AdamWScheduleFree; optimizer.train() before the first step)',
    'prodigy': 'none (Prodigy; growth_rate null passed as inf); d read from param_groups[0] after each step',
    'dadapt-adam': 'none (DAdaptAdam; growth_rate null as inf); d read from param_groups[0] after each step',
    'dadapt-sgd': 'none (DAdaptSGD; growth_rate null as inf); d read from param_groups[0] after each step',
    'frugal': 'BlockAdamW / CoordAdamW / GaloreAdamW (frugal/adamw.py, imported without the package __init__) with the kernels '
              '(torch [out, in] layout; block: the tensors of roles outside state_full_roles) as the is_proj_params group and the rest as the regular AdamW group; stubs for '
              'transformers.utils.versions.require_version (a version check) and torch.optim.optimizer._dispatch_sqrt '
              '(removed from torch; math.sqrt of the int step count). Random draws (torch.randperm, orthogonal_) cannot '
              'be matched, so only ρ 1 coordinate cases (every coordinate kept), svd projections and block sets that are not drawn (ρ 1, ascending, descending, mirror) are compared',
    'polyak-sgd': 'no PyTorch code (optax polyak_sgd is JAX): PolyakReference, chain(sgd(scaling), scale_by_polyak) in torch ops',
    # tier 2: second-order (issue 21)
    'lbfgs': 'none (torch.optim.LBFGS, step(closure) with a closure that zeroes, evaluates and backpropagates the full batch)',
    'sophia': 'SophiaG from sophia.py and train_sophiag.py\'s loop order (update_hessian from the gradient of F.cross_entropy against '
              'labels drawn from the logits, then clip and update_hessian; step(bs=labels drawn)), moved before the step it feeds on the same '
              'full batch; the labels are drawn by minima\'s inverse-CDF rule from a Python port of its Rng (MinimaRng) instead of '
              'Categorical.sample(), so both sides draw the same; the MLP\'s outputs are read as logits for the draw (as replay does); '
              'gnb only (no official Hutchinson code)',
}

# optimizers whose per-channel views need kernels in torch's [out, in] layout (glue in Net)
TORCH_LAYOUT = {'adamp', 'sgdp', 'muon', 'frugal'}

TORCH_NAMES = {'W': 'weight', 'b': 'bias', 'W1': 'weight1', 'b1': 'bias1', 'W2': 'weight2', 'b2': 'bias2'}


class Upstream:
    """Imports upstream modules from one checkout per repository under `root`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._cache: dict[str, object] = {}

    def repo(self, folder: str) -> Path:
        path = self.root / folder
        if not path.is_dir():
            repo, commit = UPSTREAM[folder]
            raise FileNotFoundError(f'missing checkout {path} (git clone https://github.com/{repo} {path}; '
                                    f'git -C {path} checkout {commit})')
        return path

    def file(self, folder: str, rel: str):
        """A single-file module, loaded under a private name (sam.py and asam.py would collide)."""
        key = f'{folder}:{rel}'
        if key not in self._cache:
            path = self.repo(folder) / rel
            name = 'upstream_' + ''.join(c if c.isalnum() else '_' for c in f'{folder}_{rel[:-3]}')
            spec = importlib.util.spec_from_file_location(name, path)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            spec.loader.exec_module(mod)
            self._cache[key] = mod
        return self._cache[key]

    def package(self, folder: str, module: str):
        """A module inside a package that uses relative imports (momo, gsam, gam)."""
        key = f'{folder}:{module}'
        if key not in self._cache:
            root = str(self.repo(folder))
            if root not in sys.path:
                sys.path.insert(0, root)
            self._cache[key] = importlib.import_module(module)
        return self._cache[key]


def _subpackage(up: 'Upstream', folder: str, rel_dir: str, module: str):
    """GLUE: a module of a package directory imported without running the package's __init__
    (timm/optim/__init__.py imports timm.models); its relative imports resolve inside the directory."""
    name = 'upstream_' + ''.join(c if c.isalnum() else '_' for c in f'{folder}_{rel_dir}')
    if name not in sys.modules:
        pkg = ModuleType(name)
        pkg.__path__ = [str(up.repo(folder) / rel_dir)]
        sys.modules[name] = pkg
    return importlib.import_module(f'{name}.{module}')


def _lamb_reference(up: 'Upstream'):
    """GLUE: cybertronai's lamb.py imports tensorboardX for its logging helper only; a stub stands in."""
    if 'tensorboardX' not in sys.modules:
        stub = ModuleType('tensorboardX')
        stub.SummaryWriter = object
        sys.modules['tensorboardX'] = stub
    return up.file('pytorch-lamb', 'pytorch_lamb/lamb.py')


class Net(nn.Module):
    """The replay models, parameters in minima's layout and order. Kernel names contain 'weight'."""

    def __init__(self, kind: str, params: dict, dtype=torch.float32, torch_layout: bool = False):
        super().__init__()
        self.kind = kind
        # GLUE (AdamP/SGDP): kernels stored as torch's [out, in], so per-channel views see output channels
        self.torch_layout = torch_layout
        for name in LAYOUTS[kind]:
            data = torch.tensor(np.asarray(params[name], dtype=np.float32)).to(dtype)
            if torch_layout and data.dim() == 2:
                data = data.t().contiguous()
            self.register_parameter(TORCH_NAMES[name], nn.Parameter(data))

    def _k(self, w):
        return w.t() if self.torch_layout else w

    def forward(self, x):
        if self.kind == 'linear-softmax':
            return x @ self._k(self.weight) + self.bias
        h = torch.tanh(x @ self._k(self.weight1) + self.bias1)
        return h @ self._k(self.weight2) + self.bias2

    def snapshot(self) -> dict[str, np.ndarray]:
        out = {}
        for name in LAYOUTS[self.kind]:
            t = getattr(self, TORCH_NAMES[name]).detach()
            if self.torch_layout and t.dim() == 2:
                t = t.t()
            out[name] = t.numpy().astype(np.float64).copy()
        return out


def loss_function(kind: str):
    # torch's default 'mean' reductions: CE over examples; MSE over all n·k outputs (replay.ts)
    return F.cross_entropy if kind == 'linear-softmax' else F.mse_loss


class LocalsTrace:
    """Records locals of chosen functions as they return (sys.settrace; upstream code untouched)."""

    def __init__(self, targets: dict):
        self.codes = {inspect.unwrap(fn).__code__: names for fn, names in targets.items()}
        self.records: list[tuple[str, dict]] = []

    def __enter__(self):
        self._prev = sys.gettrace()
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        sys.settrace(self._prev)

    def _global(self, frame, event, arg):
        return self._local if event == 'call' and frame.f_code in self.codes else None

    def _local(self, frame, event, arg):
        if event == 'return':
            self.records.append((frame.f_code.co_name, {n: _num(frame.f_locals.get(n)) for n in self.codes[frame.f_code]}))
        return self._local

    def first(self, func: str, name: str):
        for fn, vals in self.records:
            if fn == func:
                return vals[name]
        return None


def _num(v):
    if v is None:
        return None
    if isinstance(v, torch.Tensor):
        return float(v.detach().reshape(-1)[0])
    return float(v)


class SGDW(torch.optim.SGD):
    """GLUE (no official PyTorch SGDW): decoupled decay before a torch SGD step without decay."""

    def __init__(self, params, weight_decay=0.0, decay_scaled_by_lr=True, **kwargs):
        super().__init__(params, weight_decay=0.0, **kwargs)
        self._wd, self._scaled = weight_decay, decay_scaled_by_lr

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            factor = 1 - (group['lr'] * self._wd if self._scaled else self._wd)
            for p in group['params']:
                if p.grad is not None and self._wd != 0:
                    p.mul_(factor)
        return super().step(closure)


class SignReference(torch.optim.Optimizer):
    """GLUE (no official PyTorch signSGD/Signum; the authors' code is MXNet's Signum optimizer):
    g' = g + wd·w;  m = momentum·m + (1 − momentum)·g' (momentum > 0);  w = (1 − lr·wd_lh)·w − lr·sign(m or g')."""

    def __init__(self, params, lr=0.01, momentum=0.0, weight_decay=0.0, wd_lh=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, wd_lh=wd_lh))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, beta, wd, wd_lh = group['lr'], group['momentum'], group['weight_decay'], group['wd_lh']
            for p in group['params']:
                g = p.grad if wd == 0 else p.grad.add(p, alpha=wd)
                if beta > 0:
                    m = self.state[p].setdefault('mom', torch.zeros_like(p))
                    m.mul_(beta).add_(g, alpha=1 - beta)
                    g = m
                if wd_lh != 0:
                    p.mul_(1 - lr * wd_lh)
                p.add_(torch.sign(g), alpha=-lr)


def _u32(x: int) -> int:
    return x & 0xFFFFFFFF


def _splitmix32(seed: int):
    s = _u32(seed)

    def nxt():
        nonlocal s
        s = _u32(s + 0x9E3779B9)
        z = s
        z = _u32((z ^ (z >> 16)) * 0x85EBCA6B)
        z = _u32((z ^ (z >> 13)) * 0xC2B2AE35)
        return _u32(z ^ (z >> 16))
    return nxt


def minima_hash_seed(seed: int, *labels) -> int:
    """GLUE: src/core/random.ts hashSeed (FNV-1a of '|label' strings mixed with the seed, then splitmix32)."""
    h = _u32(_u32(0x811C9DC5 ^ _u32(seed)) * 0x01000193)
    for label in labels:
        for ch in f'|{label}':
            h = _u32(_u32(h ^ ord(ch)) * 0x01000193)
    return _splitmix32(h)()


class MinimaRng:
    """GLUE: src/core/random.ts Rng (xoshiro128** seeded by splitmix32), for draws both sides must share."""

    def __init__(self, seed: int):
        sm = _splitmix32(seed)
        self.s = [sm(), sm(), sm(), sm()]
        if not any(self.s):
            self.s[0] = 1

    def uniform(self) -> float:
        s0, s1, s2, s3 = self.s
        rotl = lambda x, k: _u32((x << k) | (x >> (32 - k)))
        result = _u32(rotl(_u32(s1 * 5), 7) * 9)
        t = _u32(s1 << 9)
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 = _u32(s2 ^ t)
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result / 4294967296


def minima_draw_labels(probs: np.ndarray, seed: int) -> torch.Tensor:
    """GLUE: src/train/sampled-labels.ts drawLabels: first class whose running sum of the float32 probabilities exceeds u."""
    rng = MinimaRng(seed)
    out = []
    for row in probs:
        u = rng.uniform()
        cum, c = 0.0, 0
        while c < len(row) - 1:
            cum += float(row[c])
            if u < cum:
                break
            c += 1
        out.append(c)
    return torch.tensor(out, dtype=torch.long)


class Unsupported(Exception):
    """A minima setting the official code has no equivalent for."""


class PolyakReference(torch.optim.Optimizer):
    """GLUE: optax `polyak_sgd` (chain(sgd(scaling), scale_by_polyak(...)), alias.py/transform.py) in torch
    ops: u = −s·g; γ = min(gap/(‖u‖² + eps), γ_max) (gap = f − f*, sps+: max(gap, 0)); γ = 0 when
    ‖u‖² + eps ≤ float64 eps; p ← p + γ·u. The optimizer of the JAX code has no PyTorch release."""

    def __init__(self, params, lr=1.0, max_learning_rate=1.0, f_min=0.0, eps=0.0, variant='sps'):
        super().__init__(params, dict(lr=lr, max_learning_rate=max_learning_rate, f_min=f_min, eps=eps, variant=variant))

    @torch.no_grad()
    def step(self, loss):
        group = self.param_groups[0]
        ps = [p for g in self.param_groups for p in g['params']]
        us = [p.grad * -group['lr'] for p in ps]
        norm = sum((u * u).sum() for u in us)
        gap = loss.detach() - group['f_min']
        if group['variant'] == 'sps+':
            gap = torch.clamp(gap, min=0)
        denom = norm + group['eps']
        step = torch.where(denom <= np.finfo(float).eps, torch.zeros_like(denom), torch.clamp(gap / denom, max=group['max_learning_rate']))
        for p, u in zip(ps, us):
            p.add_(u * step)
        return step


def _pick(spec: dict, keys, rename=None) -> dict:
    rename = rename or {}
    out = {}
    for k in keys:
        if k in spec:
            v = spec[k]
            out[rename.get(k, k)] = tuple(v) if isinstance(v, list) else v
    return out


def base_class(spec: dict, up: Upstream):
    """(class, kwargs) of a non-wrapper optimizer; only the keys the spec sets, so defaults are the official ones."""
    name = spec['name']
    if name == 'sgd':
        return torch.optim.SGD, _pick(spec, ['lr', 'momentum', 'dampening', 'nesterov', 'weight_decay'])
    if name == 'sgdw':
        return SGDW, _pick(spec, ['lr', 'momentum', 'dampening', 'nesterov', 'weight_decay', 'decay_scaled_by_lr'])
    if name == 'adam':
        return torch.optim.Adam, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad'])
    if name == 'adamw':
        return torch.optim.AdamW, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad'])
    if name == 'lion':
        return up.file('automl', 'lion/lion_pytorch.py').Lion, _pick(spec, ['lr', 'betas', 'weight_decay'])
    if name == 'grams':
        return up.file('Grams', 'grams/src/grams.py').Grams, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'correct_bias'])
    # tier 2: classic baselines (issue 21)
    if name == 'rmsprop':
        return torch.optim.RMSprop, _pick(spec, ['lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'centered'])
    if name == 'adagrad':
        return torch.optim.Adagrad, _pick(spec, ['lr', 'lr_decay', 'weight_decay', 'initial_accumulator_value', 'eps'])
    if name == 'adadelta':
        return torch.optim.Adadelta, _pick(spec, ['lr', 'rho', 'eps', 'weight_decay'])
    if name == 'adamax':
        return torch.optim.Adamax, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay'])
    if name == 'nadam':
        return torch.optim.NAdam, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'momentum_decay', 'decoupled_weight_decay'])
    if name == 'radam':
        return torch.optim.RAdam, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'decoupled_weight_decay'])
    if name == 'asgd':
        return torch.optim.ASGD, _pick(spec, ['lr', 'lambd', 'alpha', 't0', 'weight_decay'])
    if name == 'sign-sgd':
        # MXNet's defaults (lr 0.01), momentum 0 selects signsgd_update
        return SignReference, {'lr': 0.01, **_pick(spec, ['lr', 'weight_decay', 'wd_lh'])}
    if name == 'signum':
        return SignReference, {'lr': 0.01, 'momentum': 0.9, **_pick(spec, ['lr', 'momentum', 'weight_decay', 'wd_lh'])}
    if name == 'adopt':
        kwargs = _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'decouple'])
        if 'clip_exponent' in spec:
            e = spec['clip_exponent']
            kwargs['clip_lambda'] = None if e is None else (lambda step, e=e: step ** e)
        return up.package('adopt', 'src.adopt.adopt').ADOPT, kwargs
    if name == 'adabelief':
        for stub in ('tabulate', 'colorama'):
            if stub not in sys.modules:
                m = ModuleType(stub)
                m.tabulate = lambda *a, **k: ''
                m.Fore = m.Back = m.Style = SimpleNamespace(RED='', GREEN='', BLUE='', RESET_ALL='')
                sys.modules[stub] = m
        cls = up.file('Adabelief-Optimizer', 'pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py').AdaBelief
        return cls, {'print_change_log': False, **_pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'weight_decouple', 'fixed_decay', 'rectify', 'degenerated_to_sgd'])}
    if name == 'adan':
        return up.file('Adan', 'adan.py').Adan, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'max_grad_norm', 'no_prox'])
    if name == 'schedule-free-sgd':
        return up.file('schedule_free', 'schedulefree/sgd_schedulefree.py').SGDScheduleFree, _pick(
            spec, ['lr', 'momentum', 'weight_decay', 'warmup_steps', 'r', 'weight_lr_power'])
    if name == 'schedule-free-adamw':
        return up.file('schedule_free', 'schedulefree/adamw_schedulefree.py').AdamWScheduleFree, _pick(
            spec, ['lr', 'betas', 'eps', 'weight_decay', 'warmup_steps', 'r', 'weight_lr_power', 'inner_momentum'])
    if name == 'prodigy':
        return up.file('prodigy', 'prodigyopt/prodigy.py').Prodigy, _inf_growth(_pick(
            spec, ['lr', 'betas', 'beta3', 'eps', 'weight_decay', 'decouple', 'use_bias_correction', 'safeguard_warmup', 'd0', 'd_coef', 'growth_rate']))
    if name == 'dadapt-adam':
        return up.file('dadaptation', 'dadaptation/dadapt_adam.py').DAdaptAdam, _inf_growth(_pick(
            spec, ['lr', 'betas', 'eps', 'weight_decay', 'decouple', 'use_bias_correction', 'd0', 'growth_rate']))
    if name == 'dadapt-sgd':
        return up.file('dadaptation', 'dadaptation/dadapt_sgd.py').DAdaptSGD, _inf_growth(_pick(
            spec, ['lr', 'momentum', 'weight_decay', 'd0', 'growth_rate']))
    raise Unsupported(f'no official base for {name}')


def _inf_growth(kwargs: dict) -> dict:
    """minima's growth_rate null is the official default float('inf')."""
    if kwargs.get('growth_rate', 0) is None:
        kwargs['growth_rate'] = float('inf')
    return kwargs


def _clip_before_step(opt, params, max_norm: float, record) -> None:
    """GLUE: torch.nn.utils.clip_grad_norm_ right before `opt.step` (minima's clip_grad_norm)."""
    inner = opt.step

    def step(self, *args, **kwargs):
        record('unclipped_grad_norm', float(torch.nn.utils.clip_grad_norm_(params, max_norm)))
        return inner(*args, **kwargs)

    # a bound method, as torch's LR schedulers expect of optimizer.step
    opt.step = MethodType(step, opt)


class Runner:
    """One official optimizer on one problem: `step()` returns (loss of the first evaluation, diagnostics)."""

    def __init__(self, problem: dict, spec: dict, up: Upstream, dtype=torch.float32):
        torch.manual_seed(0)
        kind = problem['problem']
        self.model = Net(kind, problem['params'], dtype, torch_layout=spec['name'] in TORCH_LAYOUT)
        self.x = torch.tensor(np.asarray(problem['x'], dtype=np.float32)).to(dtype)
        self.y = (torch.tensor(problem['y'], dtype=torch.long) if kind == 'linear-softmax'
                  else torch.tensor(np.asarray(problem['y'], dtype=np.float32)).to(dtype))
        self.loss_fn = loss_function(kind)
        self.spec = spec
        self.up = up
        self.diag: dict = {}
        self.params = list(self.model.parameters())
        self._step = self._build_mesa(problem, spec) if (problem.get('loss') or {}).get('name') == 'mesa' else self._build(spec)
        if problem.get('loss') and problem['loss']['name'] != 'mesa':
            raise Unsupported(f'no official form of the loss {problem["loss"]["name"]} in this harness')

    def f(self):
        return self.loss_fn(self.model(self.x), self.y)

    def step(self):
        self.diag = {}
        loss = self._step()
        return float(loss.detach()), dict(self.diag)

    def _clip(self, opt, spec):
        if spec.get('clip_grad_norm') is not None:
            # records into the current step's diagnostics (self.diag is replaced every step)
            _clip_before_step(opt, self.params, spec['clip_grad_norm'], lambda k, v: self.diag.__setitem__(k, v))

    def _base(self, spec, params=None):
        cls, kwargs = base_class(spec, self.up)
        opt = cls(self.params if params is None else params, **kwargs)
        self._clip(opt, spec)
        return opt

    def _build(self, spec):
        name = spec['name']
        builder = getattr(self, '_build_' + name.replace('-', '_'), None)
        if builder is not None:
            return builder(spec)
        opt = self._base(spec)

        def plain():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            opt.step()
            return loss
        return plain

    # --- MoMo ------------------------------------------------------------------------------------
    def _momo(self, module, cls, kwargs, spec):
        opt = cls(self.params, **kwargs)
        self._clip(opt, spec)
        runner = self

        def hooked_min(*args, **kw):
            # the official code's only `min` call is tau = min(lr/rho, t1); its caller's self.lb is
            # the lower bound used in this step (after the use_fstar reset, before the update)
            out = builtins.min(*args, **kw)
            caller = sys._getframe(1).f_locals
            runner.diag.update(t1=float(args[1]), tau=float(out), lb=float(caller['self'].lb))
            return out
        module.min = hooked_min

        def run():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            opt.step(loss=loss)
            return loss
        return run

    def _build_momo(self, spec):
        mod = self.up.package('MoMo', 'momo.momo')
        return self._momo(mod, mod.Momo, _pick(spec, ['lr', 'weight_decay', 'beta', 'lb', 'bias_correction', 'use_fstar']), spec)

    def _build_momo_adam(self, spec):
        mod = self.up.package('MoMo', 'momo.momo_adam')
        return self._momo(mod, mod.MomoAdam, _pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'lb', 'divide', 'use_fstar']), spec)

    # --- wrappers --------------------------------------------------------------------------------
    def _wrapped_base(self, opt_base, spec):
        """The wrapper's own clip acts on the gradient handed to its base (after the base's own clip hook)."""
        self._clip(opt_base, spec)

    def _build_sam(self, spec):
        if spec.get('eps', 1e-12) != 1e-12:
            raise Unsupported('davda54 SAM hard-codes 1e-12 in the norm')
        mod = self.up.file('sam', 'sam.py')
        cls, kwargs = base_class(spec['base'], self.up)
        opt = mod.SAM(self.params, cls, **_pick(spec, ['rho', 'adaptive']), **kwargs)
        self._clip(opt.base_optimizer, spec['base'])
        self._wrapped_base(opt.base_optimizer, spec)

        def closure():
            loss = self.f()
            loss.backward()
            return loss

        def run():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            with LocalsTrace({mod.SAM.first_step: ['grad_norm']}) as tr:
                opt.step(closure)
            self.diag['grad_norm'] = tr.first('first_step', 'grad_norm')
            return loss
        return run

    def _build_asam(self, spec):
        mod = self.up.file('ASAM', 'asam.py')
        base = self._base(spec['base'])
        self._wrapped_base(base, spec)
        opt = mod.ASAM(base, self.model, **_pick(spec, ['rho', 'eta']))

        def run():
            base.zero_grad()
            loss = self.f()
            loss.backward()
            with LocalsTrace({mod.ASAM.ascent_step: ['wgrad_norm']}) as tr:
                opt.ascent_step()
            self.diag['grad_norm'] = tr.first('ascent_step', 'wgrad_norm')
            self.f().backward()
            opt.descent_step()
            return loss
        return run

    def _constant_rho(self, scheduler_cls, base, rho):
        lr = base.param_groups[0]['lr']
        lr_sched = torch.optim.lr_scheduler.LambdaLR(base, lambda _: 1.0)
        return scheduler_cls(lr_sched, max_lr=lr, min_lr=lr, max_value=rho, min_value=rho)

    def _gradient_decompose_step(self, opt, cls):
        """GSAM's and GAM's step on the full batch, reading their norm and cosine as diagnostics."""
        opt.set_closure(self.loss_fn, self.x, self.y)

        def run():
            with LocalsTrace({cls.perturb_weights: ['grad_norm'], cls.gradient_decompose: ['cosine']}) as tr:
                _, loss = opt.step()
            self.diag['grad_norm'] = tr.first('perturb_weights', 'grad_norm')
            self.diag['cosine'] = tr.first('gradient_decompose', 'cosine')
            return loss
        return run

    def _build_gsam(self, spec):
        if spec.get('rho_min') is not None or 'lr_min' in spec:
            raise Unsupported('replay has no lr schedule, so rho_min/lr_min are not exercised')
        mod = self.up.package('GSAM', 'gsam.gsam')
        sched = self.up.package('GSAM', 'gsam.scheduler')
        base = self._base(spec['base'])
        self._wrapped_base(base, spec)
        opt = mod.GSAM(self.params, base, self.model, gsam_alpha=spec.get('alpha', 0.4),
                       rho_scheduler=self._constant_rho(sched.ProportionScheduler, base, spec.get('rho', 0.05)),
                       **_pick(spec, ['adaptive', 'perturb_eps']))
        return self._gradient_decompose_step(opt, mod.GSAM)

    def _build_gam(self, spec):
        if spec.get('paper_h_minus'):
            raise Unsupported('the official code has only its own h− (paper_h_minus has no equivalent)')
        mod = self.up.package('GAM', 'gam.gam')
        util = self.up.package('GAM', 'gam.util')
        base = self._base(spec['base'])
        self._wrapped_base(base, spec)
        d = {'grad_rho': 0.03, 'grad_norm_rho': 0.2, 'grad_beta_0': 0.1, 'grad_beta_1': 0.1, 'grad_gamma': 0.05}
        h = {k: spec.get(k, v) for k, v in d.items()}
        args = SimpleNamespace(grad_beta_0=h['grad_beta_0'], grad_beta_1=h['grad_beta_1'], grad_gamma=h['grad_gamma'],
                               grad_beta_2=1 - h['grad_beta_0'], grad_beta_3=1 - h['grad_beta_1'])
        opt = mod.GAM(self.params, base, self.model,
                      grad_rho_scheduler=self._constant_rho(util.ProportionScheduler, base, h['grad_rho']),
                      grad_norm_rho_scheduler=self._constant_rho(util.ProportionScheduler, base, h['grad_norm_rho']),
                      args=args, **_pick(spec, ['adaptive', 'perturb_eps']))
        return self._gradient_decompose_step(opt, mod.GAM)

    def _build_orthograd(self, spec):
        if spec.get('roles', ['kernel', 'bias']) != ['kernel', 'bias'] or spec.get('names', ['*']) != ['*']:
            raise Unsupported('the official OrthoGrad projects every parameter of its groups')
        mod = self.up.file('grokking-at-the-edge-of-numerical-stability', 'orthograd.py')
        cls, kwargs = base_class(spec['base'], self.up)
        opt = mod.OrthoGrad(self.params, base_optimizer_cls=cls, **kwargs)
        self._clip(opt.base_optimizer, spec['base'])
        self._wrapped_base(opt.base_optimizer, spec)

        def run():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            opt.step()
            return loss
        return run

    # --- flatness and regularisation procedures (issue 18) -------------------------------------------
    def _build_amp(self, spec):
        mod = self.up.file('AMP-Regularizer', 'amp.py')
        cls, kwargs = base_class(spec['base'], self.up)
        if 'lr' not in kwargs:
            raise Unsupported('AMP needs the base lr explicitly (no class default)')
        opt = mod.AMP(self.params, epsilon=spec.get('epsilon', 0.5), base_optimizer=cls,
                      **_pick(spec, ['inner_lr', 'inner_iter']), **kwargs)
        self._clip(opt.base_optimizer, spec['base'])
        self._wrapped_base(opt.base_optimizer, spec)

        def closure():
            opt.zero_grad()
            outputs = self.model(self.x)
            loss = self.loss_fn(outputs, self.y)
            loss.backward()
            return outputs, loss

        def run():
            _, loss = opt.step(closure)
            return loss
        return run

    def _build_awp(self, spec):
        if spec.get('roles', ['kernel']) != ['kernel'] or spec.get('names', ['*']) != ['*'] or spec.get('min_rank', 2) != 2:
            raise Unsupported('the official AWP perturbs every "weight" parameter of rank > 1')
        mod = self.up.file('AWP', 'AT_AWP/utils_awp.py')
        loss_fn = self.loss_fn
        # GLUE: calc_awp computes −F.cross_entropy; its module-global F is pointed at the problem's loss
        mod.F = SimpleNamespace(cross_entropy=loss_fn)
        base = self._base(spec['base'])
        self._wrapped_base(base, spec)
        proxy = Net(self.model.kind, {n: getattr(self.model, TORCH_NAMES[n]).detach().numpy() for n in LAYOUTS[self.model.kind]},
                    dtype=next(self.model.parameters()).dtype)
        proxy_opt = torch.optim.SGD(proxy.parameters(), lr=spec.get('proxy_lr', 0.01))
        adv = mod.AdvWeightPerturb(model=self.model, proxy=proxy, proxy_optim=proxy_opt, gamma=spec.get('gamma', 0.01))

        def run():
            loss = self.f()  # the step's loss at w (minima's first evaluation)
            diff = adv.calc_awp(inputs_adv=self.x, targets=self.y)
            adv.perturb(diff)
            base.zero_grad()
            self.f().backward()
            base.step()
            adv.restore(diff)
            return loss.detach()
        return run

    def _build_friendly_sam(self, spec):
        cls_fsam = self._class_from_file('F-SAM', 'utils.py', 'FriendlySAM')
        cls, kwargs = base_class(spec['base'], self.up)
        opt = cls_fsam(self.params, cls, **_pick(spec, ['rho', 'sigma', 'lmbda', 'adaptive']), **kwargs)
        self._clip(opt.base_optimizer, spec['base'])
        self._wrapped_base(opt.base_optimizer, spec)

        def closure():
            loss = self.f()
            loss.backward()
            return loss
    # --- tier 2: large batch and scale-invariant (issue 21) ---------------------------------------
    def _split_excluded(self, spec):
        """minima's `exclude_bias_and_norm`: tensors of rank ≤ 1 (the replay models' biases)."""
        if not spec.get('exclude_bias_and_norm', True):
            return self.params, []
        return [p for p in self.params if p.dim() > 1], [p for p in self.params if p.dim() <= 1]

    def _steps(self, opts, spec):
        if spec.get('clip_grad_norm') is not None:
            # one global clip before both optimizers step (minima clips the whole gradient once)
            first = opts[0]
            self._clip(first, spec)

        def run():
            for o in opts:
                o.zero_grad()
            loss = self.f()
            loss.backward()
            for o in opts:
                o.step()
            return loss
        return run

    def _build_lamb(self, spec):
        incl, excl = self._split_excluded(spec)
        common = _pick(spec, ['lr', 'betas', 'eps'])
        wd = _pick(spec, ['weight_decay'])
        if spec.get('bias_correction', False):
            if spec.get('clamp_value', 10) is not None:
                raise Unsupported('timm Lamb (the bias-corrected form) has no weight-norm clamp: set clamp_value null')
            cls = _subpackage(self.up, 'pytorch-image-models', 'timm/optim', 'lamb').Lamb
            groups = [{'params': incl, 'weight_decay': wd.get('weight_decay', 0.0), 'always_adapt': True}]
            if excl:
                groups.append({'params': excl, 'weight_decay': 0.0, 'always_adapt': False})
            return self._steps([cls(groups, bias_correction=True, max_grad_norm=None, **common)], spec)
        if spec.get('clamp_value', 10) != 10:
            raise Unsupported('the reference Lamb clamps the weight norm at 10')
        cls = _lamb_reference(self.up).Lamb
        opts = [cls(incl, **common, **wd)]
        if excl:
            opts.append(cls(excl, adam=True, weight_decay=0.0, **common))
        return self._steps(opts, spec)

    def _build_lars(self, spec):
        incl, excl = self._split_excluded(spec)
        cls = _subpackage(self.up, 'pytorch-image-models', 'timm/optim', 'lars').Lars
        kwargs = _pick(spec, ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'trust_coeff', 'eps', 'trust_clip', 'always_adapt'])
        groups = [{'params': incl}]
        if excl:
            groups.append({'params': excl, 'weight_decay': 0.0, 'always_adapt': False})
        return self._steps([cls(groups, **kwargs)], spec)

    def _build_adamp(self, spec):
        cls = self.up.file('AdamP', 'adamp/adamp.py').AdamP
        return self._steps([cls(self.params, **_pick(spec, ['lr', 'betas', 'eps', 'weight_decay', 'delta', 'wd_ratio', 'nesterov']))], spec)

    def _build_sgdp(self, spec):
        cls = self.up.file('AdamP', 'adamp/sgdp.py').SGDP
        # SGDP's lr is `required`: minima's default (1e-3) is passed when the case leaves it out
        kwargs = {'lr': 1e-3, **_pick(spec, ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'eps', 'delta', 'wd_ratio'])}
        return self._steps([cls(self.params, **kwargs)], spec)

    def _build_cautious(self, spec):
        base = spec['base']
        if base['name'] == 'lion' and spec.get('normalize', 'mean') == 'count':
            cls = self.up.file('C-Optim', 'c_lion.py').Lion
            kwargs = {'lr': 1e-4, 'betas': (0.9, 0.99), **_pick(base, ['lr', 'betas', 'weight_decay'])}  # minima's lion defaults
        elif base['name'] == 'adamw' and spec.get('normalize', 'mean') == 'mean':
            cls = _subpackage(self.up, 'C-Optim', '.', 'c_adamw').AdamW
            kwargs = {'weight_decay': 1e-2, 'eps': 1e-8, **_pick(base, ['lr', 'betas', 'eps', 'weight_decay']),
                      'correct_bias': True, 'foreach': False}
        else:
            raise Unsupported('C-Optim has C-Lion (count) and C-AdamW (mean) only')
        return self._steps([cls(self.params, **kwargs)], {'clip_grad_norm': spec.get('clip_grad_norm')})

    def _build_grokfast(self, spec):
        mod = self.up.file('grokfast', 'grokfast.py')
        opt = self._base(spec['base'])
        filt = spec.get('filter', 'ema')
        if filt == 'ema':
            kw = {'alpha': spec.get('alpha', 0.98), 'lamb': spec.get('lamb') if spec.get('lamb') is not None else 2.0}
            fn = mod.gradfilter_ema
        else:
            kw = {'window_size': spec.get('window_size', 100), 'lamb': spec.get('lamb') if spec.get('lamb') is not None else 5.0,
                  'filter_type': spec.get('filter_type', 'mean'), 'warmup': spec.get('warmup', True)}
            fn = mod.gradfilter_ma
        state = {'grads': None}

        def run():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            opt.step(closure)
            return loss
        return run

    # --- tier 2: modern and learning-rate-free (issue 21) ----------------------------------------
    def _plain_with(self, opt, after=None):
        def run():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            opt.step()
            if after is not None:
                after()
            return loss
        return run

    def _build_schedule_free_sgd(self, spec):
        opt = self._base(spec)
        opt.train()  # the code refuses to step in eval mode; the parameters then hold y
        return self._plain_with(opt)

    _build_schedule_free_adamw = _build_schedule_free_sgd

    def _with_d(self, spec):
        opt = self._base(spec)
        return self._plain_with(opt, lambda: self.diag.__setitem__('d', float(opt.param_groups[0]['d'])))

    _build_prodigy = _with_d
    _build_dadapt_adam = _with_d
    _build_dadapt_sgd = _with_d

    def _build_polyak_sgd(self, spec):
        opt = PolyakReference(self.params, **_pick(spec, ['lr', 'max_learning_rate', 'f_min', 'eps', 'variant']))
        self._clip(opt, spec)

        def run():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            self.diag['step_size'] = float(opt.step(loss))
            return loss
        return run

    def _build_muon(self, spec):
        if spec.get('nesterov', True) is not True or spec.get('ns_steps', 5) != 5 or spec.get('adamw_names'):
            raise Unsupported('the official class fixes nesterov and 5 Newton–Schulz steps; adamw_names has no official form')
        mod = self.up.file('Muon', 'muon.py')
        if not getattr(mod, '_minima_float', False):
            # GLUE: the iteration in the problem's float dtype instead of bfloat16 (minima computes in float32)
            import ast
            import textwrap
            src = textwrap.dedent(inspect.getsource(mod.zeropower_via_newtonschulz5)).replace('G.bfloat16()', 'G.clone()')
            ns = dict(mod.__dict__)
            exec(compile(ast.parse(src), mod.__file__, 'exec'), ns)
            mod.zeropower_via_newtonschulz5 = ns['zeropower_via_newtonschulz5']
            mod._minima_float = True
        kernels = [p for p in self.params if p.dim() >= 2]
        rest = [p for p in self.params if p.dim() < 2]
        groups = [dict(params=kernels, use_muon=True, **_pick(spec, ['lr', 'momentum', 'weight_decay'])),
                  dict(params=rest, use_muon=False, **_pick(spec, ['adam_lr', 'adam_betas', 'adam_eps', 'adam_weight_decay'],
                                                           {'adam_lr': 'lr', 'adam_betas': 'betas', 'adam_eps': 'eps', 'adam_weight_decay': 'weight_decay'}))]
        opt = mod.SingleDeviceMuonWithAuxAdam(groups)
        self._clip(opt, spec)
        return self._plain_with(opt)

    # --- tier 2: second-order (issue 21) -----------------------------------------------------------
    def _build_lbfgs(self, spec):
        opt = torch.optim.LBFGS(self.params, **_pick(spec, ['lr', 'max_iter', 'max_eval', 'tolerance_grad', 'tolerance_change', 'history_size', 'line_search_fn']))

        clip = spec.get('clip_grad_norm')

        def closure():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            if clip is not None:
                # GLUE: minima's clip acts on every gradient L-BFGS reads: a clip inside the closure
                norm = float(torch.nn.utils.clip_grad_norm_(self.params, clip))
                self.diag.setdefault('unclipped_grad_norm', norm)
            return loss

        def run():
            return opt.step(closure)
        return run

    def _build_sophia(self, spec):
        if spec.get('estimator', 'gnb') != 'gnb' or spec.get('paper_clip') is True:
            raise Unsupported('the official code has SophiaG only (gnb, its own clip)')
        cls = self.up.file('Sophia', 'sophia.py').SophiaG
        opt = cls(self.params, **_pick(spec, ['lr', 'betas', 'rho', 'weight_decay']))
        k, seed, clip = spec.get('k', 10), spec.get('seed', 0), spec.get('clip_grad_norm')
        start = spec.get('update_at_start', False)
        state = {'t': 0, 'bs': spec.get('bs') or 1}

        def run():
            t = state['t']
            if t % k == 0 and (t > 0 or start):
                # train_sophiag.py: sampled labels, backward, clip, update_hessian, zero_grad
                opt.zero_grad()
                logits = self.model(self.x)
                probs = torch.softmax(logits.detach().float(), dim=-1).numpy()
                y_sample = minima_draw_labels(probs, minima_hash_seed(seed, 'sophia-gnb', t))
                F.cross_entropy(logits, y_sample).backward()
                if clip is not None:
                    torch.nn.utils.clip_grad_norm_(self.params, clip)
                opt.update_hessian()
                state['bs'] = spec.get('bs') or logits.shape[0]
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            if clip is not None:
                self.diag['unclipped_grad_norm'] = float(torch.nn.utils.clip_grad_norm_(self.params, clip))
            opt.step(bs=state['bs'])
            state['t'] = t + 1
            return loss
        return run
    def _build_frugal(self, spec):
        projection = spec.get('projection', 'block')
        # block: the projectable group is the tensors whose role (kernel: rank 2, else bias) is outside state_full_roles
        roles = spec.get('state_full_roles', ['bias'])
        projected = [p for p in self.params if ('kernel' if p.dim() == 2 else 'bias') not in roles]
        if projection == 'block':
            order = spec.get('block_order', 'random')
            active = round(len(projected) * spec.get('density', 0.25))
            if order == 'random' and 0 < active < len(projected):
                raise Unsupported('the state-full tensors are a random draw (torch.randperm vs minima\'s seeded Rng)')
            if order == 'mirror' and active % 2:
                raise Unsupported(f'mirror needs an even count, round({len(projected)}·ρ) = {active} (BlockAdamW asserts, minima CONFIG_INVALID)')
        # every coordinate kept (ρ 1) with a reset is the one coordinate case that does not depend on the draw's order
        drawn = ((projection == 'coord' and (spec.get('density', 0.25) < 1 or spec.get('reset_statistics') is False))
                 or (projection == 'galore' and spec.get('proj_type', 'svd') != 'svd'))
        if drawn:
            raise Unsupported('the subspace is a random draw (torch.randperm / orthogonal_ vs minima\'s seeded Rng)')
        # GLUE: adamw.py's imports of a version check and of a helper torch has since removed
        if 'transformers.utils.versions' not in sys.modules:
            for name in ('transformers', 'transformers.utils'):
                sys.modules.setdefault(name, ModuleType(name))
            versions = ModuleType('transformers.utils.versions')
            versions.require_version = lambda *a, **k: None
            sys.modules['transformers.utils.versions'] = versions
        import torch.optim.optimizer as torch_optimizer
        if not hasattr(torch_optimizer, '_dispatch_sqrt'):
            import math
            torch_optimizer._dispatch_sqrt = math.sqrt
        mod = _subpackage(self.up, 'FRUGAL', 'frugal', 'adamw')
        if projection == 'block':
            rest = [p for p in self.params if all(p is not q for q in projected)]
            groups = [{'params': rest, 'is_proj_params': False}, {'params': projected, 'is_proj_params': True}]
        else:
            kernels = [p for p in self.params if p.dim() == 2]
            rest = [p for p in self.params if p.dim() != 2]
            groups = [{'params': rest, 'is_proj_params': False}, {'params': kernels, 'is_proj_params': True}]
        keys = ['lr', 'betas', 'eps', 'weight_decay', 'density', 'update_gap', 'proj_params_lr_scale', 'reset_statistics',
                'inactive_update_rule', 'inactive_lr_scale']
        extra = {'block': ['block_order'], 'coord': ['coord_choice'], 'galore': ['proj_type', 'proj_side']}[projection]
        kwargs = _pick(spec, keys + extra)
        cls = {'block': mod.BlockAdamW, 'coord': mod.CoordAdamW, 'galore': mod.GaloreAdamW}[projection]
        opt = cls(groups, no_deprecation_warning=True, **kwargs)
        self._clip(opt, spec)
        return self._plain_with(opt)

    def _class_from_file(self, folder: str, rel: str, name: str):
        """GLUE: one class of an upstream file whose other imports are not installed, by ast (source unchanged)."""
        import ast
        path = self.up.repo(folder) / rel
        tree = ast.parse(path.read_text())
        node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
        ns = {'torch': torch}
        exec(compile(ast.Module(body=[node], type_ignores=[]), str(path), 'exec'), ns)
        return ns[name]

    def _build_wsam(self, spec):
        stub = SimpleNamespace(enable_running_stats=lambda m: None, disable_running_stats=lambda m: None)
        for name in ('atorch', 'atorch.optimizers'):
            sys.modules.setdefault(name, SimpleNamespace())
        sys.modules['atorch.optimizers.utils'] = stub
        mod = self.up.file('dlrover', 'atorch/atorch/optimizers/wsam.py')
        base = self._base(spec['base'])
        self._wrapped_base(base, spec)
        opt = mod.WeightedSAM(self.model, base, **_pick(spec, ['rho', 'gamma', 'sam_eps', 'adaptive', 'decouple', 'max_norm']))

        def closure():
            opt.zero_grad()
            loss = self.f()
            loss.backward()
            return loss

        def run():
            with LocalsTrace({mod.WeightedSAM.first_step: ['grad_norm']}) as tr:
                loss = opt.step(closure)
            self.diag['grad_norm'] = tr.first('first_step', 'grad_norm')
            state['grads'] = fn(self.model, grads=state['grads'], **kw)
            opt.step()
            return loss
        return run


    # --- MESA (a loss with an EMA teacher, issue 18) ----------------------------------------------
    def _argparse_defaults(self, folder: str, rel: str, flags) -> dict:
        """GLUE: the `default=` of some parser.add_argument calls of an upstream script, read from its source."""
        import ast
        out = {}
        for node in ast.walk(ast.parse((self.up.repo(folder) / rel).read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, 'attr', None) == 'add_argument' and node.args
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value in flags):
                for kw in node.keywords:
                    if kw.arg == 'default':
                        out[node.args[0].value] = ast.literal_eval(kw.value)
        return out

    def _build_mesa(self, problem, spec):
        import ast
        import contextlib
        import logging
        import time
        import warnings
        from collections import OrderedDict
        if problem['problem'] != 'linear-softmax':
            raise Unsupported('mesa is a classification loss (linear-softmax problems only)')
        loss_spec = {k: v for k, v in problem['loss'].items() if k != 'name'}
        extra = set(loss_spec) - {'reinforce', 'temperature', 'kl_start_epoch', 'kl_end_epoch'}
        if extra:
            raise Unsupported(f'{sorted(extra)} have no form in MESA_train.py')
        ema_spec = problem.get('ema')
        if ema_spec is None:
            raise Unsupported('MESA needs its EMA teacher (the problem\'s ema block)')
        if ema_spec.get('warmup', True) != 'none':
            raise Unsupported('the official teacher is timm ModelEmaV2 (constant decay from the first update): ema warmup "none"')
        script = 'MESA_train.py'
        flags = {'--reinforce': 'reinforce', '--temperature': 'temperature', '--kl_start_epoch': 'kl_start_epoch',
                 '--kl_end_epoch': 'kl_end_epoch', '--model-ema-decay': 'decay'}
        defaults = {flags[k]: v for k, v in self._argparse_defaults('SAF', script, set(flags)).items()}
        opts = {**defaults, **loss_spec}
        decay = ema_spec.get('decay', defaults['decay'])
        ema_mod = self.up.file('SAF', 'timm/utils/model_ema.py')
        ce_mod = self.up.file('SAF', 'timm/loss/cross_entropy.py')
        meters = self.up.file('SAF', 'timm/utils/metrics.py')

        class CpuTorch:
            """GLUE: torch, with torch.cuda.synchronize() a no-op (the loop calls it after every step)."""
            cuda = SimpleNamespace(synchronize=lambda: None)

            def __getattr__(self, name):
                return getattr(torch, name)

        path = self.up.repo('SAF') / script
        tree = ast.parse(path.read_text())
        node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'train_one_epoch')
        ns = {'torch': CpuTorch(), 'F': F, 'time': time, 'OrderedDict': OrderedDict, 'AverageMeter': meters.AverageMeter,
              'suppress': contextlib.suppress, '_logger': logging.getLogger('mesa-official')}
        exec(compile(ast.Module(body=[node], type_ignores=[]), str(path), 'exec'), ns)
        train_one_epoch = ns['train_one_epoch']
        args = SimpleNamespace(mixup_off_epoch=0, prefetcher=True, channels_last=False, distributed=False, clip_grad=None,
                               clip_mode='norm', log_interval=10 ** 9, local_rank=1, save_images=False, recovery_interval=0,
                               world_size=1, **{k: opts[k] for k in ('reinforce', 'temperature', 'kl_start_epoch', 'kl_end_epoch')})
        model_ema = ema_mod.ModelEmaV2(self.model, decay=decay)
        loss_fn = ce_mod.rein_CrossEntropyLoss()
        optimizer = self._base(spec)
        per_epoch = problem.get('steps_per_epoch', 1)
        batch = [(torch.arange(self.x.shape[0]), self.x, self.y)]
        state = {'step': 0}

        def run():
            # one call per step with its epoch: the loop's state lives in model, optimizer and model_ema, so
            # this equals running each epoch's batches in one call
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # F.softmax without dim (the official call)
                out = train_one_epoch(state['step'] // per_epoch, self.model, batch, optimizer, loss_fn, args, model_ema=model_ema)
            state['step'] += 1
            return torch.tensor(out['loss'])
        return run


def official_trajectory(problem: dict, spec: dict, steps: int, up: Upstream, dtype=torch.float32) -> list[dict]:
    """float32 is the comparison; float64 measures how far float32 rounding alone moves the trajectory."""
    runner = Runner(problem, spec, up, dtype)
    out = []
    for _ in range(steps):
        loss, diag = runner.step()
        out.append({'loss_returned': loss, 'params': runner.model.snapshot(), 'diagnostics': diag})
    return out
