/**
 * A seeded fuzzer of experiment configs and overrides (issue 14): each case mutates a shipped
 * config (type swaps, deletions, huge numbers, unicode, deep nesting, odd keys, hostile YAML) and
 * adds odd overrides and flags, then runs the CLI on it in process (`execute`) or through the real
 * binary. The contract: never exit 1, never a stack trace, every rejection exit 2 naming where
 * (file:line:col, the command line or the override), and nothing written to the runs folder.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { execute } from '../../src/cli/main.js';
import { captureContext } from '../sweep/helpers.js';
import { minima, repoRoot } from './cli.js';

/** mulberry32: small, seeded, and independent of the code under test. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed: MINIMA_TORTURE_SEED when set, else a fresh one (printed by the caller, to replay a failure). */
export function tortureSeed(): number {
  const env = process.env.MINIMA_TORTURE_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`MINIMA_TORTURE_SEED must be an integer, got "${env}"`);
    return n >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32);
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** The shipped experiment configs (sweep files excluded), relative to configs/. */
export function shippedConfigs(): string[] {
  const root = join(repoRoot, 'configs');
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      if (statSync(p).isDirectory()) return n === 'sweeps' ? [] : walk(p);
      return n.endsWith('.yaml') ? [relative(root, p)] : [];
    });
  return walk(root).sort();
}

type Path = (string | number)[];

function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k as string] : undefined), v);
}

function setAt(root: Record<string, unknown>, p: Path, value: unknown, remove = false): void {
  if (p.length === 0) return;
  const parent = getAt(root, p.slice(0, -1));
  if (!parent || typeof parent !== 'object') return;
  const k = p[p.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(k), 1);
    else delete (parent as Record<string, unknown>)[k];
  } else Object.defineProperty(parent, k, { value, writable: true, enumerable: true, configurable: true });
}

const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', 'a.b', '1', '-1', 'λ', '😀', ' ', 'x'.repeat(300), 'name', 'extends', 'null', 'true'];

function deep(r: Rand, depth: number): unknown {
  let v: unknown = int(r, 0, 3);
  for (let i = 0; i < depth; i++) v = r() < 0.5 ? [v] : { k: v };
  return v;
}

/** A value of another type, or an extreme of the same one. */
function oddValue(r: Rand): unknown {
  return pick(r, [
    () => 'abc',
    () => '',
    () => 0,
    () => -1,
    () => -0,
    () => 1e308,
    () => Number.POSITIVE_INFINITY,
    () => Number.NEGATIVE_INFINITY,
    () => Number.NaN,
    () => 2 ** 53 + 2,
    () => 5e-324,
    () => int(r, -1e9, 1e9),
    () => r() * 10 - 5,
    () => true,
    () => false,
    () => null,
    () => [],
    () => ({}),
    () => [1, 'two', null],
    () => ({ a: 1 }),
    () => 'λ😀\u0000\u202e',
    () => 'x'.repeat(int(r, 200, 20000)),
    () => deep(r, int(r, 5, 60)),
    () => Array.from({ length: int(r, 10, 2000) }, (_, i) => i),
    () => '../../../../etc/passwd',
    () => `${'d/'.repeat(300)}f.csv`,
  ])();
}

/** Text-level damage: what YAML allows or almost allows. */
function textMutation(r: Rand, text: string): { text: string; what: string } {
  const lines = text.split('\n');
  const at = int(r, 0, lines.length);
  const insert = (extra: string, what: string) => ({ text: [...lines.slice(0, at), extra, ...lines.slice(at)].join('\n'), what });
  return pick(r, [
    () => insert(`seed2: *${pick(r, ['nowhere', 'a', 'x1'])}`, 'undefined alias'),
    () => ({ text: `${text}\n${['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n')}\n`, what: 'alias bomb' }),
    () => ({ text: `${text}\nrec: &r [1, *r]\n`, what: 'recursive alias' }),
    () => insert(`${pick(r, ['__proto__', 'constructor', 'prototype'])}: {polluted: 1}`, 'prototype key'),
    () => insert(`${'  '.repeat(int(r, 0, 2))}${pick(r, ['null', '~', '""', "''"])}: 3`, 'null key'),
    () => insert(`? [a, b]\n: 1`, 'collection key'),
    () => insert(`\t${pick(r, ['a', 'name'])}: 1`, 'tab indent'),
    () => ({ text: text.replace(/: /, ': : '), what: 'stray colon' }),
    () => ({ text: `${text}\n---\nname: second\n`, what: 'two documents' }),
    () => ({ text: `\uFEFF${text}`, what: 'BOM' }),
    () => ({ text: text.slice(0, int(r, 0, text.length)), what: 'truncated' }),
    () => insert(`deep: ${'['.repeat(int(r, 100, 20000))}${']'.repeat(int(r, 0, 20000))}`, 'deep flow nesting'),
    () => insert(`x: !!${pick(r, ['binary aGVsbG8=', 'set {a, b}', 'omap [a: 1]', 'timestamp 2001-12-14', 'js/function "f"', 'float abc', 'int 0x'])}`, 'tag'),
    () => insert(`${lines[at]?.split(':')[0] ?? 'name'}: dup`, 'duplicate key'),
    () => ({ text: text.replace(/\n/g, '\r\n'), what: 'CRLF' }),
    () => ({ text: Buffer.from(Array.from({ length: int(r, 1, 300) }, () => int(r, 0, 255))).toString('latin1'), what: 'binary junk' }),
    () => insert(`name: ${'é'.repeat(int(r, 1, 300))}`, 'unicode name'),
    () => insert(`x: "${'\\u'.repeat(int(r, 1, 3))}zz"`, 'bad escape'),
    () => ({ text: `${text}\n${'k: '.repeat(int(r, 1, 5))}v\n`, what: 'nested implicit keys' }),
  ])();
}

/** An odd override or flag (most aim at real paths of the config). */
function oddOverride(r: Rand, known: readonly Path[]): string {
  const p = pick(r, known).join('.') || 'name';
  const value = () => {
    const v = oddValue(r);
    return typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
  };
  return pick(r, [
    () => `${p}=${value()}`,
    () => `+${p}.${pick(r, ODD_KEYS)}=1`,
    () => `~${p}`,
    () => `${pick(r, ['__proto__', 'constructor', 'prototype'])}.polluted=1`,
    () => `${p}.__proto__.x=1`,
    () => `+__proto__.x=1`,
    () => `${p}=${pick(r, ['{__proto__: {a: 1}}', '[{constructor: 1}]', '*nowhere', '&a [1, *a]', '[1,', '{a: 1', '!!binary aGk=', "'unterminated", '1e999', '-.inf', '.nan', '0x1F', '0o17', '1_000', '~', '""'])}`,
    () => `${p}.${int(r, 0, 99)}=test`,
    () => `train.eval_splits.${int(r, 0, 9)}=${pick(r, ['train', 'test', 'x'])}`,
    () => `${p}.foo.bar=1`,
    () => pick(r, ['=1', '=', '~', '+', '.=1', 'a..b=1', '.a=1', 'a.=1', 'λ=1', 'a b=1', 'a.-1=3', `${'k.'.repeat(500)}k=1`, 'name', '~name=1', '++a=1', '+~a=1']),
    () => `name=${pick(r, ['x'.repeat(int(r, 230, 400)), '-lead', 'a/b', '..', 'é', ''])}`,
    () => `seed=${pick(r, ['-1', '1.5', '9007199254740993', '1e400', 'abc', '[]'])}`,
    // flags unknown to run (a run-only flag such as --runs-dir is a usage error of validate only,
    // which would break the "run rejects what validate rejects" check without being a bug)
    () => pick(r, ['-x=1', '--foo=bar', '-x', '--foo', '--json', '--', '-', '---']),
  ])();
}

export interface FuzzCase {
  readonly index: number;
  readonly config: string;
  readonly text: string;
  readonly args: readonly string[];
  readonly what: readonly string[];
}

/** Case `index` of a run seeded with `seed`: the same seed and index always give the same case. */
export function fuzzCase(seed: number, index: number, configs: readonly string[]): FuzzCase {
  const r = prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const config = pick(r, configs);
  const original = readFileSync(join(repoRoot, 'configs', config), 'utf8');
  const value = parse(original) as Record<string, unknown>;
  const known = paths(value);
  const what: string[] = [];
  let text: string;
  const mode = r();
  if (mode < 0.2) {
    const m = textMutation(r, original);
    text = m.text;
    what.push(m.what);
  } else {
    const edits = int(r, mode < 0.85 ? 1 : 0, 3);
    for (let e = 0; e < edits; e++) {
      const p = pick(r, known.filter((x) => x.length > 0));
      const kind = r();
      if (kind < 0.4) {
        setAt(value, p, oddValue(r));
        what.push(`swap ${p.join('.')}`);
      } else if (kind < 0.6) {
        setAt(value, p, undefined, true);
        what.push(`delete ${p.join('.')}`);
      } else if (kind < 0.8) {
        const parent = getAt(value, p.slice(0, -1));
        if (parent && typeof parent === 'object' && !Array.isArray(parent)) setAt(value, [...p.slice(0, -1), pick(r, ODD_KEYS)], oddValue(r));
        what.push(`odd key under ${p.slice(0, -1).join('.') || '(root)'}`);
      } else {
        const cur = getAt(value, p);
        setAt(value, p, typeof cur === 'number' ? pick(r, [cur * 1e12, -cur, cur + 0.5, 1e308, 2 ** 31, 2 ** 53]) : typeof cur === 'string' ? pick(r, [cur + cur.repeat(int(r, 1, 50)), cur.toUpperCase(), `${cur}-x`, '']) : oddValue(r));
        what.push(`extreme ${p.join('.')}`);
      }
    }
    try {
      text = stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
    } catch {
      text = original;
    }
  }
  const args: string[] = [];
  const nOverrides = r() < 0.5 ? 0 : int(r, 1, 3);
  for (let i = 0; i < nOverrides; i++) args.push(oddOverride(r, known));
  if (nOverrides > 0) what.push(`overrides ${JSON.stringify(args)}`);
  return { index, config, text, args, what };
}

/** Copies configs/ into `dir` (so `extends` resolves), writes the case's file next to its original, returns its path relative to `dir`. */
export function prepareWorkspace(dir: string): void {
  cpSync(join(repoRoot, 'configs'), join(dir, 'configs'), { recursive: true });
}

function caseFile(dir: string, c: FuzzCase): string {
  const rel = join('configs', c.config.replace(/\.yaml$/, `.fuzz-${c.index}.yaml`));
  writeFileSync(join(dir, rel), c.text);
  return rel;
}

const STACK = /\n\s+at .+[:(]\d+:\d+\)?|internal error/;
/** What a rejection must name: file:line:col, the command line, an override, or a usage line. */
const WHERE = /\.yaml(:\d+:\d+)?: |command line: |override "|usage: minima|unknown option|\(root\)|config file not found|is empty/;

export interface Outcome {
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
}

/** Checks one outcome against the contract; the message carries everything needed to replay it. */
export function checkOutcome(seed: number, c: FuzzCase, command: string, o: Outcome, runsDir: string): void {
  const replay = `MINIMA_TORTURE_SEED=${seed}, case ${c.index} (${c.config}: ${c.what.join('; ')}), minima ${command}`;
  const shown = `${replay}\nexit ${o.code}\nstderr: ${o.stderr.slice(0, 2000)}`;
  assert.ok(o.code === 0 || o.code === 2, `exit code must be 0 or 2: ${shown}`);
  assert.doesNotMatch(o.stderr, STACK, `no stack trace: ${shown}`);
  if (o.code === 2) assert.match(o.stderr, WHERE, `a rejection names where: ${shown}`);
  assert.equal(existsSync(runsDir), false, `nothing written to the runs folder: ${shown}`);
}

/** Runs case `c` in process: `validate`, and `run` as well when validate rejects it (run must reject it too, writing nothing). */
export async function runInProcess(seed: number, c: FuzzCase, dir: string): Promise<number> {
  const file = caseFile(dir, c);
  const runsDir = join(dir, 'runs');
  const validate = ['validate', file, ...c.args];
  const v = captureContext(dir);
  const code = await execute(['node', 'minima', ...validate], v.ctx);
  checkOutcome(seed, c, validate.join(' '), { code, stderr: v.err(), stdout: v.out() }, runsDir);
  if (code === 2) {
    const run = ['run', file, ...c.args, '--runs-dir', 'runs', '-q'];
    const rc = captureContext(dir);
    const runCode = await execute(['node', 'minima', ...run], rc.ctx);
    checkOutcome(seed, c, run.join(' '), { code: runCode, stderr: rc.err(), stdout: rc.out() }, runsDir);
    assert.equal(runCode, 2, `run rejects what validate rejects: MINIMA_TORTURE_SEED=${seed}, case ${c.index}\n${rc.err()}`);
  }
  return code;
}

/** Runs case `c` through bin/minima.js (`validate`, then `run` when rejected). */
export function runBinary(seed: number, c: FuzzCase, dir: string): number {
  const file = caseFile(dir, c);
  const runsDir = join(dir, 'runs');
  // argv entries are C strings: a NUL ends the argument, as execve would cut it (spawn refuses it)
  const args = c.args.map((a) => a.split('\0')[0]!);
  const v = minima(['validate', file, ...args], dir);
  checkOutcome(seed, c, `validate ${file}`, v, runsDir);
  if (v.code === 2) {
    const r = minima(['run', file, ...args, '--runs-dir', 'runs', '-q'], dir);
    checkOutcome(seed, c, `run ${file}`, r, runsDir);
    assert.equal(r.code, 2, `run rejects what validate rejects: MINIMA_TORTURE_SEED=${seed}, case ${c.index}\n${r.stderr}`);
  }
  return v.code ?? -1;
}
