import * as vscode from 'vscode';
import { Disposable } from './util/disposable';

/** Owns the open sessions and the commands (placeholder until the session lands). */
export class Inspector extends Disposable {
  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this._register(vscode.commands.registerCommand('embeddingInspector.inspect', () => this.inspect()));
  }

  async inspect(): Promise<void> {
    void vscode.window.showInformationMessage('Embedding Inspector: no dataset found yet.');
  }
}
