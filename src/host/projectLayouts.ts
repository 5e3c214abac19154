import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Session } from '../session';
import { ProjectionClient } from '../projection/client';
import { layoutCacheKey, readCachedLayout, readCachedNote, writeCachedLayout } from '../projection/cache';
import { layoutFromColumns } from '../projection/layoutSet';
import { normalizedRows, passNeighboursFor } from '../projection/exactNeighbours';
import type { LayoutParams } from '../projection/params';
import { readProjectionSettings } from '../settings';

/**
 * The session's 2-D layouts. First what can be drawn at once: the user's own from the manifest
 * (`layout` .npy) and PCA (under a second at 1M points, in the projection worker); metadata
 * columns x, y are offered in the picker, not drawn over PCA (they are often bounding boxes).
 * Then UMAP, read from the cache in the extension's storage or computed in the same worker with a
 * cancellable progress notification (none for `alignedInit`, a snapshot switch started from the
 * previous snapshot's layout, which shows nothing else first); UMAP replaces the first paint
 * unless the user picked another layout. Above EXACT_NEIGHBOURS_UP_TO points that UMAP is on
 * NN-descent's neighbours; then it is computed again from exact ones (a streaming session's census
 * pass finds them; in memory, UMAP's own exact search in its worker) and replaces itself (cached
 * apart: the key says which neighbours).
 */
export async function computeProjection(
  context: vscode.ExtensionContext,
  session: Session,
  alignedInit?: Float32Array,
): Promise<void> {
  const ds = session.dataset;
  const params = {
    ...readProjectionSettings(),
    distance: session.settings.distance,
    normalize: session.settings.normalize,
    ...(alignedInit ? { alignedInit } : {}),
  };
  const input = { embeddings: ds.embeddings, n: ds.n, dim: ds.dim };
  // The manifest's layout is drawn first; metadata columns x, y (often bounding boxes, not a layout) are only offered.
  if (ds.layout) session.layouts.set('own', ds.layout.values, path.basename(ds.layout.file));
  const columns = ds.layout ? {} : layoutFromColumns(ds.metadata, ds.n);
  if (columns.problem) console.warn(`[ei] ${ds.files.metadata ?? ds.name}: ${columns.problem}`);
  const cacheDir = path.join(context.globalStorageUri.fsPath, 'layouts');
  // Above EXACT_NEIGHBOURS_UP_TO points UMAP starts from NN-descent's neighbours, then exact ones come (from the
  // streaming pass, or UMAP's own exact search for a dataset in memory); the layout from them, when an earlier session
  // made it, comes first.
  const upgrade = passNeighboursFor(ds.n, params.nNeighbors) > 0;
  const exactKey = upgrade ? layoutCacheKey(ds.embeddings, { ...params, neighbours: 'exact' }) : undefined;
  const cachedExact = exactKey ? await readCachedLayout(cacheDir, exactKey, ds.n).catch(() => undefined) : undefined;
  const key = layoutCacheKey(ds.embeddings, params);
  const cached = cachedExact ?? (await readCachedLayout(cacheDir, key, ds.n).catch(() => undefined));
  const client = new ProjectionClient({
    workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'projectionWorker.js').fsPath,
  });
  const abort = new AbortController();
  const sub = session.onDidDispose(() => {
    abort.abort();
    client.dispose();
  });
  let approximate = upgrade && !cachedExact;
  try {
    if (cached) session.layouts.set('umap', cached, cachedExact ? EXACT_NOTE : await readCachedNote(cacheDir, key));
    // A snapshot switch waits for its aligned UMAP (started from the previous snapshot's layout, so
    // points move only where the model changed) instead of flashing PCA's other axes first.
    const early = !alignedInit || cached !== undefined;
    if (early) await addPca(client, session, input, params, abort.signal);
    if (early && columns.layout) session.layouts.set('own', columns.layout, 'metadata columns x, y', true);
    if (!cached) {
      const { layout, note } = alignedInit
        ? await client.computeWithNote(input, params, {
            signal: abort.signal,
            onProgress: (f) => session.layouts.progress(f),
          })
        : await umapWithProgress(client, session, input, params, abort.signal);
      await writeCachedLayout(cacheDir, key, layout, note).catch((e) =>
        console.warn('[ei] layout cache write failed', e),
      );
      session.layouts.set('umap', layout, note);
      if (!early) {
        await addPca(client, session, input, params, abort.signal, true);
        if (columns.layout) session.layouts.set('own', columns.layout, 'metadata columns x, y', true);
      }
    }
  } catch (e) {
    approximate = false;
    if (session.disposed) return; // the panel was closed while it ran
    const message = (e as Error)?.message ?? String(e);
    if ((e as Error)?.name === 'AbortError') {
      session.layouts.failed('cancelled: run “Inspect Embeddings” again to compute it');
      if (!session.layout)
        session.setStatus('error', 'Projection cancelled. Run “Inspect Embeddings” again to compute it.');
    } else {
      session.layouts.failed(`failed: ${message}`);
      if (!session.layout) session.setStatus('error', `Projection failed: ${message}`);
      void vscode.window.showErrorMessage(`Embedding Inspector: projecting ${ds.name} failed: ${message}`);
    }
  } finally {
    sub.dispose();
    client.dispose();
  }
  // Not awaited: the pass may take minutes, or never come (cancelled); the layout shown meanwhile is final until then.
  if (approximate && exactKey) void layoutFromExactNeighbours(context, session, input, params, cacheDir, exactKey);
}

/** The note on a layout made from exact neighbours (the caption states nothing more for those). */
const EXACT_NOTE = 'exact neighbours';

/**
 * Lays out from every sample's exact neighbours (a streaming session's census pass keeps them, and this waits for
 * them; in memory, UMAP's own exact search finds them) in a fresh worker (the first one's memory is gone meanwhile)
 * and replaces the approximate UMAP, with UMAP's progress in the picker. Ends quietly when the panel closes first.
 */
async function layoutFromExactNeighbours(
  context: vscode.ExtensionContext,
  session: Session,
  input: Parameters<ProjectionClient['compute']>[0],
  params: LayoutParams & { nNeighbors: number },
  cacheDir: string,
  exactKey: string,
): Promise<void> {
  const abort = new AbortController();
  const sub = session.onDidDispose(() => abort.abort());
  const client = new ProjectionClient({
    workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'projectionWorker.js').fsPath,
  });
  try {
    // A dataset in memory: UMAP's own exact search, here in the projection worker, so the analysis workers stay free
    // for the census and the slider's recounts (an O(n^2 dim) job there held them for seconds).
    const ids = session.streaming
      ? await session.exactNeighbours.wait(normalizedRows(params), params.nNeighbors, abort.signal)
      : undefined;
    if ((session.streaming && !ids) || session.disposed) return;
    const layout = await client.compute(
      input,
      { ...params, neighbours: 'exact', ...(ids ? { exactIds: ids } : {}) },
      { signal: abort.signal, onProgress: (f) => session.layouts.progress(f) },
    );
    if (session.disposed) return;
    await writeCachedLayout(cacheDir, exactKey, layout).catch((e) => console.warn('[ei] layout cache write failed', e));
    session.layouts.set('umap', layout, EXACT_NOTE);
  } catch (e) {
    if (session.disposed || (e as Error)?.name === 'AbortError') return;
    // The approximate layout stays; the picker says the exact one failed.
    session.layouts.failed(`from exact neighbours failed: ${(e as Error)?.message ?? String(e)}`);
    console.warn('[ei] UMAP from exact neighbours failed', e);
  } finally {
    sub.dispose();
    client.dispose();
  }
}

/** PCA in the worker, best effort: when it fails, UMAP still runs (and the failure is logged). */
async function addPca(
  client: ProjectionClient,
  session: Session,
  input: Parameters<ProjectionClient['pca']>[0],
  params: { normalize?: boolean; distance?: string; seed?: number },
  signal: AbortSignal,
  offerOnly = false,
): Promise<void> {
  try {
    const pca = await client.pca(
      input,
      { normalize: params.normalize || params.distance === 'cosine', seed: params.seed },
      { signal },
    );
    if (!session.disposed) session.layouts.set('pca', pca.layout, pca.note, offerOnly);
  } catch (e) {
    if (signal.aborted || session.disposed) throw e;
    console.warn('[ei] PCA layout failed', e);
  }
}

function umapWithProgress(
  client: ProjectionClient,
  session: Session,
  input: Parameters<ProjectionClient['compute']>[0],
  params: Parameters<ProjectionClient['compute']>[1],
  signal: AbortSignal,
): Thenable<{ layout: Float32Array; note: string }> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Projecting ${session.dataset.name} (UMAP)`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      signal.addEventListener('abort', () => abort.abort(), { once: true });
      let last = 0;
      return client.computeWithNote(input, params, {
        signal: abort.signal,
        onProgress: (f, message) => {
          progress.report({ increment: Math.max(0, f - last) * 100, message });
          last = Math.max(last, f);
          session.layouts.progress(f);
        },
      });
    },
  );
}
