import { resolve as resolvePath } from 'node:path';

/** Where file-based datasets live: $MINIMA_DATA_ROOT, else ./datasets of the working folder. */
export function defaultDataRoot(cwd: string): string {
  return process.env.MINIMA_DATA_ROOT ?? resolvePath(cwd, 'datasets');
}
