/** The three ways a dataset can fail for a reason the user controls, with uniform messages. */
import { ConfigError, RunnerError } from '../core/errors.js';

/** A file exists but is not what it should be (wrong magic, truncated, labels out of range …). */
export function invalidFile(file: string, problem: string): RunnerError {
  return new RunnerError('DATASET_INVALID', `${file}: ${problem}`);
}

/** A file the dataset needs is absent; `hint` says how to get it. */
export function missingFile(file: string, hint: string): RunnerError {
  return new RunnerError('DATASET_MISSING', `${file}: not found. ${hint}`);
}

/** Options that parse but cannot work together with this dataset (issue path under `dataset.`). */
export function optionError(path: string, message: string): ConfigError {
  return new ConfigError([{ path: `dataset.${path}`, message }], 'invalid dataset options');
}
