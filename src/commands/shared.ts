/** Small pieces several commands share. */
import { initBackend, type BackendInfo, type BackendName } from '../backends/index.js';
import * as tf from '../backends/tf.js';
import { evaluateExpectations, formatExpectationReport } from '../expect/index.js';
import type { Summary } from '../run/run-folder.js';
import type { CommandContext } from './context.js';

/** Prints each expectation with expected and actual; returns whether all held. */
export function reportExpectations(summary: Summary, exprs: readonly string[], ctx: CommandContext): boolean {
  const r = evaluateExpectations(summary, exprs);
  ctx.stderr.write(formatExpectationReport(r));
  return r.ok;
}

/** Initialises the backend for a CLI command; PROD silences tfjs' console banners ("looks like you are running TensorFlow.js in Node.js"). */
export async function initCliBackend(name: BackendName): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  return initBackend(name);
}
