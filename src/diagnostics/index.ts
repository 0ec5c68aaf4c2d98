/** Diagnostics: the registry (the one list to edit) and the interface the trainer calls. */
import { createRegistry } from '../core/registry.js';
import { edgeOfStability } from './edge-of-stability.js';
import { gradNorm } from './grad-norm.js';
import { hessian } from './hessian.js';
import { sharpness } from './sharpness.js';
import { softmaxCollapse } from './softmax-collapse.js';
import type { Diagnostic, DiagnosticDeps, DiagnosticEntry } from './types.js';
import { weightNorm } from './weight-norm.js';
import { diagonalWeights } from './diagonal-weights.js';
import { firstOrderFlatness } from './first-order-flatness.js';
import { gradientCoherence } from './gradient-coherence.js';
import { grokking } from './grokking.js';
import { gsnr } from './gsnr.js';
import { hessianTrace } from './hessian-trace.js';

export type { Diagnostic, DiagnosticContext, DiagnosticDeps, DiagnosticEntry } from './types.js';
export { byName, offsetBy } from './offset-by.js';
export type { RowSelection, SubBatch } from './types.js';

const entries: readonly DiagnosticEntry[] = [gradNorm, weightNorm, sharpness, hessian, softmaxCollapse, edgeOfStability, diagonalWeights,
  firstOrderFlatness, gradientCoherence, gsnr, hessianTrace, grokking];

export const diagnosticRegistry = createRegistry<Diagnostic, DiagnosticDeps>('diagnostic', entries);
