/**
 * `SearchClient`: the projection's searches in a worker thread with a time limit. The samples'
 * texts are sent once (when the first search comes); a search that runs past the limit (a regular
 * expression that backtracks for ever) terminates the worker and answers with an error saying so;
 * the next search starts a fresh worker. Searches run one at a time; only the latest one waiting
 * is kept (a user typing sends many). Plain Node, no `vscode`.
 */
import * as path from 'node:path';
import type { Searchable, SearchResult } from '../analysis/search';
import { RpcWorker } from './rpcWorker';
import type { SearchMethods } from './searchMethods';

export class SearchClient {
  /** How long one search may run (ms) before it is stopped. */
  static LIMIT_MS = 3_000;
  private worker: RpcWorker<SearchMethods> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private latest = 0;
  private disposed = false;

  /** `samples` is read when the first search needs it (the texts of every sample: made once). */
  constructor(
    private readonly samples: () => Searchable,
    private readonly script = path.join(__dirname, 'searchWorker.js'),
  ) {}

  /**
   * The samples matching `query`, or an error (a bad or too slow regular expression). Resolves to
   * undefined when a newer search was asked before this one started (its answer would be stale).
   */
  search(query: string, limitMs = SearchClient.LIMIT_MS): Promise<SearchResult | undefined> {
    const mine = ++this.latest;
    const run = this.chain.then(() => (mine === this.latest && !this.disposed ? this.run(query, limitMs) : undefined));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Terminates the worker; later searches answer undefined. */
  dispose(): void {
    this.disposed = true;
    this.worker?.terminate(new Error('the search was closed'));
    this.worker = undefined;
  }

  private async run(query: string, limitMs: number): Promise<SearchResult> {
    if (!this.worker || this.worker.isDead) {
      this.worker = new RpcWorker<SearchMethods>(this.script, 'search worker');
      void this.worker.request('setSamples', this.samples()).catch(() => undefined);
    }
    const w = this.worker;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<SearchResult>((resolve) => {
      timer = setTimeout(() => {
        // Settle first: terminating rejects the request, which must not win the race.
        resolve({
          error: `the search took longer than ${limitMs < 1000 ? `${limitMs} ms` : `${(limitMs / 1000).toFixed(0)} s`} and was stopped (a regular expression that backtracks, such as /(a+)+$/?); simplify it`,
        });
        w.terminate(new Error('search timed out'));
      }, limitMs);
    });
    try {
      return await Promise.race([w.request('search', { query }), limit]);
    } catch (e) {
      return { error: `the search failed: ${(e as Error)?.message ?? e}` };
    } finally {
      clearTimeout(timer);
    }
  }
}
