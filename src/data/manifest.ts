/**
 * The optional manifest `embeddings.json` (schema in MANIFEST.md): names the files explicitly for
 * layouts that guessing cannot get right, including several snapshots (epochs) of the same samples.
 */
import * as path from 'path';
import type { SnapshotRef } from '../shared/dataset';
import { fail } from './errors';

/** Where the labels come from, paths already absolute. */
export interface ManifestLabels {
  /** A labels file (.npy 1-D, text one per line, or an .npz/.safetensors with `key`). */
  path?: string;
  /** Array name inside `path` when it is an .npz / .safetensors. */
  key?: string;
  /** Metadata column holding the labels. */
  column?: string;
}

/** A validated manifest with every path made absolute. */
export interface Manifest {
  file: string;
  name?: string;
  snapshots: SnapshotRef[];
  labels?: ManifestLabels;
  metadata?: string;
  sampleColumn?: string;
  /** A 2-D layout the user made (.npy, n x 2), offered beside UMAP and PCA. */
  layout?: string;
  /** Every path the manifest names, with its field, so each can be checked before it is read. */
  paths: { field: string; path: string }[];
}

const KNOWN = new Set([
  '$schema',
  'name',
  'description',
  'embeddings',
  'embeddingsKey',
  'snapshots',
  'labels',
  'metadata',
  'sampleColumn',
  'labelColumn',
  'layout',
]);

function str(v: unknown, file: string, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(file, `'${what}' must be a non-empty string`);
  return v;
}

/** Parses and validates a manifest; paths are resolved relative to the manifest's folder. */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (err) {
    fail(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'the manifest must be a JSON object');
  const m = raw as Record<string, unknown>;
  const unknown = Object.keys(m).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    fail(
      file,
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (see the manifest schema)`,
    );
  const dir = path.dirname(file);
  const paths: { field: string; path: string }[] = [];
  const abs = (p: string, field: string): string => {
    const a = path.resolve(dir, p);
    paths.push({ field, path: a });
    return a;
  };
  const key = m.embeddingsKey === undefined ? undefined : str(m.embeddingsKey, file, 'embeddingsKey');
  let snapshots: SnapshotRef[];
  if (m.snapshots !== undefined) {
    if (m.embeddings !== undefined) fail(file, "give either 'embeddings' or 'snapshots', not both");
    if (!Array.isArray(m.snapshots) || m.snapshots.length === 0) fail(file, "'snapshots' must be a non-empty array");
    snapshots = m.snapshots.map((s: unknown, i: number) => {
      if (typeof s === 'string')
        return { name: path.basename(s), path: abs(s, `snapshots[${i}]`), ...(key ? { key } : {}) };
      if (typeof s !== 'object' || s === null) fail(file, `snapshots[${i}] must be an object or a path`);
      const o = s as Record<string, unknown>;
      const p = abs(str(o.path, file, `snapshots[${i}].path`), `snapshots[${i}].path`);
      if (o.epoch !== undefined && (typeof o.epoch !== 'number' || !Number.isFinite(o.epoch)))
        fail(file, `snapshots[${i}].epoch must be a number`);
      const epoch = o.epoch as number | undefined;
      const name =
        o.name === undefined
          ? epoch !== undefined
            ? `epoch ${epoch}`
            : path.basename(p)
          : str(o.name, file, `snapshots[${i}].name`);
      const k = o.key === undefined ? key : str(o.key, file, `snapshots[${i}].key`);
      return { name, path: p, ...(epoch !== undefined ? { epoch } : {}), ...(k ? { key: k } : {}) };
    });
  } else {
    const e = str(m.embeddings, file, 'embeddings');
    snapshots = [{ name: path.basename(e), path: abs(e, 'embeddings'), ...(key ? { key } : {}) }];
  }
  let labels: ManifestLabels | undefined;
  if (typeof m.labels === 'string') labels = { path: abs(m.labels, 'labels') };
  else if (typeof m.labels === 'object' && m.labels !== null && !Array.isArray(m.labels)) {
    const l = m.labels as Record<string, unknown>;
    labels = {
      ...(l.path !== undefined ? { path: abs(str(l.path, file, 'labels.path'), 'labels.path') } : {}),
      ...(l.key !== undefined ? { key: str(l.key, file, 'labels.key') } : {}),
      ...(l.column !== undefined ? { column: str(l.column, file, 'labels.column') } : {}),
    };
    if (!labels.path && !labels.column) fail(file, "'labels' needs a 'path' or a 'column'");
  } else if (m.labels !== undefined) fail(file, "'labels' must be a path or an object");
  if (m.labelColumn !== undefined) labels = { ...labels, column: str(m.labelColumn, file, 'labelColumn') };
  return {
    file,
    name: m.name === undefined ? undefined : str(m.name, file, 'name'),
    snapshots,
    labels,
    metadata: m.metadata === undefined ? undefined : abs(str(m.metadata, file, 'metadata'), 'metadata'),
    sampleColumn: m.sampleColumn === undefined ? undefined : str(m.sampleColumn, file, 'sampleColumn'),
    layout: m.layout === undefined ? undefined : abs(str(m.layout, file, 'layout'), 'layout'),
    paths,
  };
}
