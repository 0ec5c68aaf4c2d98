/**
 * Sweep progress: on a terminal, one line per worker plus an overall bar (cli-progress); otherwise
 * one line per trial start and end, so logs of CI and Slurm stay readable.
 */
import cliProgress from 'cli-progress';
import type { TrialRecord } from './sweep-dir.js';
import type { PlannedTrial } from './sweep-dir.js';
import type { TrialProgress } from './run-trial.js';
import { formatValue } from '../expect/evaluate-expectations.js';
import { isTimingKey } from '../run/run-folder.js';

export interface SweepReporter {
  start(worker: number, trial: PlannedTrial, action: 'run' | 'resume'): void;
  progress(worker: number, p: TrialProgress): void;
  finish(worker: number, trial: PlannedTrial, record: TrialRecord): void;
  stop(): void;
}

export function trialResultText(r: TrialRecord): string {
  const metrics = Object.entries(r.final ?? {}).filter(([k]) => !isTimingKey(k)).slice(0, 4)
    .map(([k, v]) => `${k}=${v === null ? 'NaN' : formatValue(v)}`).join(' ');
  const extra = r.status === 'pruned' && r.pruned ? ` at step ${r.pruned.step}` : r.status === 'failed' && r.error ? `: ${r.error.message.split('\n').pop()}` : '';
  return `${r.status}${extra}${metrics ? `  ${metrics}` : ''}`;
}

function progressText(p: TrialProgress): string {
  const shown = ['train.loss', 'test.loss', 'test.accuracy'].filter((k) => p.latest[k] !== undefined)
    .map((k) => `${k} ${formatValue(p.latest[k]!)}`).join('  ');
  return `step ${p.step}  ${shown}`;
}

export function createReporter(total: number, done: number, stream: NodeJS.WritableStream, isTTY: boolean, workers: number): SweepReporter {
  let finished = done;
  if (!isTTY) {
    const line = (s: string) => stream.write(`${s}\n`);
    return {
      start: (w, t, action) => line(`[${finished}/${total}] w${w} ${action === 'resume' ? 'resume' : 'start '} ${t.dir} (${t.id})`),
      progress: () => {},
      finish: (w, t, r) => { finished++; line(`[${finished}/${total}] w${w} ${t.dir}: ${trialResultText(r)}`); },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar({
    format: '{label} {bar} {value}/{total} trials {info}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    stream: stream as NodeJS.WriteStream,
  }, cliProgress.Presets.shades_classic);
  const overall = multi.create(total, done, { label: 'sweep', info: '' });
  const lines = Array.from({ length: workers }, (_, w) => multi.create(1, 0, { label: `w${w}`, info: 'idle' }, { format: '{label}   {info}' }));
  return {
    start: (w, t, action) => lines[w]?.update(0, { info: `${t.dir} ${action === 'resume' ? 'resuming' : 'starting'}` }),
    progress: (w, p) => lines[w]?.update(0, { info: `${p.trial.dir}  ${progressText(p)}` }),
    finish: (w, t, r) => {
      finished++;
      overall.update(finished, { info: '' });
      lines[w]?.update(0, { info: `${t.dir} ${trialResultText(r)}` });
    },
    stop: () => multi.stop(),
  };
}
