/**
 * Attacks: the registry (the one list to edit), and the spec schema that losses and the eval
 * config use for an `attack:` option (`{name: pgd, eps: 0.3}`), validated against the entry.
 */
import { z } from 'zod';
import { createRegistry } from '../core/registry.js';
import { isPlainObject } from '../core/plain-object.js';
import { specOptions, type Spec } from '../core/spec.js';
import { fgsm } from './fgsm.js';
import { pgd } from './pgd.js';
import type { Attack, AttackEntry } from './types.js';

export type { Attack, AttackEntry, AttackNorm, PerturbOptions } from './types.js';
export { project } from './projected-gradient.js';

const entries: readonly AttackEntry[] = [fgsm, pgd];

export const attackRegistry = createRegistry<Attack, void, AttackEntry>('attack', entries);

/** An attack spec with its defaults filled: `{name, ...options}`. */
export type AttackSpec = Spec;

/** `attack:` option: a spec naming an attack, its options checked (and defaulted) by the entry's schema. */
export const attackSpecSchema = z.unknown().transform((value, ctx): AttackSpec => {
  if (!isPlainObject(value) || typeof value.name !== 'string') {
    ctx.addIssue({ code: 'custom', message: `expected an attack spec {name: ${attackRegistry.names().join(' | ')}, …}` });
    return z.NEVER;
  }
  if (!attackRegistry.has(value.name)) {
    ctx.addIssue({ code: 'custom', message: `unknown attack "${value.name}"; attacks: ${attackRegistry.names().join(', ')}`, path: ['name'] });
    return z.NEVER;
  }
  const parsed = attackRegistry.get(value.name).schema.safeParse(specOptions(value as Spec));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.filter((p): p is string | number => typeof p !== 'symbol') });
    return z.NEVER;
  }
  return { name: value.name, ...(parsed.data as object) };
});

/** The attack a checked spec names. */
export function buildAttack(spec: AttackSpec): Attack {
  return attackRegistry.get(spec.name).create(attackRegistry.get(spec.name).schema.parse(specOptions(spec)));
}

/** The metric an evaluated attack reports: `robust_accuracy@0.3` (ℓ∞), `robust_accuracy@l2-1.5` (ℓ2), unless a key is given. */
export function robustKey(spec: AttackSpec, key?: string): string {
  if (key) return key;
  const a = spec as { eps?: number; norm?: string };
  return `robust_accuracy@${a.norm === 'l2' ? 'l2-' : ''}${a.eps ?? 0}`;
}
