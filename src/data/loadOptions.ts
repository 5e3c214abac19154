/** Options of loadDataset. */
export interface LoadOptions {
  /** Explicit labels file (.npy 1-D, or text one label per line). */
  labels?: string;
  /** Metadata column for labels, default 'label'. */
  labelColumn?: string;
  /** Metadata column of sample paths, default: first of image | path | file. */
  sampleColumn?: string;
  /** Array name in .npz / column in tables / tensor name in safetensors (or projector, or a file in a folder). */
  embeddingsKey?: string;
  /** Array name in .npz (tensor in .safetensors) for labels. */
  labelsKey?: string;
  /** Which snapshot (index into dataset.snapshots) to load, default the last (or the file named). */
  snapshot?: number;
  /** Memory budget in bytes: bigger embedding files are refused before reading. Default 4 GiB. */
  maxBytes?: number;
  /**
   * The workspace folders. Sample paths must resolve (realpath) inside one of these (default: the
   * target folder, or the target file's folder); paths in a manifest or projector config inside
   * one of these or the folder holding that file (default: that folder only, as in the CLI).
   */
  workspaceRoots?: string[];
  /**
   * Restricted Mode (an untrusted workspace): every file read — the target, each snapshot, a
   * labels or metadata file found beside it — must lie inside `workspaceRoots` after following
   * symlinks, not only the paths a manifest or config names.
   */
  confineToWorkspace?: boolean;
}
