// minima's charts in the browser, shared by report.html and `minima serve`: renders the Vega-Lite
// specs built by src/report/charts.ts, and applies the two toggles (x field, log y) to a copy.
(() => {
  const X_TITLES = { step: 'step', epoch: 'epoch', time_s: 'wall time (s)' };

  /** A copy of `spec` with its step/epoch/time x encodings set to `x` and its y scales log or linear. */
  function retarget(spec, opts) {
    const copy = JSON.parse(JSON.stringify(spec));
    const walk = (node) => {
      if (Array.isArray(node)) {
        for (const n of node) walk(n);
        return;
      }
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'x' && v && typeof v === 'object' && v.field in X_TITLES && opts.x) {
          v.field = opts.x;
          v.title = X_TITLES[opts.x];
        }
        if (k === 'y' && v && typeof v === 'object' && v.scale && 'type' in v.scale && opts.logY !== undefined) {
          v.scale.type = opts.logY ? 'log' : 'linear';
        }
        walk(v);
      }
    };
    walk(copy);
    return copy;
  }

  /** The hover box: the exact values of the point under the pointer (Vega-Lite's `tooltip` encoding). */
  function tooltip(_handler, event, _item, value) {
    let tip = document.getElementById('minima-tip');
    if (!tip) {
      tip = document.createElement('div');
      tip.id = 'minima-tip';
      tip.style.cssText = 'position:fixed;z-index:10;pointer-events:none;background:#fff;border:1px solid #999;border-radius:3px;padding:4px 6px;font:12px/1.35 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.2);white-space:pre;display:none';
      document.body.append(tip);
    }
    if (value === null || value === undefined || value === '') {
      tip.style.display = 'none';
      return;
    }
    tip.textContent = typeof value === 'object' ? Object.entries(value).map(([k, v]) => `${k}: ${v}`).join('\n') : String(value);
    tip.style.left = `${event.clientX + 14}px`;
    tip.style.top = `${event.clientY + 14}px`;
    tip.style.display = 'block';
  }

  /** Renders a Vega-Lite spec as SVG into `el`, replacing the view already there. */
  async function render(el, spec) {
    if (el.minimaView) el.minimaView.finalize();
    const compiled = vegaLite.compile(spec, { logger: vega.logger(vega.Error) }).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: el, hover: true, logLevel: vega.Error });
    view.tooltip(tooltip);
    el.minimaView = view;
    await view.runAsync();
    el.dataset.rendered = 'true';
    return view;
  }

  window.minimaCharts = { retarget, render, X_TITLES };
})();
