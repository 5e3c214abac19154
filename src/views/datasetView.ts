import type { Dataset } from '../shared/dataset';
import type { DatasetView } from '../shared/protocol';

/** The dataset as the projection webview needs it: sample images as webview URIs, titles for the others. */
export function datasetView(id: string, d: Dataset, imageUri: (path: string) => string): DatasetView {
  const imageUris: string[] = new Array(d.n);
  const sampleTitles: string[] = new Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const s = d.sources?.[i];
    imageUris[i] = s && s.kind === 'image' ? imageUri(s.path) : '';
    sampleTitles[i] = s ? `${s.path.split(/[\\/]/).pop()}${s.line ? `:${s.line}` : ''}` : '';
  }
  const snap = d.snapshots && d.activeSnapshot !== undefined ? d.snapshots[d.activeSnapshot]?.name : undefined;
  return { id, name: d.name, n: d.n, dim: d.dim, classNames: d.classNames, labels: d.labels, imageUris, sampleTitles, snapshotName: snap };
}
