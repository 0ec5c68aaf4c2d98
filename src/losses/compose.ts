/**
 * The one place where loss terms combine: `total = weight · main + Σ_i extra_i`, where each extra
 * was built with its own `weight` already applied. Reductions meet as follows:
 * - main per-example [batch], extra batch-level scalar s: s is broadcast to every example, so the
 *   trainer's mean reproduces mean(main) + s exactly (a non-mean reducer sees s on every row);
 * - main batch-level scalar, extra per-example: the extra is averaged over the batch first.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { Spec } from '../core/registry.js';
import type { LossDeps, LossNeeds, Objective, Task } from '../core/types.js';
import type { LossBuildDeps, LossEntry } from './common.js';

export type BuildObjective = (spec: Spec, deps: LossDeps, path: string) => Objective;

/** Wraps an entry so that create() applies `weight` and builds the `extra` terms through `build`. */
export function withComposition(entry: LossEntry, build: BuildObjective): LossEntry {
  return {
    ...entry,
    create(options: Record<string, unknown>, deps: LossDeps) {
      const path = (deps as LossBuildDeps).path ?? 'loss';
      const { extra, ...own } = options;
      const nestedDeps: LossBuildDeps = { ...deps, buildLoss: build };
      const main = entry.create(own, entry.nested?.base ? nestedDeps : deps);
      const specs = extra === undefined || extra === null ? [] : (extra as readonly Spec[]);
      if (!Array.isArray(specs)) throw new RunnerError('CONFIG_INVALID', `${path}.extra: expected a list of loss specs`);
      const extras: Objective[] = [];
      try {
        specs.forEach((s, i) => extras.push(build(s, deps, `${path}.extra.${i}`)));
      } catch (err) {
        main.dispose();
        for (const e of extras) e.dispose();
        throw err;
      }
      const weight = typeof own.weight === 'number' ? own.weight : 1;
      return composeObjectives(entry.name, main, weight, extras, path);
    },
  };
}

export function composeObjectives(name: string, main: Objective, weight: number, extras: readonly Objective[], path = 'loss'): Objective {
  if (weight === 1 && extras.length === 0) return main;
  const needs = combinedNeeds(name, main.needs, extras, path);
  const parts = [main, ...extras];
  const perExample = main.needs.reduction === 'per-example';
  const objective: Objective = {
    needs,
    variables: parts.flatMap((p) => p.variables),
    compute(input, ctx) {
      return tf.tidy(() => {
        let total = main.compute(input, ctx);
        if (weight !== 1) total = tf.mul(total, weight);
        for (const e of extras) {
          let term = e.compute(input, ctx);
          if (!perExample && term.rank > 0) term = tf.mean(term);
          total = tf.add(total, term);
        }
        return total;
      });
    },
    commit(input, ctx) {
      for (const p of parts) p.commit?.(input, ctx);
    },
    getState() {
      const out: tf.NamedTensorMap = {};
      for (const p of parts) Object.assign(out, p.getState?.() ?? {});
      return out;
    },
    setState(state) {
      for (const p of parts) p.setState?.(state);
    },
    dispose() {
      for (const p of parts) p.dispose();
    },
  };
  const result = main.probabilities ? { ...objective, probabilities: main.probabilities.bind(main) } : objective;
  return readsEmbedding(main) && extras.every(readsEmbedding) ? markEmbeddingReader(result) : result;
}

function combinedNeeds(name: string, main: LossNeeds, extras: readonly Objective[], path: string): LossNeeds {
  const tasks = new Set<Task>();
  for (const n of [main, ...extras.map((e) => e.needs)]) if (n.task !== 'any') tasks.add(n.task);
  if (tasks.size > 1) throw new RunnerError('CONFIG_INVALID', `${path}: "${name}" mixes classification and regression terms in extra`);
  extras.forEach((e, i) => {
    // An extra that reads logits cannot follow a main loss whose model output is an embedding.
    if (main.input === 'embeddings' && e.needs.input === 'logits' && !readsEmbedding(e)) {
      throw new RunnerError('CONFIG_INVALID', `${path}.extra.${i}: this term needs logits, but "${name}" makes the model emit embeddings`);
    }
  });
  const task = tasks.size === 1 ? [...tasks][0]! : 'any';
  const inputs = main.inputs === true || extras.some((e) => e.needs.inputs === true);
  const teacher = main.teacher === true || extras.some((e) => e.needs.teacher === true);
  return { input: main.input, reduction: main.reduction, task, ...(inputs ? { inputs } : {}), ...(teacher ? { teacher } : {}) };
}

/** Terms that read only LossInput.embedding (OPL) work under either kind of model output. */
const embeddingReaders = new WeakSet<Objective>();
export function markEmbeddingReader<T extends Objective>(o: T): T {
  embeddingReaders.add(o);
  return o;
}
function readsEmbedding(o: Objective): boolean {
  return embeddingReaders.has(o);
}
