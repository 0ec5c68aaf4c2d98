/**
 * SAF, Sharpness-Aware Training for Free (Du et al. NeurIPS 2022), as a loss: cross-entropy plus
 * the trajectory loss on outputs stored for the same examples `minus_epoch` epochs earlier, as
 * AngusDujw/SAF `SAF_train.py` (train_one_epoch) computes it:
 *
 *   train_logits[indices, epoch % (minus_epoch+1)] = output.detach()                       (every step)
 *   if kl_start_epoch < epoch < kl_end_epoch:
 *     past = train_logits[indices, (epoch − minus_epoch) % (minus_epoch+1)]
 *     loss += reinforce · T² · mean_i KL(softmax(past_i/T) ‖ softmax(z_i/T))
 *
 * (`F.kl_div(log softmax(z/T), softmax(past/T)).sum(-1).mean() * T²`). Epochs are 0-based and the
 * window is strict at both ends, as in the official loop. The memory is a ring of minus_epoch + 1
 * tables of N × K outputs keyed by train-row id (per-example state, checkpointed); slot
 * e mod (minus_epoch+1) takes epoch e's outputs, so the slot read in epoch e holds the outputs of
 * epoch e − minus_epoch (each example is seen once per epoch) and is never the slot written in the
 * same step. Rows never written read as zeros (a uniform target), as the official zero-filled
 * buffer does when kl_start_epoch < minus_epoch.
 *
 * minima's placement: compute() reads the old slot, commit() (once per step, on the step's first
 * evaluation) writes the current outputs, so SAM-type extra evaluations see the same memory. In
 * evaluation (training false, or split 'test') the value is the cross-entropy alone (the official
 * validation uses plain CE). Differences from the official code: log softmax comes from logSoftmax
 * (the official `softmax(...).log()` is −inf for saturated outputs); `label_smoothing` defaults to
 * minima's CE default 0 (the official ImageNet script inherits timm's `--smoothing 0.1`; the
 * smoothed CE is the same formula). Defaults: `reinforce` 0.3 is the README's λ for SAF (the
 * argparse default is 0.16; MESA uses 0.8), `temperature` 5, `kl_start_epoch` 5, `minus_epoch` 3
 * and `kl_end_epoch` 300 are the argparse defaults.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { Objective } from '../core/types.js';
import { requireIndex, usesTrainState } from './aldr-kl.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, paramName, rowDot, type LossEntry } from './common.js';
import { perExampleState, type PerExampleState } from './per-example-state.js';

const schema = lossSchema({
  reinforce: z.number().min(0).default(0.3).describe('λ (official `--reinforce`): weight of the trajectory loss; README 0.3 for SAF (argparse default 0.16).'),
  temperature: z.number().positive().default(5).describe('τ (official `--temperature`, 5): softmax temperature of both distributions; the KL is scaled by τ².'),
  kl_start_epoch: z.number().int().min(0).default(5).describe('E_start (official `--kl_start_epoch`, 5): the trajectory loss applies in 0-based epochs e with kl_start_epoch < e < kl_end_epoch.'),
  kl_end_epoch: z.number().int().min(0).default(300).describe('official `--kl_end_epoch` (300): the epoch from which the trajectory loss stops.'),
  minus_epoch: z.number().int().min(1).default(3).describe('Ẽ (official `--minus_epoch`, 3): the stored outputs used as the target are those of the same example minus_epoch epochs earlier.'),
  label_smoothing: z.number().min(0).max(1).default(0).describe('s: cross-entropy target (1 − s)·onehot + s/K (the official ImageNet script uses timm\'s 0.1).'),
}).refine((o) => o.kl_end_epoch > o.kl_start_epoch + 1, {
  message: 'the trajectory loss applies in epochs e with kl_start_epoch < e < kl_end_epoch: this window holds no epoch (kl_end_epoch must exceed kl_start_epoch + 1)',
  path: ['kl_end_epoch'],
});

type Options = z.infer<typeof schema>;

/** The ring slot holding epoch e's outputs (Python's non-negative modulo). */
export function safSlot(epoch: number, slots: number): number {
  return ((epoch % slots) + slots) % slots;
}

export const saf: LossEntry<Options> = {
  name: 'saf',
  summary: 'SAF trajectory loss: CE + λ·τ²·KL(softmax(z_past/τ) ‖ softmax(z/τ)) against each example\'s outputs stored Ẽ epochs earlier (Du et al. NeurIPS 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Sharpness-Aware Training for Free (Du, Zhou, Feng, Tan, Zhou NeurIPS 2022)',
    repo: 'AngusDujw/SAF',
    source: 'AngusDujw/SAF SAF_train.py train_one_epoch (train_logits ring, KL_loss)',
    perExampleState: 'past outputs, minus_epoch + 1 slots of rows = train split, width K',
    // a short run reaches the trajectory loss: epoch 1 reads the outputs stored in epoch 0
    example: '{"kl_start_epoch":0,"minus_epoch":1}',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'saf');
    const slots = o.minus_epoch + 1;
    const tables: PerExampleState[] = [];
    try {
      for (let j = 0; j < slots; j++) tables.push(perExampleState(paramName(deps, 'saf', `outputs_${j}`), deps.sizes.train, k, 0));
    } catch (err) {
      for (const t of tables) t.dispose();
      throw err;
    }
    const t = o.temperature;
    const active = (epoch: number) => epoch > o.kl_start_epoch && epoch < o.kl_end_epoch;
    const objective: Objective = {
      needs: classificationNeeds,
      variables: [],
      compute: (input, ctx) =>
        tf.tidy(() => {
          let q: tf.Tensor = oneHot(input.y, k);
          if (o.label_smoothing > 0) q = tf.add(tf.mul(q, 1 - o.label_smoothing), o.label_smoothing / k);
          const ce = tf.neg(rowDot(tf.logSoftmax(input.output), q));
          if (!usesTrainState(ctx) || !active(ctx.epoch) || o.reinforce === 0) return ce;
          const past = tables[safSlot(ctx.epoch - o.minus_epoch, slots)]!.read(requireIndex(input, 'saf'));
          const logTarget = tf.logSoftmax(tf.div(past, t));
          const logP = tf.logSoftmax(tf.div(input.output, t));
          const kl = tf.sum(tf.mul(tf.exp(logTarget), tf.sub(logTarget, logP)), -1);
          return tf.add(ce, tf.mul(kl, o.reinforce * t * t));
        }),
      commit(input, ctx) {
        if (!usesTrainState(ctx)) return;
        tables[safSlot(ctx.epoch, slots)]!.write(requireIndex(input, 'saf'), input.output);
      },
      getState() {
        const out: tf.NamedTensorMap = {};
        for (const table of tables) Object.assign(out, table.getState());
        return out;
      },
      setState(state) {
        for (const table of tables) table.setState(state);
      },
      dispose() {
        for (const table of tables) table.dispose();
      },
    };
    return objective;
  },
};
