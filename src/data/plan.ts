/**
 * Deciding what to read before reading it: a target (file, folder or manifest) becomes a plan
 * naming the snapshot files, the labels source, the metadata file and the sample column.
 */
import * as path from 'path';
import type { SnapshotRef } from '../shared/dataset';
import { Boundary } from './boundary';
import { AmbiguousChoiceError, fail } from './errors';
import { exists, readChecked } from './files';
import { ManifestLabels, parseManifest } from './manifest';
import { chooseSeries, projectorSeries } from './logdir';
import { findCheckpointPrefix, parseProjectorConfig, projectorCheckpointPath } from './projector';
import { siblingSnapshots } from './snapshots';

/** What loadDataset will read. */
export interface Plan {
  name: string;
  snapshots: SnapshotRef[];
  active: number;
  manifest?: string;
  labels?: ManifestLabels;
  metadata?: string;
  sampleColumn?: string;
  /** The manifest's own 2-D layout (.npy, n x 2). */
  layout?: string;
  /** For raw `.bytes` projector tensors. */
  tensorShape?: number[];
  /** True when the embeddingsKey option was used to pick a file in a folder (not an array name). */
  keyConsumed?: boolean;
  /** A projector sprite of the active snapshot: the image and `single_image_dim` as written. */
  sprite?: { path: string; cell: number[]; config: string };
  /** A PyTorch log dir's config and the series chosen in it (embeddingsKey), to reopen the same dataset. */
  config?: string;
  configKey?: string;
}

/** Files that make a folder a dataset by themselves, in priority order. */
export const MANIFEST_NAME = 'embeddings.json';
export const PROJECTOR_CONFIG = 'projector_config.pbtxt';

function pickSnapshot(snapshots: SnapshotRef[], requested: number | undefined, fallback: number, file: string): number {
  if (requested === undefined) return fallback;
  if (!Number.isInteger(requested) || requested < 0 || requested >= snapshots.length) {
    fail(
      file,
      `snapshot ${requested} does not exist (there ${snapshots.length === 1 ? 'is 1 snapshot' : `are ${snapshots.length} snapshots`})`,
    );
  }
  return requested;
}

/**
 * Plan for a manifest file. Every path it names must stay inside its folder or a workspace
 * folder (`roots`), symlinks followed; one that leads out is an error before anything is read.
 */
async function planManifest(file: string, snapshot: number | undefined, roots: string[]): Promise<Plan> {
  const text = Buffer.from(await readChecked(file, 16 * 1024 * 1024)).toString('utf8');
  const m = parseManifest(text, file);
  const boundary = await Boundary.of([path.dirname(file), ...roots]);
  for (const p of m.paths) await boundary.check(file, p.field, p.path);
  return {
    name: m.name ?? path.basename(path.dirname(file)),
    snapshots: m.snapshots,
    active: pickSnapshot(m.snapshots, snapshot, m.snapshots.length - 1, file),
    manifest: file,
    labels: m.labels,
    metadata: m.metadata,
    sampleColumn: m.sampleColumn,
    ...(m.layout ? { layout: m.layout } : {}),
  };
}

/**
 * Plan for a TensorBoard projector config: the series chosen (logdir.ts: a PyTorch tag's steps as
 * snapshots, or one embedding); several are a choice for the user. Every path of the series must
 * stay inside the config's folder or a workspace folder (`roots`). The metadata and sprite are the
 * active step's.
 */
async function planProjector(
  file: string,
  key: string | undefined,
  snapshot: number | undefined,
  roots: string[],
): Promise<Plan> {
  const text = Buffer.from(await readChecked(file, 16 * 1024 * 1024)).toString('utf8');
  const entries = parseProjectorConfig(text, file);
  const { series, step } = await chooseSeries(entries, key, file);
  const dir = path.dirname(file);
  const boundary = await Boundary.of([dir, ...roots]);
  for (const { entry: e } of series.steps) {
    const named: [string, string | undefined][] = [
      ['tensor_path', e.tensorPath],
      ['metadata_path', e.metadataPath],
      ['sprite.image_path', e.sprite?.imagePath],
    ];
    for (const [field, p] of named) if (p) await boundary.check(file, field, path.resolve(dir, p));
  }
  const several = projectorSeries(entries).length > 1;
  const name = series.tag !== undefined && several ? `${path.basename(dir)} · ${series.tag}` : path.basename(dir);
  const e0 = series.steps[0].entry;
  if (!e0.tensorPath) {
    // The tensor lives in a TensorFlow checkpoint: the snapshot is its .index, the key the tensor name.
    const prefix = await findCheckpointPrefix(dir, projectorCheckpointPath(text, file), file, e0.tensorName, boundary);
    const snapshots = [{ name: e0.tensorName, path: `${prefix}.index`, key: e0.tensorName }];
    return {
      name,
      snapshots,
      active: pickSnapshot(snapshots, snapshot, 0, file),
      metadata: e0.metadataPath ? path.resolve(dir, e0.metadataPath) : undefined,
      keyConsumed: true,
      ...(e0.sprite
        ? { sprite: { path: path.resolve(dir, e0.sprite.imagePath), cell: e0.sprite.singleImageDim, config: file } }
        : {}),
    };
  }
  const snapshots: SnapshotRef[] = series.steps.map((x) =>
    x.step !== undefined
      ? { name: `step ${x.step}`, epoch: x.step, path: path.resolve(dir, x.entry.tensorPath!) }
      : { name: x.entry.tensorName, path: path.resolve(dir, x.entry.tensorPath!) },
  );
  const byStep = step !== undefined ? series.steps.findIndex((x) => x.step === step) : -1;
  const active = pickSnapshot(snapshots, snapshot, byStep >= 0 ? byStep : snapshots.length - 1, file);
  const e = series.steps[active].entry;
  return {
    name,
    snapshots,
    active,
    metadata: e.metadataPath ? path.resolve(dir, e.metadataPath) : undefined,
    ...(e.sprite
      ? { sprite: { path: path.resolve(dir, e.sprite.imagePath), cell: e.sprite.singleImageDim, config: file } }
      : {}),
    tensorShape: e.tensorShape,
    keyConsumed: true,
    // Reopened (another snapshot, a comparison) through the config with the same choice.
    ...(series.tag !== undefined ? { config: file, configKey: series.key } : {}),
  };
}

/** Plan for a single data file: it and its numbered siblings (snapshots), if any. */
async function planDataFile(file: string, snapshot?: number): Promise<Plan> {
  const series = await siblingSnapshots(file);
  if (!series) {
    const snapshots = [{ name: path.basename(file), path: file }];
    return { name: path.basename(file), snapshots, active: pickSnapshot(snapshots, snapshot, 0, file) };
  }
  const own = series.findIndex((s) => s.path === file);
  const name = path.basename(file).replace(/\d+(?=\D*$)/, '*');
  return { name, snapshots: series, active: pickSnapshot(series, snapshot, own, file) };
}

/**
 * Makes a plan for a file target. `roots` (the workspace folders) widen the folder that paths in
 * a manifest or projector config may lead to, beyond the folder holding it.
 */
export async function planFile(
  file: string,
  key: string | undefined,
  snapshot?: number,
  roots: string[] = [],
): Promise<Plan> {
  const base = path.basename(file).toLowerCase();
  if (base.endsWith('.json')) return planManifest(file, snapshot, roots);
  if (base.endsWith('.pbtxt')) return planProjector(file, key, snapshot, roots);
  return planDataFile(file, snapshot);
}

/**
 * Makes a plan for a folder: its manifest, its projector config, a bare projector folder
 * (tensors.tsv + metadata.tsv), or the one dataset `findInFolder` sees in it.
 */
export async function planFolder(
  dir: string,
  key: string | undefined,
  snapshot: number | undefined,
  findInFolder: (dir: string) => Promise<{ target: string }[]>,
  roots: string[] = [],
): Promise<Plan> {
  const has = (f: string): Promise<boolean> => exists(path.join(dir, f));
  if (await has(MANIFEST_NAME)) return planManifest(path.join(dir, MANIFEST_NAME), snapshot, roots);
  if (await has(PROJECTOR_CONFIG)) return planProjector(path.join(dir, PROJECTOR_CONFIG), key, snapshot, roots);
  if (await has('tensors.tsv')) {
    const snapshots = [{ name: 'tensors.tsv', path: path.join(dir, 'tensors.tsv') }];
    return {
      name: path.basename(dir),
      snapshots,
      active: pickSnapshot(snapshots, snapshot, 0, dir),
      metadata: (await has('metadata.tsv')) ? path.join(dir, 'metadata.tsv') : undefined,
    };
  }
  const found = await findInFolder(dir);
  const names = found.map((c) => path.relative(dir, c.target));
  if (key !== undefined && names.includes(key))
    return { ...(await planFile(path.join(dir, key), undefined, snapshot, roots)), keyConsumed: true };
  if (found.length === 0)
    fail(
      dir,
      'no dataset found in this folder (looked for embeddings.json, projector_config.pbtxt, tensors.tsv, .npz, .npy with labels, tables with a vector column)',
    );
  if (found.length > 1) throw new AmbiguousChoiceError(dir, 'embeddingsKey', names, 'dataset');
  return planFile(found[0].target, key, snapshot, roots);
}
