import type { Dataset } from '../shared/dataset';
import type { SampleSources } from '../shared/sampleSources';
import type { DatasetView } from '../shared/protocol';

/**
 * The dataset as the projection webview needs it: sample images as webview URIs, titles for the
 * others, and the sprite sheet (its URI and grid) when the samples' pictures are cells of one. A
 * dataset without sample files sends empty lists, not 2 N empty strings (1M samples). The labels
 * travel as binary (an Int32Array of their own, see ownBuffer).
 */
export function datasetView(id: string, d: Dataset, imageUri: (path: string) => string): DatasetView {
  const any = d.sources?.some((s) => s !== undefined) === true;
  const n = any ? d.n : 0;
  const sampleTitles: string[] = new Array(n);
  const { imageDirs, imageDir, imageUris } = imageAddresses(d, n, imageUri);
  for (let i = 0; i < n; i++) sampleTitles[i] = sampleTitle(d.sources, i);
  const snap = d.snapshots && d.activeSnapshot !== undefined ? d.snapshots[d.activeSnapshot]?.name : undefined;
  const sprite = d.sprite
    ? {
        uri: imageUri(d.sprite.path),
        width: d.sprite.width,
        height: d.sprite.height,
        cellWidth: d.sprite.cellWidth,
        cellHeight: d.sprite.cellHeight,
        columns: d.sprite.columns,
      }
    : undefined;
  return {
    id,
    name: d.name,
    n: d.n,
    dim: d.dim,
    classNames: d.classNames,
    labels: ownBuffer(d.labels),
    imageDirs,
    imageDir,
    imageUris,
    sampleTitles,
    snapshotName: snap,
    ...(sprite ? { sprite } : {}),
  };
}

/**
 * The array itself when it spans its whole buffer, else a copy: VS Code's webview.postMessage sends
 * a typed array's entire ArrayBuffer (binary; the view's offset and length beside it), so a view
 * into a larger buffer (a file read whole, a pooled Buffer) would carry all of it to the webview.
 */
export function ownBuffer<T extends Int32Array | Float32Array | Uint8Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/** A file name whose URI path segment is itself (VS Code escapes everything else). */
const PLAIN = /^[A-Za-z0-9._~-]+$/;

/**
 * The images as folder URIs + names (DatasetView.imageDir): one asWebviewUri per folder, not per
 * sample. A folder's URI is taken from its first image's own URI (checked to end in '/' + name);
 * a name that needs escaping, or a folder whose URI does not end so, gets its own URI.
 */
function imageAddresses(
  d: Dataset,
  n: number,
  imageUri: (path: string) => string,
): Pick<DatasetView, 'imageDirs' | 'imageDir' | 'imageUris'> {
  const imageDirs: string[] = [];
  const imageDir = new Int32Array(n).fill(-1);
  let imageUris: string[] = [];
  const folders = new Map<string, number>(); // folder -> index in imageDirs, or -1: no usable prefix
  const own = (i: number, p: string): void => {
    if (imageUris.length === 0) imageUris = new Array<string>(n).fill('');
    imageUris[i] = imageUri(p);
  };
  for (let i = 0; i < n; i++) {
    const s = d.sources?.at(i);
    if (!s || s.kind !== 'image') continue;
    const cut = Math.max(s.path.lastIndexOf('/'), s.path.lastIndexOf('\\'));
    const folder = s.path.slice(0, cut),
      name = s.path.slice(cut + 1);
    if (!PLAIN.test(name)) {
      own(i, s.path);
      continue;
    }
    let k = folders.get(folder);
    if (k === undefined) {
      const full = imageUri(s.path);
      k = full.endsWith('/' + name) ? imageDirs.push(full.slice(0, full.length - name.length)) - 1 : -1;
      folders.set(folder, k);
    }
    if (k >= 0) imageDir[i] = k;
    else own(i, s.path);
  }
  return { imageDirs, imageDir, imageUris };
}

/** What a sample without an image is called: its file name, and the line for a text sample ("notes.txt:12"). */
export function sampleTitle(sources: SampleSources | undefined, i: number): string {
  const name = sources?.nameAt(i);
  if (name === undefined) return '';
  const line = sources!.lineAt(i);
  return line ? `${name}:${line}` : name;
}
