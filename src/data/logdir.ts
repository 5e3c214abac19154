/**
 * TensorBoard log dirs written by PyTorch's `SummaryWriter.add_embedding`: each call writes
 * `NNNNN/<tag>/tensors.tsv` (+ `metadata.tsv`, `sprite.png`) and adds an entry
 * `tensor_name: "<tag>:NNNNN"` to the one `projector_config.pbtxt` at the root. The entries of one
 * tag are its steps; the steps with the same row count are snapshots (epochs) of one dataset, in
 * step order. Other entries (TensorFlow's own configs) stay one embedding each.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AmbiguousChoiceError, fail } from './errors';
import { readNpyHeader } from './files';
import { parseProjectorConfig, type ProjectorEmbedding } from './projector';

/** One dataset a projector config holds: a tag's steps, or one plain embedding. */
export interface ProjectorSeries {
  /** What the user chooses (embeddingsKey): the tag, `tag (N rows)`, or the tensor name. */
  key: string;
  /** The tag of a PyTorch series, undefined for a plain embedding. */
  tag?: string;
  /** Its entries, in step order (one for a plain embedding). */
  steps: { step?: number; entry: ProjectorEmbedding }[];
  /** Rows of each step, when counted. */
  rows?: number;
}

/**
 * The tag and step of an entry PyTorch wrote: tensor_name `<tag>:<digits>` and a tensor_path in
 * the folder `<the same digits>/…` (SummaryWriter: `str(global_step).zfill(5)`; global_step None
 * is step 0). Undefined for any other entry.
 */
export function pytorchStep(e: ProjectorEmbedding): { tag: string; step: number } | undefined {
  const m = /^(.*):(\d{5,})$/s.exec(e.tensorName);
  if (!m || !e.tensorPath) return undefined;
  const first = e.tensorPath.split(/[\\/]/)[0];
  return first === m[2] ? { tag: m[1], step: parseInt(m[2], 10) } : undefined;
}

/**
 * Groups a config's entries: PyTorch entries by tag (steps sorted; the same step logged twice —
 * add_embedding without global_step — is one step, the later entry, whose files replaced the
 * earlier's), every other entry alone under its tensor name.
 */
export function projectorSeries(entries: ProjectorEmbedding[]): ProjectorSeries[] {
  const out: ProjectorSeries[] = [];
  const byTag = new Map<string, ProjectorSeries>();
  for (const entry of entries) {
    const s = pytorchStep(entry);
    if (!s) {
      out.push({ key: entry.tensorName, steps: [{ entry }] });
      continue;
    }
    let series = byTag.get(s.tag);
    if (!series) {
      series = { key: s.tag, tag: s.tag, steps: [] };
      byTag.set(s.tag, series);
      out.push(series);
    }
    const same = series.steps.findIndex((x) => x.step === s.step);
    if (same >= 0) series.steps[same] = { step: s.step, entry };
    else series.steps.push({ step: s.step, entry });
  }
  for (const s of byTag.values()) s.steps.sort((a, b) => a.step! - b.step!);
  return out;
}

/** Row counts by file, size and modification time: a snapshot switch does not count every step again. */
const rowCache = new Map<string, number>();

/**
 * Rows of a tensors file without parsing it: the lines of a TSV (newlines counted with the native
 * search, about 1 GB/s; a last line without a newline counts), or an .npy's first dimension;
 * undefined for other files or when it cannot be read (the loader then names the problem).
 */
export async function tensorRows(file: string): Promise<number | undefined> {
  try {
    if (/\.npy$/i.test(file)) return (await readNpyHeader(file)).shape[0];
    if (!/\.(tsv|txt)$/i.test(file)) return undefined;
    const st = await fs.promises.stat(file);
    const key = `${file}|${st.size}|${st.mtimeMs}`;
    const known = rowCache.get(key);
    if (known !== undefined) return known;
    let rows = 0,
      last = 10;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows++;
      if (chunk.length > 0) last = chunk[chunk.length - 1];
    }
    if (last !== 10) rows++;
    if (rowCache.size > 256) rowCache.clear();
    rowCache.set(key, rows);
    return rows;
  } catch {
    return undefined;
  }
}

/** Splits a PyTorch series into runs of steps with the same row count (TensorBoard shows each step alone; here they are
 * epochs of one dataset only when the samples agree). */
async function splitByRows(s: ProjectorSeries, dir: string): Promise<ProjectorSeries[]> {
  if (!s.tag || s.steps.length < 2) return [s];
  const counts = await Promise.all(s.steps.map((x) => tensorRows(path.resolve(dir, x.entry.tensorPath!))));
  const groups = new Map<string, ProjectorSeries['steps']>();
  s.steps.forEach((x, i) => {
    const k = String(counts[i] ?? '?');
    groups.set(k, [...(groups.get(k) ?? []), x]);
  });
  if (groups.size === 1) return [{ ...s, rows: counts[0] }];
  return [...groups].map(([rows, steps]) => ({
    key: `${s.tag} (${rows} rows)`,
    tag: s.tag,
    steps,
    ...(rows !== '?' ? { rows: Number(rows) } : {}),
  }));
}

/**
 * The series to open and its step: by `key` (a tag, `tag (N rows)`, a tensor name, which also
 * picks that step), or the only one. Several without a key: AmbiguousChoiceError (the UI asks).
 */
export async function chooseSeries(
  entries: ProjectorEmbedding[],
  key: string | undefined,
  file: string,
): Promise<{ series: ProjectorSeries; step?: number }> {
  const all = projectorSeries(entries);
  const dir = path.dirname(file);
  const names = (): string => all.map((s) => s.key).join(', ');
  let chosen: ProjectorSeries | undefined;
  let step: number | undefined;
  if (key === undefined) {
    if (all.length > 1)
      throw new AmbiguousChoiceError(
        file,
        'embeddingsKey',
        all.map((s) => s.key),
      );
    chosen = all[0];
  } else {
    chosen = all.find((s) => s.key === key);
    if (!chosen) {
      // A tensor name ("tag:00010") picks its series and that step.
      const e = entries.find((x) => x.tensorName === key);
      const st = e ? pytorchStep(e) : undefined;
      if (st) {
        chosen = all.find((s) => s.tag === st.tag);
        step = st.step;
      }
    }
    if (!chosen) {
      // "tag (N rows)": a part of a tag whose steps differ in row count.
      const m = /^(.*) \((\d+|\?) rows\)$/s.exec(key);
      const tagged = m ? all.find((s) => s.tag === m[1]) : undefined;
      if (tagged) {
        const part = (await splitByRows(tagged, dir)).find((p) => p.key === key);
        if (part) return { series: part };
      }
      fail(file, `no embedding named '${key}' (names: ${names()})`);
    }
  }
  const parts = await splitByRows(chosen, dir);
  if (parts.length === 1) return { series: parts[0], step };
  if (step !== undefined) return { series: parts.find((p) => p.steps.some((x) => x.step === step))!, step };
  throw new AmbiguousChoiceError(
    file,
    'embeddingsKey',
    parts.map((p) => p.key),
  );
}

/**
 * For discovery: a projector config's one-line description and the folders its tensors live in
 * (a log dir's step folders, which are part of it and not datasets of their own). Never throws.
 */
export async function describeProjectorConfig(file: string): Promise<{ detail: string; claims: string[] }> {
  try {
    const st = await fs.promises.stat(file);
    if (st.size > 1024 * 1024) return { detail: 'TensorBoard projector folder', claims: [] };
    const entries = parseProjectorConfig(await fs.promises.readFile(file, 'utf8'), file);
    const dir = path.dirname(file);
    const claims = entries
      .filter((e) => e.tensorPath)
      .map((e) => path.dirname(path.resolve(dir, e.tensorPath!)))
      .filter((d) => d !== dir);
    const series = projectorSeries(entries);
    const tagged = series.filter((s) => s.tag !== undefined);
    if (tagged.length === 0) return { detail: 'TensorBoard projector folder', claims };
    const part = (s: ProjectorSeries): string =>
      `${s.tag} (${s.steps.length} step${s.steps.length > 1 ? 's' : ''}${s.steps.some((x) => x.entry.sprite) ? ', images' : ''})`;
    return {
      detail: `TensorBoard log dir (PyTorch add_embedding): ${series.map((s) => (s.tag !== undefined ? part(s) : s.key)).join(', ')}`,
      claims,
    };
  } catch {
    return { detail: 'TensorBoard projector folder', claims: [] };
  }
}
