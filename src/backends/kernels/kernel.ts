/**
 * The fused-kernel runner: one pass over a parameter and its gradient and state arrays instead of
 * one tfjs kernel (and one pass, one allocation) per elementary op. Each Program is registered on
 * first use as a custom tfjs kernel for the CPU-memory backends, `cpu` (JS arrays) and `wasm` (the
 * WASM heap); other backends keep the composite ops. The optimizer rules' programs live with the
 * optimizers (src/optim/fused/rules.ts); reductions.ts holds the generic ones.
 *
 * A kernel runs one elementwise Program (program.ts): a JS loop on cpu, a WebAssembly SIMD function
 * on the wasm heap (in place, no copies). Exactness: a program repeats the composite's float32 ops
 * in the same order (see program.ts), scalar hyperparameters are rounded to float32 as tf.scalar
 * would, and per-step scalars that need transcendental functions (bias corrections) are still
 * computed by the composite tf ops and passed in as tensors. test/optim/fused*.test.ts compare
 * fused and composite runs bit for bit on each backend.
 */
import * as tf from '../tf.js';
import { compileJs, key, wasmProgram, type JsLoop, type Program } from './program.js';
import type { WasmBackend as HeapBackend } from '../wasm/heap.js';

interface SharingBackend {
  refCount(dataId: object): number;
  incRef(dataId: object): void;
}

interface CpuBackend extends SharingBackend {
  readonly data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

type WasmBackend = HeapBackend & SharingBackend;

/**
 * Output k as input `inplace[k]` itself when that tensor is the only holder of its buffer (no
 * clone, no checkpoint copy in flight): the new tensor takes the buffer over, and the caller's
 * disposal of the old one leaves it to the new. Undefined: allocate.
 */
function reuse(b: SharingBackend, c: Compiled, arrays: readonly tf.TensorInfo[], k: number, shape: number[]): tf.TensorInfo | undefined {
  const j = c.program.inplace?.[k];
  if (j === undefined) return undefined;
  const x = arrays[j]!;
  // the same buffer given as two inputs, or aliased by an earlier output, is not exclusive either
  if (b.refCount(x.dataId) !== 1 || arrays.some((y, i) => i !== j && y.dataId === x.dataId)) return undefined;
  b.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: 'float32' };
}

interface Compiled {
  readonly program: Program;
  readonly js: JsLoop;
  /** The JS loop with wasm's float32 summation, for a heap WebAssembly cannot import (shared memory). */
  jsF32?: JsLoop;
}

const programs = new Map<string, number>();
const programIds = new WeakMap<Program, number>();
const compiled: Compiled[] = [];

const inputName = (i: number): string => `x${i}`;

interface Call {
  readonly c: Compiled;
  readonly arrays: tf.TensorInfo[];
  /** Per scalar: a tensor input, or the float32 value given in attrs. */
  readonly scalars: (tf.TensorInfo | number)[];
  readonly shape: number[];
}

function decode(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): Call {
  if (!attrs) throw new Error('fused optimizer kernel: no attrs');
  const c = compiled[attrs['id'] as number]!;
  const { arrays: nA, scalars: nS } = c.program;
  const values = attrs['scalars'] as number[];
  const fromTensor = attrs['fromTensor'] as number[];
  const arrays = Array.from({ length: nA }, (_, k) => inputs[inputName(k)]!);
  let next = nA;
  const scalars = Array.from({ length: nS }, (_, k) => (fromTensor[k] ? inputs[inputName(next++)]! : values[k]!));
  for (const t of [...arrays, ...scalars]) {
    if (typeof t !== 'number' && t.dtype !== 'float32') throw new Error(`fused optimizer kernel ${c.program.name}: a ${t.dtype} input, expected float32`);
  }
  return { c, arrays, scalars, shape: [...arrays[0]!.shape] };
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { c, arrays, scalars, shape } = decode(inputs, attrs);
  const n = tf.util.sizeFromShape(shape);
  const data = (t: tf.TensorInfo): Float32Array => b.data.get(t.dataId).values as Float32Array;
  const scalarValues = scalars.map((s) => (typeof s === 'number' ? s : data(s)[0]!));
  const infos: (tf.TensorInfo | undefined)[] = [];
  const outs = Array.from({ length: c.program.outputs }, (_, k) => {
    const shared = reuse(b, c, arrays, k, shape);
    infos.push(shared);
    return shared ? data(shared) : new Float32Array(n);
  });
  const sums = c.js(arrays.map(data), outs, scalarValues);
  return [...outs.map((o, k) => infos[k] ?? b.makeTensorInfo(shape, 'float32', o)), ...sums.map((s) => b.makeTensorInfo([], 'float32', Float32Array.of(s)))];
};

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackend;
  const { c, arrays, scalars, shape } = decode(inputs, attrs);
  const memory = b.wasm.asm.memory;
  const run = wasmSimd ? wasmProgram(c.program, memory) : undefined;
  const outs = Array.from({ length: c.program.outputs }, (_, k) => reuse(b, c, arrays, k, shape) ?? b.makeOutput(shape, 'float32'));
  const sums = Array.from({ length: c.program.sums ?? 0 }, () => b.makeOutput([], 'float32'));
  const at = (t: tf.TensorInfo): number => b.dataIdMap.get(t.dataId)!.memoryOffset;
  const heap = b.wasm.HEAPF32;
  const n = tf.util.sizeFromShape(shape);
  const scalarValues = scalars.map((s) => (typeof s === 'number' ? s : heap[at(s) >>> 2]!));
  if (run) {
    run(n, ...arrays.map(at), ...outs.map(at), ...sums.map(at), ...scalarValues);
  } else {
    const view = (t: tf.TensorInfo): Float32Array => heap.subarray(at(t) >>> 2, (at(t) >>> 2) + tf.util.sizeFromShape(t.shape));
    const r = (c.jsF32 ??= compileJs(c.program, 'f32'))(arrays.map(view), outs.map(view), scalarValues);
    sums.forEach((s, k) => { heap[at(s) >>> 2] = r[k]!; });
  }
  return [...outs, ...sums];
};

/** Runs `p` over `arrays` (the first one's shape for every output) with `scalars` (scalar tensors or numbers). */
export function runProgram(p: Program, arrays: readonly tf.Tensor[], scalars: readonly (tf.Tensor | number)[] = []): tf.Tensor[] {
  // by identity first: serialising a program on every call would cost more than small kernels
  let id = programIds.get(p);
  if (id === undefined) {
    const k = key(p);
    id = programs.get(k);
    if (id !== undefined) programIds.set(p, id);
  }
  if (id === undefined) {
    const k = key(p);
    id = compiled.length;
    compiled.push({ program: p, js: compileJs(p) });
    programs.set(k, id);
    programIds.set(p, id);
    for (const [backendName, kernelFunc] of [['cpu', cpuKernel], ['wasm', wasmKernel]] as const) {
      if (!tf.getKernel(p.name, backendName)) tf.registerKernel({ kernelName: p.name, backendName, kernelFunc });
    }
  }
  if (arrays.length !== p.arrays || scalars.length !== p.scalars) throw new Error(`fused kernel ${p.name}: wrong number of inputs`);
  const named: tf.NamedTensorMap = {};
  arrays.forEach((t, i) => { named[inputName(i)] = t; });
  let next = arrays.length;
  const values = scalars.map((s) => {
    if (typeof s === 'number') return Math.fround(s);
    named[inputName(next++)] = s;
    return 0;
  });
  const fromTensor = scalars.map((s) => (typeof s === 'number' ? 0 : 1));
  const r = tf.engine().runKernel(p.name, named, { id, scalars: values, fromTensor } as unknown as tf.NamedAttrMap);
  return Array.isArray(r) ? (r as tf.Tensor[]) : [r as tf.Tensor];
}

const fusedBackends = new Set(['cpu', 'wasm']);
let enabled = true;
let wasmSimd = true;

/** Tests: on wasm, run the JS loops on the heap instead of the compiled programs (the shared-memory fallback). */
export function setWasmPrograms(on: boolean): void {
  wasmSimd = on;
}

/** Whether the fused kernels run on the current backend (cpu, wasm) and are not switched off. */
export function fusedActive(): boolean {
  return enabled && fusedBackends.has(tf.getBackend());
}

/** Switches the fused kernels off (tests compute the composite reference this way, benchmarks compare). */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}
