/**
 * The projection panel's test hook (read-only, for the end-to-end tests and benches):
 *   window.__embeddingInspector = {
 *     pointsDrawn,      // points in the last WebGL draw call (0 before the layout)
 *     layoutKind,       // 'pca' | 'umap' | 'own' on screen, '' before the first layout
 *     movedFrames,      // frames drawn from the moved cached image (large layouts while the camera moves)
 *     layoutsShown,     // the kinds shown so far for this dataset, in order (['pca', 'umap'] when UMAP replaced PCA)
 *     datasetId,        // id of the dataset shown, '' when none
 *     colorBy,          // 'label' | 'category' | 'loss' | 'change'
 *     hoverIndex,       // sample under the cursor, -1 when none
 *     tooltipImageSrc,  // src of the tooltip's <img> (the sprite sheet's for a cell), '' when hidden or no image
 *     tooltipImage,     // the tooltip's picture: { uri, cell?: { x, y, w, h, sheetWidth, sheetHeight } }, or null
 *     selectionSize,    // points in the current box / lasso selection (or the search's matches)
 *     searchStatus,     // the search's matches and the selection's census, as shown
 *     labelErrors,      // { state, total, items: sample indices listed } of the suspected label errors, or null
 *     neighbours,       // { index, items: nearest first, firstSameRank } of the neighbours list, or null
 *     lastFrameMs,      // main-thread time of the last frame (WebGL submission + overlay)
 *     detailLines,      // lines drawn from the hovered point (hardest positive + violating negatives)
 *     status,           // { state, message } the banner shows (after the layout: only loading, computing, error)
 *     pictures,         // samples whose pictures the last frame drew over their points (zoomed in, pictures.ts)
 *     screenPositionOf(i) // { x, y } CSS px relative to the page viewport, or null
 *   }
 */

/** What the hook shows; main.ts passes getters over its state. */
export type TestHook = Record<string, unknown>;

/** Defines window.__embeddingInspector (frozen, not writable). */
export function installTestHook(hook: TestHook): void {
  Object.defineProperty(window, '__embeddingInspector', { value: Object.freeze(hook), writable: false });
}
