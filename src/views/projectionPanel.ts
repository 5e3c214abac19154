import * as vscode from 'vscode';
import * as path from 'node:path';
import { Disposable } from '../util/disposable';
import { Pacer } from '../util/pacer';
import type { Session, SessionEvent } from '../session';
import { distanceLabel, type FromProjection, type SampleStats, type ToProjection } from '../shared/protocol';
import { datasetView, sampleTitle } from './datasetView';
import { SearchClient } from '../worker/searchClient';
import { layoutMessages } from './layoutMessages';
import { LabelErrorsController } from './labelErrorsController';
import { spriteCell } from '../shared/sprite';
import { isIndex, isIntIn, isMessage, unhandled } from './messages';
import { webviewTransport, type Transport } from './transport';
import { WatchedPanel } from './watchedPanel';
import { projectionRoots, projectionSpec, sampleRoots, PROJECTION_VIEW_TYPE } from './projectionPage';

/**
 * Host side of the projection panel: one WebviewPanel per session. Sends the dataset, layout (in
 * chunks above LAYOUT_CHUNK_POINTS points) and census as typed arrays (VS Code posts them as
 * binary); receives intents (open sample i, detail of i) and validates them.
 */
export class ProjectionPanel extends Disposable {
  static readonly viewType = PROJECTION_VIEW_TYPE;
  /** Delay of a quick recount's colours behind the sidebar's numbers (one frame). */
  static UPDATE_AFTER_SIDEBAR_MS = 16;
  /** Least time between two quick-recount recolourings while the slider moves. */
  static UPDATE_INTERVAL_MS = 100;
  /** The webview panel, replaced by a new one when its page does not load in time (watchedPanel.ts). */
  readonly page: WatchedPanel;
  get panel(): vscode.WebviewPanel {
    return this.page.panel;
  }
  get disposed(): boolean {
    return this._isDisposed;
  }
  private ready = false;
  private markReady!: () => void;
  /** Resolves when the webview has loaded and asked for its data (or the panel closed). */
  readonly whenReady = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });
  /** The layout array last posted to the webview (posted again only when another is shown). */
  private postedLayout: Float32Array | undefined;
  /** Layouts posted so far (the id of the next one's chunks). */
  private layoutsPosted = 0;
  /** Suspected label errors: found on the webview's request, exported as CSV. */
  readonly labelErrors: LabelErrorsController;
  /** The search box's searches (in a worker, with a time limit). */
  private readonly search: SearchClient;
  /** Quick recounts for the webview, paced (see sendCensus). */
  private readonly updates = new Pacer<Extract<ToProjection, { type: 'censusUpdate' }>>(
    (m) => this.post(m),
    ProjectionPanel.UPDATE_AFTER_SIDEBAR_MS,
    ProjectionPanel.UPDATE_INTERVAL_MS,
  );

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly session: Session,
    adopted?: { page: WatchedPanel; ready: boolean },
  ) {
    super();
    this.labelErrors = new LabelErrorsController(session, (m) => this.post(m));
    const d = session.dataset;
    this.search = new SearchClient(
      () => ({
        n: d.n,
        labels: d.labels,
        classNames: d.classNames,
        metadata: d.metadata,
        titles: d.sources && Array.from({ length: d.sources.length }, (_, i) => sampleTitle(d.sources, i)),
      }),
      vscode.Uri.joinPath(extensionUri, 'dist', 'searchWorker.js').fsPath,
    );
    this._register({ dispose: () => this.search.dispose() });
    this._register(this.labelErrors);
    const title = `Embeddings: ${session.dataset.name}`;
    const roots = sampleRoots(session.dataset.files.embeddings);
    // A panel opened before the dataset had loaded (EarlyPage) is renamed, and given the samples' folders (its page
    // loads again only if they differ from the ones it was opened with).
    let reloaded = false;
    if (adopted) {
      adopted.page.retitle(title);
      reloaded = adopted.page.setRoots(projectionRoots(extensionUri, roots));
    }
    this.page = this._register(
      adopted?.page ?? new WatchedPanel(projectionSpec(extensionUri, title, roots), vscode.ViewColumn.Active),
    );
    this._register(this.page.onDidReceiveMessage((m) => this.handleMessage(m as FromProjection)));
    this._register(session.onDidChange((e) => this.onSession(e)));
    this._register(
      this.page.onDidChangeViewState((e) => {
        if (e.visible) this.sendAll();
      }),
    );
    this._register(
      this.page.onDidDispose(() => {
        this.markReady();
        this.dispose();
      }),
    );
    // Its page has loaded already: answered as its `ready` is (after the caller has wired the panel up).
    if (adopted?.ready && !reloaded) void Promise.resolve().then(() => this.handleMessage({ type: 'ready' }));
    this._register({
      dispose: () => {
        this.updates.cancel();
        this.markReady();
      },
    });
  }

  /** Where messages to the page go: its webview (the integration tests wrap it to record them). */
  transport: Transport<ToProjection> = webviewTransport(() => this.panel.webview);

  private post(m: ToProjection): void {
    if (!this.ready || this._isDisposed) return;
    this.transport.post(m);
  }

  private sendAll(): void {
    const s = this.session;
    this.post({
      type: 'dataset',
      dataset: datasetView(s.id, s.dataset, (p) => this.panel.webview.asWebviewUri(vscode.Uri.file(p)).toString()),
    });
    this.post({ type: 'status', state: s.status.state, message: s.status.message });
    this.postedLayout = undefined;
    this.sendLayout();
    if (s.census) this.post({ type: 'census', datasetId: s.id, census: s.census });
  }

  private onSession(e: SessionEvent): void {
    const s = this.session;
    switch (e) {
      case 'dataset':
        this.sendAll();
        break;
      case 'layout':
        this.sendLayout();
        break;
      case 'census':
        this.sendCensus();
        break;
      case 'status':
        this.post({ type: 'status', state: s.status.state, message: s.status.message });
        this.sendLayout();
        break;
      case 'histogram':
      case 'table':
      case 'queryGallery':
        break; // the sidebar's
      default:
        unhandled(e);
    }
  }

  /** The shown layout when it changed since the last post (1M points: 8 MB, not to be resent with each progress step),
   * and the picker. */
  private sendLayout(): void {
    // Before the page is ready nothing is sent (each status event used to cut the layout into chunks for nothing).
    if (!this.ready) return;
    const s = this.session,
      shown = s.layouts.shown;
    if (shown && shown.layout !== this.postedLayout) {
      // Large layouts in chunks (layoutMessages.ts), numbered so the panel never mixes two.
      for (const m of layoutMessages(s.id, ++this.layoutsPosted, shown.kind, shown.layout, 2)) this.post(m);
      this.postedLayout = shown.layout;
    }
    this.post({ type: 'layoutState', datasetId: s.id, state: s.layouts.state() });
  }

  private sendCensus(): void {
    const s = this.session,
      c = s.census;
    if (!c) return;
    if (!c.partial) {
      this.updates.cancel();
      this.post({ type: 'census', datasetId: s.id, census: c });
      return;
    }
    // A quick recount (slider moving): only what changed, one frame after the sidebar's message
    // (posted by the same event) and at most every UPDATE_INTERVAL_MS, latest wins. Both webviews
    // share the workbench's renderer thread. Measured in code-server at N = 10 000: sent at once,
    // the sidebar's census arrived after the projection had recoloured and its frame waited for the
    // projection's redraw (20-60 ms later on screen); while dragging, the projection's updates took
    // about 40 ms of that thread each. A census from the margin table is already on the sidebar's
    // screen (it answers slider positions itself): no need to wait behind its message.
    const { violAsPositive: _p, violAsNegative: _n, nearestImpostor: _i, ...update } = c;
    this.updates.push(
      { type: 'censusUpdate', datasetId: s.id, census: update },
      c.fromTable ? 0 : ProjectionPanel.UPDATE_AFTER_SIDEBAR_MS,
    );
  }

  /** Highlights classes (from the sidebar). */
  highlight(classes: number[], pair?: [number, number]): void {
    this.post({ type: 'highlight', classes, pair });
  }

  /** Centres the view on a sample and pulses it. */
  /** Colours the points by the change against another snapshot (Compare with Snapshot). */
  showChange(m: Omit<Extract<ToProjection, { type: 'change' }>, 'type'>): void {
    this.post({ type: 'change', ...m });
  }

  reveal(index: number): void {
    this.panel.reveal(undefined, false);
    this.post({ type: 'reveal', index });
  }

  /** Logs a rejected message and returns why (handleMessage's answer). */
  private reject(m: unknown, why: string): string {
    console.warn('[ei]', `rejected webview message ${JSON.stringify(m)?.slice(0, 200)}: ${why}`);
    return why;
  }

  private validIndex(i: unknown): i is number {
    return isIndex(i, this.session.dataset.n);
  }

  /**
   * Handles one message from the webview (public so tests can drive the same path). Resolves to
   * why it was rejected (invalid fields, unknown type), or undefined when it was handled.
   */
  async handleMessage(m: FromProjection | Record<string, unknown>): Promise<string | undefined> {
    if (!isMessage(m)) return this.reject(m, 'not a message');
    const msg = m as FromProjection;
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.page.loaded();
        this.markReady();
        this.sendAll();
        return;
      case 'openSample':
        if (!this.validIndex(msg.index)) return this.reject(m, 'index out of range');
        await this.openSample(msg.index);
        return;
      case 'requestDetail': {
        if (!this.validIndex(msg.index) || typeof msg.requestId !== 'number')
          return this.reject(m, 'bad detail request');
        const d = this.session.samples.detail(msg.index);
        this.post({
          type: 'detail',
          requestId: msg.requestId,
          index: msg.index,
          hardestPositive: d.hardestPositive,
          negatives: d.negatives,
          stats: this.stats(msg.index),
        });
        return;
      }
      case 'selection': {
        // Typed arrays normally survive the webview boundary; accept their JSON shapes too.
        const raw: unknown = msg.indices;
        const list =
          raw instanceof Int32Array
            ? raw
            : Array.isArray(raw)
              ? raw
              : raw && typeof raw === 'object'
                ? Object.values(raw)
                : undefined;
        if (
          !list ||
          list.length > this.session.dataset.n ||
          !Array.prototype.every.call(list, (i: unknown) => this.validIndex(i))
        )
          return this.reject(m, 'bad selection');
        this.session.selection = Int32Array.from(list as ArrayLike<number>);
        return;
      }
      case 'requestNeighbours': {
        if (!this.validIndex(msg.index) || typeof msg.requestId !== 'number' || !isIntIn(msg.k, 1, 100))
          return this.reject(m, 'bad neighbours request');
        const r = this.session.samples.neighbours(msg.index, msg.k);
        this.post({
          type: 'neighbours',
          requestId: msg.requestId,
          index: r.index,
          distance: distanceLabel(this.session.settings),
          items: r.items,
          firstSameRank: r.firstSameRank,
        });
        return;
      }
      case 'findLabelErrors':
        await this.labelErrors.find();
        return;
      case 'exportLabelErrors':
        await this.labelErrors.exportCsv();
        return;
      case 'search': {
        if (typeof msg.requestId !== 'number' || typeof msg.query !== 'string' || msg.query.length > 500)
          return this.reject(m, 'bad search');
        // In a worker with a time limit: a regular expression that backtracks for ever must not freeze the host.
        const r = await this.search.search(msg.query);
        if (!r) return; // a newer search was asked meanwhile
        this.post({
          type: 'searchResult',
          requestId: msg.requestId,
          query: msg.query,
          ...('error' in r ? { indices: new Int32Array(0), error: r.error } : { indices: r.indices }),
        });
        return;
      }
      case 'chooseLayout':
        if (msg.kind !== 'umap' && msg.kind !== 'pca' && msg.kind !== 'own') return this.reject(m, 'unknown layout');
        this.session.layouts.pick(msg.kind);
        return;
      case 'log':
        (msg.level === 'error' ? console.error : console.log)('[ei webview]', String(msg.message).slice(0, 2000));
        return;
      default:
        return this.reject(m, unhandled(msg));
    }
  }

  /** Tooltip numbers of sample i; undefined until the first census (not zeros that would read as "no triplets"). */
  private stats(i: number): SampleStats | undefined {
    const c = this.session.census;
    if (!c) return undefined;
    return {
      violAsAnchor: c.violAsAnchor[i],
      violAsPositive: c.violAsPositive[i],
      violAsNegative: c.violAsNegative[i],
      lossAsAnchor: c.lossAsAnchor[i],
      nearestImpostor: c.nearestImpostor[i],
      category: c.category[i],
      partial: c.partial === true,
    };
  }

  /**
   * Opens sample i's source: an image in the image preview, a text file at its line; a sprite cell
   * has no file: says so and offers the sprite. Resolves to the notice shown instead, if any.
   */
  async openSample(i: number): Promise<string | undefined> {
    const d = this.session.dataset,
      src = d.sources?.at(i);
    if (!src && d.sprite) {
      const c = spriteCell(d.sprite, i);
      const open = 'Open the Sprite';
      const notice = `Sample ${i} is a cell of ${path.basename(d.sprite.path)} (row ${c.y / c.h + 1}, column ${c.x / c.w + 1}; pixels ${c.x}–${c.x + c.w - 1}, ${c.y}–${c.y + c.h - 1}); it has no file of its own to open.`;
      const sprite = vscode.Uri.file(d.sprite.path);
      // Not awaited: the notification stays until the user answers or closes it.
      void vscode.window.showInformationMessage(notice, open).then((pick) =>
        pick === open
          ? vscode.commands.executeCommand('vscode.open', sprite, {
              viewColumn: vscode.ViewColumn.Beside,
              preview: true,
            })
          : undefined,
      );
      return notice;
    }
    if (!src) {
      const notice = `Sample ${i} has no source file in the metadata.`;
      void vscode.window.showInformationMessage(notice);
      return notice;
    }
    const uri = vscode.Uri.file(src.path);
    if (src.kind === 'image') {
      await vscode.commands.executeCommand('vscode.open', uri, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else {
      const line = Math.max(0, (src.line ?? 1) - 1);
      await vscode.window.showTextDocument(uri, {
        viewColumn: vscode.ViewColumn.Beside,
        selection: new vscode.Range(line, 0, line, 0),
        preview: true,
      });
    }
    return undefined;
  }
}
