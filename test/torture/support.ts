/** Shared by the torture suite (`npm run test:torture`): the switch, the seed and a seeded PRNG. */
export const TORTURE = process.env.MINIMA_TEST_TORTURE === '1';
export const skipUnlessTorture = TORTURE ? false : 'torture suite: run with `npm run test:torture` (MINIMA_TEST_TORTURE=1)';

/**
 * The suite's seed: MINIMA_TORTURE_SEED (scripts/test.mjs draws one for the whole run and prints
 * it), else drawn from the clock for a file run on its own; printed so a failure can be replayed.
 */
export const SEED = (() => {
  const fromEnv = process.env.MINIMA_TORTURE_SEED;
  const seed = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : Date.now() % 1_000_000_007;
  if (TORTURE) process.stderr.write(`torture seed ${seed} (replay with MINIMA_TORTURE_SEED=${seed})\n`);
  return seed;
})();

/** mulberry32: a small seeded PRNG; `rng(name)` gives each test its own stream from SEED. */
export function rng(name: string): () => number {
  let a = SEED;
  for (const ch of name) a = Math.imul(a ^ ch.charCodeAt(0), 2654435761) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
