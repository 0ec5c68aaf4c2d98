/**
 * What the browser gets: Vega and Vega-Lite read from their npm packages (never a CDN), and the
 * page scripts and CSS in assets/report/ (charts.js, shared by report.html and the dashboard).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** assets/report/, two folders above both src/report/ and dist/report/. */
export const ASSET_DIR = fileURLToPath(new URL('../../assets/report/', import.meta.url));

/** The browser builds of the charting libraries, from node_modules. */
export const VENDOR: Readonly<Record<string, () => string>> = {
  'vega.min.js': () => join(dirname(require.resolve('vega')), 'vega.min.js'),
  'vega-lite.min.js': () => join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
};

export const PAGE_FILES: readonly string[] = ['charts.js', 'report.js', 'dashboard.js', 'style.css'];

const cache = new Map<string, string>();

/** The text of a vendor script or a page file by name; undefined for any other name. */
export function assetText(name: string): string | undefined {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const vendor = VENDOR[name];
  const path = vendor ? vendor() : PAGE_FILES.includes(name) ? join(ASSET_DIR, name) : undefined;
  if (!path) return undefined;
  const text = readFileSync(path, 'utf8');
  cache.set(name, text);
  return text;
}

/** Script text safe inside an inline <script>: no `</script` or `<!--` can end or confuse it. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside <script type="application/json">. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
