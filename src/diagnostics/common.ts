import { z } from 'zod';

/** The `every` option every diagnostic has. */
export function everyOption(defaultEvery: number) {
  return z.number().int().positive().default(defaultEvery).describe('Run every N optimizer steps (each run costs extra forward/backward passes).');
}
