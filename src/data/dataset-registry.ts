/** The dataset registry: the one list to edit when adding a dataset. */
import { createRegistry } from '../core/registry.js';
import type { Dataset, DatasetDeps } from '../core/types.js';
import { mnist } from './mnist.js';
import { coloredMnist } from './colored-mnist.js';
import { blobs } from './synthetic/blobs.js';
import { moons } from './synthetic/moons.js';
import { spirals } from './synthetic/spirals.js';
import { modularArithmetic } from './synthetic/modular-arithmetic.js';
import { xorClusters } from './synthetic/xor-clusters.js';
import { teacherStudent } from './synthetic/teacher-student.js';
import { returns } from './synthetic/returns.js';
import { gaussianMixture } from './synthetic/gaussian-mixture.js';
import { parity, sparseParity } from './synthetic/parity.js';
import { spuriousGaussian } from './synthetic/spurious-gaussian.js';
import { sparseRegression } from './synthetic/sparse-regression.js';
import { separable } from './synthetic/separable.js';
import { powerLawRegression } from './synthetic/power-law-regression.js';
import { idx } from './files/idx.js';
import { cifar10, cifar100 } from './files/cifar.js';
import { csv } from './files/csv.js';
import { npy, npz } from './files/numpy-arrays.js';

export const datasetRegistry = createRegistry<Promise<Dataset>, DatasetDeps>('dataset', [
  mnist,
  moons,
  spirals,
  blobs,
  modularArithmetic,
  xorClusters,
  teacherStudent,
  returns,
  gaussianMixture,
  parity,
  sparseParity,
  spuriousGaussian,
  coloredMnist,
  sparseRegression,
  separable,
  powerLawRegression,
  idx,
  cifar10,
  cifar100,
  csv,
  npy,
  npz,
]);
