"""Tiny deterministic full-batch problems in `minima replay`'s format (src/commands/replay.ts).

All numbers are drawn in float64 and rounded to float32 before they are written, so minima (which
parses the JSON into float32 tensors) and torch start from the same bits.
"""
import numpy as np

# name -> role; kernels use the TF.js Dense layout [in, out] on both sides
LAYOUTS = {
    'linear-softmax': ['W', 'b'],
    'mlp-tanh-mse': ['W1', 'b1', 'W2', 'b2'],
}


def make_problem(kind: str, seed: int, edge: bool = False) -> dict:
    """edge: the first input feature is 0 for every sample (its kernel row gets an exactly zero
    gradient: sign(0) in Lion/Grams, 0/eps in Adam), the second is scaled by 1e-6 (its kernel row
    gets gradients of 1e-7 and below, under float32 epsilon, which Adam-type rules normalise to
    full-size steps and sign-based rules must still see), and every bias starts at 0 (⊥Grad's
    0/(0 + 1e-30) projection; minima's Dense layers start biases at 0)."""
    rng = np.random.default_rng([seed, 0 if kind == 'linear-softmax' else 1])
    f32 = lambda a: np.asarray(a, dtype=np.float64).astype(np.float32)
    if kind == 'linear-softmax':
        # references/optimizers.md §14: W 5×3, b 3, 16 samples, mean softmax cross-entropy
        n, d, k = 16, 5, 3
        x = f32(rng.normal(size=(n, d)))
        y = rng.integers(0, k, size=n)
        params = {'W': f32(rng.normal(0, 0.5, (d, k))), 'b': f32(rng.normal(0, 0.1, k))}
        yv = [int(v) for v in y]
    elif kind == 'mlp-tanh-mse':
        # W1 4×6, b1 6, W2 6×2, b2 2, 12 samples, MSE mean over all 24 outputs
        n, d, h, k = 12, 4, 6, 2
        x = f32(rng.normal(size=(n, d)))
        yv = f32(rng.normal(0, 0.5, (n, k))).tolist()
        params = {
            'W1': f32(rng.normal(0, 0.6, (d, h))), 'b1': f32(rng.normal(0, 0.1, h)),
            'W2': f32(rng.normal(0, 0.6, (h, k))), 'b2': f32(rng.normal(0, 0.1, k)),
        }
    else:
        raise ValueError(kind)
    if edge:
        x[:, 0] = 0
        x[:, 1] *= np.float32(1e-6)
        params = {name: (np.zeros_like(a) if name.startswith('b') else a) for name, a in params.items()}
    return {
        'problem': kind,
        'x': x.tolist(),
        'y': yv,
        'params': {name: a.tolist() for name, a in params.items()},
    }
