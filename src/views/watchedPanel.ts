import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';

/** What a watched panel is made of: created again from the same spec when its page does not load. */
export interface PanelSpec {
  viewType: string;
  title: string;
  iconPath: vscode.Uri;
  options: vscode.WebviewPanelOptions & vscode.WebviewOptions;
  /** The page, written for the webview it is shown in (its nonce and resource URIs). */
  html(webview: vscode.Webview): string;
}

/**
 * A webview panel whose page must say it has loaded (`loaded()`) within READY_TIMEOUT_MS while it is visible. When it
 * does not, the panel is replaced by a new one in the same editor column (at most READY_RETRIES times, then the user is
 * told to reload the window).
 *
 * Why a new panel and not the same panel's page set again: in code-server on a loaded machine a webview's resources
 * sometimes never arrive (its service worker answers 408 after 30 s) and the panel stays blank for good. Setting its
 * HTML again three times did not help (the new page's requests hung the same way, 2026-12-05), while another webview
 * opened at the same time loaded. The same symptom is VS Code issue #125993.
 */
export class WatchedPanel extends Disposable {
  /** How long a visible page may take to say it loaded before the panel is replaced (twice as long for each new panel),
   * and how many times. */
  static READY_TIMEOUT_MS = 10_000;
  static READY_RETRIES = 3;
  /** Times the panel was replaced because its page did not load in time (at most READY_RETRIES). */
  replacements = 0;
  private current!: vscode.WebviewPanel;
  /** The current panel's listeners (dropped with it when it is replaced). */
  private listeners: vscode.Disposable[] = [];
  private loadedYet = false;
  /** Told the user to reload the window: the last panel is left to load when it can. */
  private gaveUp = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly messages = this._register(new vscode.EventEmitter<unknown>());
  private readonly viewStates = this._register(new vscode.EventEmitter<{ active: boolean; visible: boolean }>());
  private readonly disposed = new vscode.EventEmitter<void>();
  /** A message from the page (of whichever panel is current). */
  readonly onDidReceiveMessage = this.messages.event;
  /** The panel became active or inactive, shown or hidden. */
  readonly onDidChangeViewState = this.viewStates.event;
  /** The user closed the panel, or it was disposed. */
  readonly onDidDispose = this.disposed.event;

  constructor(
    private readonly spec: PanelSpec,
    column: vscode.ViewColumn,
    private readonly log: (m: string) => void = (m) => console.warn('[ei]', m),
  ) {
    super();
    this.open({ viewColumn: column, preserveFocus: false });
    this._register({
      dispose: () => {
        this.stopWatching();
        for (const l of this.listeners) l.dispose();
        this.current.dispose();
      },
    });
  }

  get panel(): vscode.WebviewPanel {
    return this.current;
  }

  get webview(): vscode.Webview {
    return this.current.webview;
  }

  /** A new title, for this panel and any that replaces it. */
  retitle(title: string): void {
    this.spec.title = title;
    this.current.title = title;
  }

  /**
   * The folders the page may load from. Changed, they are set on the webview, which loads its page again (watched
   * again); returns whether they changed.
   */
  setRoots(roots: readonly vscode.Uri[]): boolean {
    const key = (r: readonly vscode.Uri[] | undefined) => (r ?? []).map((u) => u.toString()).join('\n');
    if (key(roots) === key(this.spec.options.localResourceRoots)) return false;
    this.spec.options = { ...this.spec.options, localResourceRoots: roots };
    this.loadedYet = false;
    this.current.webview.options = this.spec.options;
    this.current.webview.html = this.spec.html(this.current.webview);
    this.watch();
    return true;
  }

  /** The page said it has loaded: no more watching (a page reloaded after being hidden loads as it did). */
  loaded(): void {
    this.loadedYet = true;
    this.stopWatching();
  }

  override dispose(): void {
    if (this._isDisposed) return;
    super.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }

  private open(showOptions: { viewColumn: vscode.ViewColumn; preserveFocus: boolean }): void {
    const { viewType, title, options, iconPath } = this.spec;
    const p = vscode.window.createWebviewPanel(viewType, title, showOptions, options);
    p.iconPath = iconPath;
    this.listeners = [
      p.webview.onDidReceiveMessage((m) => this.messages.fire(m)),
      p.onDidChangeViewState((e) => {
        // Hidden, its page does not load: the time limit stops, and starts again (whole) when it is shown. A focus
        // change while it stays visible does not restart it.
        if (!e.webviewPanel.visible) this.stopWatching();
        else if (this.timer === undefined) this.watch();
        this.viewStates.fire({ active: e.webviewPanel.active, visible: e.webviewPanel.visible });
      }),
      p.onDidDispose(() => this.dispose()),
    ];
    p.webview.html = this.spec.html(p.webview);
    this.current = p;
    this.watch();
  }

  /** Arms the time limit while the panel is visible and its page has not loaded (a hidden page does not load). */
  private watch(): void {
    this.stopWatching();
    if (this.loadedYet || this.gaveUp || this._isDisposed || !this.current.visible) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expired();
    }, this.limit());
  }

  private stopWatching(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private limit(): number {
    return WatchedPanel.READY_TIMEOUT_MS * 2 ** this.replacements;
  }

  private expired(): void {
    if (this.loadedYet || this._isDisposed || !this.current.visible) return;
    if (this.replacements >= WatchedPanel.READY_RETRIES) {
      this.gaveUp = true;
      void vscode.window.showErrorMessage(
        `Embedding Inspector: “${this.spec.title}” did not load. Run “Developer: Reload Window” and open it again.`,
      );
      return;
    }
    this.log(
      `the page of “${this.spec.title}” did not load in ${this.limit()} ms; opening a new panel (${this.replacements + 1} of ${WatchedPanel.READY_RETRIES})`,
    );
    this.replacements++;
    const old = this.current;
    for (const l of this.listeners) l.dispose();
    // The new panel first, beside the old one in its column, so the column does not close in between.
    this.open({ viewColumn: old.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: !old.active });
    old.dispose();
  }
}
