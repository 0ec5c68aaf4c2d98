/**
 * A few-function WebAssembly assembler: enough to emit one exported function over the tfjs wasm
 * heap (imported as `env.memory`), for minima's generated kernels (fused optimizer programs, the
 * 2×2 max-pool gradient). Node 20 runs wasm SIMD; the tfjs heap is a plain (non-shared) memory
 * unless tfjs picked its threaded build, in which case `instantiate` returns undefined and callers
 * keep their JS loops.
 */

export const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const f32bytes = (v: number): number[] => [...new Uint8Array(new Float32Array([v]).buffer)];
/** A SIMD (0xfd-prefixed) opcode. */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
export const get = (local: number): number[] => [0x20, ...uleb(local)];
export const set = (local: number): number[] => [0x21, ...uleb(local)];
export const i32 = (v: number): number[] => [0x41, ...sleb(v)];

/**
 * A module importing `env.memory` and exporting `run(params…)` → (); `locals` are [count, type]
 * groups after the parameters; `body` is the code without the final `end`.
 */
export function wasmModule(params: readonly number[], locals: readonly (readonly [number, number])[], body: readonly number[]): Uint8Array {
  const type = [0x60, ...vec(params.map((t) => [t])), 0];
  const code = [...vec(locals.filter(([c]) => c > 0).map(([c, t]) => [...uleb(c), t])), ...body, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('run'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/** The WebAssembly API (Node has it; the TS lib here does not declare it). */
export type WasmMemory = { readonly buffer: ArrayBuffer | SharedArrayBuffer };
const wasmApi = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  };
}).WebAssembly;

/** `run` of the module bound to `memory`, or undefined for a shared (threaded) heap, which it cannot import as declared. */
export function instantiate<F>(bytes: Uint8Array, memory: WasmMemory): F | undefined {
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return undefined;
  return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports['run'] as F;
}

/** `instantiate` of `build()`'s module, assembled and instantiated once per memory. */
export function perMemory<F>(build: () => Uint8Array): (memory: WasmMemory) => F | undefined {
  const runs = new WeakMap<WasmMemory, F | undefined>();
  return (memory) => {
    if (!runs.has(memory)) runs.set(memory, instantiate<F>(build(), memory));
    return runs.get(memory);
  };
}
