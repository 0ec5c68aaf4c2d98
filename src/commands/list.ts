/** `minima list [kind] [glob] [--json]`: what the registries hold, with options and defaults. */
import { z } from 'zod';
import { catalog, kindNames } from '../registries.js';
import type { Entry, Registry } from '../core/registry.js';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import type { CommandContext } from './context.js';
import type { DataSpec } from '../core/types.js';
import { describeModel, modelSupports } from '../models/index.js';
import { LOSS_GROUPS, lossGroup, type LossEntry } from '../losses/index.js';
import { analysisRegistry } from '../analysis/index.js';

/** What `list` shows: the catalog, plus the post-hoc analyses (a registry above the catalog's floor). */
const listed = { ...catalog, analysis: analysisRegistry as unknown as Registry } as const;
const listedKinds: Readonly<Record<string, keyof typeof listed>> = { ...kindNames, analyses: 'analysis', analysis: 'analysis' };
const plural = (k: string) => (k === 'loss' ? 'losses' : k === 'analysis' ? 'analyses' : `${k}s`);

/** Reference datasets for `minima list models`: the first one a model supports sizes its parameter count. */
const referenceData: readonly { readonly label: string; readonly spec: DataSpec }[] = [
  { label: 'MNIST 28×28×1 → 10', spec: { task: 'classification', inputShape: [28, 28, 1], inputKind: 'dense', numClasses: 10, outputDim: 10 } },
  { label: 'CIFAR-10 32×32×3 → 10', spec: { task: 'classification', inputShape: [32, 32, 3], inputKind: 'dense', numClasses: 10, outputDim: 10 } },
  { label: 'mod-97 token pairs → 97', spec: { task: 'classification', inputShape: [2], inputKind: 'tokens', vocabSize: 97, numClasses: 97, outputDim: 97 } },
];

/** Parameter count of a model with default options on the first reference dataset it supports. */
function modelParams(name: string): { params: number; on: string } | undefined {
  const prefer = name === 'resnet' || name === 'wide-resnet' ? [1, 0, 2] : [0, 1, 2];
  for (const i of prefer) {
    const ref = referenceData[i]!;
    if (modelSupports({ name }, ref.spec) === null) return { params: describeModel({ name }, ref.spec).paramCount, on: ref.label };
  }
  return undefined;
}

export const listOptions = z.object({
  kind: z.string().optional(),
  glob: z.string().optional(),
  json: z.boolean().default(false),
});
export type ListOptions = z.input<typeof listOptions>;

interface OptionInfo { readonly name: string; readonly type: string; readonly default?: unknown; readonly description?: string; readonly required: boolean }

/** Options of an entry from its zod schema (via JSON Schema, which carries defaults and descriptions). */
export function entryOptions(entry: Entry): OptionInfo[] {
  let js: { properties?: Record<string, { type?: unknown; default?: unknown; description?: string; anyOf?: { type?: unknown }[]; enum?: unknown[] }>; required?: string[] };
  try {
    js = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any' }) as typeof js;
  } catch {
    return [];
  }
  const out: OptionInfo[] = Object.entries(js.properties ?? {}).map(([name, p]) => {
    const type = p.enum ? p.enum.map((v) => JSON.stringify(v)).join('|') : p.type ? String(p.type) : p.anyOf ? p.anyOf.map((a) => String(a.type ?? '?')).join('|') : 'any';
    return { name, type, required: (js.required ?? []).includes(name) && p.default === undefined, ...(p.default !== undefined ? { default: p.default } : {}), ...(p.description ? { description: p.description } : {}) };
  });
  for (const [name, slot] of Object.entries(entry.nested ?? {})) {
    out.push({ name, type: `${slot.kind} spec${slot.list ? ' list' : ''}`, required: !slot.optional, description: `nested ${slot.kind} spec` });
  }
  return out;
}

function describe(reg: Registry, glob: string | undefined) {
  return reg.names(glob).map((n) => {
    const e = reg.get(n);
    const params = reg.kind === 'model' ? modelParams(e.name) : undefined;
    // A loss's typed needs (task, input, reduction) print first among the facts.
    const needs = 'needs' in e ? (e.needs as Readonly<Record<string, string>>) : undefined;
    const group = reg.kind === 'loss' ? { group: lossGroup(e as LossEntry) } : {};
    return { name: e.name, kind: reg.kind, summary: e.summary, ...group, ...(params ? { params: params.params, params_on: params.on } : {}), ...(needs ? { needs } : {}), ...(e.info ? { info: e.info } : {}), options: entryOptions(e) };
  });
}

export async function list(input: ListOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = listOptions.parse(input);
  let kinds = Object.keys(listed) as (keyof typeof listed)[];
  if (o.kind) {
    const k = Object.hasOwn(listedKinds, o.kind) ? listedKinds[o.kind] : undefined;
    if (!k) {
      const s = suggest(o.kind, Object.keys(listedKinds));
      throw new RunnerError('USAGE', `unknown kind "${o.kind}"${s.length ? ` (did you mean "${s[0]}"?)` : ''}; kinds: ${Object.keys(listed).map(plural).join(', ')}`);
    }
    kinds = [k];
  }
  const result = Object.fromEntries(kinds.map((k) => [k, describe(listed[k], o.glob)]));
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify(o.kind ? result[kinds[0]!] : result, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const k of kinds) {
    const items = result[k]!;
    ctx.stdout.write(`${plural(k)} (${items.length})\n`);
    const width = Math.max(...items.map((i) => i.name.length), 4);
    // losses print under their group headings (losses/loss-groups.ts), in LOSS_GROUPS order
    const ordered = k === 'loss' ? LOSS_GROUPS.flatMap((g) => items.filter((i) => 'group' in i && i.group === g)) : items;
    let heading: string | undefined;
    for (const item of ordered) {
      if ('group' in item && item.group !== heading) {
        heading = String(item.group);
        ctx.stdout.write(` ${heading}\n`);
      }
      const count = 'params' in item && typeof item.params === 'number' ? `  [${item.params.toLocaleString('en-US')} params on ${item.params_on}]` : '';
      ctx.stdout.write(`  ${item.name.padEnd(width)}  ${item.summary}${count}\n`);
      if (o.kind) {
        // Details (facts, then options with defaults) only when one kind is asked for.
        const facts = { ...('needs' in item ? item.needs : {}), ...(item.info ?? {}) };
        for (const [key, v] of Object.entries(facts)) ctx.stdout.write(`  ${' '.repeat(width)}    ${key}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
        for (const opt of item.options) {
          const def = opt.default !== undefined ? ` = ${JSON.stringify(opt.default)}` : opt.required ? ' (required)' : '';
          ctx.stdout.write(`  ${' '.repeat(width)}    ${opt.name}: ${opt.type}${def}${opt.description ? `  ${opt.description}` : ''}\n`);
        }
      }
    }
    if (kinds.length > 1) ctx.stdout.write('\n');
  }
  return ExitCode.ok;
}
