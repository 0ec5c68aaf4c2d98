/** Split-level metrics computed in JS from downloaded arrays. */
export {
  createClassificationAccumulator,
  adaptiveEce,
  NLL_FLOOR,
  type ClassificationAccumulator,
  type ClassificationAccumulatorOptions,
} from './classification-accumulator.js';
export { createRegressionAccumulator, type RegressionAccumulator, type RegressionAccumulatorOptions } from './regression-accumulator.js';
export { tradingMetrics } from './trading.js';
export { retrievalMetrics, retrievalSchema, type RetrievalOptions } from './retrieval.js';
export { createGroupAccumulator, type GroupAccumulator } from './group-accumulator.js';
export { verificationMetrics, verificationFromScores, drawPairs, pairScores, tarKey, verificationShape, type Pairs, type VerificationOptions } from './verification.js';
export { linearProbeAccuracy, type ProbeData, type ProbeOptions } from './linear-probe.js';
