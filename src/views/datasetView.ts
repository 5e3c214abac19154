import type { Dataset, SampleSource } from '../shared/dataset';
import type { DatasetView } from '../shared/protocol';

/**
 * The dataset as the projection webview needs it: sample images as webview URIs, titles for the
 * others, and the sprite sheet (its URI and grid) when the samples' pictures are cells of one. A
 * dataset without sample files sends empty lists, not 2 N empty strings (1M samples). The labels
 * travel as binary (an Int32Array of their own, see ownBuffer).
 */
export function datasetView(id: string, d: Dataset, imageUri: (path: string) => string): DatasetView {
  const any = d.sources?.some((s) => s !== undefined) === true;
  const imageUris: string[] = new Array(any ? d.n : 0);
  const sampleTitles: string[] = new Array(any ? d.n : 0);
  for (let i = 0; any && i < d.n; i++) {
    const s = d.sources?.[i];
    imageUris[i] = s && s.kind === 'image' ? imageUri(s.path) : '';
    sampleTitles[i] = sampleTitle(s);
  }
  const snap = d.snapshots && d.activeSnapshot !== undefined ? d.snapshots[d.activeSnapshot]?.name : undefined;
  const sprite = d.sprite ? { uri: imageUri(d.sprite.path), width: d.sprite.width, height: d.sprite.height, cellWidth: d.sprite.cellWidth, cellHeight: d.sprite.cellHeight, columns: d.sprite.columns } : undefined;
  return { id, name: d.name, n: d.n, dim: d.dim, classNames: d.classNames, labels: ownBuffer(d.labels), imageUris, sampleTitles, snapshotName: snap, ...(sprite ? { sprite } : {}) };
}

/**
 * The array itself when it spans its whole buffer, else a copy: VS Code's webview.postMessage sends
 * a typed array's entire ArrayBuffer (binary; the view's offset and length beside it), so a view
 * into a larger buffer (a file read whole, a pooled Buffer) would carry all of it to the webview.
 */
export function ownBuffer<T extends Int32Array | Float32Array | Uint8Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/** What a sample without an image is called: its file name, and the line for a text sample ("notes.txt:12"). */
export function sampleTitle(s: SampleSource | undefined): string {
  return s ? `${s.path.split(/[\\/]/).pop()}${s.line ? `:${s.line}` : ''}` : '';
}
