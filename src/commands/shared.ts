/** Small pieces several commands share. */
import { initBackend, type BackendInfo, type BackendName } from '../backends/index.js';
import * as tf from '../backends/tf.js';
import { evaluateExpectations, formatExpectationReport, type SummaryLike } from '../expect/index.js';
import type { CommandContext } from './context.js';

export function currentBackendNotes(info: BackendInfo): readonly string[] {
  const notes = (info as BackendInfo & { notes?: readonly string[] }).notes;
  return notes ?? [];
}

/** Prints each expectation with expected and actual; returns whether all held. */
export function reportExpectations(summary: unknown, exprs: readonly string[], ctx: CommandContext): boolean {
  const r = evaluateExpectations(summary as SummaryLike, exprs);
  ctx.stderr.write(formatExpectationReport(r));
  return r.ok;
}

/** Initialises the backend for a CLI command; PROD silences tfjs' console banners ("looks like you are running TensorFlow.js in Node.js"). */
export async function initCliBackend(name: BackendName): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  return initBackend(name);
}
