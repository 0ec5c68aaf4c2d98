/**
 * PGD adversarial training (Madry et al. 2018), MadryLab mnist_challenge train.py: each step
 * trains on x_adv = PGD(x) that ascends the summed cross-entropy (Madry's `xent`), with
 *   ℓ_i = base(h(x_adv,i), y_i)   (base: cross-entropy in Madry; sovr in Kanai et al.; any per-example loss).
 * x_adv is a constant of the weight gradient (upstream feeds it as data). In evaluation the loss
 * reports the base on clean inputs; robust accuracy comes from train.eval_attacks.
 */
import * as tf from '../backends/tf.js';
import { attackSpecSchema } from '../attacks/index.js';
import type { LossContext, LossInput, LossNeeds, Objective } from '../core/types.js';
import { adversarialPass, attackOn, requireFloatInputs, attackSchedule, epsWarmupOption, stepCache, summedCrossEntropy } from './adversarial-inputs.js';
import { lossSchema, numClassesOf, oneHot, type LossEntry } from './common.js';
import { baseSlot, buildBase } from './wrapper.js';
import type { z } from 'zod';

const schema = lossSchema({
  attack: attackSpecSchema.prefault({ name: 'pgd' }).describe('The training attack (default: pgd with the mnist_challenge settings, ε 0.3, 40 steps of 0.01); ε and the range in the model\'s input units.'),
  eps_warmup: epsWarmupOption,
});

export const pgdAt: LossEntry<z.infer<typeof schema>> = {
  name: 'pgd-at',
  summary: 'PGD adversarial training: the `base:` loss on x_adv = PGD(x) ascending the summed cross-entropy (Madry et al. 2018); with the awp optimizer: AWP-AT.',
  schema,
  nested: baseSlot,
  needs: { task: 'classification', input: 'logits', wraps: 'base', baseReduction: 'per-example', inputs: true },
  info: {
    paper: 'Towards Deep Learning Models Resistant to Adversarial Attacks (Madry, Makelov, Schmidt, Tsipras, Vladu ICLR 2018)',
    source: 'MadryLab/mnist_challenge train.py, pgd_attack.py, config.json',
    example: '{"base":{"name":"cross-entropy"},"attack":{"name":"pgd","eps":0.3,"steps":40,"step_size":0.01}}',
    evaluation: 'the base loss on clean inputs',
    group: 'adversarial training (inputs perturbed by an attack)', docs: 'docs/adversarial.md',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'pgd-at');
    requireFloatInputs('pgd-at', deps);
    const base = buildBase('pgd-at', o, deps, { verb: 'trains on adversarial' });
    const attackAt = attackSchedule(o.attack, o.eps_warmup);
    const cached = stepCache();
    const needs: LossNeeds = { ...base.needs, inputs: true };
    const objective: Objective = {
      needs,
      variables: base.variables,
      compute(input: LossInput, ctx: LossContext) {
        // the loss contract and createLoss call compute without the model: the base's values then
        if (!ctx.training || !input.x || !ctx.apply) return base.compute(input, ctx);
        return tf.tidy(() => {
          const { x, apply } = adversarialPass('pgd-at', input, ctx);
          const target = oneHot(input.y, k);
          const xAdv = cached(input, ctx, (seed) => attackOn(attackAt(ctx.step), summedCrossEntropy(apply, target), x, seed));
          const out = apply(xAdv);
          return base.compute({ ...input, output: out.output, embedding: out.embedding, x: xAdv }, ctx);
        });
      },
      ...(base.probabilities ? { probabilities: base.probabilities.bind(base) } : {}),
      ...(base.commit ? { commit: base.commit.bind(base) } : {}),
      ...(base.getState ? { getState: base.getState.bind(base) } : {}),
      ...(base.setState ? { setState: base.setState.bind(base) } : {}),
      dispose: () => base.dispose(),
    };
    return objective;
  },
};
