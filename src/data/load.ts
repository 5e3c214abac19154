/**
 * loadDataset: plan what to read (plan.ts), read the embeddings (readers.ts), find the labels
 * and the metadata, resolve the sample paths inside the workspace, and assemble the Dataset.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Dataset } from '../shared/dataset';
import { SampleSources } from '../shared/sampleSources';
import { toStringColumns } from '../shared/stringColumn';
import { Boundary } from './boundary';
import { fail, InputError } from './errors';
import type { LoadOptions } from './loadOptions';
import { findInFolder } from './discover';
import { DEFAULT_MAX_BYTES, exists, readChecked } from './files';
import { npyToEmbeddings, parseNpy } from './npy';
import { encodeLabels, labelWarnings, readLabelsFile } from './labels';
import { MANIFEST_NAME, PROJECTOR_CONFIG, Plan, planFile, planFolder } from './plan';
import { EmbeddingRead, LABEL_NAMES, readEmbeddingsFile, readLabelsArray, readMetadataFile } from './readers';
import { DEFAULT_SAMPLE_COLUMNS, resolveSamples } from './samples';
import { numberedName } from './snapshots';
import { readSprite } from './sprite';

/** Where the labels were found. */
interface LabelSource {
  values: string[];
  file: string;
  column?: string;
}

/** Refuses (InputError) a file that may not be read; `role` names it in the message ("labels file"). */
type Guard = (file: string, role: string) => Promise<void>;

/**
 * The guard of Restricted Mode (LoadOptions.confineToWorkspace): files must resolve inside the
 * workspace folders. Without it, every file passes (paths from a manifest are checked anyway).
 */
async function workspaceGuard(opts: LoadOptions, fallbackRoot: string): Promise<Guard> {
  if (!opts.confineToWorkspace) return async () => undefined;
  const boundary = await Boundary.of(opts.workspaceRoots ?? [fallbackRoot], 'the workspace folders');
  return async (file, role) => {
    const why = await boundary.refusal(path.resolve(file));
    if (why !== undefined)
      fail(file, `this ${role} ${why}: Restricted Mode reads only files inside them (trust the workspace to read it)`);
  };
}

/** The `<prefix>.data-*` shards beside a checkpoint's `<prefix>.index`. */
async function checkpointShards(indexFile: string): Promise<string[]> {
  const dir = path.dirname(indexFile),
    stem = `${path.basename(indexFile, '.index')}.data-`;
  try {
    return (await fs.promises.readdir(dir)).filter((n) => n.startsWith(stem)).map((n) => path.join(dir, n));
  } catch {
    return fail(dir, 'cannot list the folder holding the checkpoint');
  }
}

/** Finds a column case-insensitively. */
function columnNamed(columns: Record<string, string[]>, name: string): string | undefined {
  if (name in columns) return name;
  return Object.keys(columns).find((c) => c.toLowerCase() === name.toLowerCase());
}

/** A labels file beside an embeddings file: `<stem>_labels.npy`, `labels.npy`, `labels.txt`, … */
async function labelsBeside(embFile: string): Promise<string | undefined> {
  const dir = path.dirname(embFile);
  const stem = path.basename(embFile).replace(/\.[^.]+$/, '');
  const series = numberedName(path.basename(embFile))?.prefix.replace(
    /[_-]?(epoch|step|iter|ckpt|checkpoint)?[_-]?$/i,
    '',
  );
  const names = [stem, ...(series ? [series] : [])]
    .flatMap((s) => [`${s}_labels.npy`, `${s}.labels.npy`, `${s}_labels.txt`])
    .concat(LABEL_NAMES.flatMap((l) => [`${l}.npy`, `${l}.txt`]));
  for (const p of names.map((n) => path.join(dir, n))) if (p !== embFile && (await exists(p))) return p;
  return undefined;
}

/** Labels from a .csv / .tsv table given as the labels file: the named column, a labels-like one, or its only column.
 */
async function labelsFromTable(
  file: string,
  n: number,
  wanted: string | undefined,
  maxBytes?: number,
): Promise<LabelSource> {
  const cols = await readMetadataFile(file, n, wanted ?? 'label', maxBytes);
  const names = Object.keys(cols);
  const c =
    wanted !== undefined
      ? columnNamed(cols, wanted)
      : (LABEL_NAMES.map((l) => columnNamed(cols, l)).find((x) => x) ?? (names.length === 1 ? names[0] : undefined));
  if (!c) fail(file, `no label column${wanted ? ` '${wanted}'` : ''} (columns: ${names.join(', ')})`);
  return { values: cols[c], file, column: c };
}

/** Decides where the labels come from, in order: option, manifest, same file, column, beside. */
async function findLabels(
  opts: LoadOptions,
  plan: Plan,
  emb: EmbeddingRead,
  embFile: string,
  columns: Record<string, string[]>,
  metaFile: string | undefined,
  guard: Guard,
): Promise<LabelSource> {
  const ml = plan.labels;
  if (opts.labels) {
    const f = path.resolve(opts.labels);
    await guard(f, 'labels file');
    if (/\.(npz|safetensors)$/i.test(f))
      return { values: await readLabelsArray(f, opts.labelsKey, opts.maxBytes), file: f };
    if (/\.(csv|tsv)$/i.test(f)) return labelsFromTable(f, emb.n, opts.labelColumn ?? ml?.column, opts.maxBytes);
    return { values: await readLabelsFile(f), file: f };
  }
  if (ml?.path) {
    await guard(ml.path, 'labels file');
    if (/\.(npz|safetensors)$/i.test(ml.path))
      return { values: await readLabelsArray(ml.path, ml.key ?? opts.labelsKey, opts.maxBytes), file: ml.path };
    return { values: await readLabelsFile(ml.path), file: ml.path };
  }
  if (emb.labelValues) return { values: emb.labelValues, file: embFile };
  const wanted = opts.labelColumn ?? ml?.column;
  const source = metaFile ?? embFile;
  if (wanted !== undefined) {
    const c =
      columnNamed(columns, wanted) ??
      fail(source, `no label column '${wanted}' (columns: ${Object.keys(columns).join(', ') || 'none'})`);
    return { values: columns[c], file: source, column: c };
  }
  for (const name of LABEL_NAMES) {
    const c = columnNamed(columns, name);
    if (c) return { values: columns[c], file: source, column: c };
  }
  const beside = await labelsBeside(embFile);
  if (beside) {
    await guard(beside, 'labels file');
    return { values: await readLabelsFile(beside), file: beside };
  }
  fail(
    embFile,
    `no labels found: pass a labels file (.npy or one label per line), put labels.npy beside it, add a 'label' column${Object.keys(columns).length ? ` (columns: ${Object.keys(columns).join(', ')})` : ''}, or write an embeddings.json manifest`,
  );
}

/**
 * The metadata file: the plan's, else a metadata.tsv beside tensors from a projector-style folder,
 * else a `metadata.tsv` / `metadata.csv` beside the embeddings (what a PyTorch user leaves next to
 * `embeddings.npy` + `labels.npy`). One found by looking around is `guessed`: if its rows do not match,
 * it is ignored with a warning rather than refusing the dataset.
 */
async function metadataFileFor(plan: Plan, embFile: string): Promise<{ file: string; guessed: boolean } | undefined> {
  if (plan.metadata) return { file: plan.metadata, guessed: false };
  const dir = path.dirname(embFile);
  if (path.basename(embFile) === 'tensors.tsv') {
    const beside = path.join(dir, 'metadata.tsv');
    return (await exists(beside)) ? { file: beside, guessed: false } : undefined;
  }
  if (/\.(tsv|csv|jsonl|parquet)$/i.test(embFile)) return undefined; // tables carry their own columns
  for (const name of ['metadata.tsv', 'metadata.csv']) {
    const beside = path.join(dir, name);
    if (await exists(beside)) return { file: beside, guessed: true };
  }
  return undefined;
}

/** Loads a dataset from a file, a folder or a manifest. Throws InputError or AmbiguousChoiceError. */
export async function loadDataset(target: string, opts: LoadOptions = {}): Promise<Dataset> {
  const abs = path.resolve(target);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(abs);
  } catch {
    fail(abs, 'file not found');
  }
  const guard = await workspaceGuard(opts, st.isDirectory() ? abs : path.dirname(abs));
  await guard(abs, st.isDirectory() ? 'folder' : 'file');
  if (st.isDirectory()) for (const f of [MANIFEST_NAME, PROJECTOR_CONFIG]) await guard(path.join(abs, f), f);
  const plan = st.isDirectory()
    ? await planFolder(abs, opts.embeddingsKey, opts.snapshot, (d) => findInFolder(d), opts.workspaceRoots)
    : await planFile(abs, opts.embeddingsKey, opts.snapshot, opts.workspaceRoots);
  for (const s of plan.snapshots) {
    await guard(s.path, 'embeddings file');
    // A TensorFlow checkpoint's tensors are read from the .data shards beside its .index.
    if (opts.confineToWorkspace && s.path.endsWith('.index'))
      for (const f of await checkpointShards(s.path)) await guard(f, 'checkpoint data file');
  }
  const snap = plan.snapshots[plan.active];
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const emb = await readEmbeddingsFile(snap.path, {
    maxBytes,
    embeddingsKey: plan.keyConsumed ? snap.key : (snap.key ?? opts.embeddingsKey),
    labelsKey: opts.labelsKey,
    tensorShape: plan.tensorShape,
  });
  const columns: Record<string, string[]> = { ...(emb.columns ?? {}) };
  const found = await metadataFileFor(plan, snap.path);
  const guessWarnings: string[] = [];
  let metaFile = found?.file;
  if (found) {
    try {
      await guard(found.file, 'metadata file');
      const meta = await readMetadataFile(
        found.file,
        emb.n,
        opts.labelColumn ?? plan.labels?.column ?? 'label',
        maxBytes,
      );
      const rows = Object.values(meta)[0]?.length ?? 0;
      if (rows !== emb.n) fail(snap.path, `${emb.n} embeddings but ${rows} metadata rows in ${found.file}`);
      Object.assign(columns, meta);
    } catch (e) {
      if (!found.guessed || !(e instanceof InputError)) throw e;
      guessWarnings.push(`${path.basename(found.file)} beside the embeddings was not used: ${e.problem}`);
      metaFile = undefined;
    }
  }
  const labels = await findLabels(opts, plan, emb, snap.path, columns, metaFile, guard);
  if (labels.values.length !== emb.n) {
    fail(
      snap.path,
      `${emb.n} embeddings but ${labels.values.length} labels in ${labels.file}${labels.column ? ` (column '${labels.column}')` : ''}`,
    );
  }
  const { labels: ids, classNames } = encodeLabels(labels.values);
  const warnings = [...guessWarnings, ...labelWarnings(ids, classNames)];

  const dataset: Dataset = {
    name: plan.name,
    n: emb.n,
    dim: emb.dim,
    embeddings: emb.embeddings,
    labels: ids,
    classNames,
    files: {
      embeddings: snap.path,
      ...(labels.file !== snap.path && labels.file !== metaFile ? { labels: labels.file } : {}),
      ...(metaFile ? { metadata: metaFile } : {}),
      ...(plan.manifest ? { manifest: plan.manifest } : {}),
      ...(plan.config ? { manifest: plan.config, embeddingsKey: plan.configKey } : {}),
    },
    warnings,
  };
  if (Object.keys(columns).length > 0) dataset.metadata = toStringColumns(columns);
  if (plan.snapshots.length > 1) {
    dataset.snapshots = plan.snapshots;
    dataset.activeSnapshot = plan.active;
  }
  if (plan.layout) {
    await guard(plan.layout, 'layout file');
    dataset.layout = { values: await readLayoutFile(plan.layout, emb.n, maxBytes), file: plan.layout };
  }

  if (plan.sprite) {
    await guard(plan.sprite.path, 'sprite image');
    dataset.sprite = await readSprite(plan.sprite.path, plan.sprite.cell, emb.n, plan.sprite.config);
  }

  const wantedSample = opts.sampleColumn ?? plan.sampleColumn;
  const sampleCol =
    wantedSample !== undefined
      ? columnNamed(columns, wantedSample)
      : DEFAULT_SAMPLE_COLUMNS.map((c) => columnNamed(columns, c)).find((c) => c);
  if (wantedSample !== undefined && !sampleCol)
    warnings.push(`No sample column '${wantedSample}' in ${metaFile ?? snap.path}; samples are not shown.`);
  if (sampleCol) {
    const base = path.dirname(metaFile ?? snap.path);
    const roots = opts.workspaceRoots ?? [st.isDirectory() ? abs : path.dirname(abs)];
    const r = await resolveSamples(columns[sampleCol], base, roots);
    dataset.sources = SampleSources.fromArray(r.sources);
    warnings.push(...r.warnings);
  }
  return dataset;
}

/** The manifest's layout: a NumPy .npy of shape (n, 2), any float or int dtype, finite values. */
async function readLayoutFile(file: string, n: number, maxBytes: number): Promise<Float32Array> {
  if (!/\.npy$/i.test(file)) fail(file, 'a layout must be a NumPy .npy file of shape (samples, 2)');
  const a = npyToEmbeddings(parseNpy(await readChecked(file, maxBytes), file), file);
  if (a.dim !== 2 || a.n !== n)
    fail(file, `a layout must have shape (${n}, 2), one row per sample; this one is (${a.n}, ${a.dim})`);
  return a.data;
}
