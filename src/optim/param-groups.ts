/**
 * Parameter groups, the one mechanism behind weight-decay masks, per-group learning rates and
 * layer-wise lr decay on every descent rule (torch `param_groups`, timm `param_groups_weight_decay`
 * and `param_groups_layer_decay`). `defineOptimizer` adds these options to every entry's schema and
 * hands the rule a context whose `params` carry two per-tensor facts: `decay` (does weight decay
 * act on it) and `lrScale` (its learning rate is lr·lrScale, as a torch group with `lr = lr·mult`).
 * The shared transforms read them: `addDecayedWeights` (and every rule's own decay) skips a tensor
 * with `decay: false`, `scaleByLearningRate` multiplies by `lrScale`. With the defaults every tensor
 * is decayed at scale 1 and the rule sees the untouched context: the same path, the same bits.
 */
import { z } from 'zod';
import { globToRegExp } from '../core/registry.js';
import type { ParamSpec } from '../core/types.js';

const role = z.enum(['kernel', 'bias']);

export const lrMultRule = z.strictObject({
  roles: z.array(role).min(1).optional().describe('parameter roles this rule matches (absent: any role)'),
  names: z.array(z.string()).min(1).optional().describe('parameter name globs this rule matches (absent: any name), e.g. "mlp/head/*"'),
  mult: z.number().min(0).describe('the matched parameters train at lr·mult'),
});

/**
 * The group options every descent rule takes. `decay_roles` defaults per entry (what its official
 * code decays); `no_decay` removes names from it.
 */
export function groupOptions(defaultDecayRoles: readonly ('kernel' | 'bias')[]) {
  return {
    decay_roles: z
      .array(role)
      .default([...defaultDecayRoles])
      .describe('roles weight decay acts on (kernel: weights, BN scales, embeddings; bias: biases, BN shifts); [] = none'),
    no_decay: z.array(z.string()).default([]).describe('parameter name globs never decayed (timm no_weight_decay_list), e.g. ["*/bn*"]'),
    lr_mult: z
      .array(lrMultRule)
      .default([])
      .describe('per-group learning rates: the first rule that matches a parameter (roles and names) sets its lr·mult'),
    layer_decay: z
      .number()
      .gt(0)
      .max(1)
      .nullable()
      .default(null)
      .describe('layer-wise lr decay (BEiT/timm): the i-th of L model layers (name up to its last "/", in parameter order) trains at lr·d^(L−1−i); loss-owned tensors at lr; null = off'),
  };
}

export interface GroupOptions {
  readonly decay_roles: readonly ('kernel' | 'bias')[];
  readonly no_decay: readonly string[];
  readonly lr_mult: readonly z.output<typeof lrMultRule>[];
  readonly layer_decay: number | null;
}

/** A parameter as a descent rule sees it: `decay` false skips weight decay, `lrScale` scales lr. */
export interface GroupedParam extends ParamSpec {
  readonly decay?: boolean;
  readonly lrScale?: number;
}

/** Whether the options leave every tensor decayed at lr scale 1 (the rule then sees the plain context). */
export function isTrivial(o: GroupOptions): boolean {
  return o.decay_roles.includes('kernel') && o.decay_roles.includes('bias') && o.no_decay.length === 0 && o.lr_mult.length === 0 && o.layer_decay === null;
}

/** The layer of a parameter name: everything before its last "/" (mlp/dense_0/kernel → mlp/dense_0). */
const layerOf = (name: string): string => name.slice(0, Math.max(0, name.lastIndexOf('/')));

/** The per-tensor facts of `o` for `params` (a pure function of names, roles and owners). */
export function groupParams(params: readonly ParamSpec[], o: GroupOptions): GroupedParam[] {
  const noDecay = o.no_decay.map(globToRegExp);
  const rules = o.lr_mult.map((r) => ({ ...r, globs: r.names?.map(globToRegExp) }));
  const layers = [...new Set(params.filter((p) => p.owner === 'model').map((p) => layerOf(p.name)))];
  return params.map((p) => {
    const decay = o.decay_roles.includes(p.role) && !noDecay.some((re) => re.test(p.name));
    const rule = rules.find((r) => (r.roles === undefined || r.roles.includes(p.role)) && (r.globs === undefined || r.globs.some((re) => re.test(p.name))));
    const layer = o.layer_decay === null || p.owner !== 'model' ? 1 : o.layer_decay ** (layers.length - 1 - layers.indexOf(layerOf(p.name)));
    return { ...p, decay, lrScale: layer * (rule?.mult ?? 1) };
  });
}

/** groupParams cached per parameter list (the facade hands the same array every step). */
export function groupCache(o: GroupOptions): (params: readonly ParamSpec[]) => readonly GroupedParam[] {
  const cache = new WeakMap<readonly ParamSpec[], GroupedParam[]>();
  return (params) => {
    let g = cache.get(params);
    if (!g) {
      g = groupParams(params, o);
      cache.set(params, g);
    }
    return g;
  };
}
