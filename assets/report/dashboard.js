// The page of `minima serve`: the run table (filters, changed-key columns), the curves of the
// selected runs overlaid (live while a run trains), a run's config/meta/status/checkpoints, and
// each sweep's figures. Everything comes from the read-only JSON API of src/report/server.ts.
(() => {
  const { render } = window.minimaCharts;
  const $ = (id) => document.getElementById(id);
  const state = { selected: new Set(), where: '', runs: [], columns: [], metric: '', chartKey: '', sweepsShown: '' };

  async function getJson(url) {
    const res = await fetch(url);
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.statusText);
    return body;
  }
  const qs = (pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  };

  async function loadRuns() {
    let data;
    try {
      data = await getJson(`/api/runs?${qs([['where', state.where]])}`);
      $('filter-error').textContent = '';
    } catch (err) {
      $('filter-error').textContent = String(err.message);
      return;
    }
    state.runs = data.runs;
    state.columns = data.columns;
    $('run-count').textContent = `(${data.runs.length} of ${data.total})`;
    const head = $('runs-table').tHead;
    head.replaceChildren(el('tr', {}, el('th', {}, ''), ...data.columns.map((c) => el('th', {}, c))));
    const body = $('runs-table').tBodies[0];
    const rows = data.runs.map((r) => {
      const box = el('input', { type: 'checkbox', class: 'select', 'data-run': r.rel });
      box.checked = state.selected.has(r.rel);
      box.addEventListener('change', () => {
        if (box.checked) state.selected.add(r.rel);
        else state.selected.delete(r.rel);
        refreshChart(true);
      });
      const cells = r.cells.map((c, i) => {
        const col = data.columns[i];
        if (col === 'name') return el('td', {}, el('a', { href: `#run=${encodeURIComponent(r.rel)}`, class: 'run-link', onclick: (e) => { e.preventDefault(); showRun(r.rel); } }, c));
        if (col === 'status') return el('td', { class: `status-${r.status}` }, c);
        return el('td', { class: /^-?[\d.]+(e-?\d+)?$/.test(c) ? 'num' : '' }, c);
      });
      return el('tr', { 'data-run': r.rel, 'data-status': r.status }, el('td', {}, box), ...cells);
    });
    body.replaceChildren(...rows);
    const names = data.sweeps.map((s) => s.rel).join('|');
    if (names !== state.sweepsShown) {
      state.sweepsShown = names;
      showSweeps(data.sweeps);
    }
  }

  async function refreshChart(force) {
    const runs = [...state.selected];
    $('selected-count').textContent = runs.length ? `(${runs.length} selected)` : '(select runs in the table)';
    const chart = $('chart');
    if (runs.length === 0) {
      chart.replaceChildren();
      if (chart.minimaView) { chart.minimaView.finalize(); chart.minimaView = undefined; }
      return;
    }
    const runArgs = runs.map((r) => ['run', r]);
    if (force) {
      const m = await getJson(`/api/metrics?${qs(runArgs)}`);
      const sel = $('metric');
      const keep = state.metric;
      sel.replaceChildren(...m.metrics.map((x) => el('option', { value: x.id }, x.title)));
      const ids = m.metrics.map((x) => x.id);
      state.metric = ids.includes(keep) ? keep : ids.find((i) => i === 'eval:test.accuracy') ?? ids.find((i) => i.startsWith('eval:test.')) ?? ids[0] ?? '';
      sel.value = state.metric;
    }
    if (!state.metric) return;
    const args = [...runArgs, ['metric', state.metric], ['x', $('x').value], ['log', $('logy').checked ? '1' : '0']];
    const c = await getJson(`/api/chart?${qs(args)}`);
    $('logy').disabled = !c.logOk;
    $('chart-note').textContent = `${c.rows} rows${c.running ? ' · live' : ''}`;
    chart.dataset.rows = String(c.rows);
    await render(chart, c.spec);
    state.live = c.running;
  }

  async function showRun(rel) {
    const r = await getJson(`/api/run?${qs([['path', rel]])}`);
    $('run-detail').hidden = false;
    $('run-name').textContent = rel;
    const files = el('p', {}, 'files: ', ...r.files.flatMap((f) => [el('a', { href: `/files/${rel.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(f)}` }, f), ' ']));
    const facts = el('table', {}, ...[
      ['status', r.status], ['steps', r.steps === null ? '–' : `${r.steps}${r.total_steps ? ` / ${r.total_steps}` : ''}`],
      ['checkpoints', r.checkpoints.join(', ') || 'none'],
      ['backend', r.meta?.backend ? `${r.meta.backend.name} (${r.meta.backend.device})` : '–'],
      ['commit', r.meta?.git ? `${r.meta.git.commit}${r.meta.git.dirty ? ' (dirty)' : ''}` : '–'],
      ['command', r.meta?.command ?? '–'], ['started', r.meta?.start_time ?? '–'],
      ...(r.trial ? [['sweep', `${r.trial.sweepName} trial ${r.trial.index} (${r.trial.status})`]] : []),
    ].map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, String(v)))));
    $('run-body').replaceChildren(facts, files,
      el('h3', {}, 'config.yaml'), el('pre', { id: 'run-config' }, r.config ?? '(none)'),
      el('h3', {}, 'summary.json'), el('pre', {}, r.summary ? JSON.stringify(r.summary, null, 1) : '(none yet)'),
      el('h3', {}, 'meta.json'), el('pre', {}, JSON.stringify(r.meta, null, 1)));
  }

  async function showSweeps(sweeps) {
    const list = $('sweep-list');
    if (sweeps.length === 0) { list.textContent = 'none'; return; }
    list.className = '';
    list.replaceChildren();
    for (const s of sweeps) {
      const grid = el('div', { class: 'grid' });
      list.append(el('div', { class: 'card sweep', 'data-sweep': s.rel }, el('h3', {}, `${s.name} (${s.trials} trials; varied: ${s.params.join(', ') || 'seed'})`), grid));
      const data = await getJson(`/api/sweep?${qs([['path', s.rel]])}`);
      for (const f of data.figures) {
        const c = el('div', { class: 'chart', 'data-kind': f.kind });
        grid.append(el('div', { class: 'card' }, el('h3', {}, f.title), c));
        await render(c, f.spec);
      }
    }
  }

  $('apply').addEventListener('click', () => { state.where = $('filter').value; loadRuns(); });
  $('filter').addEventListener('keydown', (e) => { if (e.key === 'Enter') { state.where = $('filter').value; loadRuns(); } });
  $('select-none').addEventListener('click', () => { state.selected.clear(); loadRuns(); refreshChart(true); });
  $('metric').addEventListener('change', () => { state.metric = $('metric').value; refreshChart(false); });
  $('x').addEventListener('change', () => refreshChart(false));
  $('logy').addEventListener('change', () => refreshChart(false));

  let busy = false;
  async function tick() {
    if (busy) return;
    busy = true;
    try {
      await loadRuns();
      if (state.live) await refreshChart(false);
    } catch (err) {
      console.warn('minima: refresh failed', err);
    } finally {
      busy = false;
    }
  }
  (async () => {
    await loadRuns();
    await refreshChart(true);
    document.body.dataset.ready = 'true';
    setInterval(tick, 1500);
  })();
})();
