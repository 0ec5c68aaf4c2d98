/**
 * Calibration of the checkpoint's predictions: the reliability diagram (accuracy against mean
 * confidence in equal-width confidence bins, Guo et al. 2017), the top-label ECE (the run's own
 * `ece`, same bins) and the class-wise ECE of Kull et al. 2019: for each class k, the binned gap
 * between the predicted p_k and the frequency of y = k, averaged over classes.
 */
import { z } from 'zod';
import { ExitCode, RunnerError } from '../core/errors.js';
import { sampleRows, splitOutputs } from './open-run.js';
import { reliabilityChart } from './plots.js';
import type { AnalysisEntry } from './types.js';

const schema = z.strictObject({
  split: z.enum(['train', 'test']).default('test'),
  bins: z.number().int().min(2).default(15).describe('Equal-width confidence bins (Guo et al. 15; the run\'s ece uses 15).'),
  examples: z.number().int().positive().nullable().default(null).describe('Rows drawn by the seed (null: the whole split).'),
  seed: z.number().int().default(0),
});
type Options = z.infer<typeof schema>;

/** Bin of a confidence in (0, 1]: bins are (lo, hi] as in the run's ECE (metrics/classification-accumulator.ts). */
const binOf = (p: number, bins: number) => Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));

export interface Calibration {
  readonly ece: number;
  readonly classwise_ece: number;
  readonly class_ece: number[];
  readonly accuracy: number;
  readonly mean_confidence: number;
  readonly bins: { lo: number; hi: number; count: number; accuracy: number | null; confidence: number | null }[];
}

export function calibration(probs: Float32Array, y: Int32Array, classes: number, bins: number): Calibration {
  const n = y.length;
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hit = new Float64Array(bins);
  const kCount = new Float64Array(classes * bins);
  const kConf = new Float64Array(classes * bins);
  const kFreq = new Float64Array(classes * bins);
  let correct = 0;
  let confSum = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    const p = probs[i * classes + best]!;
    const b = binOf(p, bins);
    count[b] = count[b]! + 1;
    conf[b] = conf[b]! + p;
    const ok = best === y[i] ? 1 : 0;
    hit[b] = hit[b]! + ok;
    correct += ok;
    confSum += p;
    for (let c = 0; c < classes; c++) {
      const pc = probs[i * classes + c]!;
      const kb = c * bins + binOf(pc, bins);
      kCount[kb] = kCount[kb]! + 1;
      kConf[kb] = kConf[kb]! + pc;
      kFreq[kb] = kFreq[kb]! + (y[i] === c ? 1 : 0);
    }
  }
  let ece = 0;
  const out: Calibration['bins'] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b]! > 0) ece += (count[b]! / n) * Math.abs(hit[b]! / count[b]! - conf[b]! / count[b]!);
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: count[b]!, accuracy: count[b]! > 0 ? hit[b]! / count[b]! : null, confidence: count[b]! > 0 ? conf[b]! / count[b]! : null });
  }
  const classEce = Array.from({ length: classes }, (_, c) => {
    let e = 0;
    for (let b = 0; b < bins; b++) {
      const k = c * bins + b;
      if (kCount[k]! > 0) e += (kCount[k]! / n) * Math.abs(kFreq[k]! / kCount[k]! - kConf[k]! / kCount[k]!);
    }
    return e;
  });
  return { ece, classwise_ece: classEce.reduce((a, b) => a + b, 0) / classes, class_ece: classEce, accuracy: correct / n, mean_confidence: confSum / n, bins: out };
}

export const reliability: AnalysisEntry<Options> = {
  name: 'reliability',
  summary: 'Reliability diagram, top-label ECE and class-wise ECE ("On Calibration of Modern Neural Networks", Guo et al. 2017; Kull et al. 2019).',
  schema,
  info: {
    source: 'gpleiss/temperature_scaling (ECE bins); Kull et al. 2019 classwise-ECE (dirichletcal)',
    cost: 'one forward pass over the split; MNIST MLP [256], 2k rows ≈ 2 s',
    paper: 'On Calibration of Modern Neural Networks (Guo, Pleiss, Sun, Weinberger ICML 2017); Beyond temperature scaling (Kull et al. NeurIPS 2019)',
  },
  create(o) {
    return {
      folder: 'reliability',
      async run(ctx) {
        const { run } = ctx;
        const spec = run.exp.dataset.spec;
        if (spec.task !== 'classification') throw new RunnerError('ANALYSIS_UNSUPPORTED', `reliability needs a classification dataset (${run.exp.config.dataset.name} is ${spec.task})`, ExitCode.usage);
        const rows = sampleRows(run.exp.dataset.sizes[o.split], o.examples, o.seed, 'reliability');
        const cal = await ctx.unit('calibration', async () => {
          const s = await splitOutputs(run, o.split, rows);
          return calibration(s.probabilities, s.labels, s.classes, o.bins);
        });
        ctx.writeCsv('bins.csv', cal.bins);
        ctx.writeCsv('class-ece.csv', cal.class_ece.map((e, c) => ({ class: c, ece: e })));
        await ctx.writeFigure('reliability', reliabilityChart({ title: `${run.exp.config.name} @ ${run.step}: reliability (${o.split}, ECE ${cal.ece.toFixed(4)})`, bins: cal.bins }));
        const { bins: _bins, ...result } = cal;
        return { split: o.split, rows: rows.length, ...result };
      },
    };
  },
};
