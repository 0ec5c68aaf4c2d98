// report.html: draws every figure from the JSON embedded in the page, one at a time so the page
// stays responsive, and wires each curve's x-axis and log-scale controls.
(() => {
  const { retarget, render } = window.minimaCharts;
  const data = JSON.parse(document.getElementById('minima-data').textContent);
  const byId = new Map(data.figures.map((f) => [f.id, f]));
  const state = new Map();

  async function draw(id) {
    const fig = byId.get(id);
    const s = state.get(id) ?? { x: 'step', logY: false };
    const el = document.querySelector(`[data-chart="${id}"]`);
    await render(el, fig.kind === 'curve' ? retarget(fig.spec, s) : fig.spec);
  }

  for (const ctl of document.querySelectorAll('[data-control]')) {
    ctl.addEventListener('change', () => {
      const id = ctl.dataset.for;
      const s = state.get(id) ?? { x: 'step', logY: false };
      if (ctl.dataset.control === 'x') s.x = ctl.value;
      if (ctl.dataset.control === 'log') s.logY = ctl.checked;
      state.set(id, s);
      draw(id);
    });
  }
  const all = document.getElementById('x-all');
  if (all) {
    all.addEventListener('change', () => {
      for (const sel of document.querySelectorAll('[data-control="x"]')) {
        sel.value = all.value;
        sel.dispatchEvent(new Event('change'));
      }
    });
  }

  (async () => {
    let n = 0;
    for (const f of data.figures) {
      await draw(f.id);
      n++;
      document.body.dataset.chartsRendered = String(n);
      await new Promise((r) => setTimeout(r, 0));
    }
    document.body.dataset.ready = 'true';
  })();
})();
