/**
 * The one import of TensorFlow.js in minima; backends register themselves into this instance.
 * tfjs-core's Node entry registers no gradients; the @tensorflow/tfjs umbrella (the package
 * tfjs-node builds on) registers them into core's global registry, so import it for its side
 * effect. (Lead's decision: do not vendor a bundle of tfjs-core here — a bundled copy of core's
 * Tensor/Engine classes breaks Variable.clone through a second, uninitialised op handler.)
 */
import '@tensorflow/tfjs';
import { enableProdMode } from '@tensorflow/tfjs-core';

// tfjs' cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its first
// tensor; backend choice and speed hints are minima's own notes (BackendInfo.notes). Production
// mode is tfjs' documented switch for its console output (in 4.x it gates tfjs' warn/log only).
enableProdMode();

export * from '@tensorflow/tfjs-core';
