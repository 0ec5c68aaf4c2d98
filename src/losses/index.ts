/** Losses: the registry, the builders, and the float32-safe maps metrics reuse. */
export { lossRegistry, createObjective } from './loss-registry.js';
export { createLoss, type LossFunction, type LossFunctionOptions, type LossCallContext } from './create-loss.js';
export { composeObjectives, withComposition } from './compose.js';
export type { LossEntry, LossBuildDeps } from './common.js';
export { sparsemaxWithTau } from './sparsemax.js';
export { logStablemax } from './stablemax.js';
export { lossGroup, LOSS_GROUPS, type LossGroup } from './loss-groups.js';
