import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Inspector } from '../inspector';
import type { Session } from '../session';
import { Disposable } from '../util/disposable';
import { numberedName } from '../data/snapshots';
import { isNpyName } from '../data/wholeFile';
import { loadDatasetInWorker } from '../worker/loadClient';
import { loadOptionsFromSettings } from '../host/openDataset';
import { CompleteSnapshot, SnapshotWatcher } from './snapshotWatcher';

const SECTION = 'embeddingInspector';
const SETTING = 'followLatest';

/** Whether following is on, and whether the active dataset can be followed (and if not, why). */
export interface FollowState {
  on: boolean;
  available: boolean;
  reason: string;
}

/**
 * "Follow latest snapshot": while on, watches the active session's snapshot series (numbered
 * files in one folder) and, when a newer file is completely written, switches the session to it
 * — keeping the session's margin and settings, and starting the projection from the previous
 * layout with the same seed (`alignedInit`) so points move only where the model changed.
 * The toggle is the setting `embeddingInspector.followLatest` (the sidebar writes it).
 */
export class FollowController extends Disposable {
  private watcher: SnapshotWatcher | undefined;
  private watched: Session | undefined;
  private pending: CompleteSnapshot | undefined;
  private switching = false;
  private readonly _onDidChange = this._register(new vscode.EventEmitter<FollowState>());
  /** Fires when the toggle or the followed dataset changes. */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidSwitch = this._register(new vscode.EventEmitter<Session>());
  /** Fires after each switch to a new snapshot (tests count them). */
  readonly onDidSwitch = this._onDidSwitch.event;

  constructor(private readonly inspector: Inspector) {
    super();
    this._register(inspector.onDidChangeActiveSession(() => this.rearm()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${SETTING}`)) this.rearm();
      }),
    );
    this._register({ dispose: () => this.watcher?.dispose() });
    this.rearm();
  }

  /** The setting's value. */
  get on(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get(SETTING) === true;
  }

  /** What the sidebar shows. */
  state(): FollowState {
    const s = this.inspector.activeSession;
    const why = s ? unfollowable(s) : 'no dataset is open';
    return { on: this.on, available: why === '', reason: why };
  }

  /** Turns following on or off (persisted in the workspace settings). */
  async setFollow(on: boolean): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SECTION).update(SETTING, on, target);
    this.rearm();
  }

  /** Watches the active session's series when following is on; stops otherwise. */
  private rearm(): void {
    const s = this.inspector.activeSession;
    const want = this.on && s && unfollowable(s) === '' ? s : undefined;
    if (want !== this.watched || !want) {
      this.watcher?.dispose();
      this.watcher = undefined;
      this.watched = want;
      if (want) {
        const file = want.dataset.files.embeddings;
        const w = new SnapshotWatcher(
          {
            seriesFile: file,
            // Formats without a length in their header must also parse before they are taken.
            accept: isNpyName(file)
              ? undefined
              : async (f) => {
                  await loadDatasetInWorker(f, loadOptionsFromSettings(f));
                  return true;
                },
          },
          (c) => this.onComplete(want, c),
        );
        this.watcher = w;
        w.start().catch((e) => console.warn('[ei] follow: watching failed', e));
      }
    }
    this._onDidChange.fire(this.state());
  }

  private onComplete(s: Session, c: CompleteSnapshot): void {
    if (s !== this.watched || s !== this.inspector.activeSession) return;
    const current = numberedName(path.basename(s.dataset.files.embeddings))?.number ?? -Infinity;
    if (c.number <= current) return; // an older epoch written late: not the latest
    if (!this.pending || c.number > this.pending.number) this.pending = c;
    void this.drain(s);
  }

  /** Switches to the newest complete snapshot; snapshots finished during a switch are coalesced. */
  private async drain(s: Session): Promise<void> {
    if (this.switching) return;
    this.switching = true;
    try {
      let from = s;
      while (this.pending && !this._isDisposed) {
        const c = this.pending;
        this.pending = undefined;
        const next = await this.inspector.switchToFile(from, c.path);
        if (!next) break;
        this._onDidSwitch.fire(next);
        from = next;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Embedding Inspector: following the latest snapshot failed: ${(e as Error)?.message ?? e}`,
      );
    } finally {
      this.switching = false;
    }
  }
}

/** '' when the session's dataset is a numbered series we can watch, else the reason. */
function unfollowable(s: Session): string {
  const d = s.dataset;
  if (d.files.manifest?.endsWith('.pbtxt'))
    return 'the steps of a TensorBoard log dir are not followed yet; reopen it to see new steps';
  if (d.files.manifest)
    return 'snapshots listed in embeddings.json are not followed; name the files with an epoch number (emb_0010.npy) instead';
  if (!numberedName(path.basename(d.files.embeddings)))
    return 'the embeddings file has no epoch number in its name (like emb_0010.npy)';
  return '';
}
