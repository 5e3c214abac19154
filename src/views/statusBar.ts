import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { Inspector } from '../inspector';

/** Status-bar item: current margin and violating share while a dataset is open. */
export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('embeddingInspector.status', vscode.StatusBarAlignment.Right, 100));
  private sub: vscode.Disposable | undefined;

  constructor(private readonly inspector: Inspector) {
    super();
    this.item.name = 'Embedding Inspector';
    this.item.command = 'workbench.view.extension.embeddingInspector';
    this._register(inspector.onDidChangeActiveSession(() => this.follow()));
    this._register({ dispose: () => this.sub?.dispose() });
  }

  private follow(): void {
    this.sub?.dispose();
    const s = this.inspector.activeSession;
    this.sub = s?.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const s = this.inspector.activeSession;
    if (!s) { this.item.hide(); return; }
    const c = s.census;
    if (!c) {
      this.item.text = `$(loading~spin) ${s.dataset.name}`;
      this.item.tooltip = s.status.message;
    } else {
      const share = c.triplets > 0 ? (100 * c.counts.violating) / c.triplets : 0;
      this.item.text = `$(graph-scatter) m=${c.settings.margin.toPrecision(3)} · ${share.toFixed(1)}% violating`;
      this.item.tooltip = `${s.dataset.name}: ${c.counts.violating.toLocaleString('en-US')} of ${c.triplets.toLocaleString('en-US')} valid triplets violate margin ${c.settings.margin} (${c.settings.convention}, ${c.settings.distance}${c.settings.normalize ? ', normalised' : ''})`;
    }
    this.item.show();
  }
}
