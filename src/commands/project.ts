import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Session } from '../session';
import { ProjectionClient } from '../projection/client';
import { layoutCacheKey, readCachedLayout, writeCachedLayout } from '../projection/cache';
import { layoutFromColumns } from '../projection/layoutSet';
import { readProjectionSettings } from '../settings';

/**
 * The session's 2-D layouts. First what can be drawn at once: the user's own (the manifest's
 * `layout` .npy, else metadata columns x, y) and PCA (under a second at 1M points, in the projection worker). Then UMAP, read from the
 * cache in the extension's storage or computed in the same worker with a cancellable progress
 * notification (none for `alignedInit`, a snapshot switch started from the previous snapshot's
 * layout); it replaces the first paint unless the user picked another layout.
 */
export async function computeProjection(context: vscode.ExtensionContext, session: Session, alignedInit?: Float32Array): Promise<void> {
  const ds = session.dataset;
  const params = { ...readProjectionSettings(), distance: session.settings.distance, normalize: session.settings.normalize, ...(alignedInit ? { alignedInit } : {}) };
  const input = { embeddings: ds.embeddings, n: ds.n, dim: ds.dim };
  if (ds.layout) session.setLayout(ds.layout.values, 'own', path.basename(ds.layout.file));
  else {
    const own = layoutFromColumns(ds.metadata, ds.n);
    if (own.layout) session.setLayout(own.layout, 'own', 'metadata columns x, y');
    else if (own.problem) console.warn(`[ei] ${ds.files.metadata ?? ds.name}: ${own.problem}`);
  }
  const cacheDir = path.join(context.globalStorageUri.fsPath, 'layouts');
  const key = layoutCacheKey(ds.embeddings, params);
  const cached = await readCachedLayout(cacheDir, key, ds.n).catch(() => undefined);
  const client = new ProjectionClient({ workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'projectionWorker.js').fsPath });
  const abort = new AbortController();
  const sub = session.onDidDispose(() => { abort.abort(); client.dispose(); });
  try {
    if (cached) session.setLayout(cached, 'umap');
    // PCA even when UMAP is cached: the picker offers it.
    const pca = await client.pca(input, { normalize: params.normalize || params.distance === 'cosine', seed: params.seed }, { signal: abort.signal });
    if (session.disposed) return;
    session.setLayout(pca.layout, 'pca', pca.note);
    if (cached) return;
    const layout = alignedInit
      ? await client.compute(input, params, { signal: abort.signal, onProgress: (f) => session.setLayoutProgress(f) })
      : await umapWithProgress(client, session, input, params, abort.signal);
    await writeCachedLayout(cacheDir, key, layout).catch((e) => console.warn('[ei] layout cache write failed', e));
    session.setLayout(layout, 'umap');
  } catch (e) {
    if (session.disposed) return; // the panel was closed while it ran
    const message = (e as Error)?.message ?? String(e);
    if ((e as Error)?.name === 'AbortError') {
      session.setLayoutFailed('cancelled: run “Inspect Embeddings” again to compute it');
      if (!session.layout) session.setStatus('error', 'Projection cancelled. Run “Inspect Embeddings” again to compute it.');
    } else {
      session.setLayoutFailed(`failed: ${message}`);
      if (!session.layout) session.setStatus('error', `Projection failed: ${message}`);
      void vscode.window.showErrorMessage(`Embedding Inspector: projecting ${ds.name} failed: ${message}`);
    }
  } finally {
    sub.dispose();
    client.dispose();
  }
}

function umapWithProgress(client: ProjectionClient, session: Session, input: Parameters<ProjectionClient['compute']>[0], params: Parameters<ProjectionClient['compute']>[1], signal: AbortSignal): Thenable<Float32Array> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Projecting ${session.dataset.name} (UMAP)`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    signal.addEventListener('abort', () => abort.abort(), { once: true });
    let last = 0;
    return client.compute(input, params, {
      signal: abort.signal,
      onProgress: (f, message) => {
        progress.report({ increment: Math.max(0, f - last) * 100, message });
        last = Math.max(last, f);
        session.setLayoutProgress(f);
      },
    });
  });
}
