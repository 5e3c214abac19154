/**
 * Source samples: resolving the paths a metadata column names (relative to the metadata file,
 * with an optional `#L<line>` suffix) and refusing any that resolve outside the workspace
 * folders — by `../`, an absolute path or a symlink — so they are never loaded or shown (the
 * same rule as boundary.ts, with one realpath per folder instead of one per file).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SampleSource } from '../shared/dataset';
import { Boundary, realpathOrUndefined } from './boundary';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp']);

/** Column names tried, in order, for sample paths when none is given. */
export const DEFAULT_SAMPLE_COLUMNS = ['image', 'path', 'file'];

/** `image` for png/jpg/jpeg/webp/gif/bmp, `text` otherwise. */
export function sampleKind(file: string): 'image' | 'text' {
  return IMAGE_EXT.has(path.extname(file).toLowerCase()) ? 'image' : 'text';
}

/** Splits `notes.txt#L12` into the path and the 1-based line. */
export function splitLineSuffix(value: string): { file: string; line?: number } {
  const m = /^(.*)#L(\d+)$/.exec(value);
  if (m && parseInt(m[2], 10) > 0) return { file: m[1], line: parseInt(m[2], 10) };
  return { file: value };
}

/** Result of resolving a sample column. */
export interface ResolvedSamples {
  sources: (SampleSource | undefined)[];
  warnings: string[];
}

/**
 * Resolves every value of a sample column. Paths are relative to `baseDir`; after following
 * symlinks (realpath) each must lie inside one of `roots`, or it is refused (left undefined and
 * counted in a warning). Missing files are left undefined and warned about too.
 */
export async function resolveSamples(values: string[], baseDir: string, roots: string[]): Promise<ResolvedSamples> {
  const boundary = await Boundary.of(roots);
  const sources: (SampleSource | undefined)[] = new Array(values.length).fill(undefined);
  const refused: number[] = [];
  const missing: number[] = [];
  // One realpath + readdir per folder instead of a realpath per file: 100 000 images in a few
  // folders cost a few system calls. Only entries that are symlinks get their own realpath.
  const folders = new Map<string, Promise<{ real: string; entries: Map<string, boolean> } | undefined>>();
  const folder = (dir: string): Promise<{ real: string; entries: Map<string, boolean> } | undefined> => {
    let f = folders.get(dir);
    if (!f) {
      f = (async () => {
        const real = await realpathOrUndefined(dir);
        if (real === undefined) return undefined;
        try {
          const list = await fs.promises.readdir(real, { withFileTypes: true });
          // Folders are not samples: only files and links (checked after following) are kept.
          return {
            real,
            entries: new Map(
              list.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => [e.name, e.isSymbolicLink()]),
            ),
          };
        } catch {
          return undefined;
        }
      })();
      folders.set(dir, f);
    }
    return f;
  };
  const resolveOne = async (i: number): Promise<void> => {
    const raw = values[i]?.trim();
    if (!raw) return;
    const { file, line } = splitLineSuffix(raw);
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(file)) {
      refused.push(i);
      return;
    } // URLs are never fetched
    const abs = path.resolve(baseDir, file);
    // Lexical check first: a missing file outside the workspace is "refused", not "missing".
    if (!boundary.containsLexically(abs)) {
      refused.push(i);
      return;
    }
    const dir = await folder(path.dirname(abs));
    const isLink = dir?.entries.get(path.basename(abs));
    if (!dir || isLink === undefined) {
      missing.push(i);
      return;
    }
    const real = isLink ? await realpathOrUndefined(abs) : path.join(dir.real, path.basename(abs));
    if (real === undefined) {
      missing.push(i);
      return;
    }
    if (!boundary.containsReal(real)) {
      refused.push(i);
      return;
    }
    const kind = sampleKind(real);
    sources[i] = kind === 'text' && line !== undefined ? { path: real, line, kind } : { path: real, kind };
  };
  // Bounded concurrency: enough to hide filesystem latency without opening 100 000 requests.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < values.length) await resolveOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(32, values.length) }, worker));
  const warnings: string[] = [];
  // Concurrency reorders completion: report the first offending row, not the first to finish.
  const first = (rows: number[]): string => values[rows.reduce((a, b) => Math.min(a, b))].trim();
  if (refused.length > 0) {
    warnings.push(
      `${refused.length} sample path${refused.length > 1 ? 's resolve' : ' resolves'} outside the workspace and ${refused.length > 1 ? 'were' : 'was'} not loaded (first: '${first(refused)}').`,
    );
  }
  if (missing.length > 0) {
    warnings.push(
      `${missing.length} sample file${missing.length > 1 ? 's are' : ' is'} missing (first: '${first(missing)}').`,
    );
  }
  return { sources, warnings };
}
