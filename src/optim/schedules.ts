/**
 * Learning-rate schedules: `step → lr`, in optimizer STEPS (0-based: the value for the step about to
 * be taken), never epochs. The trainer calls optimizer.setLearningRate(schedule(step)) before each
 * step; wrappers forward it to their base (GSAM's rho follows). `baseLr` is the optimizer's
 * configured lr: the peak of warmup and one-cycle schedules.
 */
import { z } from 'zod';
import type { Entry } from '../core/registry.js';
import type { Schedule, ScheduleDeps } from './types.js';

export type ScheduleEntry = Entry<any, Schedule, ScheduleDeps>;

function defineSchedule<S extends z.ZodType<Record<string, unknown>>>(e: {
  readonly name: string;
  readonly summary: string;
  readonly schema: S;
  readonly info?: Entry['info'];
  create(options: z.output<S>, deps: ScheduleDeps): Schedule;
}): ScheduleEntry {
  return e as ScheduleEntry;
}

const steps = (what: string) => z.number().int().min(0).describe(what);
const totalOr = (what: string) =>
  z.number().int().positive().nullable().default(null).describe(`${what}; null = the run's total number of steps`);

/** cos annealing from `start` to `end` as pct goes 0 → 1 (torch's _annealing_cos). */
const annealCos = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
const annealLinear = (start: number, end: number, pct: number): number => (end - start) * pct + start;

export const constant = defineSchedule({
  name: 'constant',
  summary: 'lr stays at the optimizer’s configured value',
  schema: z.strictObject({}),
  create: (_o, { baseLr }) => () => baseLr,
});

export const stepSchedule = defineSchedule({
  name: 'step',
  summary: 'lr · gamma^floor(step / step_size) (torch StepLR, in steps)',
  schema: z.strictObject({
    step_size: z.number().int().positive().describe('steps between decays'),
    gamma: z.number().positive().default(0.1).describe('multiplicative decay'),
  }),
  create: (o, { baseLr }) => (step) => baseLr * o.gamma ** Math.floor(step / o.step_size),
});

export const multistep = defineSchedule({
  name: 'multistep',
  summary: 'lr · gamma^(number of milestones ≤ step) (torch MultiStepLR, in steps)',
  schema: z.strictObject({
    milestones: z.array(steps('a step at which lr is multiplied by gamma')).min(1).describe('increasing step numbers'),
    gamma: z.number().positive().default(0.1).describe('multiplicative decay at each milestone'),
  }),
  create: (o, { baseLr }) => {
    const ms = [...o.milestones].sort((a, b) => a - b);
    return (step) => baseLr * o.gamma ** ms.filter((m) => m <= step).length;
  },
});

export const exponential = defineSchedule({
  name: 'exponential',
  summary: 'lr · gamma^step (torch ExponentialLR, in steps)',
  schema: z.strictObject({ gamma: z.number().positive().describe('decay per step') }),
  create: (o, { baseLr }) => (step) => baseLr * o.gamma ** step,
});

export const cosine = defineSchedule({
  name: 'cosine',
  summary: 'eta_min + (lr − eta_min)(1 + cos(π·step/T_max))/2 (torch CosineAnnealingLR closed form)',
  schema: z.strictObject({
    T_max: totalOr('half period in steps'),
    eta_min: z.number().min(0).default(0).describe('minimum lr'),
  }),
  create: (o, { baseLr, totalSteps }) => {
    const T = o.T_max ?? totalSteps;
    return (step) => annealCos(baseLr, o.eta_min, step / T);
  },
});

export const warmupCosine = defineSchedule({
  name: 'warmup-cosine',
  summary: 'linear warmup from warmup_init_lr to lr, then cosine decay to min_lr at decay_steps (optax warmup_cosine_decay_schedule)',
  schema: z.strictObject({
    warmup_steps: steps('steps of linear warmup').default(0),
    warmup_init_lr: z.number().min(0).default(0).describe('lr at step 0'),
    min_lr: z.number().min(0).default(0).describe('final lr, held after decay_steps'),
    decay_steps: totalOr('step at which the decay ends (warmup included)'),
  }),
  create: (o, { baseLr, totalSteps }) => {
    const end = o.decay_steps ?? totalSteps;
    const w = o.warmup_steps;
    return (step) => {
      if (step < w) return annealLinear(o.warmup_init_lr, baseLr, step / w);
      if (step >= end) return o.min_lr;
      return annealCos(baseLr, o.min_lr, (step - w) / Math.max(1, end - w));
    };
  },
});

export const linear = defineSchedule({
  name: 'linear',
  summary: 'optional linear warmup from 0, then linear decay to 0 at total_steps (HF get_linear_schedule_with_warmup)',
  schema: z.strictObject({
    warmup_steps: steps('steps of linear warmup from 0').default(0),
    total_steps: totalOr('step at which lr reaches 0'),
  }),
  create: (o, { baseLr, totalSteps }) => {
    const T = o.total_steps ?? totalSteps;
    const w = o.warmup_steps;
    return (step) => (step < w ? (baseLr * step) / w : baseLr * Math.max(0, (T - step) / Math.max(1, T - w)));
  },
});

export const oneCycle = defineSchedule({
  name: 'one-cycle',
  summary: 'torch OneCycleLR (max_lr = the optimizer lr), without momentum cycling',
  schema: z.strictObject({
    total_steps: totalOr('length of the cycle'),
    pct_start: z.number().gt(0).lt(1).default(0.3).describe('fraction of the cycle spent increasing lr'),
    div_factor: z.number().positive().default(25).describe('initial_lr = max_lr / div_factor'),
    final_div_factor: z.number().positive().default(1e4).describe('min_lr = initial_lr / final_div_factor'),
    anneal_strategy: z.enum(['cos', 'linear']).default('cos').describe('annealing shape'),
    three_phase: z.boolean().default(false).describe('torch three_phase: up, back down to initial_lr, then to min_lr'),
  }),
  create: (o, { baseLr, totalSteps }) => {
    const T = o.total_steps ?? totalSteps;
    const initial = baseLr / o.div_factor;
    const min = initial / o.final_div_factor;
    const phases = o.three_phase
      ? [
          { end: o.pct_start * T - 1, from: initial, to: baseLr },
          { end: 2 * o.pct_start * T - 2, from: baseLr, to: initial },
          { end: T - 1, from: initial, to: min },
        ]
      : [
          { end: o.pct_start * T - 1, from: initial, to: baseLr },
          { end: T - 1, from: baseLr, to: min },
        ];
    const anneal = o.anneal_strategy === 'cos' ? annealCos : annealLinear;
    return (rawStep) => {
      const step = Math.min(rawStep, T - 1); // torch raises past total_steps; minima holds the final lr
      let start = 0;
      for (let i = 0; i < phases.length; i++) {
        const p = phases[i]!;
        if (step <= p.end || i === phases.length - 1) return anneal(p.from, p.to, (step - start) / (p.end - start));
        start = p.end;
      }
      return min;
    };
  },
});

/* ---- SWA (issue 18) ---- */

/**
 * timgaripov/swa `train.py` `schedule(epoch)`, per epoch (the value of the epoch the step lies in):
 * t = epoch/swa_start; factor 1 for t ≤ 0.5, linear to swa_lr/lr by t = 0.9, then swa_lr/lr.
 */
export const swaSchedule = defineSchedule({
  name: 'swa',
  summary: 'SWA learning rate (timgaripov/swa schedule): lr for the first half of swa_start epochs, linear down to swa_lr by 0.9·swa_start, then swa_lr',
  schema: z.strictObject({
    swa_start: z.number().int().positive().describe('--swa_start: the epoch the averaging starts (train.swa.start)'),
    swa_lr: z.number().min(0).describe('--swa_lr: the constant lr of the averaging phase (official CIFAR default 0.05)'),
  }),
  info: { source: 'timgaripov/swa train.py schedule()' },
  create: (o, { baseLr, stepsPerEpoch }) => (step) => {
    const t = Math.floor(step / stepsPerEpoch) / o.swa_start;
    const ratio = o.swa_lr / baseLr;
    const factor = t <= 0.5 ? 1 : t <= 0.9 ? 1 - ((1 - ratio) * (t - 0.5)) / 0.4 : ratio;
    return baseLr * factor;
  },
});

export const scheduleEntries: readonly ScheduleEntry[] = [constant, stepSchedule, multistep, exponential, cosine, warmupCosine, linear, oneCycle, swaSchedule];
