/**
 * The loss registry (the one list to edit) and createObjective, which builds a spec — with its
 * `extra` terms — into an Objective.
 */
import { createRegistry, type Spec } from '../core/registry.js';
import type { LossDeps, Objective } from '../core/types.js';
import { aldrKl } from './aldr-kl.js';
import { anyloss } from './anyloss.js';
import { apl } from './apl.js';
import type { LossBuildDeps, LossEntry } from './common.js';
import { compSum } from './comp-sum.js';
import { withComposition } from './compose.js';
import { crossEntropy } from './cross-entropy.js';
import { dualFocal } from './dual-focal.js';
import { focal } from './focal.js';
import { gce } from './gce.js';
import { groupDro } from './group-dro.js';
// distribution shift (issue 19)
import { irm } from './irm.js';
import { vrex } from './vrex.js';
import { harmonic } from './harmonic.js';
import { hinge, squaredHinge } from './hinge.js';
import { ldrKl } from './ldr-kl.js';
import { mae } from './mae.js';
import { multiSimilarity } from './multi-similarity.js';
import { arcface, cosface, elasticface } from './margin-losses.js';
import { nce } from './nce.js';
import { oneHotMse } from './one-hot-mse.js';
import { orthogonalProjection } from './orthogonal-projection.js';
import { poly } from './poly.js';
import { rce } from './rce.js';
import { huber, logCosh, mse, pseudoHuber, quantile } from './regression.js';
import { saf } from './saf.js';
import { mesa } from './mesa.js';
import { sface } from './sface.js';
import { sparsemax } from './sparsemax.js';
import { sphericalZ } from './spherical-z.js';
import { stablemaxCe } from './stablemax.js';
import { vat } from './vat.js';
import { zLoss } from './z-loss.js';
import { binaryHinge, ensloss, logistic } from './ensloss.js';
import { sigmoidBce, sigmoidFocal } from './sigmoid-bce.js';
import { flooding } from './flooding.js';
import { klDro } from './kl-dro.js';
// noisy-label and classic losses (issue 17, losses-noisy)
import { nfl, nmae, nrce } from './normalized.js';
import { biTempered } from './bi-tempered.js';
import { taylorCe } from './taylor-ce.js';
import { symmetricCe } from './symmetric-ce.js';
import { crammerSinger, perceptron } from './multiclass-hinge.js';
import { klDiv, softTargetCe } from './soft-target.js';
import { entropy } from './entropy.js';
// long tail and imbalance (issue 17)
import { balancedSoftmax, logitAdjusted } from './logit-adjusted.js';
import { classBalanced } from './class-balanced.js';
import { gol } from './gol.js';
import { ldam } from './ldam.js';
import { vs } from './vs.js';
import { zError } from './z-error.js';
// regression and time series (issue 17)
import { madl, gmadl } from './directional.js';
import { mape, mbe, msle, nrmse, rae, rmsle, rrmse, rse } from './regression-survey.js';
import { gaussianNll } from './gaussian-nll.js';
// metric learning, tier 2 (issue 20)
import { adaface } from './adaface.js';
import { elasticfacePlus } from './margin-losses.js';
import { partialFc } from './partial-fc.js';
import { unpg } from './unpg.js';
import { tcm } from './tcm.js';
import { ge2e } from './ge2e.js';
import { supcon } from './supcon.js';
import { ntXent } from './nt-xent.js';
import { triplet } from './triplet.js';
import { contrastive } from './contrastive.js';
import { proxyAnchor } from './proxy-anchor.js';
// adversarial robustness (issue 19, robust-adv)
import { pgdAt } from './pgd-at.js';
import { trades } from './trades.js';
import { ovr, sovr } from './ovr.js';
import { smoothAdvCompSum } from './smooth-adv-comp-sum.js';

const entries: readonly LossEntry[] = [
  crossEntropy, focal, poly, dualFocal, compSum, gce, mae, nce, rce, apl, ldrKl,
  sparsemax, sphericalZ, stablemaxCe, harmonic, hinge, squaredHinge, anyloss,
  mse, huber, pseudoHuber, logCosh, quantile,
  arcface, cosface, elasticface, sface,
  orthogonalProjection, zLoss,
  oneHotMse,
  multiSimilarity,
  groupDro,
  aldrKl, saf, mesa,
  ensloss, logistic, binaryHinge, sigmoidBce, sigmoidFocal, flooding, klDro,
  vat,
  // noisy-label and classic losses (issue 17, losses-noisy)
  nfl, nmae, nrce, biTempered, taylorCe, symmetricCe,
  crammerSinger, perceptron, klDiv, softTargetCe, entropy,
  // long tail and imbalance (issue 17)
  vs, ldam, logitAdjusted, balancedSoftmax, classBalanced, gol, zError,
  // regression and time series (issue 17)
  mbe, rae, rse, mape, msle, rmsle, nrmse, rrmse, madl, gmadl, gaussianNll,
  // metric learning, tier 2 (issue 20)
  adaface, elasticfacePlus, partialFc, unpg, proxyAnchor,
  triplet, contrastive, tcm, ge2e, supcon, ntXent,
  // distribution shift (issue 19)
  irm, vrex,
  // adversarial robustness (issue 19)
  pgdAt, trades, ovr, sovr, smoothAdvCompSum,
];

export const lossRegistry = createRegistry<Objective, LossDeps, LossEntry>('loss', entries.map((e) => withComposition(e, createObjective)));

/**
 * Builds a loss spec (`{name, ...options, extra?: [...]}`, or a bare name) into an Objective
 * through the registry: resolved once unless it already is, `extra` terms built recursively.
 * `path` ('loss') prefixes issue paths and the names of loss-owned parameters.
 */
export function createObjective(spec: Spec | string, deps: LossDeps, path = 'loss'): Objective {
  const s: Spec = typeof spec === 'string' ? { name: spec } : spec;
  const build: LossBuildDeps = { ...deps, path };
  return lossRegistry.build(s, path.split('.'), build);
}
