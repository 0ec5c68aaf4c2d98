/**
 * A loss spec's effective needs: its entry's declared needs, or, for a wrapper (`needs.wraps:
 * 'base'`: flooding, kl-dro), those of its nested `base:` spec (task, input, head), with the
 * wrapper's own reduction. Read by the trainer's choice of model head (train/build.ts), the config
 * rules and the contract tests, so a wrapper is never special-cased by name.
 */
import type { Spec } from '../core/registry.js';
import type { ModelDeps } from '../core/types.js';
import type { LossEntryNeeds } from './common.js';

/** What needs reading requires of a registry: `has` and `get` (the loss registry, or the rules' catalog). */
export interface NeedsSource {
  has(name: string): boolean;
  get(name: string): object;
}

function isSpec(v: unknown): v is Spec {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}

/** The needs of `spec` through any chain of wrappers; undefined for an unknown name. */
export function effectiveNeeds(source: NeedsSource, spec: Spec): LossEntryNeeds | undefined {
  if (!source.has(spec.name)) return undefined;
  const needs = (source.get(spec.name) as { needs?: LossEntryNeeds }).needs;
  if (!needs) return undefined;
  if (needs.wraps !== 'base' || !isSpec(spec.base)) return needs;
  const inner = effectiveNeeds(source, spec.base);
  if (!inner) return needs;
  const { wraps: _w, ...rest } = inner;
  return { ...rest, reduction: needs.reduction ?? inner.reduction ?? 'per-example' };
}

/** Why a loss that distils from the EMA of the weights (needs.teacher: mesa) is refused without train.ema. */
export function teacherNeedsEmaMessage(name: string): string {
  return `loss "${name}" distils from the EMA of the weights: set train.ema (its teacher; the official MESA uses timm --model-ema, decay 0.9998)`;
}

/** The model head a loss asks for: 'embeddings' (the loss owns the classifier), 'binary' (one logit) or 'logits'. */
export function modelHeadOf(needs: LossEntryNeeds | undefined): ModelDeps['head'] {
  if (needs?.input === 'embeddings') return 'embeddings';
  if (needs?.head === 'binary') return 'binary';
  if (needs?.head === 'gaussian') return 'gaussian';
  return 'logits';
}

/** The head of a loss term: 'softmax' unless declared. */
export function headOf(needs: LossEntryNeeds | undefined): 'softmax' | 'binary' | 'sigmoid' | 'gaussian' {
  return needs?.head ?? 'softmax';
}

function isSpec2(v: unknown): v is Spec {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}

/** A loss spec, a wrapper's `base` and the `extra` terms, depth first, each with its path. */
export function lossTermsOf(spec: Spec, at: readonly (string | number)[]): { spec: Spec; at: readonly (string | number)[] }[] {
  const extra = Array.isArray(spec.extra) ? (spec.extra as unknown[]) : [];
  const base = isSpec2(spec.base) ? lossTermsOf(spec.base, [...at, 'base']) : [];
  return [{ spec, at }, ...base, ...extra.flatMap((s, i) => (isSpec2(s) ? lossTermsOf(s, [...at, 'extra', i]) : []))];
}

/**
 * Terms that disagree on the model output: with a binary head (one logit) every term must read
 * it, and without one no term may. A wrapper reads what its base reads, so only leaves count.
 */
export function headConflicts(source: NeedsSource, loss: Spec): { at: readonly (string | number)[]; message: string }[] {
  const binary = effectiveNeeds(source, loss)?.head === 'binary';
  const gaussian = effectiveNeeds(source, loss)?.head === 'gaussian';
  const out: { at: readonly (string | number)[]; message: string }[] = [];
  for (const term of lossTermsOf(loss, ['loss'])) {
    const needs = effectiveNeeds(source, term.spec);
    if (!needs || (needs.wraps === 'base' && isSpec2(term.spec.base))) continue;
    // a gaussian head doubles the output width: every term must read [mean | log-variance]
    if ((needs.head === 'gaussian') !== gaussian) {
      out.push({
        at: [...term.at, 'name'],
        message: gaussian
          ? `loss "${term.spec.name}" reads D outputs, but the loss uses a gaussian head ([mean | log-variance], 2·D outputs)`
          : `loss "${term.spec.name}" uses a gaussian head (2·D outputs), but the rest of the loss reads D outputs`,
      });
      continue;
    }
    if ((needs.head === 'binary') !== binary) {
      out.push({
        at: [...term.at, 'name'],
        message: binary
          ? `loss "${term.spec.name}" reads K logits, but the loss uses a binary head (one logit)`
          : `loss "${term.spec.name}" uses a binary head (one logit), but the rest of the loss reads K logits`,
      });
    }
  }
  return out;
}

/** Wrappers whose base does not give what they transform (kl-dro over a batch-level loss). */
export function baseConflicts(source: NeedsSource, loss: Spec): { at: readonly (string | number)[]; message: string }[] {
  const out: { at: readonly (string | number)[]; message: string }[] = [];
  for (const term of lossTermsOf(loss, ['loss'])) {
    const own = source.has(term.spec.name) ? (source.get(term.spec.name) as { needs?: LossEntryNeeds }).needs : undefined;
    if (own?.baseReduction !== 'per-example' || !isSpec2(term.spec.base)) continue;
    if (effectiveNeeds(source, term.spec.base)?.reduction === 'batch') {
      out.push({ at: [...term.at, 'base', 'name'], message: `"${term.spec.name}" reweights per-example losses, but loss "${term.spec.base.name}" is batch-level` });
    }
  }
  return out;
}
