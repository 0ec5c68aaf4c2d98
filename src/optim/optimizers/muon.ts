/**
 * Muon (Jordan et al. 2024), official KellerJordan/Muon `muon.py` (857d1ad), the single-device
 * `SingleDeviceMuonWithAuxAdam`: SGD-momentum whose update is orthogonalised by 5 Newton–Schulz
 * steps on 2-D kernels (conv kernels viewed as [out, fan_in]); every other tensor takes AdamW
 * (transforms/scale-by-muon.ts). The split is by role: kernels of rank ≥ 2 take Muon, biases and
 * rank-1 tensors (BN scales) AdamW; the README also sends the embedding and the classifier head to
 * AdamW, which `adamw_names` does by name (e.g. ["mlp/dense_2/*"]).
 * Defaults are the code's group defaults: Muon lr 0.02, momentum 0.95, weight_decay 0 (nesterov
 * and 5 steps are `muon_update`'s defaults); AdamW lr 3e-4, betas (0.9, 0.95), eps 1e-10.
 * Code vs here: the iteration runs in float32, not bfloat16 (minima computes in float32).
 */
import { z } from 'zod';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import { scaleByMuon } from '../transforms/scale-by-muon.js';

const beta = z.number().min(0).lt(1);

export const muon = defineOptimizer({
  name: 'muon',
  summary: 'Muon: momentum orthogonalised by Newton–Schulz on 2-D kernels, AdamW for the rest (KellerJordan/Muon)',
  schema: z.strictObject({
    lr: lrOption(0.02).describe('Muon learning rate (spectral-norm units); schedules scale it and adam_lr by the same factor'),
    momentum: beta.default(0.95).describe('Muon momentum β'),
    nesterov: z.boolean().default(true).describe('orthogonalise lerp(g, m, β) (Nesterov) instead of m'),
    ns_steps: z.number().int().min(0).default(5).describe('Newton–Schulz iterations'),
    weight_decay: z.number().min(0).default(0).describe('decoupled decay of the Muon tensors: p·(1 − lr·wd)'),
    adam_lr: z.number().min(0).default(3e-4).describe('learning rate of the auxiliary AdamW (biases, rank-1 tensors, adamw_names)'),
    adam_betas: z.tuple([beta, beta]).default([0.9, 0.95]).describe('(β1, β2) of the auxiliary AdamW'),
    adam_eps: z.number().min(0).default(1e-10).describe('eps of the auxiliary AdamW, outside the sqrt'),
    adam_weight_decay: z.number().min(0).default(0).describe('decoupled decay of the auxiliary AdamW tensors'),
    adamw_names: z.array(z.string()).default([]).describe('kernel name globs sent to AdamW instead of Muon (embeddings, the head)'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'KellerJordan/Muon muon.py SingleDeviceMuonWithAuxAdam', paper: 'Jordan et al. 2024, Muon: An optimizer for hidden layers in neural networks' },
  create: (o) => clipped(o.clip_grad_norm, scaleByMuon({ value: o.lr }, o)),
});
