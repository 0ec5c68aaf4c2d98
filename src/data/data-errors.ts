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

/** Class ids past this are damage or regression targets, not classes (a K-sized table is allocated per class). */
export const MAX_CLASS_ID = (1 << 24) - 1;

/** A label too large to be a class id, at `where` in `file` (an npy index, a CSV cell). */
export function classIdTooLarge(file: string, where: string, label: number | string): RunnerError {
  return invalidFile(file, `label ${label} at ${where} is too large for a class id (at most ${MAX_CLASS_ID}); regression targets need task: regression`);
}
