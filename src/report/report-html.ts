/**
 * `minima report`: one self-contained HTML file over runs, sweeps or both. Vega and Vega-Lite are
 * inlined from node_modules and the page's Content-Security-Policy allows no network at all, so it
 * opens from disk anywhere. Sections: the summary table, the config keys that differ, seed groups
 * (mean ± std), each run's meta.json facts, learning curves of every logged metric (x: step, epoch
 * or wall time; log y), sweep figures, and steps-to-target with performance profiles when asked.
 */
import { relative, sep } from 'node:path';
import { isTimingKey, readMetrics } from '../run/run-folder.js';
import { stat } from '../sweep/summarize.js';
import { assetText, escapeHtml, inlineJson, inlineScript } from './assets.js';
import { changedKeys, formatValue, groupBySeed } from './config-diff.js';
import { curveFigure, curveSource, positiveCurve, runLabels, type CurveSource } from './curve-figure.js';
import { curveTitle, resolveCurveId, sortCurveIds, type CurveId } from './curves.js';
import type { Discovered, RunEntry } from './discover.js';
import { profileFigures } from './profile.js';
import { buildRunsTable, cellText } from './runs-table.js';
import { sweepFigures, type Figure } from './sweep-figures.js';

export interface ReportOptions {
  /** The folder the HTML file is written to: links to run folders are relative to it. */
  readonly outDir: string;
  readonly title?: string;
  /** Curves to draw (default: every logged metric). */
  readonly metrics?: readonly string[];
  /** The metric of the sweep figures (default: best.test.accuracy, test.accuracy, … whichever exists). */
  readonly sweepMetric?: string;
  readonly profile?: { readonly metric: string; readonly target: number; readonly by?: string };
  readonly maxPoints?: number;
  /** Fixed generation time (tests); default now. */
  readonly now?: Date;
}

interface PageFigure extends Figure {
  readonly id: string;
  readonly logOk: boolean;
}

function runHref(outDir: string, run: RunEntry): string {
  return `${relative(outDir, run.dir).split(sep).map(encodeURIComponent).join('/')}/`;
}

function statusCell(status: string): string {
  return `<span class="status-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: (i: number) => boolean = () => false): string {
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** The curve ids a report draws: the requested ones, or every one the runs logged. */
export function reportCurveIds(runs: readonly RunEntry[], curves: CurveSource, metrics: readonly string[] | undefined): { ids: CurveId[]; unknown: string[] } {
  const available = new Set<CurveId>();
  for (const r of runs) for (const id of curves(r).keys()) available.add(id);
  if (!metrics || metrics.length === 0) return { ids: sortCurveIds(available), unknown: [] };
  const ids: CurveId[] = [];
  const unknown: string[] = [];
  for (const m of metrics) {
    const id = resolveCurveId(m, available);
    if (id) ids.push(id);
    else unknown.push(m);
  }
  return { ids: sortCurveIds(ids), unknown };
}

export function reportHtml(d: Discovered, o: ReportOptions): string {
  const runs = d.runs;
  const curves = curveSource((r) => readMetrics(r.dir));
  const figures: PageFigure[] = [];
  const add = (f: Figure, logOk = false) => figures.push({ ...f, id: `f${figures.length}`, logOk });
  const { ids } = reportCurveIds(runs, curves, o.metrics);
  const curveFigs: PageFigure[] = [];
  for (const id of ids) {
    const withData = runs.filter((r) => curves(r).has(id));
    add({ title: curveTitle(id), kind: 'curve', runs: withData.map((r) => r.rel), spec: curveFigure(withData, id, { curves, interactive: true, ...(o.maxPoints ? { maxPoints: o.maxPoints } : {}) }) }, positiveCurve(withData, id, curves));
    curveFigs.push(figures[figures.length - 1]!);
  }
  const sweepSections: string[] = [];
  for (const s of d.sweeps) {
    const members = runs.filter((r) => r.trial?.sweep === s.rel);
    const figs = sweepFigures(s, members, { interactive: true, ...(o.sweepMetric ? { metric: o.sweepMetric } : {}) });
    const start = figures.length;
    for (const f of figs) add(f);
    const counts = new Map<string, number>();
    for (const r of members) counts.set(r.trial!.status, (counts.get(r.trial!.status) ?? 0) + 1);
    sweepSections.push(`<div class="card"><h3>sweep ${escapeHtml(s.name)} <span class="muted">(${escapeHtml(s.rel)}: ${members.length} trials; ${[...counts].map(([k, n]) => `${n} ${escapeHtml(k)}`).join(', ')}; varied: ${escapeHtml(s.params.join(', ') || 'seed only')}${s.seeds ? ', over seeds' : ''})</span></h3>
      <div class="grid">${figures.slice(start).map((f) => chartCard(f, runs, o.outDir)).join('')}</div></div>`);
  }
  let profileSection = '';
  if (o.profile) {
    const available = new Set<CurveId>();
    for (const r of runs) for (const id of curves(r).keys()) available.add(id);
    const id = resolveCurveId(o.profile.metric, available);
    if (id) {
      const start = figures.length;
      for (const f of profileFigures(runs, id, o.profile.target, { curves, interactive: true, ...(o.profile.by ? { by: o.profile.by } : {}) })) add(f);
      profileSection = `<section id="profiles"><h2>Steps to target and performance profile</h2><div class="grid">${figures.slice(start).map((f) => chartCard(f, runs, o.outDir)).join('')}</div></section>`;
    } else {
      profileSection = `<section id="profiles"><h2>Steps to target</h2><p class="muted">no run logged ${escapeHtml(o.profile.metric)}</p></section>`;
    }
  }

  const t = buildRunsTable(runs);
  const summaryRows = runs.map((r) => t.columns.map((c) => (c === 'name' ? `<a href="${escapeHtml(runHref(o.outDir, r))}">${escapeHtml(r.rel)}</a>` : c === 'status' ? statusCell(r.status) : escapeHtml(cellText(r, c)))));
  const changed = changedKeys(runs).filter((k) => k !== 'name');
  const diffRows = runs.map((r) => [escapeHtml(r.rel), ...changed.map((k) => escapeHtml(formatValue(r.config[k])))]);
  const finalKeys = [...new Set(runs.flatMap((r) => Object.keys(r.final)))].filter((k) => !isTimingKey(k)).sort();
  const bestKeys = [...new Set(runs.flatMap((r) => Object.keys(r.best)))].sort();
  const metricRows = runs.map((r) => [escapeHtml(r.rel), ...finalKeys.map((k) => escapeHtml(formatValue(r.final[k] ?? undefined))), ...bestKeys.map((k) => escapeHtml(formatValue(r.best[k] ?? undefined)))]);
  const groups = groupBySeed(runs).filter((g) => g.length > 1);
  const labels = runLabels(runs, false);
  const groupKeys = finalKeys.filter((k) => k.startsWith('test.') || k === 'train.loss').slice(0, 8);
  const groupRows = groups.map((g) => [escapeHtml(labels.get(g[0]!)!), String(g.length), ...groupKeys.map((k) => {
    const vs = g.map((r) => r.final[k]).filter((v): v is number => typeof v === 'number');
    if (vs.length === 0) return '–';
    const s = stat(vs);
    return escapeHtml(`${formatValue(s.mean)} ± ${formatValue(s.std ?? 0)}`);
  })]);
  const metaRows = runs.map((r) => [escapeHtml(r.rel), escapeHtml(r.backend ?? '–'), escapeHtml(r.device ?? '–'), escapeHtml(r.commit ? `${r.commit.slice(0, 10)}${r.dirty ? ' (dirty)' : ''}` : '–'), escapeHtml(r.host ?? '–'), escapeHtml(r.started ?? '–'), escapeHtml(r.wallTimeS !== undefined ? `${r.wallTimeS} s` : '–'), escapeHtml(r.error ? `${r.error.code ?? ''} ${r.error.message}` : '')]);
  const title = o.title ?? `minima report: ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  const now = (o.now ?? new Date()).toISOString();
  const data = { figures: figures.map((f) => ({ id: f.id, kind: f.kind, title: f.title, spec: f.spec })) };
  const css = assetText('style.css')!;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1><div class="sub">generated ${escapeHtml(now)} by minima; ${runs.length} runs, ${d.sweeps.length} sweeps, ${figures.length} charts</div>
<nav><a href="#summary">summary</a><a href="#config">config diff</a><a href="#curves">curves</a>${d.sweeps.length ? '<a href="#sweeps">sweeps</a>' : ''}${o.profile ? '<a href="#profiles">profiles</a>' : ''}<a href="#meta">meta</a></nav></header>
<main>
<section id="summary"><h2>Runs</h2>${table(t.columns, summaryRows)}</section>
<section id="config"><h2>Config keys that differ</h2>${changed.length ? table(['run', ...changed], diffRows) : '<p class="muted">every run has the same config</p>'}</section>
${groups.length ? `<section id="groups"><h2>Over seeds (mean ± std)</h2>${table(['configuration', 'n', ...groupKeys], groupRows)}</section>` : ''}
<section id="metrics"><h2>Final and best metrics</h2>${table(['run', ...finalKeys, ...bestKeys.map((k) => `best.${k}`)], metricRows, (i) => i > 0)}</section>
<section id="curves"><h2>Learning curves</h2>
<div class="controls">x axis for all: <select id="x-all"><option value="step">step</option><option value="epoch">epoch</option><option value="time_s">wall time</option></select></div>
<div class="grid">${curveFigs.map((f) => chartCard(f, runs, o.outDir)).join('')}</div></section>
${d.sweeps.length ? `<section id="sweeps"><h2>Sweeps</h2>${sweepSections.join('')}</section>` : ''}
${profileSection}
<section id="meta"><h2>Run facts (meta.json)</h2>${table(['run', 'backend', 'device', 'commit', 'host', 'started', 'wall time', 'error'], metaRows)}</section>
</main>
<script type="application/json" id="minima-data">${inlineJson(data)}</script>
<script>${inlineScript(assetText('vega.min.js')!)}</script>
<script>${inlineScript(assetText('vega-lite.min.js')!)}</script>
<script>${inlineScript(assetText('charts.js')!)}</script>
<script>${inlineScript(assetText('report.js')!)}</script>
</body></html>
`;
}

function chartCard(f: PageFigure, runs: readonly RunEntry[], outDir: string): string {
  const byRel = new Map(runs.map((r) => [r.rel, r]));
  const controls = f.kind === 'curve'
    ? `<div class="controls"><label>x <select data-control="x" data-for="${f.id}"><option value="step">step</option><option value="epoch">epoch</option><option value="time_s">wall time</option></select></label>${f.logOk ? `<label><input type="checkbox" data-control="log" data-for="${f.id}"> log y</label>` : ''}</div>`
    : '';
  const links = f.runs.map((rel) => byRel.get(rel)).filter((r): r is RunEntry => r !== undefined).map((r) => `<a href="${escapeHtml(runHref(outDir, r))}">${escapeHtml(r.rel)}</a>`);
  return `<div class="card" data-figure="${f.id}" data-kind="${f.kind}"><h3>${escapeHtml(f.title)}</h3>${controls}<div class="chart" data-chart="${f.id}"></div><details class="runs"><summary>${links.length} run folder${links.length === 1 ? '' : 's'}</summary>${links.join(' · ')}</details></div>`;
}
