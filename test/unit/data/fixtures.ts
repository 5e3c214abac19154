/** Shared helpers for the data-layer tests: where the NumPy-written fixtures are, and their truth. */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../../helpers/repoRoot';

/** Absolute path of the fixture folder (written by scripts/fixtures/makeNpyFixtures.py). */
export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'data');

/** Absolute path of one fixture. */
export const fixture = (rel: string): string => path.join(FIXTURES, rel);

export interface NpyCase {
  file: string;
  dtype: string;
  shape: number[];
  fortran: boolean;
  values: (number | string)[];
}
export interface DatasetCase {
  name: string;
  target: string;
  n: number;
  dim: number;
  embeddings: number[];
  labels: string[];
  classNames?: string[];
  sources?: ({ path: string; kind: string; line?: number } | null)[];
  refused?: number;
  missing?: number;
  snapshots?: string[];
  options?: Record<string, string>;
  ambiguous?: string[];
}
export interface Cases {
  numpy: string;
  npy: NpyCase[];
  npz: { file: string; arrays: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }> }[];
  malformed: { file: string; error: string; loader?: string; labels?: string }[];
  datasets: DatasetCase[];
}

/** What NumPy said about every fixture (cases.json). */
export const cases: Cases = JSON.parse(fs.readFileSync(fixture('cases.json'), 'utf8'));

/** Reads a fixture's bytes. */
export const bytesOf = (rel: string): Uint8Array => fs.readFileSync(fixture(rel));

/** Elements of a typed array or string array as plain values, C order, for comparisons. */
export function plain(data: ArrayLike<unknown>): (number | string)[] {
  return Array.from(data as ArrayLike<number | bigint | string>, (v) =>
    typeof v === 'bigint' ? (v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString()) : v,
  );
}

/** Expects `fn` to throw an error of class `cls` whose message contains `text`. */
export async function expectError(fn: () => unknown, cls: new (...a: never[]) => Error, text: string): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof cls))
      throw new Error(
        `expected ${cls.name} containing '${text}', got ${(err as Error).name}: ${(err as Error).message}`,
      );
    if (!(err as Error).message.includes(text)) throw new Error(`expected '${text}' in: ${(err as Error).message}`);
    return err as Error;
  }
  throw new Error(`expected ${cls.name} containing '${text}', nothing was thrown`);
}
