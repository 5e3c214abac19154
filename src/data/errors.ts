/**
 * Error types of the data layer. `InputError` (shared) names a file and a problem; this file adds
 * the one error that is not a failure but a question for the user.
 */
import { InputError } from '../shared/dataset';

export { InputError };

/**
 * Thrown when a choice is needed (e.g. an .npz with several 2-D float arrays): the UI shows
 * `options` in a quick pick and calls loadDataset again with the chosen key in `opts[key]`.
 */
export class AmbiguousChoiceError extends Error {
  constructor(
    readonly file: string,
    readonly key: 'embeddingsKey' | 'labelsKey',
    readonly options: string[],
    what = key === 'embeddingsKey' ? 'embeddings' : 'labels',
  ) {
    super(`${file}: several arrays could hold the ${what} (${options.join(', ')}); choose one`);
    this.name = 'AmbiguousChoiceError';
  }
}

/** Throws an InputError; typed `never` so callers can use it in expressions. */
export function fail(file: string, problem: string): never {
  throw new InputError(file, problem);
}

/** Formats a byte count for messages ("1.5 GB"). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** The problem text for data over the memory budget: what, its size, the budget, how to raise it. */
export function overBudget(what: string, bytes: number, maxBytes: number): string {
  return `${what} ${formatBytes(bytes)}, more than the memory budget of ${formatBytes(maxBytes)}; not read (raise the setting embeddingInspector.maxFileMegabytes, or --max-megabytes on the command line)`;
}
