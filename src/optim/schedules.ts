/**
 * Learning-rate schedules: `step → lr`, in optimizer STEPS (0-based: the value for the step about to
 * be taken), never epochs. The trainer calls optimizer.setLearningRate(schedule(step)) before each
 * step; wrappers forward it to their base (GSAM's rho follows). `baseLr` is the optimizer's
 * configured lr: the peak of warmup and one-cycle schedules.
 */
import { z } from 'zod';
import type { Entry } from '../core/registry.js';
import type { MetricObserver, Schedule, ScheduleDeps } from './types.js';

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

/**
 * torch OneCycleLR. With `cycle_momentum` (torch's default) it also drives the optimizer's momentum
 * (SGD, RMSprop) or β1 (Adam, AdamW), inversely to lr: max_momentum → base_momentum while lr rises,
 * back to max_momentum while it falls (three_phase: held at max_momentum in the last phase). As in
 * torch the configured momentum is replaced (momentum 0 included); the trainer sets it before each
 * step beside lr and logs it, and a config whose optimizer has neither is rejected (torch raises).
 */
export const oneCycle = defineSchedule({
  name: 'one-cycle',
  summary: 'torch OneCycleLR (max_lr = the optimizer lr), cycling momentum / β1 inversely (cycle_momentum)',
  schema: z.strictObject({
    total_steps: totalOr('length of the cycle'),
    pct_start: z.number().gt(0).lt(1).default(0.3).describe('fraction of the cycle spent increasing lr'),
    div_factor: z.number().positive().default(25).describe('initial_lr = max_lr / div_factor'),
    final_div_factor: z.number().positive().default(1e4).describe('min_lr = initial_lr / final_div_factor'),
    anneal_strategy: z.enum(['cos', 'linear']).default('cos').describe('annealing shape'),
    three_phase: z.boolean().default(false).describe('torch three_phase: up, back down to initial_lr, then to min_lr'),
    cycle_momentum: z.boolean().default(true).describe("cycle the optimizer's momentum (or β1 of Adam-type optimizers) inversely to lr between base_momentum and max_momentum (torch)"),
    base_momentum: z.number().min(0).lt(1).default(0.85).describe('lower momentum bound, reached at the lr peak'),
    max_momentum: z.number().min(0).lt(1).default(0.95).describe('upper momentum bound: the momentum at the start and the end of the cycle'),
  }),
  info: { source: 'pytorch/pytorch torch/optim/lr_scheduler.py OneCycleLR' },
  create: (o, { baseLr, totalSteps }) => {
    const T = o.total_steps ?? totalSteps;
    const initial = baseLr / o.div_factor;
    const min = initial / o.final_div_factor;
    const [lo, hi] = [o.base_momentum, o.max_momentum];
    const phases = o.three_phase
      ? [
          { end: o.pct_start * T - 1, from: initial, to: baseLr, mFrom: hi, mTo: lo },
          { end: 2 * o.pct_start * T - 2, from: baseLr, to: initial, mFrom: lo, mTo: hi },
          { end: T - 1, from: initial, to: min, mFrom: hi, mTo: hi },
        ]
      : [
          { end: o.pct_start * T - 1, from: initial, to: baseLr, mFrom: hi, mTo: lo },
          { end: T - 1, from: baseLr, to: min, mFrom: lo, mTo: hi },
        ];
    const anneal = o.anneal_strategy === 'cos' ? annealCos : annealLinear;
    // torch's get_lr: the phase the step lies in and the fraction of it done (lr and momentum share both)
    const at = (rawStep: number, value: (p: (typeof phases)[number], pct: number) => number): number => {
      const step = Math.min(rawStep, T - 1); // torch raises past total_steps; minima holds the final values
      let start = 0;
      for (let i = 0; i < phases.length; i++) {
        const p = phases[i]!;
        if (step <= p.end || i === phases.length - 1) return value(p, (step - start) / (p.end - start));
        start = p.end;
      }
      return Number.NaN; // unreachable: the last phase always answers
    };
    const lr = (step: number) => at(step, (p, pct) => anneal(p.from, p.to, pct));
    if (!o.cycle_momentum) return lr;
    return Object.assign(lr, { momentum: (step: number) => at(step, (p, pct) => anneal(p.mFrom, p.mTo, pct)) });
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

/* ------------------------------------------------------------- tier 2 (issue 21) */

export const cosineRestarts = defineSchedule({
  name: 'cosine-restarts',
  summary: 'cosine annealing restarted every cycle, cycles T_0·T_mult^i long, peaks lr·cycle_decay^i (torch CosineAnnealingWarmRestarts, SGDR; timm cycle_decay)',
  schema: z.strictObject({
    T_0: z.number().int().positive().describe('length of the first cycle in steps'),
    T_mult: z.number().int().min(1).default(1).describe('each cycle is T_mult times longer than the previous'),
    eta_min: z.number().min(0).default(0).describe('minimum lr'),
    cycle_decay: z.number().positive().max(1).default(1).describe('the peak of cycle i is lr·cycle_decay^i (timm; torch and the paper: 1)'),
  }),
  info: { source: 'pytorch/pytorch torch/optim/lr_scheduler.py CosineAnnealingWarmRestarts; loshchil/SGDR' },
  create: (o, { baseLr }) => (step) => {
    // torch's closed form (its step(epoch) branch): the cycle i and the position T_cur in it
    let i: number;
    let tCur: number;
    let tI: number;
    if (o.T_mult === 1) {
      i = Math.floor(step / o.T_0);
      tCur = step - i * o.T_0;
      tI = o.T_0;
    } else {
      i = Math.floor(Math.log((step / o.T_0) * (o.T_mult - 1) + 1) / Math.log(o.T_mult));
      tCur = step - (o.T_0 * (o.T_mult ** i - 1)) / (o.T_mult - 1);
      tI = o.T_0 * o.T_mult ** i;
      // log rounding at a cycle boundary: move to the cycle the step belongs to
      if (tCur >= tI) { tCur -= tI; i += 1; tI *= o.T_mult; }
      if (tCur < 0) { i -= 1; tI /= o.T_mult; tCur += tI; }
    }
    return annealCos(baseLr * o.cycle_decay ** i, o.eta_min, tCur / tI);
  },
});

export const wsd = defineSchedule({
  name: 'wsd',
  summary: 'warmup-stable-decay: linear warmup, constant lr, then a decay over the last decay_fraction of the steps (MiniCPM; linear, cosine or 1 − sqrt)',
  schema: z.strictObject({
    warmup_steps: steps('steps of linear warmup from 0').default(0),
    decay_fraction: z.number().min(0).max(1).default(0.1).describe('fraction of total_steps spent decaying, at the end'),
    decay_shape: z.enum(['linear', 'cosine', 'sqrt']).default('linear').describe('decay from lr to min_lr: linear, cosine, or 1 − sqrt(progress)'),
    min_lr: z.number().min(0).default(0).describe('lr at the end of the decay'),
    total_steps: totalOr('step at which the decay ends'),
  }),
  info: { source: 'OpenBMB/MiniCPM (Hu et al. 2024); Hägele et al. 2024 (shapes)' },
  create: (o, { baseLr, totalSteps }) => {
    const T = o.total_steps ?? totalSteps;
    const decay = Math.round(o.decay_fraction * T);
    const start = T - decay;
    return (step) => {
      if (step < o.warmup_steps) return (baseLr * step) / o.warmup_steps;
      if (step < start) return baseLr;
      if (step >= T) return o.min_lr;
      const pct = (step - start) / decay;
      if (o.decay_shape === 'cosine') return annealCos(baseLr, o.min_lr, pct);
      if (o.decay_shape === 'sqrt') return o.min_lr + (baseLr - o.min_lr) * (1 - Math.sqrt(pct));
      return annealLinear(baseLr, o.min_lr, pct);
    };
  },
});

export const polynomial = defineSchedule({
  name: 'polynomial',
  summary: 'optional linear warmup from 0, then (lr − end_lr)·(1 − progress)^power + end_lr, held at end_lr (HF get_polynomial_decay_schedule_with_warmup; optax polynomial_schedule)',
  schema: z.strictObject({
    warmup_steps: steps('steps of linear warmup from 0').default(0),
    power: z.number().positive().default(1).describe('exponent of the decay'),
    end_lr: z.number().min(0).default(0).describe('lr reached at total_steps'),
    total_steps: totalOr('step at which end_lr is reached'),
  }),
  info: { source: 'huggingface/transformers optimization.py get_polynomial_decay_schedule_with_warmup' },
  create: (o, { baseLr, totalSteps }) => {
    const T = o.total_steps ?? totalSteps;
    const w = o.warmup_steps;
    return (step) => {
      if (step < w) return (baseLr * step) / w;
      if (step >= T) return o.end_lr;
      return (baseLr - o.end_lr) * (1 - (step - w) / Math.max(1, T - w)) ** o.power + o.end_lr;
    };
  },
});

export const inverseSqrt = defineSchedule({
  name: 'inverse-sqrt',
  summary: 'optional linear warmup from 0, then lr/sqrt((step + timescale − warmup)/timescale) (HF get_inverse_sqrt_schedule; fairseq inverse_sqrt with timescale = warmup)',
  schema: z.strictObject({
    warmup_steps: steps('steps of linear warmup from 0').default(0),
    timescale: z.number().int().positive().nullable().default(null).describe('decay timescale; null = warmup_steps, or 10 000 without warmup (HF)'),
  }),
  info: { source: 'huggingface/transformers optimization.py get_inverse_sqrt_schedule' },
  create: (o, { baseLr }) => {
    const w = o.warmup_steps;
    const timescale = o.timescale ?? (w > 0 ? w : 10_000);
    const shift = timescale - w;
    return (step) => (step < w ? (baseLr * step) / w : baseLr / Math.sqrt((step + shift) / timescale));
  },
});

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau, stepped once per evaluation (torch: once per epoch,
 * `scheduler.step(val_loss)`), so `patience` and `cooldown` count evaluations:
 *   better = mode min: v < best·(1 − threshold) (rel) or v < best − threshold (abs);
 *            mode max: v > best·(1 + threshold) (rel) or v > best + threshold (abs);
 *   better → best = v, bad = 0; else bad += 1; in cooldown → cooldown −= 1, bad = 0;
 *   bad > patience → lr = max(lr·factor, min_lr) (skipped when the change is ≤ eps), cooldown = cooldown, bad = 0.
 * The lr starts at the optimizer's; the state (lr, best, bad, cooldown) is checkpointed, so a resumed
 * run continues with the reductions it had made. NaN counts as not better (torch compares the same way).
 */
/** The one wording of "the schedule's metric is on a split the run does not evaluate" (config rule and build). */
export function scheduleMetricMessage(metric: string, split: string): string {
  return `reads ${metric}, but train.eval_splits does not evaluate the ${split} split`;
}

export const reduceOnPlateau = defineSchedule({
  name: 'reduce-on-plateau',
  summary: 'torch ReduceLROnPlateau: lr·factor when the named evaluation metric has not improved for patience evaluations (state checkpointed)',
  schema: z.strictObject({
    metric: z.string().regex(/^(train|test)\.\S+$/, 'expected <split>.<metric>, e.g. test.loss').default('test.loss').describe('the evaluation metric read after every evaluation: <split>.<metric> (the split must be in train.eval_splits)'),
    mode: z.enum(['min', 'max']).default('min').describe('min: lower is better (a loss); max: higher is better (an accuracy)'),
    factor: z.number().gt(0).lt(1).default(0.1).describe('new lr = lr·factor'),
    patience: z.number().int().min(0).default(10).describe('evaluations without improvement tolerated before a reduction'),
    threshold: z.number().min(0).default(1e-4).describe('the least change that counts as an improvement'),
    threshold_mode: z.enum(['rel', 'abs']).default('rel').describe('rel: relative to best; abs: absolute'),
    cooldown: z.number().int().min(0).default(0).describe('evaluations after a reduction during which bad evaluations are not counted'),
    min_lr: z.number().min(0).default(0).describe('lower bound of the lr'),
    eps: z.number().min(0).default(1e-8).describe('a reduction smaller than eps is skipped'),
  }),
  info: { source: 'pytorch/pytorch torch/optim/lr_scheduler.py ReduceLROnPlateau' },
  create: (o, { baseLr }) => {
    const worst = o.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    let lr = baseLr;
    let best = worst;
    let bad = 0;
    let cooldown = 0;
    const better = (v: number): boolean => {
      if (o.mode === 'min') return o.threshold_mode === 'rel' ? v < best * (1 - o.threshold) : v < best - o.threshold;
      return o.threshold_mode === 'rel' ? v > best * (1 + o.threshold) : v > best + o.threshold;
    };
    const observer: MetricObserver = {
      metric: o.metric,
      observe(v) {
        if (better(v)) { best = v; bad = 0; } else bad += 1;
        if (cooldown > 0) { cooldown -= 1; bad = 0; }
        if (bad > o.patience) {
          const next = Math.max(lr * o.factor, o.min_lr);
          if (lr - next > o.eps) lr = next;
          cooldown = o.cooldown;
          bad = 0;
        }
      },
      // ±Infinity (no evaluation yet) is stored as null: state.json is plain JSON
      getState: () => ({ lr, best: Number.isFinite(best) ? best : null, bad, cooldown }),
      setState(st) {
        lr = st.lr ?? baseLr;
        best = st.best ?? worst;
        bad = st.bad ?? 0;
        cooldown = st.cooldown ?? 0;
      },
    };
    return Object.assign(() => lr, { observer });
  },
});

export const scheduleEntries: readonly ScheduleEntry[] = [
  constant, stepSchedule, multistep, exponential, cosine, warmupCosine, linear, oneCycle,
  // tier 2 (issue 21)
  cosineRestarts, wsd, polynomial, inverseSqrt, reduceOnPlateau,
  // SWA (issue 18)
  swaSchedule,
];
