import { z } from 'zod';
import type { Rng } from '../../core/random.js';
import type { DataSpec, Task } from '../../core/types.js';
import { optionError } from '../data-errors.js';
import { defineDataset } from '../define-dataset.js';
import { sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

const ACTIVATIONS = { relu: (v: number) => Math.max(v, 0), tanh: Math.tanh, linear: (v: number) => v } as const;

interface Teacher {
  readonly layers: readonly { readonly w: Float32Array; readonly b: Float32Array; readonly fanIn: number; readonly fanOut: number }[];
  readonly act: (v: number) => number;
}

/** A random MLP with W ~ N(0, 1/fan_in) (so pre-activations stay O(1)) and b ~ N(0, bias_std²). */
function randomTeacher(widths: readonly number[], act: keyof typeof ACTIVATIONS, biasStd: number, rng: Rng): Teacher {
  const layers = widths.slice(1).map((fanOut, l) => {
    const fanIn = widths[l]!;
    return {
      w: rng.fillNormal(new Float32Array(fanIn * fanOut), 0, 1 / Math.sqrt(fanIn)),
      b: rng.fillNormal(new Float32Array(fanOut), 0, biasStd),
      fanIn,
      fanOut,
    };
  });
  return { layers, act: ACTIVATIONS[act] };
}

function forward(t: Teacher, input: Float32Array): Float64Array {
  let h = Float64Array.from(input);
  t.layers.forEach((layer, l) => {
    const out = new Float64Array(layer.fanOut);
    for (let j = 0; j < layer.fanOut; j++) {
      let s = layer.b[j]!;
      for (let i = 0; i < layer.fanIn; i++) s += h[i]! * layer.w[i * layer.fanOut + j]!;
      out[j] = l < t.layers.length - 1 ? t.act(s) : s;
    }
    h = out;
  });
  return h;
}

function teacherSpec(o: { readonly task: Task; readonly input_dim: number; readonly num_classes: number; readonly output_dim: number }): Omit<DataSpec, 'classCounts'> {
  const out = o.task === 'classification' ? o.num_classes : o.output_dim;
  return { task: o.task, inputShape: [o.input_dim], inputKind: 'dense', numClasses: o.task === 'classification' ? out : 0, outputDim: out };
}

/**
 * Teacher–student data (references/losses.md §7): x ~ N(0, I_d) and y = f_teacher(x) + noise for
 * regression, or the argmax of the teacher's num_classes outputs for classification.
 */
export const teacherStudent = defineDataset({
  name: 'teacher-student',
  summary: 'Gaussian inputs labelled by a random teacher MLP (regression targets or argmax classes).',
  options: {
    ...sizeOptions(1000, 1000),
    task: z.enum(['regression', 'classification']).default('regression').describe('regression: y = f(x) + noise; classification: argmax of the teacher outputs.'),
    input_dim: z.int().min(1).default(20).describe('Dimension d of x ~ N(0, I_d).'),
    hidden: z.array(z.int().min(1)).default([64]).describe('Hidden widths of the teacher ([] = a linear teacher).'),
    activation: z.enum(['relu', 'tanh', 'linear']).default('relu').describe('Teacher activation.'),
    output_dim: z.int().min(1).default(1).describe('Regression target dimension.'),
    num_classes: z.int().min(2).default(2).describe('Classification: number of classes (teacher outputs).'),
    bias_std: z.number().min(0).default(0).describe('Std of the teacher biases.'),
    noise: z.number().min(0).default(0).describe('Regression: std of the Gaussian noise on train and test targets.'),
  },
  describe(o) {
    if (o.task === 'classification' && o.noise > 0) throw optionError('noise', 'classification teachers take label_noise instead of target noise');
    return sampledData(teacherSpec(o), o);
  },
  load(o, deps) {
    const classification = o.task === 'classification';
    const out = classification ? o.num_classes : o.output_dim;
    const widths = [o.input_dim, ...o.hidden, out];
    const teacher = randomTeacher(widths, o.activation, o.bias_std, taskRng(deps.seed, 'teacher-student'));
    const d = o.input_dim;
    const splits = sampleSplits(deps.seed, 'teacher-student', o, (rng, n) => {
      const x = rng.fillNormal(new Float32Array(n * d));
      const y = classification ? new Int32Array(n) : new Float32Array(n * out);
      for (let i = 0; i < n; i++) {
        const f = forward(teacher, x.subarray(i * d, (i + 1) * d));
        if (classification) {
          let best = 0;
          for (let k = 1; k < out; k++) if (f[k]! > f[best]!) best = k;
          y[i] = best;
        } else {
          for (let k = 0; k < out; k++) y[i * out + k] = f[k]! + o.noise * rng.normal();
        }
      }
      return { x, y };
    });
    return {
      spec: teacherSpec(o),
      ...splits,
      meta: { source: 'synthetic: teacher-student', teacher: { widths, activation: o.activation, bias_std: o.bias_std }, noise: o.noise },
    };
  },
});

export { forward as teacherForward, randomTeacher };
