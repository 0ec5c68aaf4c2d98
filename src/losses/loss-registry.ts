/**
 * The loss registry (the one list to edit) and createObjective, which builds a spec — with its
 * `extra` terms — into an Objective.
 */
import { ConfigError } from '../core/errors.js';
import { createRegistry, type Spec } from '../core/registry.js';
import type { LossDeps, Objective } from '../core/types.js';
import { anyloss } from './anyloss.js';
import { apl } from './apl.js';
import type { LossBuildDeps, LossEntry } from './common.js';
import { compSum } from './comp-sum.js';
import { withComposition } from './compose.js';
import { crossEntropy } from './cross-entropy.js';
import { dualFocal } from './dual-focal.js';
import { focal } from './focal.js';
import { gce } from './gce.js';
import { harmonic } from './harmonic.js';
import { hinge, squaredHinge } from './hinge.js';
import { ldrKl } from './ldr-kl.js';
import { mae } from './mae.js';
import { arcface, cosface, elasticface } from './margin-losses.js';
import { nce } from './nce.js';
import { orthogonalProjection } from './orthogonal-projection.js';
import { poly } from './poly.js';
import { rce } from './rce.js';
import { huber, logCosh, mse, pseudoHuber, quantile } from './regression.js';
import { sface } from './sface.js';
import { sparsemax } from './sparsemax.js';
import { sphericalZ } from './spherical-z.js';
import { stablemaxCe } from './stablemax.js';
import { zLoss } from './z-loss.js';

const entries: readonly LossEntry[] = [
  crossEntropy, focal, poly, dualFocal, compSum, gce, mae, nce, rce, apl, ldrKl,
  sparsemax, sphericalZ, stablemaxCe, harmonic, hinge, squaredHinge, anyloss,
  mse, huber, pseudoHuber, logCosh, quantile,
  arcface, cosface, elasticface, sface,
  orthogonalProjection, zLoss,
];

export const lossRegistry = createRegistry<Objective, LossDeps>('loss', entries.map((e) => withComposition(e, createObjective)));

/**
 * Builds a loss spec (`{name, ...options, extra?: [...]}`) into an Objective: options are parsed
 * with the entry's schema (defaults filled; a resolved spec parses to itself), `extra` terms are
 * built recursively. `path` ('loss') prefixes error paths and the names of loss-owned parameters.
 */
export function createObjective(spec: Spec | string, deps: LossDeps, path = 'loss'): Objective {
  const s: Spec = typeof spec === 'string' ? { name: spec } : spec;
  const entry = lossRegistry.get(s.name);
  const { name: _name, extra, ...rest } = s;
  const parsed = entry.schema.safeParse(rest);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: [path, ...i.path.map(String)].join('.'), message: i.message })),
      `invalid loss "${s.name}"`,
    );
  }
  if (extra !== undefined && extra !== null && !Array.isArray(extra)) {
    throw new ConfigError([{ path: `${path}.extra`, message: 'expected a list of loss specs' }], `invalid loss "${s.name}"`);
  }
  const build: LossBuildDeps = { ...deps, path };
  return entry.create({ ...(parsed.data as Record<string, unknown>), ...(extra ? { extra } : {}) }, build);
}
