import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, EXTENSION_ID, until, ws } from './helpers';

describe('activation', () => {
  it('activates in the real extension host', async () => {
    const a = await api();
    assert.ok(a.inspector, 'activate() returned the API');
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
  });

  it('registers the Inspect Embeddings command', async () => {
    await api();
    const all = await vscode.commands.getCommands(true);
    for (const c of [
      'embeddingInspector.inspect',
      'embeddingInspector.inspectFile',
      'embeddingInspector.showInInspector',
    ]) {
      assert.ok(all.includes(c), `command ${c} registered`);
    }
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const cmd = pkg.contributes.commands.find((c: { command: string }) => c.command === 'embeddingInspector.inspect');
    assert.equal(cmd.title, 'Inspect Embeddings');
    assert.equal(cmd.category, 'Embeddings');
  });

  it('opens the controls view in the activity-bar container', async () => {
    const a = await api();
    await vscode.commands.executeCommand('workbench.view.extension.embeddingInspector');
    const deadline = Date.now() + 20_000;
    while (!a.controls.view && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(a.controls.view, 'the controls webview view was resolved');
    assert.equal(a.controls.view!.visible, true);
  });

  it('"Inspect Embeddings in This File" shows the sidebar\'s Controls with the dataset, and the projection keeps the focus (issue 16, item 5)', async () => {
    const a = await api();
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await until(() => !a.controls.view?.visible, 'the sidebar closed', 10_000);
    const s = await vscode.commands.executeCommand<{ id: string } | undefined>(
      'embeddingInspector.inspectFile',
      vscode.Uri.file(ws('clusters')),
    );
    try {
      assert.ok(s, 'a session opened');
      // What the command returns to VS Code's UI (run from the palette) is serialised: it must be small, not the
      // dataset.
      const reply = JSON.stringify(s);
      assert.ok(reply.length < 500, `the command's reply is ${reply.length} characters`);
      assert.deepEqual(JSON.parse(reply), {
        id: s.id,
        name: (s as unknown as { dataset: { name: string } }).dataset.name,
      });
      await until(() => a.controls.view?.visible, 'the Controls view shown', 20_000);
      // The tab model follows the renderer a moment later.
      const groups = () =>
        vscode.window.tabGroups.all
          .map((g) => `${g.isActive ? '*' : ''}[${g.tabs.map((t) => (t.isActive ? '>' : '') + t.label).join(', ')}]`)
          .join(' ');
      await until(
        () => vscode.window.tabGroups.activeTabGroup.activeTab?.label.startsWith('Embeddings: '),
        () => `the projection panel as the active tab (groups: ${groups()})`,
        20_000,
      );
      assert.equal(a.controls.view?.visible, true, 'the Controls view stays shown');
    } finally {
      await closeAll();
    }
  });

  it('declares the analysis settings with defaults', () => {
    const cfg = vscode.workspace.getConfiguration('embeddingInspector');
    assert.equal(cfg.get('margin'), 0.2);
    assert.equal(cfg.get('distance'), 'euclidean');
    assert.equal(cfg.get('normalize'), true);
    assert.equal(cfg.get('convention'), 'pml');
  });
});
