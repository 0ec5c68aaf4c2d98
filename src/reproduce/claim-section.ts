/**
 * The claim's part of report.html: the paper, the claim, the verdict, each assertion with the
 * numbers it was judged on, the seed groups and the figure. The rest of the page is the report of
 * the claim's sweep (src/report/report-html.ts): curves, sweep figures, config diff, run facts.
 */
import { escapeHtml } from '../report/assets.js';
import { formatValue } from '../report/config-diff.js';
import type { AssertionResult } from './assertions.js';
import type { ClaimSpec } from './claim.js';

export interface ClaimSection {
  readonly claim: ClaimSpec;
  readonly quick: boolean;
  readonly verdict: string;
  readonly results: readonly AssertionResult[];
  readonly groups: readonly { readonly params: Readonly<Record<string, unknown>>; readonly seeds: readonly unknown[]; readonly values: Readonly<Record<string, { readonly text: string }>> }[];
  readonly svg: string;
  readonly broken: readonly { readonly dir: string; readonly status: string }[];
}

export function claimSectionHtml(s: ClaimSection): string {
  const c = s.claim;
  const ok = s.verdict === 'holds';
  const paper = `${escapeHtml(c.paper.title)}. ${escapeHtml(c.paper.authors)}, ${c.paper.year}${c.paper.venue ? ` (${escapeHtml(c.paper.venue)})` : ''}.${c.paper.url ? ` <a href="${escapeHtml(c.paper.url)}">${escapeHtml(c.paper.url)}</a>` : ''}`;
  const refs = s.groups[0] ? Object.keys(s.groups[0].values) : [];
  const params = [...new Set(s.groups.flatMap((g) => Object.keys(g.params)))];
  const head = [...params, 'seeds', ...refs].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = s.groups.map((g) => `<tr>${params.map((p) => `<td>${escapeHtml(g.params[p] === undefined ? '–' : formatValue(g.params[p]))}</td>`).join('')}<td>${escapeHtml(g.seeds.map(String).join(', '))}</td>${refs.map((r) => `<td class="num">${escapeHtml(g.values[r]?.text ?? '–')}</td>`).join('')}</tr>`).join('');
  const asserts = s.results.map((r) => `<li class="${r.holds ? 'status-completed' : 'status-failed'}">${r.holds ? '✓' : '✗'} ${escapeHtml(r.text)}</li>`).join('');
  const broken = s.broken.length ? `<p class="status-failed">${s.broken.length} trial(s) did not complete: ${s.broken.map((b) => `${escapeHtml(b.dir)} (${escapeHtml(b.status)})`).join(', ')}</p>` : '';
  return `<section id="claim"><h2>Claim ${escapeHtml(c.name)}${s.quick ? ' (quick)' : ''}: <span class="${ok ? 'status-completed' : 'status-failed'}">${escapeHtml(s.verdict)}</span></h2>
<p>${paper}</p>
<p><b>${escapeHtml(c.claim)}</b></p>
${c.setting ? `<p class="muted">Setting: ${escapeHtml(c.setting)}</p>` : ''}
${s.quick && c.quick?.note ? `<p class="muted">Quick form: ${escapeHtml(c.quick.note)}</p>` : ''}
<ul>${asserts}</ul>${broken}
<div class="card">${s.svg}</div>
<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}
