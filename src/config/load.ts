/**
 * Loading an experiment: YAML file(s) → `extends` merged → command-line overrides → zod →
 * registry resolution → cross-field rules (rules.ts). Every problem of every file is collected
 * with its dotted path and the file, line and column it comes from, and reported together as
 * one ConfigError.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath, relative } from 'node:path';
import { LineCounter, parseDocument, visit, isAlias, isMap, isSeq, isPair, isScalar, isNode, type Document, type Node } from 'yaml';
import { ConfigError, RunnerError, type ConfigIssue } from '../core/errors.js';
import type { Spec } from '../core/registry.js';
import { experimentSchema, topLevelKeys, type ExperimentConfig } from './schema.js';
import { applyOverrides, parseOverride, type Override } from './overrides.js';
import { FORBIDDEN_KEYS, getOwn, isPlainObject, setOwn } from '../core/plain-object.js';
import { resolveSpec, zodIssues, type Catalog, type PathIssue } from '../core/resolve-spec.js';
import { checkRules, type RuleIssue } from './rules.js';

interface Source {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

export interface LoadedExperiment {
  readonly config: ExperimentConfig;
  /** The experiment file and every file it extends, child first. */
  readonly files: readonly string[];
  readonly overrides: readonly Override[];
  readonly warnings: readonly string[];
  /** Folder of the experiment file: relative data paths resolve against it. */
  readonly configDir: string;
}

export interface LoadOptions {
  readonly cwd?: string;
  readonly catalog?: Catalog;
}

/** Deep merge for `extends`: mappings merge, lists and scalars replace; a component whose name changes is replaced whole. */
export function mergeConfigs(base: Record<string, unknown>, child: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) setOwn(out, k, v);
  for (const [k, v] of Object.entries(child)) {
    const b = getOwn(out, k);
    if (isPlainObject(b) && isPlainObject(v) && !(typeof v.name === 'string' && typeof b.name === 'string' && v.name !== b.name)) {
      setOwn(out, k, mergeConfigs(b, v));
    } else {
      setOwn(out, k, v);
    }
  }
  return out;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function readSource(file: string, cwd: string, issues: ConfigIssue[], from?: { src: Source; node: Node | null }): Source | undefined {
  const shown = displayPath(file, cwd);
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (from) {
      issues.push({ ...locate(from.src, ['extends']), path: 'extends', message: `file not found: ${shown}` });
      return undefined;
    }
    throw new RunnerError('CONFIG_NOT_FOUND', `config file not found: ${shown}`);
  }
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    // the parser recurses: nesting thousands deep overflows the stack
    issues.push({ file: shown, path: '', message: `YAML: cannot parse (${String((err as Error)?.message ?? err).split('\n')[0]})` });
    return undefined;
  }
  const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
  if (overflow) {
    const pos = overflow.linePos?.[0];
    issues.push({ file: shown, ...(pos ? { line: pos.line, column: pos.col } : {}), path: '', message: 'YAML: nested too deeply to read' });
    return undefined;
  }
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      issues.push({ file: shown, ...(pos ? { line: pos.line, column: pos.col } : {}), path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` });
    }
    return undefined;
  }
  const src = { file: shown, doc, lines };
  const before = issues.length;
  issues.push(...structureIssues(src));
  return issues.length > before ? undefined : src;
}

/** At most this many nodes reached through aliases when a file becomes JS values (yaml's own default). */
const MAX_ALIAS_COUNT = 100;

function at(src: Source, node: Node | null | undefined): { file: string; line?: number; column?: number } {
  if (!node?.range) return { file: src.file };
  const pos = src.lines.linePos(node.range[0]);
  return { file: src.file, line: pos.line, column: pos.col };
}

/**
 * What YAML allows but a config must not hold, each at its line: an alias with no anchor before
 * it, an alias inside the node it names (a cycle), a key that is null, a collection or an alias,
 * and keys that reach a prototype (`__proto__`, `constructor`, `prototype`).
 */
function structureIssues(src: Source): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const anchors = new Map<string, Node>();
  visit(src.doc, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        const where = { ...at(src, node), path: dotted([...path, node]) };
        if (!target) out.push({ ...where, message: `alias *${node.source} has no anchor &${node.source} before it` });
        else if (path.includes(target as never)) out.push({ ...where, message: `alias *${node.source} is inside the node it names (a cycle)` });
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
    },
    Pair(_key, pair, path) {
      const k = pair.key;
      const where = dotted(path);
      if (k === null || (isScalar(k) && (k.value === null || k.value === ''))) {
        out.push({ ...at(src, isNode(k) ? k : (pair.value as Node | null)), path: where, message: 'a key is empty or null (write a name before the colon)' });
      } else if (!isScalar(k)) {
        out.push({ ...at(src, k as Node), path: where, message: 'a key must be a plain name, not a list, a mapping or an alias' });
      } else if (FORBIDDEN_KEYS.has(String(k.value))) {
        out.push({ ...at(src, k), path: [where, String(k.value)].filter(Boolean).join('.'), message: `"${String(k.value)}" is not allowed as a key` });
      }
    },
  });
  return out;
}

/** The dotted config path of a node from its ancestors as `visit` hands them over (document first). */
function dotted(path: readonly unknown[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (isPair(p)) parts.push(isScalar(p.key) ? keyText(p.key.value) : '?');
    else if (isSeq(p) && i + 1 < path.length) parts.push(String(p.items.indexOf(path[i + 1] as never)));
  }
  return parts.join('.');
}

/** The file's JS value; alias bombs and other failures of the conversion are config issues. */
function toValue(src: Source, issues: ConfigIssue[]): unknown {
  try {
    return src.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    let first: Node | undefined;
    visit(src.doc, { Alias(_k, n) { first ??= n; return visit.BREAK; } });
    const message = String((err as Error)?.message ?? err);
    issues.push({
      ...at(src, first),
      path: '',
      message: /alias count/i.test(message)
        ? `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}: a YAML alias bomb?)`
        : `YAML: cannot convert (${message.split('\n')[0]})`,
    });
    return undefined;
  }
}

/** Line/column of the deepest node along `path` in a source; `exact` when the whole path exists. */
function locate(src: Source, path: readonly (string | number)[]): { file: string; line?: number; column?: number; exact?: boolean } {
  let node: unknown = src.doc.contents;
  let best: { start: number } | undefined = node && (node as Node).range ? { start: (node as Node).range![0] } : undefined;
  let exact = true;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && keyText(p.key.value) === String(key));
      if (!pair) { exact = false; break; }
      const keyNode = pair.key as Node;
      if (keyNode.range) best = { start: keyNode.range[0] };
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) { exact = false; break; }
      if (item.range) best = { start: item.range[0] };
      node = item;
    } else {
      exact = false;
      break;
    }
  }
  if (!best) return { file: src.file, exact: false };
  const pos = src.lines.linePos(best.start);
  return { file: src.file, line: pos.line, column: pos.col, exact };
}

/** A scalar key as it becomes a JS property name (yaml: null → ""). */
function keyText(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function overrideOf(path: readonly (string | number)[], overrides: readonly Override[]): Override | undefined {
  const dotted = path.join('.');
  return [...overrides].reverse().find((o) => {
    const p = o.path.join('.');
    return dotted === p || dotted.startsWith(`${p}.`) || p.startsWith(`${dotted}.`);
  });
}

function toConfigIssue(issue: RuleIssue, sources: readonly Source[], overrides: readonly Override[]): ConfigIssue {
  const dotted = issue.path.join('.');
  const override = overrideOf(issue.path, overrides);
  // A cross-field issue whose first part came from an override is shown where another part is written.
  const written = override && issue.also?.find((p) => !overrideOf(p, overrides) && sources.some((src) => locate(src, p).exact));
  if (override && written) return toConfigIssue({ path: written, message: `${issue.message} (${dotted} from the override "${override.raw}")` }, sources, overrides);
  if (override) return { path: dotted, message: `${issue.message} (from the override "${override.raw}")`, file: 'command line' };
  // an override of a sibling key (train.epochs=… against train.steps in the file) is named too
  const sibling = [...overrides].reverse().find((o) => dotted.startsWith(`${o.path.slice(0, -1).join('.')}.`));
  const message = sibling ? `${issue.message} (with the override "${sibling.raw}")` : issue.message;
  for (const src of sources) {
    const loc = locate(src, issue.path);
    if (loc.exact) return { path: dotted, message, ...loc, exact: undefined } as ConfigIssue;
  }
  const main = sources[0];
  if (!main) return { path: dotted, message };
  const { exact: _exact, ...loc } = locate(main, issue.path);
  return { path: dotted, message, ...loc };
}

export async function loadExperiment(path: string, overrideArgs: readonly string[] = [], options: LoadOptions = {}): Promise<LoadedExperiment> {
  const cwd = options.cwd ?? process.cwd();
  const catalog = options.catalog ?? (await import('../registries.js')).catalog;
  const file = resolvePath(cwd, path);
  const fileIssues: ConfigIssue[] = [];
  const overrides = overrideArgs.map(parseOverride);

  // Read the file and its `extends` chain, child first.
  const sources: Source[] = [];
  const layers: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  let current: { file: string; from?: { src: Source; node: Node | null } } | undefined = { file };
  while (current) {
    if (seen.has(current.file)) {
      fileIssues.push({ path: 'extends', message: `extends cycle through ${displayPath(current.file, cwd)}`, file: sources[sources.length - 1]?.file ?? '' });
      break;
    }
    seen.add(current.file);
    const src = readSource(current.file, cwd, fileIssues, current.from);
    if (!src) break;
    if (src.doc.contents === null) {
      // nothing but blank lines and comments: say so rather than "expected a mapping"
      if (!current.from) throw new RunnerError('CONFIG_EMPTY', `${src.file}: the experiment file is empty; it needs name, dataset, model, loss, optimizer and train (see README, "Writing an experiment")`);
      fileIssues.push({ ...locate(current.from.src, ['extends']), path: 'extends', message: `${src.file} is empty` });
      break;
    }
    const value = toValue(src, fileIssues);
    if (value === undefined && fileIssues.length > 0) break;
    if (!isPlainObject(value)) {
      fileIssues.push({ file: src.file, line: 1, column: 1, path: '', message: 'an experiment file must be a YAML mapping (key: value lines)' });
      break;
    }
    sources.push(src);
    const { extends: parent, ...rest } = value;
    layers.push(rest);
    if (parent === undefined) break;
    if (typeof parent !== 'string') {
      fileIssues.push({ ...locate(src, ['extends']), path: 'extends', message: 'extends must be a file path' });
      break;
    }
    current = { file: resolvePath(dirname(current.file), parent), from: { src, node: null } };
  }
  if (fileIssues.length > 0) throw new ConfigError(fileIssues, `cannot read ${displayPath(file, cwd)}`);

  const merged = layers.reduceRight<Record<string, unknown>>((acc, layer) => mergeConfigs(acc, layer), {});
  const { value: raw, renamed } = applyOverrides(merged, overrides);

  const issues: PathIssue[] = [];
  const warnings: string[] = [];
  const top = experimentSchema.safeParse(raw);
  if (!top.success) issues.push(...zodIssues(top.error, [], raw, topLevelKeys));
  const ctx = { catalog, renamed, warnings };
  const r = raw as Record<string, unknown>;
  const required = ['dataset', 'model', 'loss', 'optimizer'] as const;
  const specs: Record<string, unknown> = {};
  for (const kind of required) {
    if (r[kind] === undefined) continue; // zod already reported the missing key
    specs[kind] = resolveSpec(kind, r[kind], [kind], ctx, issues);
  }
  specs.schedule = resolveSpec('schedule', r.schedule ?? { name: 'constant' }, ['schedule'], ctx, issues);
  const schedules: Record<string, unknown> = {};
  if (isPlainObject(r.schedules)) for (const [k, v] of Object.entries(r.schedules)) setOwn(schedules, k, resolveSpec('schedule', v, ['schedules', k], ctx, issues));
  const diagnostics = Array.isArray(r.diagnostics) ? r.diagnostics.map((d, i) => resolveSpec('diagnostic', d, ['diagnostics', i], ctx, issues)) : [];
  for (const kind of required) {
    if (r[kind] === undefined) issues.push({ path: [kind], message: `missing ${kind} (required)` });
  }
  const dataSeed = top.success ? top.data.data_seed : 0;
  const parts = { catalog, dataset: specs.dataset as Spec | undefined, model: specs.model as Spec | undefined, loss: specs.loss as Spec | undefined, train: top.success ? top.data.train : undefined, diagnostics: diagnostics as (Spec | undefined)[], schedule: specs.schedule as Spec | undefined, optimizer: specs.optimizer as Spec | undefined, schedules: schedules as Record<string, Spec | undefined> };
  issues.push(...checkRules(parts, { cwd, configDir: dirname(file), dataSeed }));
  if (issues.length > 0 || !top.success) {
    throw new ConfigError(issues.map((i) => toConfigIssue(i, sources, overrides)), `invalid config ${displayPath(file, cwd)}`);
  }
  const config = {
    name: top.data.name,
    seed: top.data.seed,
    data_seed: top.data.data_seed,
    dataset: specs.dataset,
    model: specs.model,
    loss: specs.loss,
    optimizer: specs.optimizer,
    schedule: specs.schedule,
    schedules,
    diagnostics,
    train: top.data.train,
    backend: top.data.backend,
  } as ExperimentConfig;
  return { config, files: sources.map((s) => s.file), overrides, warnings, configDir: dirname(file) };
}
