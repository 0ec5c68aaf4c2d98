/**
 * The one import of TensorFlow.js in minima; backends register themselves into this instance.
 * tfjs-core's Node entry registers no gradients; the @tensorflow/tfjs umbrella (the package
 * tfjs-node builds on) registers them into core's global registry, so import it for its side
 * effect. (Lead's decision: do not vendor a bundle of tfjs-core here — a bundled copy of core's
 * Tensor/Engine classes breaks Variable.clone through a second, uninitialised op handler.)
 */
import '@tensorflow/tfjs';
export * from '@tensorflow/tfjs-core';
