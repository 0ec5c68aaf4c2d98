/**
 * The fused optimizer rules as elementwise programs. Each mirrors, op for op, the composite chain
 * named in its comment (src/optim/transforms, src/optim/optimizers) and ends with the update u and
 * the facade's p + u. Decay modes: none, coupled (g + wd·p before the rule), decoupled (u + wd·p
 * before the learning rate), after_lr (u − wd·p after it, SGDW's paper convention).
 */
import { E, type Expr, type Program, type Stmt } from '../../backends/kernels/program.js';

export type DecayMode = 'none' | 'coupled' | 'decoupled' | 'after_lr';

const { add, sub, mul, div, sqrt, abs, sign, c, v } = E;
const P = E.in(0), G = E.in(1);

/** The tail shared by every rule: decoupled decay, × (−lr) (scalar `nlr`), u, p + u. */
function finish(d: Expr, mode: DecayMode, wd: number, nlr: Expr, first: number): Stmt[] {
  const dd = mode === 'decoupled' ? add(d, mul(P, c(wd))) : d;
  const u0 = mul(dd, nlr);
  const u = mode === 'after_lr' ? sub(u0, mul(P, c(wd))) : u0;
  return [{ let: 'u', e: u }, { out: first, e: v('u') }, { out: first + 1, e: add(P, v('u')) }];
}

/** The gradient after coupled decay. */
const decayed = (mode: DecayMode, wd: number): Expr => (mode === 'coupled' ? add(G, mul(P, c(wd))) : G);

/**
 * addDecayedWeights(coupled) → scaleByAdam → addDecayedWeights(decoupled) → scaleByLearningRate.
 * arrays p, g, m, v; scalars 1/bc1, sqrt(bc2), −lr; outputs m, v, u, p + u.
 */
export function adamProgram(b1: number, b2: number, eps: number, wd: number, mode: DecayMode): Program {
  const M = E.in(2), V = E.in(3);
  return {
    name: 'MinimaAdam', arrays: 4, scalars: 3, outputs: 4, inplace: { 0: 2, 1: 3 },
    body: [
      { let: 'g', e: decayed(mode, wd) },
      { let: 'm', e: add(M, mul(sub(v('g'), M), c(1 - b1))) },
      { let: 'v', e: add(mul(V, c(b2)), mul(mul(v('g'), v('g')), c(1 - b2))) },
      { out: 0, e: v('m') },
      { out: 1, e: v('v') },
      ...finish(div(mul(v('m'), E.s(0)), add(div(sqrt(v('v')), E.s(1)), c(eps))), mode, wd, E.s(2), 2),
    ],
  };
}

/**
 * scaleByGrams → addDecayedWeights(decoupled) → scaleByLearningRate.
 * arrays p, g, m, v; scalars −lr[, step factor]; outputs m, v, u, p + u.
 */
export function gramsProgram(b1: number, b2: number, eps: number, wd: number, mode: DecayMode, factor: boolean): Program {
  const M = E.in(2), V = E.in(3);
  const dir = div(mul(sign(G), abs(v('m'))), add(sqrt(v('v')), c(eps)));
  return {
    name: 'MinimaGrams', arrays: 4, scalars: factor ? 2 : 1, outputs: 4, inplace: { 0: 2, 1: 3 },
    body: [
      { let: 'm', e: add(mul(M, c(b1)), mul(G, c(1 - b1))) },
      { let: 'v', e: add(mul(V, c(b2)), mul(mul(G, G), c(1 - b2))) },
      { out: 0, e: v('m') },
      { out: 1, e: v('v') },
      ...finish(factor ? mul(dir, E.s(1)) : dir, mode, wd, E.s(0), 2),
    ],
  };
}

/**
 * scaleByLion → addDecayedWeights(decoupled) → scaleByLearningRate.
 * arrays p, g, m; scalar −lr; outputs m, u, p + u.
 */
export function lionProgram(b1: number, b2: number, wd: number, mode: DecayMode): Program {
  const M = E.in(2);
  return {
    name: 'MinimaLion', arrays: 3, scalars: 1, outputs: 3, inplace: { 0: 2 },
    body: [
      { let: 'd', e: sign(add(mul(M, c(b1)), mul(G, c(1 - b1)))) },
      { out: 0, e: add(mul(M, c(b2)), mul(G, c(1 - b2))) },
      ...finish(v('d'), mode, wd, E.s(0), 1),
    ],
  };
}

/**
 * addDecayedWeights(coupled) → trace → addDecayedWeights(decoupled) → scaleByLearningRate [→ decay after lr]:
 * sgd and sgdw. With momentum: arrays p, g, buf; scalars −lr, first-step coefficient; outputs buf, u, p + u.
 * Without: arrays p, g; scalar −lr; outputs u, p + u.
 */
export function sgdProgram(momentum: number, nesterov: boolean, wd: number, mode: DecayMode): Program {
  if (momentum === 0) {
    return { name: 'MinimaSgd', arrays: 2, scalars: 1, outputs: 2, body: finish(decayed(mode, wd), mode, wd, E.s(0), 0) };
  }
  const B = E.in(2);
  return {
    name: 'MinimaSgd', arrays: 3, scalars: 2, outputs: 3, inplace: { 0: 2 },
    body: [
      { let: 'd', e: decayed(mode, wd) },
      { let: 'b', e: add(mul(B, c(momentum)), mul(v('d'), E.s(1))) },
      { out: 0, e: v('b') },
      ...finish(nesterov ? add(v('d'), mul(v('b'), c(momentum))) : v('b'), mode, wd, E.s(0), 1),
    ],
  };
}

/** p + x·s, i.e. tf.add(p, tf.mul(x, s)): SAM's ascent point.  arrays p, x; scalar s; output p + x·s. */
export const axpyProgram: Program = {
  name: 'MinimaAxpy', arrays: 2, scalars: 1, outputs: 1,
  body: [{ out: 0, e: add(P, mul(E.in(1), E.s(0))) }],
};

/**
 * MoMo's averages and the products its step size reduces (scaleByMomo): d = (d + g·first)·β + g·(1 − β),
 * then Σ p⊙g, Σ p⊙d, Σ d⊙d.  arrays p, g, d; scalar first (1 on the first step without bias correction);
 * output d; sums Σ p⊙g, Σ p⊙d, Σ d⊙d.
 */
export function momoAveragesProgram(beta: number): Program {
  const Dold = E.in(2);
  return {
    name: 'MinimaMomoAverages', arrays: 3, scalars: 1, outputs: 1, sums: 3, inplace: { 0: 2 },
    body: [
      { let: 'd', e: add(mul(add(Dold, mul(G, E.s(0))), c(beta)), mul(G, c(1 - beta))) },
      { out: 0, e: v('d') },
      { sum: 0, e: mul(P, G) },
      { sum: 1, e: mul(P, v('d')) },
      { sum: 2, e: mul(v('d'), v('d')) },
    ],
  };
}

/** MoMo's step: u = (p − d·tau)/c − p (c only with weight decay).  arrays p, d; scalars tau, c; outputs u, p + u. */
export function momoStepProgram(decay: boolean): Program {
  const stepped = sub(P, mul(E.in(1), E.s(0)));
  return {
    name: 'MinimaMomoStep', arrays: 2, scalars: 2, outputs: 2,
    body: [{ let: 'u', e: sub(decay ? div(stepped, E.s(1)) : stepped, P) }, { out: 0, e: v('u') }, { out: 1, e: add(P, v('u')) }],
  };
}

/**
 * MoMo-Adam's moments, preconditioner and reduced products (scaleByMomoAdam):
 * m = m·β1 + g·(1 − β1);  v = v·β2 + g²·(1 − β2);  D = sqrt(v/bc2) + eps;  then Σ p⊙g, Σ p⊙m, Σ m⊙(m/D).
 * arrays p, g, m, v; scalar bc2; outputs m, v, D; sums Σ p⊙g, Σ p⊙m, Σ m⊙(m/D).
 */
export function momoAdamMomentsProgram(b1: number, b2: number, eps: number): Program {
  const M = E.in(2), V = E.in(3);
  return {
    name: 'MinimaMomoAdamMoments', arrays: 4, scalars: 1, outputs: 3, sums: 3, inplace: { 0: 2, 1: 3 },
    body: [
      { let: 'm', e: add(mul(M, c(b1)), mul(G, c(1 - b1))) },
      { let: 'v', e: add(mul(V, c(b2)), mul(mul(G, G), c(1 - b2))) },
      { let: 'D', e: add(sqrt(div(v('v'), E.s(0))), c(eps)) },
      { out: 0, e: v('m') },
      { out: 1, e: v('v') },
      { out: 2, e: v('D') },
      { sum: 0, e: mul(P, G) },
      { sum: 1, e: mul(P, v('m')) },
      { sum: 2, e: mul(v('m'), div(v('m'), v('D'))) },
    ],
  };
}

/**
 * MoMo-Adam's step: x = p·(1 − lr·λ) (decay before) | p;  x = x − (m/D)·tau;  x = x/c (decay after);  u = x − p.
 * arrays p, m, D; scalars tau, 1 − lr·λ, c; outputs u, p + u.
 */
export function momoAdamStepProgram(decay: 'none' | 'before' | 'divide'): Program {
  const x0 = decay === 'before' ? mul(P, E.s(1)) : P;
  const x1 = sub(x0, mul(div(E.in(1), E.in(2)), E.s(0)));
  const x2 = decay === 'divide' ? div(x1, E.s(2)) : x1;
  return {
    name: 'MinimaMomoAdamStep', arrays: 3, scalars: 3, outputs: 2,
    body: [{ let: 'u', e: sub(x2, P) }, { out: 0, e: v('u') }, { out: 1, e: add(P, v('u')) }],
  };
}

/* ------------------------------------------------------------------ wrappers (SAM family) */

/** e = x·s, w + e (tf.mul(x, s), tf.add(w, e)).  arrays w, x; scalar s; outputs e, w + e. */
export const ascentProgram: Program = {
  name: 'MinimaAscent', arrays: 2, scalars: 1, outputs: 2,
  body: [{ let: 'e', e: mul(G, E.s(0)) }, { out: 0, e: v('e') }, { out: 1, e: add(P, v('e')) }],
};

/**
 * The base stepped from `restored` r with update u; as an update relative to the step's start w:
 * u′ = (r + u) − w, and the facade's w + u′.  arrays r, u, w; outputs u′, w + u′.
 */
export const rebaseProgram: Program = {
  name: 'MinimaRebase', arrays: 3, scalars: 0, outputs: 2,
  body: [{ let: 'u', e: sub(add(E.in(0), E.in(1)), E.in(2)) }, { out: 0, e: v('u') }, { out: 1, e: add(E.in(2), v('u')) }],
};

/**
 * GSAM/GAM's corrected gradient and the restored weights:
 * g = b + (a − k·b/denom)·(−γ) with k = cos·‖a‖ (a scalar tensor), restored = at − e.
 * arrays a, b, at, e; scalars k, denom; outputs g, restored.
 */
export function correctionProgram(gamma: number): Program {
  const A = E.in(0), B = E.in(1);
  return {
    name: 'MinimaCorrection', arrays: 4, scalars: 2, outputs: 2,
    body: [
      { out: 0, e: add(B, mul(sub(A, div(mul(E.s(0), B), E.s(1))), c(-gamma))) },
      { out: 1, e: sub(E.in(2), E.in(3)) },
    ],
  };
}

/*
 * GAM in five passes per tensor around its three extra evaluations. A perturbation e = x·s is not
 * stored: the pass that needs it again recomputes the same float32 product from x and s, which
 * costs less than writing and reading one more array (GAM's passes are bound by memory traffic).
 */

/** w + x·s (tf.add(w, tf.mul(x, s))).  arrays w, x; scalar s; output w + x·s. */
export const ascentToProgram: Program = {
  name: 'MinimaAscentTo', arrays: 2, scalars: 1, outputs: 1,
  body: [{ out: 0, e: add(P, mul(G, E.s(0))) }],
};

/** After the first ascent: wA = w1 − g0·s0, h0 = g1 − g0, Σ h0².  arrays w1, g0, g1; scalar s0; outputs wA, h0; sum. */
export const gamRestoreProgram: Program = {
  name: 'MinimaGamRestore', arrays: 3, scalars: 1, outputs: 2, sums: 1,
  body: [
    { out: 0, e: sub(E.in(0), mul(E.in(1), E.s(0))) },
    { let: 'h', e: sub(E.in(2), E.in(1)) },
    { out: 1, e: v('h') },
    { sum: 0, e: mul(v('h'), v('h')) },
  ],
};

/** GAM's h− (code: g0 + |1 − β|·g2; paper: β·g0 + (1 − β)·g2) and h+ = α·g1 + (1 − α)·g3 from g0…g3 (inputs from…from + 3). */
function gamH(beta: number, alpha: number, paper: boolean, from = 0): { minus: Expr; plus: Expr } {
  const [G0, G1, G2, G3] = [E.in(from), E.in(from + 1), E.in(from + 2), E.in(from + 3)];
  return {
    minus: paper ? add(mul(G0, c(beta)), mul(G2, c(1 - beta))) : add(G0, mul(G2, c(Math.abs(1 - beta)))),
    plus: add(mul(G1, c(alpha)), mul(G3, c(1 - alpha))),
  };
}

/** The sums GAM's cosine needs, without storing h− and h+.  arrays g0, g1, g2, g3; sums Σ h−⊙h+, Σ h+², Σ h−². */
export function gamMixProgram(beta: number, alpha: number, paper: boolean): Program {
  const h = gamH(beta, alpha, paper);
  return {
    name: 'MinimaGamMix', arrays: 4, scalars: 0, outputs: 0, sums: 3,
    body: [
      { let: 'm', e: h.minus },
      { let: 'p', e: h.plus },
      { sum: 0, e: mul(v('m'), v('p')) },
      { sum: 1, e: mul(v('p'), v('p')) },
      { sum: 2, e: mul(v('m'), v('m')) },
    ],
  };
}

/**
 * GAM's corrected gradient g = h+ + (h− − k·h+/denom)·(−γ) and the restored weights
 * w3 − (e1 + e2) with e1 = h0·s1, e2 = g2·s2 (k = cos·‖h−‖).
 * arrays g0, g1, g2, g3, h0, w3; scalars s1, s2, k, denom; outputs g, restored.
 */
export function gamCorrectionProgram(beta: number, alpha: number, paper: boolean, gamma: number): Program {
  const h = gamH(beta, alpha, paper);
  return {
    name: 'MinimaGamCorrection', arrays: 6, scalars: 4, outputs: 2,
    body: [
      { let: 'p', e: h.plus },
      { out: 0, e: add(v('p'), mul(sub(h.minus, div(mul(E.s(2), v('p')), E.s(3))), c(-gamma))) },
      { out: 1, e: sub(E.in(5), add(mul(E.in(4), E.s(0)), mul(E.in(2), E.s(1)))) },
    ],
  };
}

/* ------------------------------------------------------------------ ⊥Grad */

/** ⊥Grad's reductions Σ w⊙g, Σ w⊙w, Σ g⊙g.  arrays w, g; sums. */
export const orthoProductsProgram: Program = {
  name: 'MinimaOrthoProducts', arrays: 2, scalars: 0, outputs: 0, sums: 3,
  body: [{ sum: 0, e: mul(P, G) }, { sum: 1, e: mul(P, P) }, { sum: 2, e: mul(G, G) }],
};

/** g⊥ = g − proj·w and Σ g⊥².  arrays g, w; scalar proj; output g⊥; sum Σ g⊥². */
export const orthoProjectProgram: Program = {
  name: 'MinimaOrthoProject', arrays: 2, scalars: 1, outputs: 1, sums: 1,
  body: [{ let: 'o', e: sub(E.in(0), mul(E.s(0), E.in(1))) }, { out: 0, e: v('o') }, { sum: 0, e: mul(v('o'), v('o')) }],
};

/** MoMo's per-tensor average of <p, g>: (γ + pg·first)·β + pg·(1 − β).  arrays γ, pg (scalars); scalar first; output γ. */
export function momoGammaProgram(beta: number): Program {
  const pg = E.in(1);
  return { name: 'MinimaMomoGamma', arrays: 2, scalars: 1, outputs: 1, body: [{ out: 0, e: add(mul(add(E.in(0), mul(pg, E.s(0))), c(beta)), mul(pg, c(1 - beta))) }] };
}

/** MoMo-Adam's: γ·β1 + pg·(1 − β1).  arrays γ, pg (scalars); output γ. */
export function momoAdamGammaProgram(b1: number): Program {
  return { name: 'MinimaMomoGamma', arrays: 2, scalars: 0, outputs: 1, body: [{ out: 0, e: add(mul(E.in(0), c(b1)), mul(E.in(1), c(1 - b1))) }] };
}

/**
 * MoMo's and MoMo-Adam's scalar tail without use_fstar (adaptiveStep), in one kernel over scalars:
 * fbar (MoMo: (f̄ + loss·first)·β + loss·(1 − β); MoMo-Adam: loss·(1 − β1) + f̄·β1), the sums of the
 * per-tensor γ, <p, d> and ‖d‖² (left to right), nom = (f̄ − ρ·lb)·c + (dot − γ·c),
 * t1 = ‖d‖² ≤ guard ? 0 : max(nom, 0)/‖d‖², tau = min(lr/ρ, t1).
 * arrays f̄, loss, first, lb, γ_1..n, dot_1..n, norm_1..n (all shape []); scalars ρ, lr, c; outputs f̄, t1, tau.
 */
export function momoTailProgram(kind: 'momo' | 'momo-adam', beta: number, n: number, guard: number): Program {
  const [F, L, FIRST, LB] = [E.in(0), E.in(1), E.in(2), E.in(3)];
  const total = (from: number): Expr => {
    let acc = E.in(from);
    for (let i = 1; i < n; i++) acc = add(acc, E.in(from + i));
    return acc;
  };
  const [rho, lr, C] = [E.s(0), E.s(1), E.s(2)];
  const fbar = kind === 'momo' ? add(mul(add(F, mul(L, FIRST)), c(beta)), mul(L, c(1 - beta))) : add(mul(L, c(1 - beta)), mul(F, c(beta)));
  return {
    name: 'MinimaMomoTail', arrays: 4 + 3 * n, scalars: 3, outputs: 3,
    body: [
      { let: 'f', e: fbar },
      { let: 'norm', e: total(4 + 2 * n) },
      { let: 'nom', e: add(mul(sub(v('f'), mul(rho, LB)), C), sub(total(4 + n), mul(total(4), C))) },
      { let: 't1', e: E.selectLe(v('norm'), c(guard), c(0), div(E.max(v('nom'), c(0)), v('norm'))) },
      { out: 0, e: v('f') },
      { out: 1, e: v('t1') },
      { out: 2, e: E.min(div(lr, rho), v('t1')) },
    ],
  };
}

/** s_1 + … + s_n left to right over program inputs from, …, from + n − 1 (sumScalars' order). */
function chainSum(from: number, n: number): Expr {
  let acc = E.in(from);
  for (let i = 1; i < n; i++) acc = add(acc, E.in(from + i));
  return acc;
}

/** GAM's norm and perturbation scale from per-tensor Σx²: n = sqrt(Σ), radius/(n + ξ).  arrays s_1..s_n ([]); outputs n, scale. */
export function normScaleProgram(n: number, radius: number, xi: number): Program {
  return {
    name: 'MinimaNormScale', arrays: n, scalars: 0, outputs: 2,
    body: [{ let: 'n', e: sqrt(chainSum(0, n)) }, { out: 0, e: v('n') }, { out: 1, e: div(c(radius), add(v('n'), c(xi))) }],
  };
}

/**
 * GAM's cosine from per-tensor sums: cos = Σ<h−, h+>/(‖h+‖·‖h−‖ + ξ), k = cos·‖h−‖, denom = ‖h+‖ + ξ.
 * arrays inner_1..n, (h+²)_1..n, (h−²)_1..n ([]); outputs cos, k, denom.
 */
export function gamCosineProgram(n: number, xi: number): Program {
  return {
    name: 'MinimaGamCosine', arrays: 3 * n, scalars: 0, outputs: 3,
    body: [
      { let: 'new', e: sqrt(chainSum(n, n)) },
      { let: 'old', e: sqrt(chainSum(2 * n, n)) },
      { let: 'cos', e: div(chainSum(0, n), add(mul(v('new'), v('old')), c(xi))) },
      { out: 0, e: v('cos') },
      { out: 1, e: mul(v('cos'), v('old')) },
      { out: 2, e: add(v('new'), c(xi)) },
    ],
  };
}
