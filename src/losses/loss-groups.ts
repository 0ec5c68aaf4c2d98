/**
 * The group a loss is listed under (`minima list losses`): its `info.group` when the entry names
 * one, else what its needs say (regression, a wrapper, a non-softmax head, class proxies on
 * embeddings, or plain classification). The order of LOSS_GROUPS is the listing order.
 */
import type { LossEntry } from './common.js';

export const LOSS_GROUPS = [
  'classification',
  'binary and one-vs-rest heads',
  'wrappers (a nested base: loss)',
  'regression',
  'face recognition: margin softmax with class proxies',
  'metric learning: proxy-based',
  'metric learning: pair-based (train.sampler pk)',
  'self-supervised',
  'adversarial training (inputs perturbed by an attack)',
] as const;

export type LossGroup = (typeof LOSS_GROUPS)[number];

export function lossGroup(entry: LossEntry): LossGroup {
  const named = entry.info?.group;
  if (typeof named === 'string' && (LOSS_GROUPS as readonly string[]).includes(named)) return named as LossGroup;
  const n = entry.needs;
  if (n.task === 'regression') return 'regression';
  if (n.wraps === 'base') return 'wrappers (a nested base: loss)';
  if ((n.head ?? 'softmax') !== 'softmax') return 'binary and one-vs-rest heads';
  if (n.input === 'embeddings') return 'face recognition: margin softmax with class proxies';
  return 'classification';
}
