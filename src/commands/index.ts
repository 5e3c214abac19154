import * as vscode from 'vscode';
import type { Inspector } from '../inspector';
import { compareSnapshotsCommand } from './compare';
import { exportTripletsCommand, type ExportArgs } from './export';

/**
 * Registers every command of package.json's `contributes.commands`. The Inspect commands end when
 * the projection's webview has loaded (Inspector.untilShown).
 */
export function registerCommands(inspector: Inspector): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('embeddingInspector.inspect', () => inspector.untilShown(inspector.inspect())),
    vscode.commands.registerCommand('embeddingInspector.inspectFile', (uri?: vscode.Uri) =>
      inspector.untilShown(inspector.inspectFile(uri)),
    ),
    vscode.commands.registerCommand('embeddingInspector.showInInspector', (uri?: vscode.Uri) =>
      inspector.showInInspector(uri),
    ),
    vscode.commands.registerCommand('embeddingInspector.exportTriplets', (args?: ExportArgs) =>
      exportTripletsCommand(inspector, args),
    ),
    vscode.commands.registerCommand('embeddingInspector.compareSnapshots', (index?: number) =>
      compareSnapshotsCommand(inspector, index),
    ),
  ];
}
