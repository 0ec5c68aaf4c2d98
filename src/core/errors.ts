/**
 * Every expected failure is a RunnerError with a stable `code`; anything else is a bug.
 * Exit codes are defined here and nowhere else (src/cli/main.ts maps errors to them).
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  diverged: 3,
  expectation: 4,
  storage: 5,
  sweepFailed: 6,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_EMPTY'
  | 'YAML_SYNTAX'
  | 'UNKNOWN_NAME'
  | 'DUPLICATE_NAME'
  | 'USAGE'
  | 'RUN_EXISTS'
  | 'RUN_NOT_FOUND'
  | 'RESUME_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'DATASET_MISSING'
  | 'DATASET_INVALID'
  | 'DOWNLOAD_FAILED'
  | 'CHECKSUM_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'NON_FINITE_LOSS'
  | 'INTERRUPTED'
  | 'EXPECTATION_FAILED'
  | 'SWEEP_FAILED'
  | 'SLURM_FAILED'
  | 'DISK_FULL'
  | 'NOT_WRITABLE'
  | 'COMPONENT_MISSING'
  | 'NO_CHECKPOINT'
  | 'ANALYSIS_UNSUPPORTED';

export class RunnerError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  constructor(code: ErrorCode, message: string, exitCode: ExitCodeValue = ExitCode.usage, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** One problem in a config: dotted path, message, and where it came from when known. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file
    ? `${issue.file}${issue.line !== undefined ? `:${issue.line}:${issue.column ?? 1}` : ''}: `
    : '';
  return `${where}${issue.path || '(root)'}: ${issue.message}`;
}

export class ConfigError extends RunnerError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], headline = 'invalid config') {
    const n = issues.length;
    super(
      'CONFIG_INVALID',
      `${headline} (${n} problem${n === 1 ? '' : 's'}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
      ExitCode.usage,
    );
    this.issues = issues;
  }
}

export class UnknownNameError extends RunnerError {
  readonly kind: string;
  readonly unknown: string;
  readonly suggestions: readonly string[];
  constructor(kind: string, name: string, suggestions: readonly string[], known: readonly string[]) {
    super('UNKNOWN_NAME', unknownNameMessage(kind, name, suggestions, known), ExitCode.usage);
    this.kind = kind;
    this.unknown = name;
    this.suggestions = suggestions;
  }
}

export function unknownNameMessage(kind: string, name: string, suggestions: readonly string[], known: readonly string[]): string {
  const hint = suggestions.length > 0 ? ` (did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?)` : '';
  return `unknown ${kind} "${name}"${hint}; known: ${known.join(', ')}`;
}

export class NonFiniteLossError extends RunnerError {
  readonly step: number;
  constructor(step: number, value: number) {
    super('NON_FINITE_LOSS', `loss became ${value} at step ${step}`, ExitCode.diverged);
    this.step = step;
  }
}

export class InterruptedError extends RunnerError {
  constructor(signal: string) {
    super('INTERRUPTED', `interrupted by ${signal}`, ExitCode.interrupted);
  }
}

/** errno codes of a disk that is full (or over quota) and of one that refuses writes. */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const DENIED = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * A write the machine refused: disk full, over quota, read-only or no permission. Not a bug and not
 * the config's fault, so it has its own exit code; the message names the path.
 */
export class StorageError extends RunnerError {
  readonly path: string;
  readonly errno: string;
  constructor(errno: string, path: string, options?: ErrorOptions) {
    const full = FULL.has(errno);
    const why = full ? 'the disk is full (or over its quota)' : errno === 'EROFS' ? 'the file system is read-only' : 'permission denied';
    super(full ? 'DISK_FULL' : 'NOT_WRITABLE', `cannot write ${path}: ${why} (${errno})`, ExitCode.storage, options);
    this.path = path;
    this.errno = errno;
  }
}

/** The StorageError for a failed file operation on `path`, or undefined when `err` is something else. */
export function storageErrorOf(err: unknown, path: string): StorageError | undefined {
  if (err instanceof StorageError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (FULL.has(code) || DENIED.has(code)) ? new StorageError(code, path, { cause: err }) : undefined;
}
