/**
 * Everything a run leaves on disk. Files that are replaced are written atomically; metrics and
 * logs are append-only (a torn last line after a crash is skipped by readers and cut on resume).
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { appendLine, onDisk, writeFileAtomic, writeJsonAtomic, removeStaleTemps } from './atomic.js';
import { readMetrics, type MetricRow, type RunStatus } from './run-folder.js';

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class RunWriter {
  readonly dir: string;
  private readonly rows: MetricRow[] = [];
  private columns: string[] = [];

  constructor(dir: string) {
    this.dir = dir;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  writeText(name: string, text: string): void {
    writeFileAtomic(this.path(name), text);
  }

  writeYaml(name: string, value: unknown): void {
    this.writeText(name, toYaml(value, { lineWidth: 0 }));
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.path(name), value);
  }

  setStatus(status: RunStatus): void {
    this.writeText('status', `${status}\n`);
  }

  /**
   * The status after a refused write: atomically when the disk allows, else overwritten in place
   * (a few bytes in a block the file already has, so a full disk still takes it). Best effort:
   * returns false when even that fails.
   */
  forceStatus(status: RunStatus): boolean {
    try {
      this.setStatus(status);
      return true;
    } catch {
      try {
        const fd = openSync(this.path('status'), 'r+');
        try {
          const text = Buffer.from(`${status}\n`);
          writeSync(fd, text, 0, text.length, 0);
          ftruncateSync(fd, text.length);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return true;
      } catch {
        return false;
      }
    }
  }

  /** Removes the temp files of writes that a full disk cut short (they would hold the space it lacks). */
  removeTemps(): void {
    try {
      removeStaleTemps(this.dir);
      if (existsSync(this.path('checkpoints'))) removeStaleTemps(this.path('checkpoints'));
    } catch {
      // best effort: the folder may be unreadable too
    }
  }

  /** Reopens an existing run for appending, keeping only metric rows up to `step` (a resumed run re-logs the rest). */
  reopen(step: number): void {
    removeStaleTemps(this.dir);
    const kept = readMetrics(this.dir).filter((r) => r.step <= step);
    this.rows.length = 0;
    this.columns = [];
    for (const r of kept) this.track(r);
    this.writeText('metrics.jsonl', kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    this.rewriteCsv();
  }

  appendMetrics(row: MetricRow): void {
    const grew = this.track(row);
    appendLine(this.path('metrics.jsonl'), JSON.stringify(row));
    if (grew) this.rewriteCsv();
    else appendLine(this.path('metrics.csv'), this.columns.map((c) => csvCell(row[c])).join(','));
  }

  get metricRows(): readonly MetricRow[] {
    return this.rows;
  }

  private track(row: MetricRow): boolean {
    this.rows.push(row);
    let grew = false;
    for (const k of Object.keys(row)) {
      if (!this.columns.includes(k)) {
        this.columns.push(k);
        grew = true;
      }
    }
    return grew;
  }

  private rewriteCsv(): void {
    const lines = [this.columns.join(','), ...this.rows.map((r) => this.columns.map((c) => csvCell(r[c])).join(','))];
    writeFileAtomic(this.path('metrics.csv'), `${lines.join('\n')}\n`);
  }

  touch(name: string): void {
    if (!existsSync(this.path(name))) onDisk(this.path(name), () => writeFileSync(this.path(name), ''));
  }
}
