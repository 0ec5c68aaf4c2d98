/**
 * Group DRO (Sagawa, Koh, Hashimoto & Liang, "Distributionally Robust Neural Networks for Group
 * Shifts", ICLR 2020), as kohpangwei/group_DRO `loss.py` LossComputer.compute_robust_loss computes
 * it for `--robust` without `--btl`:
 *
 *   L_g  = mean of the per-example cross-entropy over the batch's examples of group g (0 for a
 *          group absent from the batch: compute_group_avg divides by max(count, 1))
 *   A_g  = L_g + adj_g/√n_g  when every adj_g > 0 (`torch.all(self.adj>0)`), else L_g; n_g are the
 *          train split's group counts (DataSpec.groupCounts). The official `+=` is in place, so the
 *          robust loss below sums A_g, not L_g (the term is a constant: no gradient).
 *   q    ← q·exp(step_size·Â) then q ← q/Σq, with Â = A (or A/ΣA when normalize_loss), detached
 *   loss = Σ_g q_g·A_g   (one scalar for the batch: reduction 'batch')
 *
 * q ("adv_probs", uniform 1/G at the start) is the loss's state. The official code updates q
 * inside the loss computation, once per batch, and weighs the batch with the NEW q. Here compute()
 * derives this step's q from the stored one (a pure function of the state and the batch) and
 * weighs with it; commit() — once per step, after the step's first evaluation — stores it. Later
 * evaluations of the same step (SAM-type optimizers, diagnostics) weigh with the stored q of that
 * step, so every pass of a step uses the same q. Evaluation (ctx.training false) weighs with the
 * stored q and changes nothing. The update is computed as softmax(log q + step_size·Â), the same
 * numbers as the official product-and-normalise without its overflow for large losses.
 *
 * Not implemented: the `btl` variant and its `alpha`, `gamma` (exp_avg_loss) and `min_var_weight`,
 * which only that variant reads; `--reweight_groups` (a group-balanced sampler) is a data sampler,
 * not part of the loss.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossContext, LossInput, LossNeeds, Objective } from '../core/types.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, paramName, rowDot, stopGradient, type LossEntry } from './common.js';

const schema = lossSchema({
  step_size: z.number().min(0).default(0.01).describe('η_q of the exponentiated-gradient update q ← q·exp(η_q·L_g) (loss.py step_size, run_expt.py --robust_step_size 0.01).'),
  adj: z
    .union([z.number().min(0), z.array(z.number().min(0)).min(1)])
    .default(0)
    .describe('Generalisation adjustment C (loss.py adj, --generalization_adjustment): one value for every group or one per group; C_g/√n_g is added to the group losses only when every C_g > 0, as in the official code.'),
  normalize_loss: z.boolean().default(false).describe('Normalise the adjusted group losses to sum 1 before the q update only (loss.py normalize_loss, --use_normalized_loss).'),
});

const needs: LossNeeds = { input: 'logits', reduction: 'batch', task: 'classification' };

export const groupDro: LossEntry<z.infer<typeof schema>> = {
  name: 'group-dro',
  summary: 'Group DRO: online exponentiated-gradient weights q over groups, loss Σ_g q_g·L_g of per-group mean cross-entropy (Sagawa et al. ICLR 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', reduction: 'batch', groups: true },
  info: {
    paper: 'Distributionally Robust Neural Networks for Group Shifts: On the Importance of Regularization for Worst-Case Generalization (Sagawa, Koh, Hashimoto & Liang, ICLR 2020)',
    repo: 'kohpangwei/group_DRO',
    source: 'kohpangwei/group_DRO loss.py LossComputer (compute_group_avg, compute_robust_loss; is_robust, btl False)',
    state: 'adv_probs q [numGroups], checkpointed; updated once per step in commit()',
    gradient: 'q is detached (adv_probs from .data): the gradient is Σ_g q_g·∇L_g at this step\'s q, not the derivative of the value through q',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'group-dro');
    const G = deps.data.numGroups;
    if (G === undefined || !(G >= 1)) {
      throw new RunnerError('CONFIG_INVALID', 'loss "group-dro" needs a dataset whose examples carry group ids (DataSpec.numGroups), e.g. spurious-gaussian');
    }
    const adj = typeof o.adj === 'number' ? new Array<number>(G).fill(o.adj) : o.adj.length === 1 ? new Array<number>(G).fill(o.adj[0]!) : o.adj;
    if (adj.length !== G) throw new RunnerError('CONFIG_INVALID', `loss "group-dro": adj has ${adj.length} values, the dataset has ${G} groups (give one value or one per group)`);
    let adjustment: Float32Array | undefined;
    if (adj.every((c) => c > 0)) {
      const counts = deps.data.groupCounts;
      if (!counts || counts.length !== G || counts.some((n) => !(n > 0))) {
        throw new RunnerError('CONFIG_INVALID', `loss "group-dro": adj needs every group in the train split (group counts ${counts ? `[${counts.join(', ')}]` : 'unknown'})`);
      }
      adjustment = Float32Array.from(adj, (c, g) => c / Math.sqrt(counts[g]!));
    }
    const name = paramName(deps, 'group-dro', 'adv_probs');
    const initial = tf.fill([G], 1 / G, 'float32');
    const q = tf.variable(initial, false);
    initial.dispose(); // the variable holds its own reference to the data
    /** The training step whose q is stored (commit ran): later passes of that step weigh with it. */
    let committedStep = -1;

    /** A_g: per-group mean cross-entropy over the batch (0 when absent), plus adj_g/√n_g when applied. */
    const groupLosses = (input: LossInput): tf.Tensor1D => {
      if (!input.group) throw new RunnerError('CONFIG_INVALID', 'loss "group-dro" needs the batch\'s group ids (LossInput.group): a dataset with groups');
      const perExample = tf.neg(rowDot(tf.logSoftmax(input.output), oneHot(input.y, k)));
      const map = oneHot(input.group, G); // [B, G]
      const count = tf.sum(map, 0);
      const denom = tf.add(count, tf.cast(tf.equal(count, 0), 'float32'));
      const mean = tf.div(tf.sum(tf.mul(map, tf.expandDims(perExample, 1)), 0), denom) as tf.Tensor1D;
      return adjustment ? (tf.add(mean, tf.tensor1d(adjustment)) as tf.Tensor1D) : mean;
    };
    /** This step's q from the stored one: softmax(log q + η·Â), Â the detached (normalised) A. */
    const updated = (a: tf.Tensor1D): tf.Tensor1D => {
      let hat: tf.Tensor = stopGradient(a);
      if (o.normalize_loss) hat = tf.div(hat, tf.sum(hat));
      return stopGradient(tf.softmax(tf.add(tf.log(q), tf.mul(hat, o.step_size))) as tf.Tensor1D);
    };
    const stored = (ctx: LossContext) => !ctx.training || ctx.step === committedStep;

    const objective: Objective = {
      needs,
      variables: [],
      compute: (input, ctx) =>
        tf.tidy(() => {
          const a = groupLosses(input);
          const weights = stored(ctx) ? (q as tf.Tensor1D) : updated(a);
          return tf.sum(tf.mul(weights, a));
        }),
      commit(input, ctx) {
        if (stored(ctx)) return;
        tf.tidy(() => {
          q.assign(updated(groupLosses(input)));
        });
        committedStep = ctx.step;
      },
      getState: () => ({ [name]: tf.clone(q) }),
      setState(state) {
        const t = state[name];
        if (!t) throw new RunnerError('CHECKPOINT_INVALID', `loss state lacks "${name}"`);
        if (t.shape.length !== 1 || t.shape[0] !== G) throw new RunnerError('CHECKPOINT_INVALID', `loss state "${name}" has shape [${t.shape.join(', ')}], expected [${G}]`);
        q.assign(t);
        committedStep = -1;
      },
      dispose: () => q.dispose(),
    };
    return objective;
  },
};
