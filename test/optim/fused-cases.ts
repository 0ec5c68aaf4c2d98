/**
 * Fused kernels against the composite ops they replace, bit for bit: every registry optimizer (and
 * option variants that switch the fused code paths) runs the same steps twice on the current
 * backend, once with the fused kernels off and once on, on a random non-convex problem; parameters,
 * losses, diagnostics and the whole optimizer state must have identical float32 bits.
 */
import * as tf from '../../src/backends/tf.js';
import { Rng } from '../../src/core/random.js';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer, optimizerRegistry, type Closure } from '../../src/optim/index.js';
import { schemaKeys } from '../../src/core/resolve-spec.js';
import { runProgram, setFusedKernels } from '../../src/backends/kernels/kernel.js';
import { sign } from '../../src/backends/tree.js';
import * as programModule from '../../src/backends/kernels/program.js';
import type { Expr, Program } from '../../src/backends/kernels/program.js';

const SHAPES: readonly (readonly number[])[] = [[13, 7], [7], [7, 3], [3]];

/** Option variants that take each fused branch: decay modes, momentum kinds, clipping, bias correction. */
function variants(name: string): Spec[] {
  const entry = optimizerRegistry.get(name);
  const keys = new Set(schemaKeys(entry.schema));
  if (entry.nested?.base) {
    const bases: Spec[] = [{ name: 'sgd', lr: 0.05, momentum: 0.9 }, { name: 'adamw', lr: 0.01, weight_decay: 0.1 }];
    const out: Spec[] = bases.map((base) => ({ name, base }));
    if (keys.has('adaptive')) out.push({ name, adaptive: true, base: bases[0]! });
    out.push({ name, clip_grad_norm: 0.5, base: bases[1]! });
    return out;
  }
  const lr = name.startsWith('momo') ? {} : { lr: 0.05 };
  const out: Spec[] = [{ name, ...lr }];
  if (keys.has('weight_decay')) out.push({ name, ...lr, weight_decay: 0.1 });
  if (keys.has('momentum')) {
    out.push({ name, ...lr, momentum: 0.9, ...(keys.has('weight_decay') ? { weight_decay: 0.01 } : {}) });
    if (keys.has('nesterov')) out.push({ name, ...lr, momentum: 0.9, nesterov: true });
    if (keys.has('dampening')) out.push({ name, ...lr, momentum: 0.5, dampening: 0.3 });
  }
  if (keys.has('decay_scaled_by_lr')) out.push({ name, ...lr, ...(keys.has('momentum') ? { momentum: 0.9 } : {}), weight_decay: 0.01, decay_scaled_by_lr: false });
  if (keys.has('correct_bias')) out.push({ name, ...lr, correct_bias: false, weight_decay: 0.1 });
  if (keys.has('bias_correction')) out.push({ name, ...lr, bias_correction: true, weight_decay: 0.1 });
  if (keys.has('use_fstar')) out.push({ name, ...lr, use_fstar: true });
  if (keys.has('divide')) out.push({ name, ...lr, divide: false, weight_decay: 0.1 });
  out.push({ name, ...lr, clip_grad_norm: 0.5 });
  return out;
}

export function fusedSpecs(): Spec[] {
  return optimizerRegistry.entries.flatMap((e) => variants(e.name));
}

/** f = Σ ½ a⊙x² + b⊙x + c·sin(x) (random a > 0, b, c): a non-quadratic landscape, gradients of every sign. */
function problem(seed: number): { closure: (vars: tf.Variable[]) => Closure; init: Float32Array[]; dispose(): void } {
  const rng = new Rng(seed);
  const rand = (lo: number, hi: number, shape: readonly number[]): tf.Tensor =>
    tf.tensor(rng.fillUniform(new Float32Array(tf.util.sizeFromShape(shape as number[])), lo, hi), shape as number[]);
  const a = SHAPES.map((s) => rand(0.5, 2, s));
  const b = SHAPES.map((s) => rand(-1, 1, s));
  const c = SHAPES.map((s) => rand(-0.5, 0.5, s));
  const init = SHAPES.map((s) => rng.fillNormal(new Float32Array(tf.util.sizeFromShape(s as number[]))));
  return {
    init,
    closure: (vars) => () => ({
      loss: vars.map((x, i) => tf.sum(tf.add(tf.add(tf.mul(tf.mul(a[i]!, tf.square(x)), 0.5), tf.mul(b[i]!, x)), tf.mul(c[i]!, tf.sin(x)))))
        .reduce((s, t) => tf.add(s, t)) as tf.Scalar,
      grads: vars.map((x, i) => tf.add(tf.add(tf.mul(a[i]!, x), b[i]!), tf.mul(c[i]!, tf.cos(x)))),
    }),
    dispose: () => tf.dispose([...a, ...b, ...c]),
  };
}

let serial = 0;

/** Runs `steps` steps; returns every float32 the run produced (params, losses, diagnostics, state) as bits. */
function trace(spec: Spec, fused: boolean, steps: number, seed: number): Map<string, Uint32Array> {
  setFusedKernels(fused);
  const prob = problem(seed);
  serial += 1;
  const vars = prob.init.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i] as number[]), true, `fused-case-${serial}-${i}`));
  const opt = createOptimizer(spec, vars.map((variable, i) => ({ name: `p${i}`, variable, role: i % 2 === 0 ? 'kernel' as const : 'bias' as const })));
  const out = new Map<string, Uint32Array>();
  const bits = (t: tf.Tensor): Uint32Array => new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);
  try {
    const closure = prob.closure(vars);
    for (let s = 0; s < steps; s++) {
      tf.tidy(() => {
        // extra batches (Fish's per-domain batches) are the same batch here, as in helpers.runSteps;
        // the "outputs" (ghost-step's logits) are the parameters as one row
        const r = opt.step(closure, () => closure, { outputs: () => tf.reshape(tf.concat(vars.map((v) => tf.reshape(v, [-1]))), [1, -1]) });
        out.set(`loss@${s}`, bits(r.loss));
        for (const [k, v] of Object.entries(r.diagnostics ?? {})) out.set(`${k}@${s}`, bits(v));
      });
      vars.forEach((v, i) => out.set(`p${i}@${s}`, bits(v)));
    }
    const state = opt.getState();
    for (const [k, v] of Object.entries(state)) out.set(`state ${k}`, bits(v));
    tf.dispose(Object.values(state));
  } finally {
    opt.dispose();
    tf.dispose(vars);
    prob.dispose();
    setFusedKernels(true);
  }
  return out;
}

/** '' when the fused run equals the composite run bit for bit, else the first difference. */
export function compareFused(spec: Spec, steps = 4, seed = 7): string {
  const ref = trace(spec, false, steps, seed);
  const got = trace(spec, true, steps, seed);
  if (ref.size !== got.size) return `different outputs: ${[...ref.keys()].join(',')} vs ${[...got.keys()].join(',')}`;
  for (const [k, r] of ref) {
    const g = got.get(k);
    if (!g) return `fused run lacks ${k}`;
    for (let i = 0; i < r.length; i++) {
      if (r[i] !== g[i]) {
        const fr = new Float32Array(r.buffer)[i], fg = new Float32Array(g.buffer)[i];
        return `${k}[${i}]: composite ${fr} (0x${r[i]!.toString(16)}) vs fused ${fg} (0x${g[i]!.toString(16)})`;
      }
    }
  }
  return '';
}

/** Names of the fused (Minima*) kernels one step of `name` (wrappers around adamw) runs. */
export async function fusedKernelsOfStep(name: string): Promise<string[]> {
  const entry = optimizerRegistry.get(name);
  const spec: Spec = entry.nested?.base ? { name, base: { name: 'adamw' } } : { name };
  const prob = problem(3);
  serial += 1;
  const vars = prob.init.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i] as number[]), true, `fused-profile-${serial}-${i}`));
  const opt = createOptimizer(spec, vars.map((variable, i) => ({ name: `p${i}`, variable, role: 'kernel' as const })));
  try {
    const closure = prob.closure(vars);
    const info = await tf.profile(() => { tf.tidy(() => { opt.step(closure); }); });
    return info.kernelNames.filter((k) => k.startsWith('Minima'));
  } finally {
    opt.dispose();
    tf.dispose(vars);
    prob.dispose();
  }
}

/**
 * Each program op against the tf op it stands for, on lengths that exercise the SIMD loop, the scalar
 * tail and both: '' when every output has the same bits, else the first difference.
 */
export function compareProgramOps(): string {
  const rng = new Rng(11);
  const { E } = programModule;
  const x = E.in(0), y = E.in(1);
  const cases: [string, Expr, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', E.add(x, y), tf.add], ['sub', E.sub(x, y), tf.sub], ['mul', E.mul(x, y), tf.mul], ['div', E.div(x, y), tf.div],
    ['sqrt', E.sqrt(E.abs(x)), (a) => tf.sqrt(tf.abs(a))], ['sign', E.sign(x), (a) => sign(a)],
    ['max', E.max(x, y), tf.maximum], ['min', E.min(x, y), tf.minimum],
    ['selectLe', E.selectLe(x, y, E.c(0), E.div(x, y)), (a, b) => tf.where(tf.lessEqual(a, b), tf.zerosLike(a), tf.div(a, b))],
    ['const', E.mul(x, E.c(0.1)), (a) => tf.mul(a, 0.1)],
  ];
  for (const n of [1, 3, 4, 7, 1001]) {
    const a = rng.fillNormal(new Float32Array(n));
    const b = rng.fillNormal(new Float32Array(n));
    a[0] = 0; if (n > 2) { a[1] = -0; b[2] = a[2]!; }
    // below FLT_EPSILON, where the wasm backend's tf.sign wrongly gives 0 (the program and tree.sign must not)
    if (n > 6) { a[3] = 1e-8; a[4] = -3e-38; a[5] = 1e-45; a[6] = -1.1e-7; }
    for (const [name, e, op] of cases) {
      const diff = tf.tidy(() => {
        const ta = tf.tensor1d(a), tb = tf.tensor1d(b);
        const program: Program = { name: 'MinimaTestOp', arrays: 2, scalars: 0, outputs: 1, sums: 1, body: [{ let: 'r', e }, { out: 0, e: E.v('r') }, { sum: 0, e: E.v('r') }] };
        const [out, sum] = runProgram(program, [ta, tb]);
        const want = op(ta, tb);
        const got = new Uint32Array(Float32Array.from(out!.dataSync() as Float32Array).buffer);
        const ref = new Uint32Array(Float32Array.from(want.dataSync() as Float32Array).buffer);
        for (let i = 0; i < n; i++) if (got[i] !== ref[i]) return `${name} n=${n} [${i}]: ${out!.dataSync()[i]} vs ${want.dataSync()[i]}`;
        const s = sum!.dataSync()[0]!, rs = tf.sum(want).dataSync()[0]!;
        return Object.is(s, rs) ? '' : `${name} n=${n} sum: ${s} vs tf.sum ${rs}`;
      });
      if (diff) return diff;
    }
  }
  return '';
}
