/** Post-hoc analyses of `minima analyze`: the registry (the one list to edit). */
import { createRegistry } from '../core/registry.js';
import { hessian } from './hessian.js';
import { interpolate } from './interpolate.js';
import { landscape } from './landscape.js';
import { neuralCollapse } from './neural-collapse.js';
import { reliability } from './reliability.js';
import type { Analysis, AnalysisDeps, AnalysisEntry } from './types.js';

export type { Analysis, AnalysisContext, AnalysisDeps, AnalysisEntry } from './types.js';
export { runAnalyses, parseAnalysisArgs, type AnalysisRequest } from './run-analyses.js';

const entries: readonly AnalysisEntry[] = [landscape, interpolate, hessian, neuralCollapse, reliability];

export const analysisRegistry = createRegistry<Analysis, AnalysisDeps>('analysis', entries);
