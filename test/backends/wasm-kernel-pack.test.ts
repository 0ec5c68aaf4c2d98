import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { initBackend, installWasmKernelPack, uninstallWasmKernelPack, loadBlas, packKernelActive } from '../../src/backends/index.js';
import { opCases } from './op-cases.js';
import { assertMatchesCpu, evaluateOn } from './compare.js';

const info = await initBackend('wasm');
const blasFound = loadBlas('auto').blas !== undefined;

describe('wasm backend selection', () => {
  it('reports the GEMM engine in its device and a hint when no BLAS loads', () => {
    assert.equal(info.name, 'wasm');
    if (blasFound) {
      assert.match(info.device, /BLAS|Accelerate/);
      assert.deepEqual(info.notes, []);
    } else {
      assert.match(info.device, /no BLAS/);
      assert.equal(info.notes.length, 1);
      assert.match(info.notes[0]!, /apt-get install libopenblas0|brew install openblas|libopenblas\.dll/);
    }
  });

  it('a BLAS that does not load costs only speed: the pack installs and says in one line how to get one', async () => {
    await tf.setBackend('wasm');
    const pack = installWasmKernelPack({ blas: '/nonexistent/libopenblas.so.0' });
    assert.equal(pack.blas, undefined);
    assert.equal(pack.gemm, 'minima kernels, no BLAS');
    assert.equal(pack.notes.length, 1);
    assert.doesNotMatch(pack.notes[0]!, /\n/);
    assert.match(pack.notes[0]!, /\/nonexistent\/libopenblas\.so\.0: not found.*install OpenBLAS/);
    const c = tf.tidy(() => tf.matMul(tf.ones([3, 2]), tf.ones([4, 2]), false, true));
    // Each entry is a sum of two 1·1 products.
    assert.deepEqual(Array.from(await c.data()), Array(12).fill(2));
    c.dispose();
    installWasmKernelPack();
  });

  it('registers the kernels stock wasm lacks, and uninstalling removes them again', async () => {
    await tf.setBackend('wasm');
    const missing = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum'];
    for (const name of missing) assert.ok(tf.getKernel(name, 'wasm'), `${name} registered`);
    assert.ok(packKernelActive('GatherV2'));
    uninstallWasmKernelPack();
    for (const name of missing) assert.equal(tf.getKernel(name, 'wasm'), undefined, `${name} is not stock`);
    assert.equal(packKernelActive('GatherV2'), false, 'the stock GatherV2 is back');
    const pack = installWasmKernelPack();
    assert.ok(packKernelActive('GatherV2'));
    for (const name of missing) assert.ok(pack.kernels.includes(name));
  });
});

describe('wasm Sum over trailing axes', () => {
  it('adds in 4 float32 lanes, (l0 + l1) + (l2 + l3), then the tail one by one (the fused kernels\' order)', async () => {
    await tf.setBackend('wasm');
    installWasmKernelPack();
    // 2^24 + 1 is not a float32: the order decides which of the 1s survive
    const x = [16777216, 1, 1, 1, 1, 1, -16777216, 1, 1, 1];
    const f = Math.fround;
    const lanes = [0, 1, 2, 3].map((l) => x.slice(0, 8).filter((_, i) => i % 4 === l).reduce((a, b) => f(a + b), 0));
    let want = f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!));
    for (const v of x.slice(8)) want = f(want + v);
    const sequential = x.reduce((a, b) => f(a + b), 0);
    assert.notEqual(want, sequential, 'the case tells the orders apart');
    assert.equal(tf.sum(tf.tensor1d(x)).dataSync()[0], want);
    assert.deepEqual([...tf.sum(tf.tensor2d([...x, ...x.map((v) => -v)], [2, 10]), 1).dataSync()], [want, -want]);
  });
});

for (const blas of ['auto', 'off'] as const) {
  const label = blas === 'off' ? 'no BLAS (explicit transposes + stock XNNPACK product)' : blasFound ? 'native BLAS' : 'auto (no BLAS on this machine)';
  describe(`wasm + kernel pack, ${label}: agrees with cpu (rtol 1e-4)`, () => {
    before(async () => {
      await tf.setBackend('wasm');
      const pack = installWasmKernelPack({ blas });
      assert.equal(pack.blas !== undefined, blas === 'auto' && blasFound);
    });
    for (const c of opCases) it(c.name, () => assertMatchesCpu('wasm', c));

    it('frees every temporary it allocates (backend data ids, scratch heap views)', async () => {
      await tf.setBackend('wasm');
      const backend = tf.backend();
      // Warm up once (tfjs caches a few scalars), then compare data-id counts around a second pass.
      for (const c of opCases) await evaluateOn('wasm', c);
      const before = backend.numDataIds();
      for (const c of opCases) await evaluateOn('wasm', c);
      assert.equal(backend.numDataIds(), before);
    });
  });
}

describe('wasm + kernel pack: Identity and same-dtype Cast share memory', () => {
  it('a shared result outlives its disposed input, and other casts still convert', async () => {
    await tf.setBackend('wasm');
    installWasmKernelPack();
    const backend = tf.backend();
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const before = backend.numDataIds();
    const same = tf.cast(x, 'float32'), copy = tf.clone(x);
    assert.equal(backend.numDataIds(), before, 'no new buffers');
    x.dispose();
    assert.deepEqual(Array.from(await same.data()), [1.5, -2.25, 3]);
    assert.deepEqual(Array.from(await copy.data()), [1.5, -2.25, 3]);
    // float32 → int32 truncates toward zero (1.5 → 1, −2.25 → −2), a real conversion.
    const ints = tf.cast(same, 'int32');
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual(Array.from(await ints.data()), [1, -2, 3]);
    tf.dispose([same, copy, ints]);
    assert.equal(backend.numDataIds(), before - 1, 'the shared buffer is freed with its last tensor');
  });
});

describe('wasm + kernel pack: MaxPoolGrad ties', () => {
  it('routes each window\'s gradient to its first maximum (scan order row, column), as cpu does', async () => {
    await tf.setBackend('wasm');
    installWasmKernelPack();
    // One 2×2 window per example and channel. Example 0: all zeros (a ReLU output), so pixel (0,0)
    // takes the whole upstream gradient. Example 1: maximum 3 at (0,1) and (1,1), so (0,1) takes it.
    // Channel 1 is example 0's values minus 1: all negative (stock wasm dropped such windows).
    const x = tf.tensor4d([0, -1, 0, -1, 0, -1, 0, -1, /* example 1 */ 1, 1, 3, 3, -2, -2, 3, 3], [2, 2, 2, 2]);
    const w = tf.tensor4d([5, 7, 11, 13], [2, 1, 1, 2]);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), w)))(x);
    assert.deepEqual(Array.from(await dx.data()), [5, 7, 0, 0, 0, 0, 0, 0, /* example 1 */ 0, 0, 11, 13, 0, 0, 0, 0]);
    tf.dispose([x, w, dx]);
  });
});

describe('wasm + kernel pack: MaxPoolGrad, SIMD path for 2×2 stride-2 windows', () => {
  const grad = (x: tf.Tensor4D, pad: 'valid' | 'same', dy: tf.Tensor4D): Float32Array =>
    tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, pad), dy)))(x).dataSync() as Float32Array);

  it('takes the first maximum in scan order, lane by lane (4 channels: all ties, later wins, negatives, NaN)', async () => {
    await tf.setBackend('wasm');
    installWasmKernelPack();
    // one 2×2 window, channels: [all equal → (0,0)], [max at (1,1) only], [max −1 at (0,1) and (1,0) → (0,1)], [NaN first → no later pixel is > NaN]
    const x = tf.tensor4d([
      2, 0, -3, NaN, /* (0,1) */ 2, 1, -1, 5,
      /* (1,0) */ 2, 2, -1, 6, /* (1,1) */ 2, 3, -2, 7], [1, 2, 2, 4]);
    const dy = tf.tensor4d([10, 20, 30, 40], [1, 1, 1, 4]);
    assert.deepEqual([...grad(x, 'valid', dy)], [10, 0, 0, 40, 0, 0, 30, 0, 0, 0, 0, 0, 0, 20, 0, 0]);
    tf.dispose([x, dy]);
  });

  it('equals the general loop bit for bit on random inputs with ties (even and odd sizes, valid and same)', async () => {
    await tf.setBackend('wasm');
    installWasmKernelPack();
    const { setMaxPoolGradSimd } = await import('../../src/backends/wasm/max-pool-grad.js');
    for (const [shape, pad] of [[[3, 6, 8, 12], 'valid'], [[2, 7, 9, 8], 'valid'], [[2, 6, 6, 8], 'same'], [[2, 7, 5, 4], 'same'], [[1, 4, 4, 6], 'valid']] as const) {
      const x = tf.tidy(() => tf.round(tf.mul(tf.randomUniform([...shape], -2, 2, 'float32', 3), 2)) as tf.Tensor4D); // many ties
      const outShape = [shape[0], pad === 'same' ? Math.ceil(shape[1] / 2) : Math.floor(shape[1] / 2), pad === 'same' ? Math.ceil(shape[2] / 2) : Math.floor(shape[2] / 2), shape[3]];
      const dy = tf.randomNormal(outShape as [number, number, number, number], 0, 1, 'float32', 4) as tf.Tensor4D;
      const fast = grad(x, pad, dy);
      setMaxPoolGradSimd(false);
      try {
        const general = grad(x, pad, dy);
        assert.deepEqual(new Uint32Array(fast.buffer), new Uint32Array(general.buffer), `${shape} ${pad}`);
      } finally {
        setMaxPoolGradSimd(true);
      }
      tf.dispose([x, dy]);
    }
  });
});

describe('wasm + kernel pack: products cpu cannot check', () => {
  it('broadcasts batch dims [2,1] against [1,3] like explicitly tiled operands', async () => {
    // tfjs's cpu BatchMatMul mis-sizes this output (3 batches instead of 6), so the reference is the
    // same product on tiled, non-broadcasting operands, a path the cpu comparison above covers.
    await tf.setBackend('wasm');
    const a = tf.randomNormal([2, 1, 13, 21], 0, 1, 'float32', 1), b = tf.randomNormal([1, 3, 13, 11], 0, 1, 'float32', 2);
    const got = tf.matMul(a, b, true, false);
    const want = tf.matMul(tf.tile(a, [1, 3, 1, 1]), tf.tile(b, [2, 1, 1, 1]), true, false);
    assert.deepEqual(got.shape, [2, 3, 21, 11]);
    assert.deepEqual(Array.from(await got.data()), Array.from(await want.data()));
    tf.dispose([a, b, got, want]);
  });

  it('a 256×300 · (200×300)ᵀ product matches a float64 reference on sampled entries', async () => {
    await tf.setBackend('wasm');
    installWasmKernelPack();
    const a = tf.randomNormal([256, 300], 0, 1, 'float32', 3), b = tf.randomNormal([200, 300], 0, 1, 'float32', 4);
    const c = tf.matMul(a, b, false, true);
    const [av, bv, cv] = await Promise.all([a.data(), b.data(), c.data()]);
    for (const [i, j] of [[0, 0], [255, 199], [128, 77], [17, 150]] as const) {
      let s = 0;
      for (let k = 0; k < 300; k++) s += av[i * 300 + k]! * bv[j * 300 + k]!;
      // √300 ≈ 17 is the entry's scale; float32 rounding over 300 terms stays well under 1e-3 of it.
      assert.ok(Math.abs(cv[i * 200 + j]! - s) < 1e-3 * 17, `C[${i},${j}] = ${cv[i * 200 + j]} vs ${s}`);
    }
    tf.dispose([a, b, c]);
  });
});

describe('wasm GatherV2 on the leading axis', () => {
  it('is the active GatherV2, copies whole rows, and rejects an index outside the table leaving no output behind', async () => {
    await tf.setBackend('wasm');
    assert.ok(packKernelActive('GatherV2'));
    const table = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const ids = tf.tensor1d([1, 1, 0], 'int32');
    const rows = tf.gather(table, ids);
    assert.deepEqual(await rows.array(), [[4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    const bad = tf.tensor1d([0, 2], 'int32');
    const before = tf.memory().numTensors;
    assert.throws(() => tf.gather(table, bad), /index value 2 is not in \[0, 1\]/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([table, ids, rows, bad]);
  });
});
