import * as vscode from 'vscode';
import * as path from 'node:path';
import { Disposable } from './util/disposable';
import { Session } from './session';
import { ProjectionPanel } from './views/projectionPanel';
import { EarlyPage } from './views/projectionPage';
import { affectsUs, readSettings, writeSetting } from './settings';
import { loadDatasetInteractive, pickDataset } from './host/openDataset';
import { computeProjection } from './host/projectLayouts';
import type { AnalysisSettings } from './shared/protocol';
import { MarginOwner } from './host/marginOwner';

/**
 * Owns the open sessions (one per dataset, each with its projection panel), which one is active,
 * and the settings listener that applies changed settings to them. The commands (commands/), the
 * status bar, the follow controller and the controls sidebar use it; it imports none of them.
 */
export class Inspector extends Disposable {
  private readonly sessions = new Map<Session, ProjectionPanel>();
  private _active: Session | undefined;
  private readonly _onDidChangeActiveSession = this._register(new vscode.EventEmitter<Session | undefined>());
  readonly onDidChangeActiveSession = this._onDidChangeActiveSession.event;
  /** The analysis settings as configured (their margin may be behind the margin's owner). */
  private configured: AnalysisSettings = readSettings();
  /** The margin: chosen in the sidebar or in the settings, written to them by it alone. */
  readonly margin = this._register(new MarginOwner(this.configured.margin, (m) => writeSetting('margin', m)));
  readonly workerScript: string;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this.workerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsUs(e)) void this.onSettingsChanged();
      }),
    );
    // New query / gallery column names or values: evaluate the open sessions again (no new census).
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('embeddingInspector.queryGallery'))
          for (const s of this.sessions.keys()) s.rerunQueryGallery();
      }),
    );
    this._register({
      dispose: () => {
        for (const [s, p] of [...this.sessions]) {
          p.dispose();
          s.dispose();
        }
      },
    });
  }

  /** The settings a new session starts with: as configured, at the owner's margin. */
  get settings(): AnalysisSettings {
    return { ...this.configured, margin: this.margin.value };
  }

  get activeSession(): Session | undefined {
    return this._active;
  }
  get openSessions(): Session[] {
    return [...this.sessions.keys()];
  }
  panelOf(s: Session): ProjectionPanel | undefined {
    return this.sessions.get(s);
  }

  private setActive(s: Session | undefined): void {
    if (this._active === s) return;
    this._active = s;
    this._onDidChangeActiveSession.fire(s);
  }

  /**
   * The Inspect commands end when the projection's webview has loaded (at most 45 s, reloads included): their reply
   * to VS Code's UI then comes after the panel is up. (The reply is the session's id and name, see
   * Session.toJSON; answering before the webview loaded left it blank in code-server here.)
   */
  async untilShown(opening: Promise<Session | undefined>): Promise<Session | undefined> {
    const s = await opening;
    const panel = s ? this.sessions.get(s) : undefined;
    if (panel) await Promise.race([panel.whenReady, new Promise((r) => setTimeout(r, 45_000))]);
    return s;
  }

  /** "Inspect Embeddings": find datasets in the workspace, let the user pick one, open it. */
  async inspect(): Promise<Session | undefined> {
    const target = await pickDataset();
    return target ? this.open(target, { revealControls: true, early: true }) : undefined;
  }

  /** Explorer context menu on a file (or the active editor's file). */
  async inspectFile(uri?: vscode.Uri): Promise<Session | undefined> {
    const target = uri?.fsPath ?? vscode.window.activeTextEditor?.document.uri.fsPath;
    if (!target) {
      void vscode.window.showErrorMessage('Inspect Embeddings in This File: no file selected.');
      return undefined;
    }
    return this.open(target, { revealControls: true, early: true });
  }

  /**
   * Opens a dataset: load (with quick picks for ambiguous choices), analyse, project. `settings`
   * keeps another session's settings (a snapshot switch); `layoutInit` starts the projection from
   * the previous snapshot's layout (same seed) so successive snapshots stay aligned;
   * `revealControls` (the user's Inspect commands) shows the sidebar's Controls view too.
   */
  async open(
    target: string,
    opts: {
      snapshot?: number;
      embeddingsKey?: string;
      column?: vscode.ViewColumn;
      settings?: AnalysisSettings;
      layoutInit?: Float32Array;
      stillWanted?: () => boolean;
      revealControls?: boolean;
      early?: boolean;
    } = {},
  ): Promise<Session | undefined> {
    // The user's commands open the panel at once: its page loads while the dataset does (projectionPage.ts).
    const early = opts.early ? new EarlyPage(this.context.extensionUri, target) : undefined;
    const dataset = await loadDatasetInteractive(target, {
      snapshot: opts.snapshot,
      ...(opts.embeddingsKey !== undefined ? { embeddingsKey: opts.embeddingsKey } : {}),
    }).catch((e: unknown) => {
      early?.dispose();
      throw e;
    });
    // A snapshot switch superseded while it loaded opens nothing (see switchLines); nor does a panel the user closed
    // while it loaded, or a dataset that did not load (the error was shown).
    if (!dataset || (opts.stillWanted && !opts.stillWanted()) || early?.wasClosed) {
      early?.dispose();
      return undefined;
    }
    let session: Session | undefined;
    let panel: ProjectionPanel;
    try {
      session = new Session(dataset, opts.settings ?? this.settings, this.workerScript);
      panel = new ProjectionPanel(this.context.extensionUri, session, early?.adopt());
    } catch (e) {
      // Neither a panel saying "Loading…" for good nor a session's workers left behind.
      early?.dispose();
      session?.dispose();
      throw e;
    }
    this.sessions.set(session, panel);
    panel.page.onDidChangeViewState((e) => {
      if (e.active) this.setActive(session);
    });
    panel.page.onDidDispose(() => {
      this.sessions.delete(session);
      session.dispose();
      if (this._active === session) this.setActive(this.openSessions.at(-1));
    });
    this.setActive(session);
    if (opts.revealControls) void this.revealControls(panel);
    void this.analyse(session);
    // A snapshot switch starts UMAP from the previous snapshot's (same samples, same seed) so points move only where
    // the model changed.
    void computeProjection(
      this.context,
      session,
      opts.layoutInit && opts.layoutInit.length === 2 * dataset.n ? opts.layoutInit : undefined,
    );
    return session;
  }

  /**
   * The user's commands show the sidebar's Controls (the margin slider) with the dataset, once the projection's page
   * has loaded (at most REVEAL_CONTROLS_AFTER_MS later), then give the focus back to the projection if it had it.
   * One webview at a time: in a fresh code-server here, with both pages loading at once, the second one's resources
   * never arrived in 4 of 8 runs (see watchedPanel.ts); one after the other they did. (`<view id>.focus` exists for
   * every contributed view; a view not yet resolved cannot be shown without the focus.)
   */
  private async revealControls(panel: ProjectionPanel): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      panel.whenReady,
      new Promise((r) => (timer = setTimeout(r, Inspector.REVEAL_CONTROLS_AFTER_MS))),
    ]).finally(() => clearTimeout(timer));
    if (panel.disposed) return;
    const hadFocus = panel.panel.active;
    await vscode.commands
      .executeCommand('embeddingInspector.controls.focus')
      .then(undefined, (e) => console.warn('[ei] revealing the controls failed', e));
    if (hadFocus && !panel.disposed) panel.panel.reveal(undefined, false);
  }

  static REVEAL_CONTROLS_AFTER_MS = 15_000;

  /** Builds the index with a cancellable progress notification. */
  analyse(session: Session): Promise<void> {
    return Promise.resolve(
      vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Embedding Inspector: ${session.dataset.name}`,
          cancellable: true,
        },
        async (progress, token) => {
          let last = 0;
          try {
            await session.analyse(
              {
                report: (f, message) => {
                  const inc = Math.max(0, f - last) * 100;
                  last = Math.max(last, f);
                  progress.report({ increment: inc, message });
                },
              },
              token,
            );
          } catch (e) {
            // Closing the panel mid-analysis disposes the workers: not an error worth a notification.
            if ((e as Error)?.name !== 'AbortError' && !session.disposed)
              void vscode.window.showErrorMessage(
                `Embedding Inspector: analysing ${session.dataset.name} failed: ${(e as Error)?.message ?? e}`,
              );
          }
        },
      ),
    );
  }

  /**
   * Applies changed settings to the open sessions. The margin moves them only when the user set it
   * in the settings (MarginOwner.fromSetting); otherwise each keeps its own, so our own write of
   * the sidebar's margin, or a setting changed before it was written, never drags one back.
   */
  private async onSettingsChanged(): Promise<void> {
    const next = readSettings();
    const prev = this.configured;
    this.configured = next;
    const userMargin = this.margin.fromSetting(next.margin);
    // Settings outside the analysis (followLatest, export.maxRows) changed: leave sessions alone.
    if (JSON.stringify(prev) === JSON.stringify(next)) return;
    // Apply to the sessions open now (a snapshot), all at once: a slow recount here must never
    // carry these settings over to a session opened in the meantime with newer ones.
    await Promise.all(
      [...this.sessions.keys()].map((s) => {
        const want = userMargin ? next : { ...next, margin: s.settings.margin };
        return JSON.stringify(s.settings) === JSON.stringify(want)
          ? undefined
          : s.applySettings(want, (x) => this.analyse(x));
      }),
    );
    if (!this.sessions.size) this._onDidChangeActiveSession.fire(undefined);
  }

  /** The user chose `margin` in the sidebar: the active session recounts now, the setting follows when they pause. */
  chooseMargin(margin: number): Promise<void> {
    this.margin.choose(margin);
    return this._active?.setMargin(margin) ?? Promise.resolve();
  }

  /**
   * Snapshot switches of one dataset (a session and the ones switched from it) share a line: the
   * sidebar's picker can ask for several before the first has loaded (a key held down on it), and
   * only the latest asked may open. Without this each switch opened its own session and panel (20
   * quick picks left 18 open) and the one shown was whichever loaded last, not the last chosen.
   */
  private readonly switchLines = new WeakMap<Session, { latest: number }>();

  /** Opens `target` (a snapshot of it) in place of session `s`, unless a newer switch of its line was asked meanwhile.
   */
  private async switchFrom(
    s: Session,
    target: string,
    snapshot?: number,
    embeddingsKey?: string,
  ): Promise<Session | undefined> {
    const line = this.switchLines.get(s) ?? { latest: 0 };
    this.switchLines.set(s, line);
    const mine = ++line.latest;
    const panel = this.sessions.get(s);
    const next = await this.open(target, {
      snapshot,
      embeddingsKey,
      column: panel?.panel.viewColumn,
      settings: s.settings,
      layoutInit: s.layouts.get('umap'),
      stillWanted: () => line.latest === mine,
    });
    if (!next) return undefined;
    this.switchLines.set(next, line);
    panel?.dispose();
    return next;
  }

  /** Switches a session to another snapshot (epoch): a new session in the same place. */
  switchSnapshot(s: Session, index: number): Promise<Session | undefined> {
    // A log dir's steps are reopened through its config with the same tag (files.embeddingsKey).
    return this.switchFrom(
      s,
      s.dataset.files.manifest ?? s.dataset.files.embeddings,
      index,
      s.dataset.files.embeddingsKey,
    );
  }

  /** Switches a session to another file of its snapshot series (a new epoch written by training). */
  switchToFile(s: Session, file: string): Promise<Session | undefined> {
    return this.switchFrom(s, file);
  }

  /** Emphasises classes in a session's projection (from the sidebar's class table). */
  highlight(s: Session, classes: number[], pair?: [number, number]): void {
    this.sessions.get(s)?.highlight(classes, pair);
  }

  /** "Show in Embedding Inspector" on an image: reveal its point in the session that has it. */
  async showInInspector(uri?: vscode.Uri): Promise<void> {
    if (!uri) return;
    const want = path.resolve(uri.fsPath);
    for (const [s, p] of this.sessions) {
      const i = s.dataset.sources?.findIndex((x) => x && path.resolve(x.path) === want) ?? -1;
      if (i >= 0) {
        this.setActive(s);
        p.reveal(i);
        return;
      }
    }
    void vscode.window.showInformationMessage(
      `${path.basename(want)} is not a sample of an open dataset. Run “Inspect Embeddings” first.`,
    );
  }
}
