import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Session } from '../session';
import { labelErrorMethod, labelSuspects, labelSuspectsCsv, type LabelSuspect } from '../analysis/labelErrors';
import { distanceLabel, type ToProjection } from '../shared/protocol';

/** Neighbours the score counts. */
const K = 10;
/** Suspects listed in the panel (the CSV has them all). */
const LISTED = 200;

/**
 * Suspected label errors for one projection panel: found on request (every sample's exact k
 * nearest neighbours in the analysis workers, with progress; at 100 000 samples a pass over the
 * distances like the census's), listed in the panel, exported as CSV where the user chooses.
 */
export class LabelErrorsController {
  private result: { key: string; suspects: LabelSuspect[]; method: string } | undefined;
  private running: Promise<void> | undefined;
  /** Stops a search in progress when the panel closes. */
  private readonly abort = new AbortController();

  constructor(
    private readonly session: Session,
    private readonly post: (m: ToProjection) => void,
  ) {}

  dispose(): void {
    this.abort.abort();
  }

  /** The last suspects found, ranked (undefined before the first search). */
  get suspects(): readonly LabelSuspect[] | undefined {
    return this.result?.suspects;
  }

  private key(): string {
    const s = this.session.settings;
    return `${s.distance}|${s.normalize}`;
  }

  private method(): string {
    return labelErrorMethod(K, distanceLabel(this.session.settings));
  }

  /** Finds them (or resends them when the distance has not changed since). */
  find(): Promise<void> {
    if (this.result && this.result.key === this.key()) {
      this.send();
      return Promise.resolve();
    }
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const key = this.key(),
      method = this.method(),
      d = this.session.dataset;
    let last = 0;
    this.post({ type: 'labelErrors', state: 'computing', fraction: 0, method, total: 0, items: [] });
    try {
      const knn = await this.session.samples.knnAll(K, {
        signal: this.abort.signal,
        onProgress: (f) => {
          if (f - last < 0.02 && f < 1) return;
          last = f;
          this.post({ type: 'labelErrors', state: 'computing', fraction: f, method, total: 0, items: [] });
        },
      });
      this.result = { key, suspects: labelSuspects(knn.indices, knn.k, d.labels, d.classNames.length), method };
      this.send();
    } catch (e) {
      if (this.session.disposed || this.abort.signal.aborted) return;
      this.post({
        type: 'labelErrors',
        state: 'error',
        method,
        total: 0,
        items: [],
        message: `Finding suspected label errors failed: ${(e as Error)?.message ?? e}`,
      });
    }
  }

  private send(): void {
    const r = this.result!;
    this.post({
      type: 'labelErrors',
      state: 'ready',
      method: r.method,
      total: r.suspects.length,
      items: r.suspects
        .slice(0, LISTED)
        .map((s) => ({ index: s.index, label: s.label, suggested: s.suggested, score: s.score })),
    });
  }

  /** Asks where, then writes every suspect as CSV (index, path, label, suggested_label, score); paths relative to the
   * embeddings' folder. */
  async exportCsv(): Promise<void> {
    const r = this.result;
    if (!r) {
      void vscode.window.showInformationMessage('Find the suspected label errors first.');
      return;
    }
    if (r.key !== this.key()) {
      void vscode.window.showWarningMessage(
        'The distance or normalisation changed since the suspected label errors were found: press Find again before exporting.',
      );
      return;
    }
    const d = this.session.dataset,
      base = path.dirname(d.files.embeddings);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(base, 'label_errors.csv')),
      filters: { CSV: ['csv'] },
      title: 'Export suspected label errors',
    });
    if (!target) return;
    const csv = labelSuspectsCsv(r.suspects, d.classNames, (i) => {
      const s = d.sources?.at(i);
      return s ? path.relative(base, s.path).split(path.sep).join('/') : '';
    });
    try {
      await vscode.workspace.fs.writeFile(target, Buffer.from(csv, 'utf8'));
      void vscode.window.showInformationMessage(
        `Wrote ${r.suspects.length.toLocaleString('en-US')} suspected label errors to ${target.fsPath}.`,
      );
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Embedding Inspector: writing ${target.fsPath} failed: ${(e as Error)?.message ?? e}`,
      );
    }
  }
}
