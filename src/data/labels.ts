/**
 * Labels: reading them (a 1-D .npy or a text file with one label per line), turning label strings
 * into class ids with naturally sorted class names, and the warnings the user should see.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MAX_ROWS } from './arrays';
import { fail } from './errors';
import { ioProblem } from './files';
import { NpyArray, parseNpy } from './npy';

/**
 * Label strings from a parsed 1-D array (numbers printed as NumPy prints integers). A float label
 * that is NaN or infinite is an error naming the first such row: NaN would otherwise become one
 * more class ('NaN') and quietly change every count. `name` is the array's name in a container.
 */
export function labelStrings(a: NpyArray, file: string, name?: string): string[] {
  const shape = a.shape;
  const flatLen = shape.reduce((x, y) => x * y, 1);
  if (!(shape.length === 1 || (shape.length === 2 && (shape[1] === 1 || shape[0] === 1)))) {
    fail(file, `labels must be a 1-D array, got shape (${shape.join(', ')})`);
  }
  if (flatLen === 0) fail(file, 'empty labels array');
  const d = a.data;
  if (Array.isArray(d)) return d;
  if (d instanceof Float32Array || d instanceof Float64Array) {
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v - v !== 0) {
        fail(
          file,
          `${name ? `labels array '${name}'` : 'labels'}: row ${i + 1} is ${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}; every sample needs a class label (a float label must be a finite number)`,
        );
      }
    }
  }
  const out: string[] = new Array(d.length);
  const isBool = /b1$/.test(a.dtype);
  for (let i = 0; i < d.length; i++) out[i] = isBool ? (d[i] ? 'True' : 'False') : String(d[i]);
  return out;
}

/**
 * Reads labels from a file: a `.npy` 1-D array or text with one label per line (a trailing empty
 * line is ignored, inner blank lines are labels "" and therefore an error).
 */
export async function readLabelsFile(file: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    fail(file, `cannot read the labels: ${ioProblem(err)}`);
  }
  if (bytes.length === 0) fail(file, 'empty file');
  if (path.extname(file).toLowerCase() === '.npy') return labelStrings(parseNpy(bytes, file), file);
  if (bytes.length > 480 * 1024 * 1024) fail(file, 'labels text file over 480 MB; save the labels as .npy');
  const text = bytes.toString('utf8').replace(/^\ufeff/, '');
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_ROWS) fail(file, `more than ${MAX_ROWS} labels`);
  const blank = lines.findIndex((l) => l.trim() === '');
  if (blank >= 0) fail(file, `line ${blank + 1} is empty: every sample needs a label`);
  return lines.map((l) => l.trim());
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Natural order: numeric labels by value; otherwise text with embedded numbers compared as numbers. */
export function naturalSort(names: string[]): string[] {
  const allNumeric = names.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  if (allNumeric) return [...names].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return [...names].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Class ids (0-based, in natural order of the names) for label strings. */
export function encodeLabels(values: string[]): { labels: Int32Array; classNames: string[] } {
  const seen = new Map<string, number>();
  for (const v of values) if (!seen.has(v)) seen.set(v, 0);
  const classNames = naturalSort([...seen.keys()]);
  classNames.forEach((c, i) => seen.set(c, i));
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) labels[i] = seen.get(values[i])!;
  return { labels, classNames };
}

/** Warnings for legal but degenerate labelings: a single class, classes with one sample. */
export function labelWarnings(labels: Int32Array, classNames: string[]): string[] {
  const out: string[] = [];
  if (classNames.length === 1) out.push(`Only one class ('${classNames[0]}'): there are no negatives, so no triplets.`);
  const counts = new Int32Array(classNames.length);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const single = classNames.filter((_, c) => counts[c] === 1);
  if (single.length > 0) {
    const shown = single
      .slice(0, 5)
      .map((s) => `'${s}'`)
      .join(', ');
    out.push(
      `${single.length} class${single.length > 1 ? 'es have' : ' has'} a single sample (no positives): ${shown}${single.length > 5 ? ', …' : ''}.`,
    );
  }
  return out;
}
