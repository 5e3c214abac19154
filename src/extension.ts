import * as vscode from 'vscode';
import { ControlsViewProvider } from './views/controlsView';
import { Inspector } from './inspector';

/** What `activate` returns: used by the integration tests (and by other extensions, read-only). */
export interface EmbeddingInspectorApi {
  readonly inspector: Inspector;
  readonly controls: ControlsViewProvider;
}

export function activate(context: vscode.ExtensionContext): EmbeddingInspectorApi {
  const inspector = new Inspector(context);
  context.subscriptions.push(inspector);
  const controls = new ControlsViewProvider(context.extensionUri, inspector);
  context.subscriptions.push(controls);
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(ControlsViewProvider.viewType, controls));
  return { inspector, controls };
}

export function deactivate(): void {
  /* everything is disposed through context.subscriptions */
}
