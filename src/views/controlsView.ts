import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import { webviewHtml } from './webviewHtml';
import type { Inspector } from '../inspector';

/** Host side of the controls sidebar (a WebviewView in the Embedding Inspector container). */
export class ControlsViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'embeddingInspector.controls';
  private _view: vscode.WebviewView | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly inspector: Inspector) {
    super();
  }

  /** The resolved view, once the user (or a test) has opened it. */
  get view(): vscode.WebviewView | undefined { return this._view; }

  resolveWebviewView(view: vscode.WebviewView): void {
    this._view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')] };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'controls', 'Embedding Inspector controls');
    view.onDidDispose(() => { if (this._view === view) this._view = undefined; });
  }
}
