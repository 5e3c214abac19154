import * as vscode from 'vscode';
import { ControlsViewProvider } from './views/controlsView';
import { StatusBar } from './views/statusBar';
import { FollowController } from './follow/followController';
import { Inspector } from './inspector';
import { registerCommands } from './commands/index';

/** What `activate` returns: used by the integration tests (and by other extensions, read-only). */
export interface EmbeddingInspectorApi {
  readonly inspector: Inspector;
  readonly controls: ControlsViewProvider;
  /** "Follow latest snapshot" (sidebar toggle, setting embeddingInspector.followLatest). */
  readonly follow: FollowController;
}

/**
 * Wires the host layer: the inspector (sessions), then what uses it — the follow controller, the
 * status bar, the controls sidebar and the commands. Everything is disposed with the extension.
 */
export function activate(context: vscode.ExtensionContext): EmbeddingInspectorApi {
  const inspector = new Inspector(context);
  const follow = new FollowController(inspector);
  const controls = new ControlsViewProvider(context.extensionUri, inspector, follow);
  context.subscriptions.push(
    inspector,
    follow,
    new StatusBar(inspector),
    controls,
    vscode.window.registerWebviewViewProvider(ControlsViewProvider.viewType, controls),
    ...registerCommands(inspector),
  );
  return { inspector, controls, follow };
}

export function deactivate(): void {
  /* everything is disposed through context.subscriptions */
}
