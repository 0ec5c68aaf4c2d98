import * as tf from '../../backends/tf.js';

/** One view of a tensor as rows × columns: the reductions run over the rows (axis 0) per column. */
interface View { readonly shape: [number, number]; readonly length: number }

/**
 * AdamP/SGDP's projection (clovaai/AdamP `_projection`), on the device, for a tensor of rank > 1.
 * For the channel view, then the layer view: if max |cos(g, p)| < δ/sqrt(view length), remove the
 * radial part of `perturb`, `perturb − p̂·<p̂, perturb>` with p̂ = p/(‖p‖ + eps), and stop; else try
 * the next view. The official channel view is dim 0 of torch's [out, in, …] layout, i.e. the output
 * channel; minima's kernels are [in, out] / [kh, kw, in, out], so the channel is the LAST axis here.
 * cos is torch's F.cosine_similarity, x·y/(max(‖x‖, eps)·max(‖y‖, eps)). Returns the (maybe)
 * projected update and whether either view projected (1/0), which selects wd_ratio.
 */
export function projectScaleInvariant(p: tf.Tensor, grad: tf.Tensor, perturb: tf.Tensor, delta: number, eps: number): { out: tf.Tensor; projected: tf.Scalar } {
  const channels = p.shape[p.rank - 1]!;
  const views: View[] = [
    { shape: [p.size / channels, channels], length: p.size / channels },
    { shape: [p.size, 1], length: p.size },
  ];
  const pick = views.map((v) => {
    const pv = tf.reshape(p, v.shape);
    const gv = tf.reshape(grad, v.shape);
    const pNorm = tf.sqrt(tf.sum(tf.mul(pv, pv), 0, true));
    const gNorm = tf.sqrt(tf.sum(tf.mul(gv, gv), 0, true));
    const cos = tf.abs(tf.div(tf.sum(tf.mul(gv, pv), 0, true), tf.mul(tf.maximum(gNorm, eps), tf.maximum(pNorm, eps))));
    const cond = tf.less(tf.max(cos), delta / Math.sqrt(v.length)) as tf.Scalar;
    const pn = tf.div(pv, tf.add(pNorm, eps));
    const uv = tf.reshape(perturb, v.shape);
    const projected = tf.reshape(tf.sub(uv, tf.mul(pn, tf.sum(tf.mul(pn, uv), 0, true))), p.shape);
    return { cond, projected };
  });
  const [channel, layer] = pick as [typeof pick[0], typeof pick[0]];
  const out = tf.where(channel.cond, channel.projected, tf.where(layer.cond, layer.projected, perturb));
  const projected = tf.cast(tf.logicalOr(channel.cond, layer.cond), 'float32') as tf.Scalar;
  return { out, projected };
}
