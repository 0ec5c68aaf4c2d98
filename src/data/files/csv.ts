/**
 * CSV tables with a header row: feature and label columns by name, classification (integer or
 * categorical labels) or regression (one or more numeric target columns).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import type { Task } from '../../core/types.js';
import { defineDataset } from '../define-dataset.js';
import { classIdTooLarge, invalidFile, MAX_CLASS_ID, missingFile, optionError } from '../data-errors.js';
import type { RawSplit } from '../raw-data.js';
import { stratifiedSplit } from '../stratified-split.js';
import { dataLocation, readBytes, unreadable } from './read-data-file.js';

/**
 * RFC 4180 rows: quoted fields may hold the delimiter, newlines and doubled quotes. `lines`, when
 * given, receives the line each row starts on (for error messages).
 */
export function parseCsv(text: string, delimiter: string, file: string, lines?: number[]): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  let line = 1;
  let rowLine = 1;
  const end = () => { row.push(field); field = ''; };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
      } else {
        if (ch === '\n') line += 1;
        field += ch;
      }
      i += 1;
    } else if (ch === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (ch === delimiter) {
      end();
      i += 1;
    } else if (ch === '\n' || ch === '\r') {
      end();
      if (!(row.length === 1 && row[0] === '')) {
        rows.push(row);
        lines?.push(rowLine);
      }
      row = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      rowLine = line;
    } else {
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw invalidFile(file, `unterminated quoted field (line ${line})`);
  if (field !== '' || row.length > 0) {
    end();
    rows.push(row);
    lines?.push(rowLine);
  }
  return rows;
}

const MISSING_HINT = 'Check the dataset `path` (relative to the config file).';

interface Table {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly string[][];
  /** The line each data row starts on. */
  readonly lines: readonly number[];
}

/** Header names, trimmed; the same name twice is an error (which column would it mean?). */
function headerNames(file: string, header: readonly string[]): string[] {
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw invalidFile(file, `the header names column "${n}" twice; column names must be distinct`);
    seen.add(n);
  }
  return names;
}

function readTable(file: string, delimiter: string): Table {
  if (!existsSync(file)) throw missingFile(file, MISSING_HINT);
  const text = readBytes(file).toString('utf8').replace(/^\uFEFF/, '');
  const lines: number[] = [];
  const [header, ...rows] = parseCsv(text, delimiter, file, lines);
  if (!header || header.length === 0) throw invalidFile(file, 'empty file (a header row is required)');
  const names = headerNames(file, header);
  rows.forEach((r, i) => {
    if (r.length !== names.length) throw invalidFile(file, `line ${lines[i + 1]} has ${r.length} fields, the header has ${names.length}`);
  });
  if (rows.length === 0) throw invalidFile(file, 'no data rows after the header');
  return { file, header: names, rows, lines: lines.slice(1) };
}

/** Where a cell is, for messages: `row 3 (line 4), column "label"`. */
function cellAt(t: Table, i: number, j: number): string {
  return `row ${i + 1} (line ${t.lines[i]}), column "${t.header[j]}"`;
}

/**
 * The header row alone: the file is read up to the end of its first non-empty line (a header
 * whose quoted names hold line breaks is not supported here; the loader reads it in full).
 */
function readHeader(file: string, delimiter: string): Pick<Table, 'file' | 'header'> {
  let text = '';
  try {
    const fd = openSync(file, 'r');
    try {
      const chunk = Buffer.alloc(65536);
      let at = 0;
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, at);
        at += n;
        text += chunk.toString('utf8', 0, n);
        if (n === 0 || /[^\r\n]\r?\n/.test(text.replace(/^\uFEFF/, ''))) break;
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw unreadable(file, err);
  }
  const body = text.replace(/^\uFEFF/, '');
  const line = /^[\r\n]*[^\r\n]*/.exec(body)![0];
  const header = parseCsv(line, delimiter, file)[0];
  if (!header || header.length === 0) throw invalidFile(file, 'empty file (a header row is required)');
  return { file, header: headerNames(file, header) };
}

function column(t: Pick<Table, 'file' | 'header'>, name: string, what: string): number {
  const j = t.header.indexOf(name);
  if (j < 0) throw invalidFile(t.file, `no ${what} column "${name}"; columns: ${t.header.join(', ')}`);
  return j;
}

function number(t: Table, i: number, j: number): number {
  const s = t.rows[i]![j]!.trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw invalidFile(t.file, `${cellAt(t, i, j)}: "${s}" is not a finite number`);
  return v;
}

/** A label cell, trimmed; empty and NaN cells are errors (they are missing values, not a class). */
function labelCell(t: Table, i: number, j: number): string {
  const s = t.rows[i]![j]!.trim();
  if (s === '' || /^[+-]?nan$/i.test(s)) throw invalidFile(t.file, `${cellAt(t, i, j)}: ${s === '' ? 'empty label' : `label "${s}" is a missing value`}; every row needs a label`);
  return s;
}

/**
 * How label cells become class ids: non-negative integers as they are; with `label_map`, by the
 * map; names (no cell a number) in sorted order. Other numbers (-1, 2.0) would shift ids silently,
 * so they are an error unless `label_map` says what they mean.
 */
function classIds(tables: readonly Table[], j: number, labelMap: Readonly<Record<string, number>> | null): { toId: (s: string) => number; numClasses: number; classNames?: string[]; labelMap?: Record<string, number> } {
  const values = new Map<string, { t: Table; i: number }>();
  for (const t of tables) for (let i = 0; i < t.rows.length; i++) {
    const v = labelCell(t, i, j);
    if (!values.has(v)) values.set(v, { t, i });
  }
  if (labelMap) {
    const map = new Map(Object.entries(labelMap));
    for (const [v, { t, i }] of values) {
      if (!map.has(v)) throw invalidFile(t.file, `${cellAt(t, i, j)}: label "${v}" is not in dataset.label_map (${[...map.keys()].map((k) => `"${k}"`).join(', ')})`);
    }
    const numClasses = Math.max(...map.values()) + 1;
    const classNames = Array.from({ length: numClasses }, (_, id) => [...map].filter(([, k]) => k === id).map(([n]) => n).join('|') || String(id));
    return { toId: (s) => map.get(s)!, numClasses, classNames, labelMap: Object.fromEntries(map) };
  }
  if ([...values.keys()].every((v) => /^\d+$/.test(v))) {
    const huge = [...values].find(([v]) => Number(v) > MAX_CLASS_ID);
    if (huge) throw classIdTooLarge(huge[1].t.file, cellAt(huge[1].t, huge[1].i, j), huge[0]);
    return { toId: (s) => Number(s), numClasses: Math.max(...[...values.keys()].map(Number)) + 1 };
  }
  const isNumber = (v: string) => Number.isFinite(Number(v));
  const numeric = [...values].find(([v]) => isNumber(v) && !/^\d+$/.test(v)) ?? [...values].find(([v]) => isNumber(v));
  if (numeric) {
    const [v, { t, i }] = numeric;
    const kind = /^\d+$/.test(v) ? 'class ids mixed with names' : /^[+-]?\d+$/.test(v) ? 'integer labels are class ids 0, 1, 2, …' : 'numeric labels must be the integer class ids 0, 1, 2, …';
    throw invalidFile(t.file, `${cellAt(t, i, j)}: label "${v}" is not a class id (${kind}); give dataset.label_map (e.g. {"${v}": 0, …}) to say which id each label is`);
  }
  const classNames = [...values.keys()].sort();
  const ids = new Map(classNames.map((n, k) => [n, k]));
  return { toId: (s) => ids.get(s)!, numClasses: classNames.length, classNames, labelMap: Object.fromEntries(ids) };
}

export const csv = defineDataset({
  name: 'csv',
  summary: 'A CSV table with a header: feature and label columns by name; classification or regression.',
  options: {
    path: z.string().min(1).describe('CSV file (relative to the config file).'),
    test_path: z.string().min(1).nullable().default(null).describe('Separate test CSV with the same columns; null = split `path` by test_fraction.'),
    test_fraction: z.number().gt(0).lt(1).default(0.2).describe('Share of rows held out for testing when there is no test_path (seeded; stratified for classification).'),
    label: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('label').describe('Label column (classification), or target column(s) (regression).'),
    features: z.array(z.string().min(1)).min(1).nullable().default(null).describe('Feature columns; null = every column except the label(s).'),
    task: z.enum(['classification', 'regression']).default('classification').describe('classification: integer labels 0, 1, 2, … are class ids, names (no label a number) are mapped to ids in sorted order; other numbers need label_map.'),
    label_map: z
      .record(z.string().min(1), z.int().min(0))
      .nullable()
      .default(null)
      .describe('Classification: the class id of each label value, e.g. {"-1": 0, "1": 1} or {cat: 0, dog: 1}; every label must be listed. null = integer labels as they are, names in sorted order.'),
    delimiter: z.string().length(1).default(',').describe('Field separator.'),
  },
  describe(o, deps) {
    const labels = typeof o.label === 'string' ? [o.label] : o.label;
    if (o.task === 'classification' && labels.length !== 1) throw optionError('label', 'classification takes a single label column');
    if (o.label_map !== null && o.task !== 'classification') throw optionError('label_map', 'label_map is for classification');
    const mapped = o.label_map === null ? null : Math.max(-1, ...Object.values(o.label_map)) + 1;
    if (mapped !== null && mapped < 2) throw optionError('label_map', 'label_map must name at least two class ids (0 and 1)');
    const known = o.task === 'classification' ? (mapped === null ? {} : { numClasses: mapped, outputDim: mapped }) : { numClasses: 0, outputDim: labels.length };
    const file = dataLocation(o.path, deps, '');
    const testFile = o.test_path ? dataLocation(o.test_path, deps, '') : null;
    // a missing file leaves the columns unknown; loading reports it (DATASET_MISSING)
    if (!existsSync(file) || (testFile && !existsSync(testFile))) return { spec: { task: o.task, inputKind: 'dense', ...known }, complete: false, sizes: {}, asymmetricMap: false };
    const main = readHeader(file, o.delimiter);
    const test = testFile ? readHeader(testFile, o.delimiter) : null;
    for (const l of labels) column(main, l, 'label');
    const features = o.features ?? main.header.filter((h) => !labels.includes(h));
    if (features.length === 0) throw optionError('features', 'no feature columns left');
    for (const f of features) column(main, f, 'feature');
    if (test && test.header.join('\u0000') !== main.header.join('\u0000')) {
      throw invalidFile(test.file, `columns differ from ${main.file}: ${test.header.join(', ')} vs ${main.header.join(', ')}`);
    }
    const inputShape = [features.length];
    // the classes are the label column's values, known once every row is read
    return { spec: { task: o.task, inputShape, inputKind: 'dense', ...known }, complete: o.task === 'regression', sizes: {}, asymmetricMap: false };
  },
  load(o, deps) {
    const labels = typeof o.label === 'string' ? [o.label] : o.label;
    const task: Task = o.task;
    const mainFile = dataLocation(o.path, deps, '');
    const main = readTable(mainFile, o.delimiter);
    const testTable = o.test_path ? readTable(dataLocation(o.test_path, deps, ''), o.delimiter) : null;
    const labelCols = labels.map((l) => column(main, l, 'label'));
    const features = o.features ?? main.header.filter((h) => !labels.includes(h));
    if (features.length === 0) throw optionError('features', 'no feature columns left');
    const featureCols = features.map((f) => column(main, f, 'feature'));
    if (testTable && testTable.header.join('\u0000') !== main.header.join('\u0000')) {
      throw invalidFile(testTable.file, `columns differ from ${main.file}: ${testTable.header.join(', ')} vs ${main.header.join(', ')}`);
    }

    // classification ids: integer labels as they are, label_map, or names in sorted order
    let classNames: string[] | undefined;
    let labelMap: Record<string, number> | undefined;
    let numClasses = 0;
    let toId: ((s: string) => number) | null = null;
    if (task === 'classification') {
      const ids = classIds([main, ...(testTable ? [testTable] : [])], labelCols[0]!, o.label_map);
      ({ toId, numClasses, classNames, labelMap } = ids);
      if (numClasses < 2) throw invalidFile(main.file, `label column "${labels[0]}" has a single class`);
    }

    const D = featureCols.length;
    const outDim = task === 'classification' ? numClasses : labelCols.length;
    const toSplit = (t: Table, rows: ArrayLike<number>): RawSplit => {
      const n = rows.length;
      const x = new Float32Array(n * D);
      const y = task === 'classification' ? new Int32Array(n) : new Float32Array(n * labelCols.length);
      for (let r = 0; r < n; r++) {
        const i = rows[r]!;
        featureCols.forEach((j, c) => { x[r * D + c] = number(t, i, j); });
        if (toId) y[r] = toId(labelCell(t, i, labelCols[0]!));
        else labelCols.forEach((j, c) => { y[r * labelCols.length + c] = number(t, i, j); });
      }
      return { n, x, y };
    };
    const every = (t: Table) => Int32Array.from(t.rows.keys());
    let train: RawSplit;
    let test: RawSplit;
    if (testTable) {
      train = toSplit(main, every(main));
      test = toSplit(testTable, every(testTable));
    } else {
      const n = main.rows.length;
      const nTrain = Math.round(n * (1 - o.test_fraction));
      if (nTrain < 1 || nTrain >= n) throw optionError('test_fraction', `${n} rows of ${mainFile} cannot be split with test_fraction ${o.test_fraction}`);
      const rng = Rng.derive(deps.seed, 'csv-split');
      const perm = toId ? null : rng.permutation(n);
      const split = toId
        ? stratifiedSplit(Int32Array.from(main.rows, (r) => toId!(r[labelCols[0]!]!.trim())), numClasses, nTrain, undefined, rng)
        : { train: perm!.slice(0, nTrain), test: perm!.slice(nTrain) };
      train = toSplit(main, split.train);
      test = toSplit(main, split.test);
    }
    return {
      spec: {
        task,
        inputShape: [D],
        inputKind: 'dense',
        numClasses: task === 'classification' ? numClasses : 0,
        outputDim: outDim,
        ...(classNames ? { classNames } : {}),
      },
      train,
      test,
      meta: {
        source: `CSV ${main.file}${testTable ? ` + ${testTable.file}` : ''}`,
        features,
        label: labels,
        ...(labelMap ? { label_map: labelMap } : {}),
      },
    };
  },
});
