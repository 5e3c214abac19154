import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Session } from '../session';
import { ProjectionClient } from '../projection/client';
import { layoutCacheKey, readCachedLayout, writeCachedLayout } from '../projection/cache';
import { readProjectionSettings } from '../settings';

/**
 * Computes (or reads from the cache in the extension's storage) the session's 2-D layout, with a
 * cancellable progress notification while UMAP runs in its worker.
 */
export async function computeProjection(context: vscode.ExtensionContext, session: Session): Promise<void> {
  const p = readProjectionSettings();
  const params = { ...p, distance: session.settings.distance, normalize: session.settings.normalize };
  const ds = session.dataset;
  const input = { embeddings: ds.embeddings, n: ds.n, dim: ds.dim };
  const cacheDir = path.join(context.globalStorageUri.fsPath, 'layouts');
  const key = layoutCacheKey(ds.embeddings, params);
  const cached = await readCachedLayout(cacheDir, key, ds.n).catch(() => undefined);
  if (cached) { session.setLayout(cached); return; }
  const client = new ProjectionClient({ workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'projectionWorker.js').fsPath });
  const sub = session.onDidDispose(() => client.dispose());
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Projecting ${ds.name} (UMAP)`, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let last = 0;
      const layout = await client.compute(input, params, {
        signal: abort.signal,
        onProgress: (f, message) => {
          progress.report({ increment: Math.max(0, f - last) * 100, message });
          last = Math.max(last, f);
          session.setLayoutProgress(f);
        },
      });
      await writeCachedLayout(cacheDir, key, layout).catch((e) => console.warn('[ei] layout cache write failed', e));
      session.setLayout(layout);
    });
  } catch (e) {
    if (session.disposed) return; // the panel was closed while UMAP ran
    if ((e as Error)?.name === 'AbortError') session.setStatus('error', 'Projection cancelled. Run “Inspect Embeddings” again to compute it.');
    else {
      session.setStatus('error', `Projection failed: ${(e as Error)?.message ?? e}`);
      void vscode.window.showErrorMessage(`Embedding Inspector: projecting ${ds.name} failed: ${(e as Error)?.message ?? e}`);
    }
  } finally {
    sub.dispose();
    client.dispose();
  }
}
