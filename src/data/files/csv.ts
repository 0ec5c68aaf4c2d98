/**
 * CSV tables with a header row: feature and label columns by name, classification (integer or
 * categorical labels) or regression (one or more numeric target columns).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import type { Task } from '../../core/types.js';
import { defineDataset } from '../define-dataset.js';
import { invalidFile, missingFile, optionError } from '../data-errors.js';
import type { RawSplit } from '../raw-data.js';
import { stratifiedSplit } from '../stratified-split.js';
import { dataLocation } from './read-data-file.js';

/** RFC 4180 rows: quoted fields may hold the delimiter, newlines and doubled quotes. */
export function parseCsv(text: string, delimiter: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  let line = 1;
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
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
    } else {
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw invalidFile(file, `unterminated quoted field (line ${line})`);
  if (field !== '' || row.length > 0) { end(); rows.push(row); }
  return rows;
}

const MISSING_HINT = 'Check the dataset `path` (relative to the config file).';

interface Table {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly string[][];
}

function readTable(file: string, delimiter: string): Table {
  if (!existsSync(file)) throw missingFile(file, MISSING_HINT);
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const [header, ...rows] = parseCsv(text, delimiter, file);
  if (!header || header.length === 0) throw invalidFile(file, 'empty file (a header row is required)');
  const names = header.map((h) => h.trim());
  rows.forEach((r, i) => {
    if (r.length !== names.length) throw invalidFile(file, `line ${i + 2} has ${r.length} fields, the header has ${names.length}`);
  });
  if (rows.length === 0) throw invalidFile(file, 'no data rows after the header');
  return { file, header: names, rows };
}

/**
 * The header row alone: the file is read up to the end of its first non-empty line (a header
 * whose quoted names hold line breaks is not supported here; the loader reads it in full).
 */
function readHeader(file: string, delimiter: string): Pick<Table, 'file' | 'header'> {
  const fd = openSync(file, 'r');
  let text = '';
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
  const body = text.replace(/^\uFEFF/, '');
  const line = /^[\r\n]*[^\r\n]*/.exec(body)![0];
  const header = parseCsv(line, delimiter, file)[0];
  if (!header || header.length === 0) throw invalidFile(file, 'empty file (a header row is required)');
  return { file, header: header.map((h) => h.trim()) };
}

function column(t: Pick<Table, 'file' | 'header'>, name: string, what: string): number {
  const j = t.header.indexOf(name);
  if (j < 0) throw invalidFile(t.file, `no ${what} column "${name}"; columns: ${t.header.join(', ')}`);
  return j;
}

function number(t: Table, i: number, j: number): number {
  const s = t.rows[i]![j]!.trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw invalidFile(t.file, `line ${i + 2}, column "${t.header[j]}": "${s}" is not a finite number`);
  return v;
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
    task: z.enum(['classification', 'regression']).default('classification').describe('classification: integer labels are class ids, other values are mapped to ids in sorted order.'),
    delimiter: z.string().length(1).default(',').describe('Field separator.'),
  },
  describe(o, deps) {
    const labels = typeof o.label === 'string' ? [o.label] : o.label;
    if (o.task === 'classification' && labels.length !== 1) throw optionError('label', 'classification takes a single label column');
    const known = o.task === 'classification' ? {} : { numClasses: 0, outputDim: labels.length };
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
    const main = readTable(dataLocation(o.path, deps, ''), o.delimiter);
    const testTable = o.test_path ? readTable(dataLocation(o.test_path, deps, ''), o.delimiter) : null;
    const labelCols = labels.map((l) => column(main, l, 'label'));
    const features = o.features ?? main.header.filter((h) => !labels.includes(h));
    if (features.length === 0) throw optionError('features', 'no feature columns left');
    const featureCols = features.map((f) => column(main, f, 'feature'));
    if (testTable && testTable.header.join('\u0000') !== main.header.join('\u0000')) {
      throw invalidFile(testTable.file, `columns differ from ${main.file}: ${testTable.header.join(', ')} vs ${main.header.join(', ')}`);
    }

    // classification ids: integer labels as they are, otherwise sorted distinct values
    let classNames: string[] | undefined;
    let numClasses = 0;
    let toId: ((s: string) => number) | null = null;
    if (task === 'classification') {
      const values = new Set<string>();
      for (const t of [main, ...(testTable ? [testTable] : [])]) for (const r of t.rows) values.add(r[labelCols[0]!]!.trim());
      const integers = [...values].every((v) => /^\d+$/.test(v));
      if (integers) {
        numClasses = Math.max(...[...values].map(Number)) + 1;
        toId = (s) => Number(s);
      } else {
        classNames = [...values].sort();
        numClasses = classNames.length;
        const ids = new Map(classNames.map((n, k) => [n, k]));
        toId = (s) => ids.get(s)!;
      }
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
        if (toId) y[r] = toId(t.rows[i]![labelCols[0]!]!.trim());
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
      if (nTrain < 1 || nTrain >= n) throw optionError('test_fraction', `${n} rows cannot be split with test_fraction ${o.test_fraction}`);
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
        ...(classNames ? { label_map: Object.fromEntries(classNames.map((n, k) => [n, k])) } : {}),
      },
    };
  },
});
