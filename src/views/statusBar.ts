import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { Inspector } from '../inspector';

/** Status-bar item: current margin and violating share while a dataset is open. */
export class StatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('embeddingInspector.status', vscode.StatusBarAlignment.Right, 100),
  );
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
    if (!s) {
      this.item.hide();
      return;
    }
    const c = s.census;
    if (!c) {
      this.item.text = `$(loading~spin) ${s.dataset.name}`;
      this.item.tooltip = s.status.message;
    } else if (c.estimate) {
      // Never a silent approximation: the estimate says so, with its interval and its sample.
      const e = c.estimate,
        pass = s.passProgress;
      this.item.text = `$(graph-scatter) m=${c.settings.margin.toPrecision(3)} · ≈ ${(100 * e.violatingShare.value).toFixed(1)}% ± ${(100 * e.violatingShare.halfWidth95).toFixed(1)}% violating, sample of ${e.sampledAnchors.toLocaleString('en-US')} anchors${pass && pass.fraction < 1 ? ` · exact ${(100 * pass.fraction).toFixed(0)}%` : ''}`;
      this.item.tooltip = `${s.dataset.name}: ${e.method}. ${pass?.message ?? ''}`;
    } else {
      const share = c.triplets > 0 ? (100 * c.counts.violating) / c.triplets : 0;
      const pass =
        s.passProgress && s.passProgress.fraction < 1
          ? ` · recount ${(100 * s.passProgress.fraction).toFixed(0)}%`
          : '';
      const shown = c.shownMargin !== undefined ? ` (at slider position ${c.shownMargin})` : '';
      this.item.text = `$(graph-scatter) m=${c.settings.margin.toPrecision(3)}${shown} · ${share.toFixed(1)}% violating${pass}`;
      this.item.tooltip = `${s.dataset.name}: ${c.counts.violating.toLocaleString('en-US')} of ${c.triplets.toLocaleString('en-US')} valid triplets violate margin ${c.shownMargin ?? c.settings.margin} (${c.settings.convention}, ${c.settings.distance}${c.settings.normalize ? ', normalised' : ''})${s.passProgress && s.passProgress.fraction < 1 ? `. ${s.passProgress.message}` : ''}`;
    }
    this.item.show();
  }
}
