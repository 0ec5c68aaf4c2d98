/**
 * MESA, Memory-Efficient Sharpness-Aware training (Du et al. NeurIPS 2022, "Sharpness-Aware
 * Training for Free", its second method), as a loss: cross-entropy plus the trajectory loss against
 * the outputs of an EMA of the weights on the same batch, as AngusDujw/SAF `MESA_train.py`
 * (train_one_epoch) computes it:
 *
 *   ema_output = model_ema.module(input)                     (no_grad; timm ModelEmaV2, eval mode)
 *   loss = loss_fn(output, target)
 *   if kl_start_epoch < epoch < kl_end_epoch:
 *     loss += reinforce · T² · mean_i KL(softmax(ema_output_i/T) ‖ softmax(z_i/T))
 *   …optimizer.step(); model_ema.update(model)
 *
 * The teacher is the run's `train.ema` (required, config rule teacherNeedsEma): the trainer takes
 * its outputs once per step before the step (LossInput.teacher), so SAM-type extra evaluations see
 * the same target, and the EMA moves after the step, as in the official loop. Epochs are 0-based,
 * the window strict at both ends. In evaluation the value is the cross-entropy alone (the official
 * validation uses plain CE). Unlike SAF it keeps no per-example memory: O(params) for the EMA
 * instead of O(N·K). Differences from the official code: log softmax from logSoftmax (the official
 * `softmax(...).log()` is −inf for saturated outputs); `label_smoothing` defaults to minima's CE
 * default 0 (the official ImageNet script inherits timm's `--smoothing 0.1`). Defaults are the
 * MESA_train.py argparse values: reinforce 0.3 (its run.sh example uses 0.8), temperature 5,
 * kl_start_epoch 5, kl_end_epoch 360; the EMA decay is train.ema.decay (timm's 0.9998). The official
 * teacher is timm ModelEmaV2, constant decay from the first update: `train.ema.warmup: none`
 * (`false` copies the weights at the first update, ModelEmaV3). Step-by-step agreement with
 * MESA_train.py: scripts/official (cases mesa/*).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossNeeds } from '../core/types.js';
import { usesTrainState } from './aldr-kl.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  reinforce: z.number().min(0).default(0.3).describe('λ (official `--reinforce`): weight of the trajectory loss; MESA_train.py default 0.3 (run.sh uses 0.8).'),
  temperature: z.number().positive().default(5).describe('τ (official `--temperature`, 5): softmax temperature of both distributions; the KL is scaled by τ².'),
  kl_start_epoch: z.number().int().min(0).default(5).describe('E_start (official `--kl_start_epoch`, 5): the trajectory loss applies in 0-based epochs e with kl_start_epoch < e < kl_end_epoch.'),
  kl_end_epoch: z.number().int().min(0).default(360).describe('official `--kl_end_epoch` (MESA_train.py 360): the epoch from which the trajectory loss stops.'),
  label_smoothing: z.number().min(0).max(1).default(0).describe('s: cross-entropy target (1 − s)·onehot + s/K (the official ImageNet script uses timm\'s 0.1).'),
}).refine((o) => o.kl_end_epoch > o.kl_start_epoch + 1, {
  message: 'the trajectory loss applies in epochs e with kl_start_epoch < e < kl_end_epoch: this window holds no epoch (kl_end_epoch must exceed kl_start_epoch + 1)',
  path: ['kl_end_epoch'],
});

export const mesa: LossEntry<z.infer<typeof schema>> = {
  name: 'mesa',
  summary: 'MESA: CE + λ·τ²·KL(softmax(z_ema/τ) ‖ softmax(z/τ)) against the EMA teacher\'s outputs on the same batch (train.ema; Du et al. NeurIPS 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', teacher: true },
  info: {
    paper: 'Sharpness-Aware Training for Free (Du, Zhou, Feng, Tan, Zhou NeurIPS 2022), MESA',
    repo: 'AngusDujw/SAF',
    source: 'AngusDujw/SAF MESA_train.py train_one_epoch (ema_output, KL_loss); timm ModelEmaV2 as the teacher',
    teacher: 'train.ema (required; warmup none = the official ModelEmaV2): the EMA of the weights, its outputs taken once per step before the step',
    // a short run reaches the trajectory loss from its second epoch
    example: '{"kl_start_epoch":0}',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'mesa');
    const t = o.temperature;
    const active = (epoch: number) => epoch > o.kl_start_epoch && epoch < o.kl_end_epoch;
    const needs: LossNeeds = { input: 'logits', reduction: 'per-example', task: 'classification', teacher: true };
    return statelessObjective(needs, (input, ctx) => {
      let q: tf.Tensor = oneHot(input.y, k);
      if (o.label_smoothing > 0) q = tf.add(tf.mul(q, 1 - o.label_smoothing), o.label_smoothing / k);
      const ce = tf.neg(rowDot(tf.logSoftmax(input.output), q));
      if (!usesTrainState(ctx) || !active(ctx.epoch) || o.reinforce === 0) return ce;
      if (!input.teacher) throw new RunnerError('USAGE', 'loss "mesa" distils from the EMA of the weights: training calls need LossInput.teacher (set train.ema)');
      const logTarget = tf.logSoftmax(tf.div(input.teacher, t));
      const logP = tf.logSoftmax(tf.div(input.output, t));
      const kl = tf.sum(tf.mul(tf.exp(logTarget), tf.sub(logTarget, logP)), -1);
      return tf.add(ce, tf.mul(kl, o.reinforce * t * t));
    });
  },
};
