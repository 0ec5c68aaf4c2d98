/**
 * Ways a checkpoint folder gets damaged (disk errors, bad copies, people), each with the problem
 * `verifyCheckpoint` must name. Shared by the checkpoint tests and the torture suite; `r` draws
 * the bytes and positions (seeded in the torture suite).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Damage {
  readonly name: string;
  readonly apply: (dir: string, r: () => number) => void;
  readonly expect: RegExp;
}

const edit = (dir: string, f: (json: Record<string, unknown>) => void) => {
  const file = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
  f(file);
  writeFileSync(join(dir, 'state.json'), JSON.stringify(file, null, 1));
};
const randomBytes = (n: number, r: () => number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));

export const DAMAGES: readonly Damage[] = [
  { name: 'the state object deleted from state.json', apply: (d) => edit(d, (f) => { delete f.state; }), expect: /state\.json (does not match its sha256|has \d+ bytes)/ },
  { name: 'a state field deleted from state.json', apply: (d) => edit(d, (f) => { delete (f.state as Record<string, unknown>).window; }), expect: /state\.json (does not match its sha256|has \d+ bytes)/ },
  { name: 'state.json garbled', apply: (d, r) => writeFileSync(join(d, 'state.json'), randomBytes(readFileSync(join(d, 'state.json')).byteLength, r)), expect: /state\.json does not match/ },
  { name: 'state.json truncated', apply: (d) => { const b = readFileSync(join(d, 'state.json')); writeFileSync(join(d, 'state.json'), b.subarray(0, b.byteLength >> 1)); }, expect: /state\.json has \d+ bytes/ },
  { name: 'tensors.bin overwritten with random bytes of the same size', apply: (d, r) => writeFileSync(join(d, 'tensors.bin'), randomBytes(readFileSync(join(d, 'tensors.bin')).byteLength, r)), expect: /tensors\.bin does not match its sha256/ },
  {
    name: 'one flipped byte in tensors.bin',
    apply: (d, r) => { const b = readFileSync(join(d, 'tensors.bin')); const i = Math.floor(r() * b.byteLength); b[i] = b[i]! ^ (1 << Math.floor(r() * 8)); writeFileSync(join(d, 'tensors.bin'), b); },
    expect: /tensors\.bin does not match its sha256/,
  },
  { name: 'tensors.bin truncated', apply: (d) => { const b = readFileSync(join(d, 'tensors.bin')); writeFileSync(join(d, 'tensors.bin'), b.subarray(0, b.byteLength - 4)); }, expect: /tensors\.bin has \d+ bytes/ },
  { name: 'tensors.bin missing', apply: (d) => rmSync(join(d, 'tensors.bin')), expect: /tensors\.bin is missing/ },
  { name: 'state.json missing', apply: (d) => rmSync(join(d, 'state.json')), expect: /state\.json is missing/ },
  { name: 'manifest.json missing', apply: (d) => rmSync(join(d, 'manifest.json')), expect: /manifest\.json is missing/ },
  { name: 'manifest.json garbled', apply: (d, r) => writeFileSync(join(d, 'manifest.json'), randomBytes(40, r)), expect: /manifest\.json is not (valid JSON|a checkpoint manifest)/ },
  { name: 'an empty folder', apply: (d) => { for (const f of ['state.json', 'tensors.bin', 'manifest.json']) rmSync(join(d, f)); }, expect: /is missing/ },
];

/** Rewrites a checkpoint as an older minima wrote it: format 1, no manifest. */
export function toFormat1(dir: string): void {
  edit(dir, (f) => { f.format = 'minima-checkpoint-1'; });
  rmSync(join(dir, 'manifest.json'));
}
