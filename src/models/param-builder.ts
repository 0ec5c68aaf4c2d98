/**
 * Creates a model's variables with seeded values generated in JS (tfjs initialisers ignore seeds,
 * tensorflow/tfjs#7104). Each tensor draws from its own stream `Rng.derive(seed, 'init', name)`, so
 * adding a layer never changes the values of the others.
 */
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import type { ParamSpec } from '../core/types.js';

/** How a tensor is filled. Bounds and deviations are computed by the layer from its fans. */
export type Init =
  | { readonly kind: 'uniform'; readonly bound: number }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'constant'; readonly value: number };

export interface Buffer {
  readonly name: string;
  readonly variable: tf.Variable;
}

/** tf.Variable names are global in the engine; the counter keeps two instances of a model apart. */
let instances = 0;
/** Set while `withoutInitialisation` runs: shapes only, every value 0. */
let skipInit = false;

/** Builds models with zero-filled variables (fast, for parameter counts and layer summaries). */
export function withoutInitialisation<T>(build: () => T): T {
  const previous = skipInit;
  skipInit = true;
  try {
    return build();
  } finally {
    skipInit = previous;
  }
}

export class ParamBuilder {
  readonly params: ParamSpec[] = [];
  readonly buffers: Buffer[] = [];
  private readonly instance = instances++;
  private readonly names = new Set<string>();

  constructor(
    /** Prefix of every name, e.g. 'mlp'. */
    readonly prefix: string,
    private readonly seed: number,
  ) {}

  /** A trainable tensor named `<prefix>/<name>` (the stable name checkpoints key on). */
  param(name: string, shape: readonly number[], role: ParamSpec['role'], init: Init): tf.Variable {
    const full = this.claim(name);
    const initial = skipInit ? tf.zeros([...shape]) : tf.tensor(fill(shape, init, Rng.derive(this.seed, 'init', full)), [...shape], 'float32');
    const variable = this.variable(initial, true, full);
    this.params.push({ name: full, variable, role, owner: 'model' });
    return variable;
  }

  /** A non-trainable tensor saved in checkpoints (BN running statistics). */
  buffer(name: string, shape: readonly number[], value: number): tf.Variable {
    const full = this.claim(name);
    const variable = this.variable(tf.fill([...shape], value, 'float32'), false, full);
    this.buffers.push({ name: full, variable });
    return variable;
  }

  private claim(name: string): string {
    const full = `${this.prefix}/${name}`;
    if (this.names.has(full)) throw new Error(`duplicate parameter name ${full}`);
    this.names.add(full);
    return full;
  }

  /** The variable keeps its own reference to the data, so the initial tensor is released. */
  private variable(initial: tf.Tensor, trainable: boolean, full: string): tf.Variable {
    const variable = tf.variable(initial, trainable, `${full}#${this.instance}`);
    initial.dispose();
    return variable;
  }
}

function fill(shape: readonly number[], init: Init, rng: Rng): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  switch (init.kind) {
    case 'uniform':
      return rng.fillUniform(out, -init.bound, init.bound);
    case 'normal':
      return rng.fillNormal(out, 0, init.std);
    case 'constant':
      return out.fill(init.value);
  }
}

/* PyTorch's initialisers, expressed through fans. */

/** nn.Linear / nn.Conv2d default: kaiming_uniform(a=√5) for weights, and the same bound for biases: U(±1/√fan_in). */
export function torchDefault(fanIn: number): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}

/** kaiming_normal_ with the ReLU gain: N(0, 2/fan). */
export function kaimingNormal(fan: number): Init {
  return { kind: 'normal', std: Math.sqrt(2 / fan) };
}

export const zeros: Init = { kind: 'constant', value: 0 };
export const ones: Init = { kind: 'constant', value: 1 };
