import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import { webviewHtml } from './webviewHtml';
import { isIndex, isIntIn, isMessage, unhandled } from './messages';
import type { Inspector } from '../inspector';
import type { FollowController } from '../follow/followController';
import type { Session, SessionEvent } from '../session';
import type { FromControls, ToControls } from '../shared/protocol';
import { readTopK, validateSetting, writeSetting } from '../settings';
import { webviewTransport, type Transport } from './transport';

/**
 * Host side of the controls sidebar (a WebviewView in the Embedding Inspector container). Shows the
 * active session; margin moves recount at once and are persisted to the settings when the user
 * pauses; other settings are written to the workspace settings and come back through the
 * configuration listener, so settings.json and the sidebar stay in sync both ways.
 */
export class ControlsViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'embeddingInspector.controls';
  private _view: vscode.WebviewView | undefined;
  private ready = false;
  private sessionSub: vscode.Disposable | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly inspector: Inspector,
    private readonly followLatest: FollowController,
  ) {
    super();
    this._register(inspector.onDidChangeActiveSession(() => this.follow()));
    this._register(followLatest.onDidChange((f) => this.post({ type: 'follow', ...f })));
    // The worst list's length: the sidebar answers slider positions with it.
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('embeddingInspector.worstTriplets')) this.sendState(this.inspector.activeSession);
      }),
    );
    this._register({
      dispose: () => {
        this.sessionSub?.dispose();
      },
    });
  }

  /** The resolved view, once the user (or a test) has opened it. */
  get view(): vscode.WebviewView | undefined {
    return this._view;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this._view = view;
    this.ready = false;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'controls', 'Embedding Inspector controls');
    const subs = [
      view.webview.onDidReceiveMessage((m) => this.handleMessage(m)),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.sendAll();
      }),
    ];
    view.onDidDispose(() => {
      subs.forEach((s) => s.dispose());
      if (this._view === view) {
        this._view = undefined;
        this.ready = false;
      }
    });
    this.follow();
  }

  /** Whether the view's page has loaded and said `ready` (messages are sent only then). */
  get isReady(): boolean {
    return !!this._view && this.ready;
  }

  /** Where messages to the page go: its webview (the integration tests wrap it to record them). */
  transport: Transport<ToControls> = webviewTransport(() => this._view?.webview);

  private post(m: ToControls): void {
    if (!this._view || !this.ready) return;
    this.transport.post(m);
  }

  private follow(): void {
    this.sessionSub?.dispose();
    const s = this.inspector.activeSession;
    this.sessionSub = s?.onDidChange((e) => this.onSession(s, e));
    this.sendAll();
  }

  private onSession(s: Session, e: SessionEvent): void {
    switch (e) {
      case 'census':
        // Settings changed elsewhere (settings.json, the Settings UI) arrive with the recount.
        if (JSON.stringify(s.settings) !== this.lastStateSettings) this.sendState(s);
        this.sendCensus(s);
        return;
      case 'histogram':
        this.sendState(s);
        this.sendHistogram(s);
        return;
      case 'table':
        return this.sendTable(s);
      case 'queryGallery':
        return this.sendQueryGallery(s);
      case 'status':
        return this.postStatus(s);
      case 'dataset':
        return this.sendAll();
      case 'layout':
        return; // the projection's
      default:
        unhandled(e);
    }
  }

  private lastStatus = '';
  /** Status lines only when they change (layout progress fires often). */
  private postStatus(s: Session): void {
    const key = `${s.id}|${s.status.state}|${s.status.message}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.post({ type: 'status', state: s.status.state, message: s.status.message });
  }

  private sendAll(): void {
    this.lastStatus = '';
    const s = this.inspector.activeSession;
    this.sendState(s);
    this.post({ type: 'follow', ...this.followLatest.state() });
    if (!s) {
      this.post({ type: 'status', state: 'idle', message: '' });
      return;
    }
    this.post({ type: 'status', state: s.status.state, message: s.status.message });
    this.sendHistogram(s);
    this.sendTable(s);
    this.sendCensus(s);
    this.sendQueryGallery(s);
  }

  /** Query / gallery retrieval: the metrics, computing, an error, or null (no split column: nothing shown). */
  private sendQueryGallery(s: Session): void {
    this.post({ type: 'queryGallery', datasetId: s.id, view: s.queryGallery.view ?? null });
  }

  /** The margin table: the sidebar answers slider positions from it and draws the exact sweep. */
  private sendTable(s: Session): void {
    const table = s.tableView;
    if (table) this.post({ type: 'table', datasetId: s.id, table });
  }

  private lastStateSettings = '';
  private sendState(s: Session | undefined): void {
    const settings = s?.settings ?? this.inspector.settings;
    this.lastStateSettings = JSON.stringify(settings);
    this.post({
      type: 'state',
      datasetId: s?.id,
      hasDataset: !!s,
      datasetName: s?.dataset.name ?? '',
      n: s?.dataset.n ?? 0,
      dim: s?.dataset.dim ?? 0,
      classes: s?.dataset.classNames.length ?? 0,
      snapshots: s?.dataset.snapshots?.map((x) => x.name) ?? [],
      activeSnapshot: s?.dataset.activeSnapshot ?? 0,
      settings,
      marginRange: s?.marginRange ?? { min: 0, max: 1, step: 0.001 },
      classNames: s?.dataset.classNames ?? [],
      worstTriplets: readTopK(),
    });
  }

  private sendHistogram(s: Session): void {
    const h = s.histogram;
    if (h)
      this.post({ type: 'histogram', datasetId: s.id, edges: h.edges, counts: h.counts, triplets: s.validTriplets });
  }

  private sendCensus(s: Session): void {
    const c = s.census;
    if (!c) return;
    const {
      category: _c,
      lossAsAnchor: _l,
      violAsAnchor: _a,
      violAsPositive: _p,
      violAsNegative: _n,
      nearestImpostor: _i,
      ...rest
    } = c;
    this.post({ type: 'census', datasetId: s.id, census: rest });
  }

  /** Logs a rejected message and returns why (handleMessage's answer). */
  private reject(m: unknown, why: string): string {
    console.warn('[ei]', `rejected controls message ${JSON.stringify(m)?.slice(0, 200)}: ${why}`);
    return why;
  }

  /**
   * Handles one message from the sidebar (public so tests can drive the same path). Resolves to
   * why it was rejected (invalid fields, unknown type), or undefined when it was handled.
   */
  async handleMessage(m: FromControls | Record<string, unknown>): Promise<string | undefined> {
    if (!isMessage(m)) return this.reject(m, 'not a message');
    const msg = m as FromControls;
    const s = this.inspector.activeSession;
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.sendAll();
        return;
      case 'inspect':
        await vscode.commands.executeCommand('embeddingInspector.inspect');
        return;
      case 'setMargin': {
        const v = validateSetting('margin', msg.margin);
        if (!v) return this.reject(m, 'margin must be a finite number >= 0');
        await this.inspector.chooseMargin(v.value as number);
        return;
      }
      case 'setSetting': {
        const v = validateSetting(msg.key, msg.value);
        if (!v || v.key === 'margin') return this.reject(m, 'invalid setting');
        await writeSetting(v.key, v.value); // comes back through onDidChangeConfiguration
        return;
      }
      case 'setSnapshot':
        if (!s || !isIndex(msg.index, s.dataset.snapshots?.length ?? 0)) return this.reject(m, 'bad snapshot');
        await this.inspector.switchSnapshot(s, msg.index);
        return;
      case 'setFollow':
        if (typeof msg.on !== 'boolean') return this.reject(m, 'setFollow needs on: boolean');
        await this.followLatest.setFollow(msg.on);
        return;
      case 'compareWith': {
        const count = s?.dataset.snapshots?.length ?? 0;
        if (!s || !isIntIn(msg.index, -1, count - 1) || msg.index === s.dataset.activeSnapshot)
          return this.reject(m, 'bad snapshot to compare with');
        if (msg.index === -1)
          this.inspector.panelOf(s)?.showChange({
            datasetId: s.id,
            against: '',
            dLoss: new Float32Array(0),
            dViolating: new Float32Array(0),
            worsened: [],
          });
        else await vscode.commands.executeCommand('embeddingInspector.compareSnapshots', msg.index);
        return;
      }
      case 'highlightClass':
        if (!s || !isIntIn(msg.classId, -1, s.dataset.classNames.length - 1)) return this.reject(m, 'bad class');
        this.inspector.highlight(s, msg.classId < 0 ? [] : [msg.classId]);
        return;
      case 'highlightPair': {
        const c = s?.dataset.classNames.length ?? 0;
        if (!s || !isIndex(msg.a, c) || !isIndex(msg.b, c)) return this.reject(m, 'bad class pair');
        this.inspector.highlight(s, [msg.a, msg.b], [msg.a, msg.b]);
        return;
      }
      default:
        return this.reject(m, unhandled(msg));
    }
  }
}
