/**
 * The projection panel's test hook (read-only, for the end-to-end tests and benches),
 * window.__embeddingInspector:
 * - pointsDrawn: points in the last draw call (0 before the layout);
 * - layoutKind: 'pca' | 'umap' | 'own' on screen, '' before the first layout;
 * - movedFrames: frames drawn from the moved cached image (large layouts while the camera moves);
 * - layoutsShown: the kinds shown so far for this dataset, in order (['pca', 'umap'] when UMAP replaced PCA);
 * - datasetId: id of the dataset shown, '' when none;
 * - colorBy: 'label' | 'category' | 'loss' | 'change';
 * - hoverIndex: sample under the cursor, -1 when none;
 * - tooltipImageSrc: src of the tooltip's <img> (the sprite sheet's for a cell), '' when hidden or no image;
 * - tooltipImage: the tooltip's picture, { uri, cell?: { x, y, w, h, sheetWidth, sheetHeight } } (sprite pixels), or
 *   null;
 * - selectionSize: points in the current box / lasso selection (or the search's matches);
 * - searchStatus: the search's matches and the selection's census, as shown;
 * - labelErrors: { state, total, items: sample indices listed } of the suspected label errors, or null;
 * - neighbours: { index, items: sample indices nearest first, firstSameRank } of the neighbours list, or null;
 * - lastFrameMs: main-thread time of the last frame (WebGL submission + overlay);
 * - detailLines: lines drawn from the hovered point (hardest positive + violating negatives);
 * - status: { state, message } the banner shows (hidden when not loading/computing/error after the layout);
 * - timeline: { scriptStart, ready, dataset, firstPoints }, Date.now() when this page's script started, it said ready,
 *   the first dataset arrived and all its points were first drawn (0 until then);
 * - pictures: samples whose pictures the last frame drew over their points (zoomed in, pictures.ts);
 * - renderer: 'webgl2' | 'webgpu', the API drawing the points ('' while WebGPU is asked for);
 * - screenPositionOf(i): { x, y } CSS px relative to the page viewport, or null.
 */
import type { ProjectionPage } from './page';

/** Defines window.__embeddingInspector (frozen, not writable) over the page's state. */
export function installTestHook(p: ProjectionPage): void {
  const hook = {
    get pointsDrawn() {
      return p.plot.pointsDrawn;
    },
    get layoutKind() {
      return p.layoutKind ?? '';
    },
    get movedFrames() {
      return p.plot.movedFrames;
    },
    get layoutsShown() {
      return [...p.layoutsShown];
    },
    get datasetId() {
      return p.ds?.id ?? '';
    },
    get colorBy() {
      return p.ui.colorBy;
    },
    get hoverIndex() {
      return p.hoverIndex;
    },
    get tooltipImageSrc() {
      return p.tooltip.root.hidden ? '' : p.tooltip.imageSrc;
    },
    get tooltipImage() {
      return p.tooltip.root.hidden ? null : p.tooltip.image;
    },
    get selectionSize() {
      return p.selectionSize;
    },
    get labelErrors() {
      const a = p.labelErrors.last;
      return a ? { state: a.state, total: a.total, items: a.items.map((x) => x.index) } : null;
    },
    get searchStatus() {
      return document.querySelector('[data-testid=search-status]')?.textContent ?? '';
    },
    get neighbours() {
      const s = p.neighbours.shown;
      return s ? { index: s.index, items: s.items.map((x) => x.index), firstSameRank: s.firstSameRank } : null;
    },
    get lastFrameMs() {
      return p.plot.lastFrameMs;
    },
    get detailLines() {
      const d = p.plot.scene.detail;
      return d ? (d.hardestPositive >= 0 ? 1 : 0) + d.negatives.length : 0;
    },
    get status() {
      return { state: p.shown.state, message: p.shown.message };
    },
    get pictures() {
      return [...p.pictures.drawn];
    },
    get timeline() {
      return { ...p.timeline };
    },
    get renderer() {
      return p.plot.rendererKind;
    },
    screenPositionOf: (i: number) => p.plot.screenPositionOf(i),
  };
  Object.defineProperty(window, '__embeddingInspector', { value: Object.freeze(hook), writable: false });
}
