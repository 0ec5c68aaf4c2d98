/**
 * Copies and zero-fills of float32 runs inside the wasm heap, listed by JS and carried out by one
 * WebAssembly call per batch (memory.copy / memory.fill). Building a conv's patch matrix takes
 * tens of thousands of short copies (3×3 patches of 32–64 channels: 96–192 floats); through
 * TypedArray.copyWithin each pays ~60 ns of call overhead, inside wasm ~5 (measured: 36 against
 * 65–85 ns per 96–192-float copy on the 2-core bench machine).
 */
import { I32, get, i32, perMemory, set, wasmModule } from './assembler.js';
import { release, scratch, type WasmBackend } from './heap.js';

/** (first, end) byte addresses of the (dst, src, len) byte triples; src −1: zero-fill. */
type RunList = (first: number, end: number) => void;

function runListModule(): Uint8Array {
  const [P, END] = [0, 1];
  const field = (offset: number): number[] => [...get(P), 0x28, 2, offset]; // i32.load offset
  return wasmModule([I32, I32], [], [
    0x02, 0x40, 0x03, 0x40,
    ...get(P), ...get(END), 0x4f, 0x0d, 1, // p >= end (unsigned): exit
    ...field(4), ...i32(-1), 0x46, // src == −1
    0x04, 0x40, // if: memory.fill(dst, 0, len)
    ...field(0), ...i32(0), ...field(8), 0xfc, 11, 0,
    0x05, // else: memory.copy(dst, src, len)
    ...field(0), ...field(4), ...field(8), 0xfc, 10, 0, 0,
    0x0b,
    ...get(P), ...i32(12), 0x6a, ...set(P),
    0x0c, 0, 0x0b, 0x0b,
  ]);
}

const runList = perMemory<RunList>(runListModule);

export class RunCopier {
  private readonly list: number;
  private readonly run: RunList | undefined;
  private n = 0;

  /** `capacity`: triples buffered before a flush. */
  constructor(private readonly backend: WasmBackend, private readonly capacity = 1 << 15) {
    this.run = runList(backend.wasm.asm.memory);
    this.list = scratch(backend, capacity * 3);
  }

  /** heap[dst, dst + len) = heap[src, src + len) (element offsets; runs never overlap). */
  copy(dst: number, src: number, len: number): void {
    if (len > 0) this.push(dst * 4, src * 4, len * 4);
  }

  /** heap[dst, dst + len) = 0. */
  zero(dst: number, len: number): void {
    if (len > 0) this.push(dst * 4, -1, len * 4);
  }

  private push(dst: number, src: number, bytes: number): void {
    if (this.n === this.capacity) this.flush();
    const h = this.backend.wasm.HEAP32, q = this.list + this.n * 3;
    h[q] = dst;
    h[q + 1] = src;
    h[q + 2] = bytes;
    this.n++;
  }

  flush(): void {
    if (this.n === 0) return;
    if (this.run) {
      this.run(this.list * 4, (this.list + this.n * 3) * 4);
    } else {
      // a shared (threaded) heap: the same runs in JS
      const h = this.backend.wasm.HEAP32, f = this.backend.wasm.HEAPF32;
      for (let k = 0; k < this.n; k++) {
        const q = this.list + k * 3, dst = h[q]! >> 2, src = h[q + 1]!, len = h[q + 2]! >> 2;
        if (src === -1) f.fill(0, dst, dst + len);
        else f.copyWithin(dst, src >> 2, (src >> 2) + len);
      }
    }
    this.n = 0;
  }

  /** Flushes, then frees the list. */
  done(): void {
    try {
      this.flush();
    } finally {
      release(this.backend, this.list);
    }
  }
}
