/**
 * The structure drawn from the imports (issue 12, DESIGN §7): every import in src/ points down the
 * floors below, or stays on its own floor without closing a circle between folders. Type-only
 * imports, re-exports and lazy `import()` count: each is a dependency a reader has to follow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './support/cli.js';

/**
 * Top floor first. A folder (or a file directly in src/) may import from its own floor and the
 * floors below. `sweep` sits above `train` although it does not import it: a sweep runs trials as
 * `minima run` child processes. `run` (the run folder's files and their one vocabulary) sits below
 * the builders that write into it and below `expect`, which reads run folders through it. `report`
 * (tables, charts, the HTML report and the dashboard server) reads run and sweep folders;
 * `reproduce` (paper claims) judges sweeps and draws through `report`.
 */
const floors: readonly (readonly string[])[] = [
  ['cli', 'index.ts'], // the command line, and the library entry point
  ['commands'],
  ['reproduce', 'analysis'], // analysis: post-hoc measurements of run folders, drawn through report
  ['report'],
  ['sweep'],
  ['train'],
  ['config'],
  ['registries.ts'],
  ['losses', 'models', 'optim', 'diagnostics', 'expect', 'measure'],
  ['attacks'], // input attacks: used by losses (adversarial training) and evaluation
  ['run'],
  ['data'],
  ['backends'],
  ['core', 'metrics', 'log'],
];
const floorOf = new Map(floors.flatMap((units, i) => units.map((u) => [u, i] as const)));

const src = join(repoRoot, 'src');

interface Import {
  readonly from: string; // file, relative to src/
  readonly line: number;
  readonly to: string; // file, relative to src/
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of every file under src/, with its line. */
function imports(): Import[] {
  return sourceFiles(src).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return ts
      .preProcessFile(text, true, true)
      .importedFiles.filter((i) => i.fileName.startsWith('.'))
      .map((i) => ({
        from: relative(src, file),
        line: text.slice(0, i.pos).split('\n').length,
        to: relative(src, resolve(dirname(file), i.fileName.replace(/\.js$/, '.ts'))),
      }));
  });
}

/** The folder directly under src/ that holds a file, or the file itself when it lies in src/. */
const unitOf = (file: string): string => file.split('/')[0]!;
const where = (i: Import): string => `src/${i.from}:${i.line} → src/${i.to}`;

const all = imports();

test('the import reader sees static, type-only and lazy imports', () => {
  const seen = (from: string, to: string) => all.some((i) => i.from === from && i.to === to);
  assert.ok(seen('cli/program.ts', 'commands/run.ts'), 'lazy import() of a command');
  assert.ok(seen('commands/run.ts', 'commands/context.ts'), 'import type');
  assert.ok(seen('index.ts', 'optim/index.ts'), 're-export');
});

test('every folder of src/ is on a floor', () => {
  const units = [...new Set(sourceFiles(src).map((f) => unitOf(relative(src, f))))];
  const unknown = units.filter((u) => !floorOf.has(u));
  assert.deepEqual(unknown, [], `src/${unknown.join(', src/')}: add to a floor in test/structure.test.ts`);
});

test('no import points up a floor', () => {
  const up = all.filter((i) => (floorOf.get(unitOf(i.to)) ?? Infinity) < (floorOf.get(unitOf(i.from)) ?? -Infinity));
  // one arrow per importing file and target folder, with every import line that draws it
  const arrows = new Map<string, Import[]>();
  for (const i of up) {
    const key = `src/${i.from} → ${unitOf(i.to)}/`;
    arrows.set(key, [...(arrows.get(key) ?? []), i]);
  }
  const report = [...arrows].map(([arrow, lines]) => `  ${arrow}\n${lines.map((i) => `    ${where(i)}`).join('\n')}`);
  assert.equal(arrows.size, 0, `${arrows.size} import arrow(s) point up a floor:\n${report.join('\n')}`);
});

test('no circle between folders on one floor', () => {
  // A circle through several floors needs an upward arrow, which the test above reports; the
  // same-floor edges are the ones left to check.
  const edges = new Map<string, Map<string, Import>>();
  for (const i of all) {
    const a = unitOf(i.from), b = unitOf(i.to);
    if (a === b || floorOf.get(a) !== floorOf.get(b)) continue;
    if (!edges.has(a)) edges.set(a, new Map());
    if (!edges.get(a)!.has(b)) edges.get(a)!.set(b, i);
  }
  const circles: string[] = [];
  const done = new Set<string>();
  const visit = (u: string, path: string[]): void => {
    if (path.includes(u)) {
      const loop = [...path.slice(path.indexOf(u)), u];
      circles.push(loop.slice(0, -1).map((a, k) => where(edges.get(a)!.get(loop[k + 1]!)!)).join('\n    '));
      return;
    }
    if (done.has(u)) return;
    for (const v of edges.get(u)?.keys() ?? []) visit(v, [...path, u]);
    done.add(u);
  };
  for (const u of edges.keys()) visit(u, []);
  assert.deepEqual(circles, [], `folders on one floor import each other:\n    ${circles.join('\n  and\n    ')}`);
});
