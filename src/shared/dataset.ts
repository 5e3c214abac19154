/**
 * The in-memory dataset every layer shares: the loaders (src/data) produce it, the engine and the
 * projection consume it. Pure types: no `vscode`, no DOM.
 */
import type { SampleSources } from './sampleSources';
import type { SpriteGeometry } from './sprite';
import type { StringColumn } from './stringColumn';

export type { SampleSource } from './sampleSources';

/** One snapshot (e.g. a training epoch) of the same samples' embeddings. */
export interface SnapshotRef {
  /** Display name, e.g. `epoch 12`. */
  name: string;
  /** Epoch / step number when known (from the manifest or the file name). */
  epoch?: number;
  /** Absolute path of the file holding this snapshot's embeddings. */
  path: string;
  /** Array name inside an .npz / column inside a table, when relevant. */
  key?: string;
}

/** A loaded dataset: N samples of dimension D with integer class ids. */
export interface Dataset {
  /** Short display name (file or folder name). */
  name: string;
  /** Number of samples. */
  n: number;
  /** Embedding dimension. */
  dim: number;
  /** Row-major N x D float32 embeddings (the active snapshot). */
  embeddings: Float32Array;
  /** Class id per sample, 0..classNames.length-1. */
  labels: Int32Array;
  /** Class id -> the label as the user wrote it (`"7"`, `"cat"`). Sorted naturally (numbers by value). */
  classNames: string[];
  /**
   * Source sample per row, when the metadata names one (undefined entries where missing or refused):
   * `sources.at(i)`, compact (shared/sampleSources.ts).
   */
  sources?: SampleSources;
  /**
   * Extra metadata columns, by column name in the file's order, one string per sample:
   * `metadata[name].at(i)`, compact (shared/stringColumn.ts).
   */
  metadata?: Record<string, StringColumn>;
  /** A 2-D layout the user made (manifest field `layout`): row-major n x 2, and its file. */
  layout?: { values: Float32Array; file: string };
  /** Snapshots of the same samples (epochs), oldest first; the active one is `activeSnapshot`. */
  snapshots?: SnapshotRef[];
  activeSnapshot?: number;
  /**
   * Every sample's picture as a cell of one sprite sheet (a TensorBoard projector's
   * `sprite { image_path single_image_dim }`, cell i for sample i; shared/sprite.ts). A sample with
   * an image file of its own in `sources` shows that instead.
   */
  sprite?: SpriteGeometry & { path: string };
  /**
   * The files this dataset was read from (absolute paths), for messages and caching. `manifest` is
   * what lists the snapshots (an embeddings.json, or a PyTorch log dir's projector_config.pbtxt),
   * reopened with `embeddingsKey` (the log dir's tag) for another snapshot.
   */
  files: { embeddings: string; labels?: string; metadata?: string; manifest?: string; embeddingsKey?: string };
  /** Non-fatal problems the user should see (singleton classes, refused sample paths, …). */
  warnings: string[];
}

/** An error about the user's input: always names the file and the problem. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}
