/**
 * Static figures without a browser: Vega-Lite → Vega → SVG (vega's headless View.toSVG), SVG → PNG
 * with resvg (a prebuilt rasteriser from npm) and SVG → vector PDF with pdfkit + svg-to-pdfkit.
 * One SVG pixel is one PDF point (1/72 in), so a PNG at `dpi` is the SVG scaled by dpi / 72.
 * Text uses the system's fonts (DejaVu on Debian: package fonts-dejavu-core); `paper` is serif.
 */
import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, RunnerError } from '../core/errors.js';
import type { ChartSpec } from './charts.js';

export type FigureFormat = 'svg' | 'png' | 'pdf';

export interface RenderOptions {
  readonly format: FigureFormat;
  /** PNG resolution (default 300). */
  readonly dpi?: number;
}

/** Vega-Lite spec → SVG text, rendered headless (no DOM, no canvas). */
export async function specToSvg(spec: ChartSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0], { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Where the system keeps fonts (fontconfig's usual folders); resvg reads them all. */
const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', `${process.env.HOME ?? ''}/.fonts`, `${process.env.HOME ?? ''}/.local/share/fonts`, '/Library/Fonts', '/System/Library/Fonts', 'C:\\Windows\\Fonts'];

function fontFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && depth < 4) walk(join(d, e.name), depth + 1);
      else if (/\.(ttf|otf|ttc)$/i.test(e.name)) out.push(join(d, e.name));
    }
  };
  for (const d of FONT_DIRS) if (d && existsSync(d)) walk(d, 0);
  return out;
}

let fontCache: string[] | undefined;
function systemFonts(): string[] {
  fontCache ??= fontFiles();
  return fontCache;
}

/** The regular/bold/italic file of a family among the system fonts (DejaVu first, then Liberation). */
function findFont(kind: 'serif' | 'sans', bold: boolean, italic: boolean): string | undefined {
  const fonts = systemFonts();
  const names = kind === 'serif' ? ['DejaVuSerif', 'LiberationSerif'] : ['DejaVuSans', 'LiberationSans'];
  const suffix = bold && italic ? ['-BoldItalic', '-BoldOblique'] : bold ? ['-Bold'] : italic ? ['-Italic', '-Oblique'] : ['', '-Regular'];
  for (const n of names) {
    for (const s of suffix) {
      const f = fonts.find((p) => p.endsWith(`/${n}${s}.ttf`));
      if (f) return f;
    }
  }
  return undefined;
}

export async function svgToPng(svg: string, dpi = 300): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const files = systemFonts();
  if (files.length === 0) {
    throw new RunnerError('USAGE', `no fonts found in ${FONT_DIRS.slice(0, 4).join(', ')}: a PNG needs system fonts (Debian: apt-get install fonts-dejavu-core)`, ExitCode.usage);
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: dpi / 72 },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: files, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans', serifFamily: 'DejaVu Serif' },
  });
  return resvg.render().asPng();
}

export async function svgToPdf(svg: string): Promise<Buffer> {
  const [{ default: PDFDocument }, { default: SVGtoPDF }] = await Promise.all([import('pdfkit'), import('svg-to-pdfkit')]);
  const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 400);
  const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 300);
  // A fixed creation date: the same figure gives the same bytes.
  const doc = new PDFDocument({ size: [w, h], margin: 0, info: { Creator: 'minima plot', CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((res) => doc.on('end', () => res()));
  // Embed DejaVu (which has ±, τ, ≥) when the system has it; else the PDF standard fonts.
  const registered = new Map<string, string>();
  const fontCallback = (family: string, bold: boolean, italic: boolean): string => {
    const kind = /serif/i.test(family) && !/sans/i.test(family) ? 'serif' : 'sans';
    const key = `${kind}-${bold ? 'b' : ''}${italic ? 'i' : ''}`;
    const known = registered.get(key);
    if (known) return known;
    const file = findFont(kind, bold, italic);
    const std = kind === 'serif' ? (bold ? (italic ? 'Times-BoldItalic' : 'Times-Bold') : italic ? 'Times-Italic' : 'Times-Roman') : bold ? (italic ? 'Helvetica-BoldOblique' : 'Helvetica-Bold') : italic ? 'Helvetica-Oblique' : 'Helvetica';
    let name = std;
    if (file) {
      doc.registerFont(key, file);
      name = key;
    }
    registered.set(key, name);
    return name;
  };
  SVGtoPDF(doc, svg, 0, 0, { width: w, height: h, assumePt: true, fontCallback });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** The one way minima draws a figure to a file: `plot`, and the figures of `analyze` and `reproduce`. */
export async function renderFigure(spec: ChartSpec, o: RenderOptions): Promise<Buffer> {
  const svg = await specToSvg(spec);
  if (o.format === 'svg') return Buffer.from(svg, 'utf8');
  if (o.format === 'png') return svgToPng(svg, o.dpi ?? 300);
  return svgToPdf(svg);
}
