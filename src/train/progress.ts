/**
 * Progress: a cli-progress bar on a TTY (epoch, step, loss, throughput, ETA); plain lines on a
 * non-TTY at a sensible cadence. Human output goes to stderr only.
 */
import cliProgress from 'cli-progress';

export interface ProgressState {
  readonly step: number;
  readonly epoch: number;
  readonly loss?: number;
  readonly samplesPerSec?: number;
}

export interface Progress {
  update(s: ProgressState): void;
  log(line: string): void;
  stop(): void;
}

/** A loss (or any metric) for humans: 4 decimals, or 3 significant digits below 1e-3; '-' when unknown. */
export function fmtLoss(l: number | undefined): string {
  return l === undefined ? '-' : Math.abs(l) >= 1e-3 || l === 0 ? l.toFixed(4) : l.toExponential(2);
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

export function createProgress(opts: { total: number; epochs: number; stream: NodeJS.WriteStream | NodeJS.WritableStream; tty: boolean; quiet: boolean; startStep: number }): Progress {
  const { total, epochs, stream, quiet } = opts;
  if (quiet) return { update() {}, log() {}, stop() {} };
  if (opts.tty) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WriteStream,
        format: ' {bar} {percentage}% | epoch {epoch}/{epochs} | step {value}/{total} | loss {loss} | {sps} samples/s | ETA {eta_formatted}',
        barsize: 24,
        hideCursor: true,
        etaBuffer: 50,
        fps: 8,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, opts.startStep, { epoch: 0, epochs, loss: '-', sps: '-' });
    return {
      update(s) {
        bar.update(s.step, { epoch: s.epoch, loss: fmtLoss(s.loss), sps: s.samplesPerSec ? Math.round(s.samplesPerSec) : '-' });
      },
      log(line) {
        // print above the bar
        (stream as NodeJS.WriteStream).write(`\r\x1b[K${line}\n`);
        bar.render();
      },
      stop() {
        bar.stop();
      },
    };
  }
  const every = Math.max(1, Math.round(total / 20));
  const t0 = Date.now();
  let lastPrint = 0;
  let lastStep = opts.startStep;
  return {
    update(s) {
      const now = Date.now();
      if (s.step === total || s.step - lastStep >= every || now - lastPrint > 30_000) {
        lastStep = s.step;
        lastPrint = now;
        const rate = (s.step - opts.startStep) / Math.max(1e-3, (now - t0) / 1000);
        const eta = (total - s.step) / Math.max(rate, 1e-9);
        stream.write(`step ${s.step}/${total} epoch ${s.epoch}/${epochs} loss ${fmtLoss(s.loss)} ${s.samplesPerSec ? `${Math.round(s.samplesPerSec)} samples/s ` : ''}ETA ${fmtTime(eta)}\n`);
      }
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
