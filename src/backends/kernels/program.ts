/**
 * Elementwise programs: a few float32 statements over same-length arrays and scalars, compiled to a
 * JS loop (cpu backend: Float32Arrays, every op rounded with Math.fround) and to a WebAssembly
 * function with a 4-lane SIMD main loop and a scalar tail (wasm backend: run in place on the tfjs
 * heap). Both evaluate exactly the IEEE float32 ops written, in the order written: wasm f32/f32x4
 * arithmetic is IEEE (no fused multiply-add, no flush to zero), and a float64 +, −, ×, ÷ or sqrt
 * of float32 operands rounded once to float32 equals the float32 op.
 */

import { F32, I32, V128, f32bytes, instantiate, sleb, simd, uleb, wasmModule, type WasmMemory } from '../wasm/assembler.js';

export type Expr =
  | { readonly op: 'in'; readonly k: number }
  | { readonly op: 'scalar'; readonly k: number }
  | { readonly op: 'const'; readonly v: number }
  | { readonly op: 'var'; readonly name: string }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div'; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'sqrt' | 'abs' | 'sign'; readonly a: Expr }
  | { readonly op: 'max' | 'min'; readonly a: Expr; readonly b: Expr }
  /** a ≤ b ? then : otherwise (tf.where(tf.lessEqual(a, b), then, otherwise)). */
  | { readonly op: 'selectLe'; readonly a: Expr; readonly b: Expr; readonly then: Expr; readonly otherwise: Expr };

/**
 * `sum` accumulates into scalar output k in the order of the backend's own tf.sum: in float64
 * rounded once at the end on cpu (its Sum kernel), in float32 lanes on wasm (minima's Sum kernel,
 * src/backends/wasm/sum.ts, runs `sumProgram`): lane l of a 4-wide accumulator takes elements
 * l, l + 4, … below n & ~3, the lanes are added as (l0 + l1) + (l2 + l3), then the remaining
 * elements one by one. A sequential float32 sum would be one dependent add per element, 4× slower.
 */
export type Stmt = { readonly let: string; readonly e: Expr } | { readonly out: number; readonly e: Expr } | { readonly sum: number; readonly e: Expr };

export interface Program {
  /** Kernel name (profiles show it). */
  readonly name: string;
  /** Array inputs (all of the parameter's length), scalar parameters, array outputs. */
  readonly arrays: number;
  readonly scalars: number;
  readonly outputs: number;
  /** Scalar (shape []) outputs written by `sum` statements, after the array outputs. */
  readonly sums?: number;
  /**
   * Output k → input j: the kernel writes output k into input j's buffer when no other tensor
   * shares that buffer (an optimizer's moments, replaced every step), saving an allocation and a
   * cold write. Safe for an elementwise program because each iteration loads its inputs before it
   * stores an output.
   */
  readonly inplace?: Readonly<Record<number, number>>;
  readonly body: readonly Stmt[];
}

/** Builders. `c` rounds its constant to float32 as tf.scalar would. */
export const E = {
  in: (k: number): Expr => ({ op: 'in', k }),
  s: (k: number): Expr => ({ op: 'scalar', k }),
  c: (v: number): Expr => ({ op: 'const', v: Math.fround(v) }),
  v: (name: string): Expr => ({ op: 'var', name }),
  add: (a: Expr, b: Expr): Expr => ({ op: 'add', a, b }),
  sub: (a: Expr, b: Expr): Expr => ({ op: 'sub', a, b }),
  mul: (a: Expr, b: Expr): Expr => ({ op: 'mul', a, b }),
  div: (a: Expr, b: Expr): Expr => ({ op: 'div', a, b }),
  sqrt: (a: Expr): Expr => ({ op: 'sqrt', a }),
  abs: (a: Expr): Expr => ({ op: 'abs', a }),
  /** tfjs Sign: −1, 1, or 0 for ±0 and NaN. */
  sign: (a: Expr): Expr => ({ op: 'sign', a }),
  max: (a: Expr, b: Expr): Expr => ({ op: 'max', a, b }),
  min: (a: Expr, b: Expr): Expr => ({ op: 'min', a, b }),
  selectLe: (a: Expr, b: Expr, then: Expr, otherwise: Expr): Expr => ({ op: 'selectLe', a, b, then, otherwise }),
};

export const key = (p: Program): string => JSON.stringify(p);

/* ------------------------------------------------------------------ JS */

/** Returns the sums (float64 accumulators; the caller stores them as float32). */
export type JsLoop = (arrays: readonly Float32Array[], outs: readonly Float32Array[], scalars: readonly number[]) => number[];

/** `sums`: how `sum` statements accumulate, 'f64' as the cpu backend's Sum, 'f32' in wasm's lane order (see Stmt). */
export function compileJs(p: Program, sums: 'f64' | 'f32' = 'f64'): JsLoop {
  const f = 'F';
  const expr = (e: Expr): string => {
    switch (e.op) {
      case 'in': return `x${e.k}`;
      case 'scalar': return `s${e.k}`;
      case 'const': return Object.is(e.v, -0) ? '-0' : String(e.v);
      case 'var': return `v_${e.name}`;
      case 'add': return `${f}(${expr(e.a)} + ${expr(e.b)})`;
      case 'sub': return `${f}(${expr(e.a)} - ${expr(e.b)})`;
      case 'mul': return `${f}(${expr(e.a)} * ${expr(e.b)})`;
      case 'div': return `${f}(${expr(e.a)} / ${expr(e.b)})`;
      case 'sqrt': return `${f}(Math.sqrt(${expr(e.a)}))`;
      case 'abs': return `Math.abs(${expr(e.a)})`;
      case 'sign': return `SG(${expr(e.a)})`;
      case 'max': return `Math.max(${expr(e.a)}, ${expr(e.b)})`;
      case 'min': return `Math.min(${expr(e.a)}, ${expr(e.b)})`;
      case 'selectLe': return `(${expr(e.a)} <= ${expr(e.b)} ? ${expr(e.then)} : ${expr(e.otherwise)})`;
    }
  };
  const used = [...new Set(p.body.flatMap((st) => inputsOf(st.e)))];
  /**
   * One element's statements at index `i`; `acc(k)` names the accumulator a sum adds to. Every
   * input is read before any output is written (outputs may overwrite inputs: `inplace`).
   */
  const element = (i: string, acc: (k: number) => string): string[] => [`  { ${used.map((k) => `const x${k} = a${k}[${i}];`).join(' ')}`].concat(p.body.map((st) => ('let' in st ? `  { const v_${st.let} = ${expr(st.e)};` : 'out' in st ? `  o${st.out}[${i}] = ${expr(st.e)};`
    : sums === 'f64' ? `  ${acc(st.sum)} += ${expr(st.e)};` : `  ${acc(st.sum)} = ${f}(${acc(st.sum)} + ${expr(st.e)});`))).concat(p.body.filter((st) => 'let' in st).map(() => '  }'), ['  }']);
  const nSums = p.sums ?? 0;
  const ks = Array.from({ length: nSums }, (_, k) => k);
  const loops = sums === 'f64'
    ? ['for (let i = 0; i < n; i++) {', ...element('i', (k) => `r${k}`), '}']
    : [
      // wasm's order: lane l of a 4-wide accumulator takes elements l, l + 4, … below n & ~3; the
      // lanes are added pairwise, then the tail elements one by one
      ...ks.map((k) => `let r${k}_0 = 0, r${k}_1 = 0, r${k}_2 = 0, r${k}_3 = 0;`),
      'const n4 = n & ~3;',
      'for (let i = 0; i < n4; i += 4) {',
      ...[0, 1, 2, 3].flatMap((l) => element(`i + ${l}`, (k) => `r${k}_${l}`)),
      '}',
      ...ks.map((k) => `r${k} = ${f}(${f}(r${k}_0 + r${k}_1) + ${f}(r${k}_2 + r${k}_3));`),
      'for (let i = n4; i < n; i++) {', ...element('i', (k) => `r${k}`), '}',
    ];
  const lines = [
    ...Array.from({ length: p.arrays }, (_, k) => `const a${k} = A[${k}];`),
    ...Array.from({ length: p.outputs }, (_, k) => `const o${k} = O[${k}];`),
    ...Array.from({ length: p.scalars }, (_, k) => `const s${k} = ${f}(S[${k}]);`),
    ...ks.map((k) => `let r${k} = 0;`),
    'const n = a0.length;',
    ...loops,
    `return [${ks.map((k) => `r${k}`).join(', ')}];`,
  ];
  const make = new Function('F', 'SG', `return function ${p.name}(A, O, S) {\n${lines.join('\n')}\n};`) as (
    F: (x: number) => number, SG: (x: number) => number) => JsLoop;
  return make(Math.fround, (x) => (x < 0 ? -1 : x > 0 ? 1 : 0));
}

/* ------------------------------------------------------------------ WebAssembly */

export type { WasmMemory };

const children = (e: Expr): Expr[] => ('a' in e ? ('then' in e ? [e.a, e.b, e.then, e.otherwise] : 'b' in e ? [e.a, e.b] : [e.a]) : []);
const constsOf = (e: Expr): number[] => (e.op === 'const' ? [e.v] : [...(e.op === 'sign' ? [-1, 1, 0] : []), ...children(e).flatMap(constsOf)]);
const inputsOf = (e: Expr): number[] => (e.op === 'in' ? [e.k] : children(e).flatMap(inputsOf));

/**
 * (n, array pointers…, output pointers…, scalars…) → (); pointers are byte addresses in the
 * imported memory `env.memory`, n the element count.
 */
export function compileWasm(p: Program): Uint8Array {
  const nSums = p.sums ?? 0;
  const nParams = 1 + p.arrays + p.outputs + nSums + p.scalars;
  const ptr = (k: number): number => 1 + k;
  const outPtr = (k: number): number => 1 + p.arrays + k;
  const sumPtr = (k: number): number => 1 + p.arrays + p.outputs + k;
  const scalarParam = (k: number): number => 1 + p.arrays + p.outputs + nSums + k;
  const vars = p.body.filter((s): s is { let: string; e: Expr } => 'let' in s).map((s) => s.let);
  // V8's wasm compiler neither hoists loop invariants nor merges loads across stores, so the loop
  // body loads each input once into a local and the constants are splatted once, before the loop.
  const consts = [...new Set(p.body.flatMap((s) => constsOf(s.e)).map((v) => (Object.is(v, -0) ? '-0' : String(v))))].map(Number);
  const constIndex = (v: number): number => consts.findIndex((c) => Object.is(c, v));
  // locals: i, end (i32); per var one v128 and one f32; splatted scalars (v128); sums (f32); per
  // input one v128 and one f32; splatted constants (v128); per sum a 4-lane accumulator (v128)
  const iL = nParams, endL = nParams + 1;
  const vecVar = (name: string): number => nParams + 2 + vars.indexOf(name);
  const scalVar = (name: string): number => nParams + 2 + vars.length + vars.indexOf(name);
  const splat = (k: number): number => nParams + 2 + 2 * vars.length + k;
  const acc = (k: number): number => nParams + 2 + 2 * vars.length + p.scalars + k;
  const rest = nParams + 2 + 2 * vars.length + p.scalars + nSums;
  const vecIn = (k: number): number => rest + k;
  const scalIn = (k: number): number => rest + p.arrays + k;
  const constL = (v: number): number => rest + 2 * p.arrays + constIndex(v);
  const accV = (k: number): number => rest + 2 * p.arrays + consts.length + k;
  const locals = [[1, I32], [1, I32], [vars.length, V128], [vars.length, F32], [p.scalars, V128], [nSums, F32],
    [p.arrays, V128], [p.arrays, F32], [consts.length, V128], [nSums, V128]].filter(([c]) => c! > 0);

  const addr = (base: number): number[] => [0x20, ...uleb(base), 0x20, ...uleb(iL), 0x6a];
  const vexpr = (e: Expr): number[] => {
    switch (e.op) {
      case 'in': return [0x20, ...uleb(vecIn(e.k))];
      case 'scalar': return [0x20, ...uleb(splat(e.k))];
      case 'const': return [0x20, ...uleb(constL(e.v))];
      case 'var': return [0x20, ...uleb(vecVar(e.name))];
      case 'add': return [...vexpr(e.a), ...vexpr(e.b), ...simd(0xe4)];
      case 'sub': return [...vexpr(e.a), ...vexpr(e.b), ...simd(0xe5)];
      case 'mul': return [...vexpr(e.a), ...vexpr(e.b), ...simd(0xe6)];
      case 'div': return [...vexpr(e.a), ...vexpr(e.b), ...simd(0xe7)];
      case 'sqrt': return [...vexpr(e.a), ...simd(0xe3)];
      case 'abs': return [...vexpr(e.a), ...simd(0xe0)];
      case 'sign': {
        // bitselect(−1, bitselect(1, 0, x > 0), x < 0), the constants splatted before the loop
        const x = vexpr(e.a);
        const zero = [0x20, ...uleb(constL(0))];
        return [
          0x20, ...uleb(constL(-1)),
          0x20, ...uleb(constL(1)),
          ...zero,
          ...x, ...zero, ...simd(0x44), // f32x4.gt
          ...simd(0x52), // v128.bitselect
          ...x, ...zero, ...simd(0x43), // f32x4.lt
          ...simd(0x52),
        ];
      }
      case 'max': return [...vexpr(e.a), ...vexpr(e.b), ...simd(0xe9)];
      case 'min': return [...vexpr(e.a), ...vexpr(e.b), ...simd(0xe8)];
      case 'selectLe': return [...vexpr(e.then), ...vexpr(e.otherwise), ...vexpr(e.a), ...vexpr(e.b), ...simd(0x45), ...simd(0x52)];
    }
  };
  const sexpr = (e: Expr): number[] => {
    switch (e.op) {
      case 'in': return [0x20, ...uleb(scalIn(e.k))];
      case 'scalar': return [0x20, ...uleb(scalarParam(e.k))];
      case 'const': return [0x43, ...f32bytes(e.v)];
      case 'var': return [0x20, ...uleb(scalVar(e.name))];
      case 'add': return [...sexpr(e.a), ...sexpr(e.b), 0x92];
      case 'sub': return [...sexpr(e.a), ...sexpr(e.b), 0x93];
      case 'mul': return [...sexpr(e.a), ...sexpr(e.b), 0x94];
      case 'div': return [...sexpr(e.a), ...sexpr(e.b), 0x95];
      case 'sqrt': return [...sexpr(e.a), 0x91];
      case 'abs': return [...sexpr(e.a), 0x8b];
      case 'sign': {
        const x = sexpr(e.a);
        // select(−1, select(1, 0, x > 0), x < 0)
        return [0x43, ...f32bytes(-1), 0x43, ...f32bytes(1), 0x43, ...f32bytes(0), ...x, 0x43, ...f32bytes(0), 0x5e, 0x1b,
          ...x, 0x43, ...f32bytes(0), 0x5d, 0x1b];
      }
      case 'max': return [...sexpr(e.a), ...sexpr(e.b), 0x97];
      case 'min': return [...sexpr(e.a), ...sexpr(e.b), 0x96];
      case 'selectLe': return [...sexpr(e.then), ...sexpr(e.otherwise), ...sexpr(e.a), ...sexpr(e.b), 0x5f, 0x1b];
    }
  };
  const used = [...new Set(p.body.flatMap((s) => inputsOf(s.e)))].sort((a, b) => a - b);
  const loop = (stride: number, endBytes: number[], load: (k: number) => number[], stmt: (s: Stmt) => number[]): number[] => [
    ...endBytes, 0x21, ...uleb(endL),
    0x02, 0x40, 0x03, 0x40,
    0x20, ...uleb(iL), 0x20, ...uleb(endL), 0x4f, 0x0d, 1, // br_if 1 when i >= end
    ...used.flatMap(load),
    ...p.body.flatMap(stmt),
    0x20, ...uleb(iL), 0x41, ...sleb(stride), 0x6a, 0x21, ...uleb(iL),
    0x0c, 0, 0x0b, 0x0b,
  ];
  const body = [
    ...Array.from({ length: p.scalars }, (_, k) => [0x20, ...uleb(scalarParam(k)), ...simd(0x13), 0x21, ...uleb(splat(k))]).flat(),
    ...consts.flatMap((v) => [0x43, ...f32bytes(v), ...simd(0x13), 0x21, ...uleb(constL(v))]),
    // SIMD part: end = (n & ~3) * 4 bytes
    ...loop(16, [0x20, 0, 0x41, ...sleb(-4), 0x71, 0x41, 2, 0x74], (k) => [...addr(ptr(k)), ...simd(0x00), 0, 0, 0x21, ...uleb(vecIn(k))], (s) =>
      'let' in s ? [...vexpr(s.e), 0x21, ...uleb(vecVar(s.let))]
        : 'out' in s ? [...addr(outPtr(s.out)), ...vexpr(s.e), ...simd(0x0b), 0, 0]
          : [0x20, ...uleb(accV(s.sum)), ...vexpr(s.e), ...simd(0xe4), 0x21, ...uleb(accV(s.sum))]),
    // acc = (lane 0 + lane 1) + (lane 2 + lane 3)
    ...Array.from({ length: nSums }, (_, k) => [
      ...[0, 1].flatMap((l) => [0x20, ...uleb(accV(k)), ...simd(0x1f), l]), 0x92,
      ...[2, 3].flatMap((l) => [0x20, ...uleb(accV(k)), ...simd(0x1f), l]), 0x92,
      0x92, 0x21, ...uleb(acc(k))]).flat(),
    // scalar tail: end = n * 4 bytes
    ...loop(4, [0x20, 0, 0x41, 2, 0x74], (k) => [...addr(ptr(k)), 0x2a, 2, 0, 0x21, ...uleb(scalIn(k))], (s) =>
      'let' in s ? [...sexpr(s.e), 0x21, ...uleb(scalVar(s.let))]
        : 'out' in s ? [...addr(outPtr(s.out)), ...sexpr(s.e), 0x38, 2, 0]
          : [0x20, ...uleb(acc(s.sum)), ...sexpr(s.e), 0x92, 0x21, ...uleb(acc(s.sum))]),
    ...Array.from({ length: nSums }, (_, k) => [0x20, ...uleb(sumPtr(k)), 0x20, ...uleb(acc(k)), 0x38, 2, 0]).flat(),
  ];
  const params = [I32, ...Array<number>(p.arrays + p.outputs + nSums).fill(I32), ...Array<number>(p.scalars).fill(F32)];
  return wasmModule(params, locals as [number, number][], body);
}

export type WasmRun = (n: number, ...args: number[]) => void;

const instances = new WeakMap<WasmMemory, Map<string, WasmRun | undefined>>();
/** By program object first: serialising a program on every kernel call would cost more than small kernels. */
const byProgram = new WeakMap<Program, WeakMap<WasmMemory, WasmRun | undefined>>();

/**
 * The compiled program bound to `memory` (compiled once per program and memory), or undefined when
 * the memory cannot be imported as declared (a shared, threaded heap): callers then run the JS loop.
 */
export function wasmProgram(p: Program, memory: WasmMemory): WasmRun | undefined {
  let mine = byProgram.get(p);
  if (!mine) byProgram.set(p, (mine = new WeakMap()));
  if (mine.has(memory)) return mine.get(memory);
  let byKey = instances.get(memory);
  if (!byKey) instances.set(memory, (byKey = new Map()));
  const k = key(p);
  if (!byKey.has(k)) byKey.set(k, instantiate<WasmRun>(compileWasm(p), memory));
  const run = byKey.get(k);
  mine.set(memory, run);
  return run;
}
