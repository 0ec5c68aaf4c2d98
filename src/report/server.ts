/**
 * `minima serve`: a read-only local dashboard over a runs folder (node:http, no framework). The page
 * (assets/report/dashboard.js) polls a small JSON API; metrics.jsonl files are tailed incrementally
 * (run-folder.ts MetricsTail), so a live run's new rows reach the page without a reload, and curves
 * are downsampled for display by keeping real rows (exact values on hover). Only GET and HEAD; every
 * path goes through safe-path.ts; a Host header other than the bound name is refused (DNS rebinding).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, relative, sep } from 'node:path';
import { MetricsTail, readSummary } from '../run/run-folder.js';
import { assetText, escapeHtml } from './assets.js';
import type { XField } from './charts.js';
import { curveFigure, curveSource, positiveCurve } from './curve-figure.js';
import { curveTitle, resolveCurveId, sortCurveIds, type CurveId } from './curves.js';
import { discover, type Discovered, type RunCache, type RunEntry } from './discover.js';
import { filterRuns, sortRuns } from './query.js';
import { buildRunsTable, cellText } from './runs-table.js';
import { resolveInside, unsafeRelative } from './safe-path.js';
import { sweepFigures } from './sweep-figures.js';

export interface ServeOptions {
  readonly root: string;
  readonly host: string;
  readonly port: number;
  /** Points per curve sent to the page. */
  readonly maxPoints?: number;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8', '.yaml': 'text/plain; charset=utf-8', '.csv': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml',
};

const CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
  readonly headers: Record<string, string>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function dashboardHtml(root: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>minima: ${escapeHtml(root)}</title><link rel="stylesheet" href="/assets/style.css"></head>
<body>
<header><h1>minima serve</h1><div class="sub" id="root">${escapeHtml(root)}</div></header>
<main>
<section id="runs"><h2>Runs <span class="muted" id="run-count"></span></h2>
<div class="controls"><label>filter <input id="filter" size="60" placeholder="optimizer.name==sgd; test.accuracy>0.9; status==running"></label>
<button id="apply">apply</button><span id="filter-error" class="status-failed"></span>
<button id="select-none">clear selection</button></div>
<div class="scroll" id="runs-scroll"><table id="runs-table"><thead></thead><tbody></tbody></table></div></section>
<section id="chart-panel"><h2>Curves of the selected runs <span class="muted" id="selected-count"></span></h2>
<div class="controls"><label>metric <select id="metric"></select></label>
<label>x <select id="x"><option value="step">step</option><option value="epoch">epoch</option><option value="time_s">wall time</option></select></label>
<label><input type="checkbox" id="logy"> log y</label><span class="muted" id="chart-note"></span></div>
<div class="card"><div class="chart" id="chart"></div></div></section>
<section id="run-detail" hidden><h2>Run <span id="run-name"></span></h2><div id="run-body"></div></section>
<section id="sweeps"><h2>Sweeps</h2><div id="sweep-list" class="muted">none</div></section>
</main>
<script src="/assets/vega.min.js"></script><script src="/assets/vega-lite.min.js"></script>
<script src="/assets/charts.js"></script><script src="/assets/dashboard.js"></script>
</body></html>
`;
}

export class Dashboard {
  readonly rootReal: string;
  private readonly tails = new Map<string, MetricsTail>();
  private readonly curves = curveSource((run) => this.rows(run));
  private found: { at: number; d: Discovered; byRel: Map<string, RunEntry> } | undefined;
  private readonly runCache: RunCache = new Map();

  constructor(readonly o: ServeOptions) {
    this.rootReal = realpathSync(o.root);
  }

  private rows(run: RunEntry) {
    let t = this.tails.get(run.dir);
    if (!t) this.tails.set(run.dir, (t = new MetricsTail(`${run.dir}${sep}metrics.jsonl`)));
    return t.read();
  }

  /**
   * The runs under the folder; discovered again at most once a second after the last discovery
   * ended (the page polls), each run re-read only when its small files changed.
   */
  discovered(): Discovered {
    if (!this.found || Date.now() - this.found.at > 1000) {
      const d = discover([this.rootReal], { cwd: this.rootReal, root: this.rootReal, cache: this.runCache });
      this.found = { at: Date.now(), d, byRel: new Map(d.runs.map((r) => [r.rel, r])) };
    }
    return this.found.d;
  }

  private run(rel: string): RunEntry {
    this.discovered();
    const r = this.found!.byRel.get(rel);
    if (r) return r;
    const p = resolveInside(this.rootReal, rel);
    throw new HttpError(p.ok ? 404 : p.status, p.ok ? `no run ${rel}` : p.reason);
  }

  api(path: string, q: URLSearchParams): unknown {
    switch (path) {
      case '/api/runs': {
        const d = this.discovered();
        let runs: RunEntry[];
        try {
          runs = sortRuns(filterRuns(d.runs, q.getAll('where').flatMap((w) => w.split(';')).map((w) => w.trim()).filter((w) => w !== '')), q.get('sort') ?? undefined);
        } catch (err) {
          throw new HttpError(400, (err as Error).message);
        }
        const t = buildRunsTable(runs);
        return {
          root: this.o.root, total: d.runs.length, columns: t.columns, changed: t.changed,
          runs: runs.map((r) => ({ rel: r.rel, status: r.status, cells: t.columns.map((c) => cellText(r, c)) })),
          sweeps: d.sweeps.map((s) => ({ rel: s.rel, name: s.name, params: s.params, trials: s.runs.length })),
        };
      }
      case '/api/run': {
        const r = this.run(q.get('path') ?? '');
        const read = (f: string) => {
          try {
            return readFileSync(`${r.dir}${sep}${f}`, 'utf8');
          } catch {
            return null;
          }
        };
        const ckpt = (() => {
          try {
            return readdirSync(`${r.dir}${sep}checkpoints`).filter((n) => !n.startsWith('.')).sort();
          } catch {
            return [];
          }
        })();
        let summary: unknown = null;
        try {
          summary = readSummary(r.dir) ?? null;
        } catch {
          summary = null;
        }
        return { rel: r.rel, status: r.status, steps: r.steps ?? null, total_steps: r.totalSteps ?? null, trial: r.trial ?? null, config: read('config.yaml'), overrides: read('overrides.yaml'), meta: JSON.parse(read('meta.json') ?? 'null') as unknown, summary, checkpoints: ckpt, files: readdirSync(r.dir).filter((n) => !n.startsWith('.')).sort() };
      }
      case '/api/metrics': {
        const ids = new Set<CurveId>();
        for (const rel of q.getAll('run')) for (const id of this.curves(this.run(rel)).keys()) ids.add(id);
        return { metrics: sortCurveIds(ids).map((id) => ({ id, title: curveTitle(id) })) };
      }
      case '/api/chart': {
        const runs = q.getAll('run').map((rel) => this.run(rel));
        const available = new Set<CurveId>();
        for (const r of runs) for (const id of this.curves(r).keys()) available.add(id);
        const id = resolveCurveId(q.get('metric') ?? '', available);
        if (!id) throw new HttpError(404, `no selected run logged ${q.get('metric') ?? '(no metric)'}`);
        const withData = runs.filter((r) => this.curves(r).has(id));
        const x = (['step', 'epoch', 'time_s'] as const).find((v) => v === q.get('x')) ?? 'step';
        const spec = curveFigure(withData, id, { curves: this.curves, interactive: true, x: x as XField, logY: q.get('log') === '1', maxPoints: this.o.maxPoints ?? 1500 });
        const rows = withData.reduce((n, r) => n + (this.curves(r).get(id)?.length ?? 0), 0);
        return { id, spec, logOk: positiveCurve(withData, id, this.curves), rows, running: runs.some((r) => r.status === 'running') };
      }
      case '/api/sweep': {
        const d = this.discovered();
        const s = d.sweeps.find((x) => x.rel === q.get('path'));
        if (!s) throw new HttpError(404, `no sweep ${q.get('path') ?? ''}`);
        const members = d.runs.filter((r) => r.trial?.sweep === s.rel);
        return { figures: sweepFigures(s, members, { interactive: true, ...(q.get('metric') ? { metric: q.get('metric')! } : {}) }).map((f) => ({ title: f.title, kind: f.kind, spec: f.spec })) };
      }
    }
    throw new HttpError(404, `no API ${path}`);
  }

  /** A file (or a folder's listing) under the served folder. */
  file(rel: string): { type: string; body: string | Buffer } {
    const p = resolveInside(this.rootReal, rel);
    if (!p.ok) throw new HttpError(p.status, p.reason);
    const st = statSync(p.path);
    if (st.isDirectory()) {
      const entries = readdirSync(p.path, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
      return { type: 'application/json; charset=utf-8', body: JSON.stringify({ path: relative(this.rootReal, p.path).split(sep).join('/') || '.', entries }) };
    }
    return { type: TYPES[extname(p.path)] ?? 'application/octet-stream', body: readFileSync(p.path) };
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const r = this.route(req);
    res.writeHead(r.status, { 'content-type': r.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'content-security-policy': CSP, ...r.headers });
    res.end(req.method === 'HEAD' ? undefined : r.body);
  }

  private route(req: IncomingMessage): Reply {
    const ok = (type: string, body: string | Buffer, headers: Record<string, string> = {}): Reply => ({ status: 200, type, body, headers });
    const fail = (status: number, message: string): Reply => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify({ error: message, status }), headers: {} });
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'read-only: GET and HEAD only');
      if (!this.hostAllowed(req.headers.host)) return fail(403, 'unexpected Host header');
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const rawPath = q < 0 ? raw : raw.slice(0, q);
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        return fail(400, 'malformed percent-encoding');
      }
      // Refuse climbing before any routing: `/files/../x`, `/%2e%2e/x`, `/files/..%5c..%5cetc`.
      if (unsafeRelative(path.replace(/^\/+/, '')) || unsafeRelative(rawPath.replace(/^\/+/, ''))) return fail(403, 'path refused');
      const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
      if (path === '/' || path === '/index.html') return ok('text/html; charset=utf-8', dashboardHtml(this.o.root));
      if (path.startsWith('/assets/')) {
        const text = assetText(path.slice(8));
        return text === undefined ? fail(404, 'no such asset') : ok(TYPES[extname(path)] ?? 'text/plain; charset=utf-8', text, { 'cache-control': 'max-age=3600' });
      }
      if (path.startsWith('/api/')) return ok('application/json; charset=utf-8', JSON.stringify(this.api(path, params), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
      if (path === '/files' || path.startsWith('/files/')) {
        const f = this.file(path.slice(7));
        return ok(f.type, f.body);
      }
      return fail(404, 'not found');
    } catch (err) {
      return err instanceof HttpError ? fail(err.status, err.message) : fail(500, (err as Error).message);
    }
  }

  private hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const bound = this.o.host;
    if (bound === '0.0.0.0' || bound === '::') return true; // the user asked for every interface
    return name === bound || name === 'localhost' || name === '127.0.0.1' || name === '::1';
  }
}

/** Starts listening; resolves with the server and the URL it answers on. */
export async function startServer(o: ServeOptions): Promise<{ server: Server; url: string; dashboard: Dashboard }> {
  const dashboard = new Dashboard(o);
  const server = createServer((req, res) => dashboard.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { server, url: `http://${host}:${port}/`, dashboard };
}
