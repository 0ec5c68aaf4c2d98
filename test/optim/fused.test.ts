/** Fused optimizer kernels on the cpu backend (the oracle): bit-identical to the composite ops. */
import '../support/tf.js';
import { describe } from 'node:test';
import { fusedSuite } from './fused-suite.js';

describe('fused optimizer kernels on cpu', () => fusedSuite('cpu'));
