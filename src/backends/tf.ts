/** The one import of TensorFlow.js in minima; backends register themselves into this instance. */
export * from '@tensorflow/tfjs-core';
