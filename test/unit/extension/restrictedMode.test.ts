/**
 * Issue 17, item 8: the extension declares what it does in Restricted Mode (an untrusted
 * workspace) instead of being switched off there. What the loader does then is tested in
 * test/unit/data/boundary.test.ts (LoadOptions.confineToWorkspace, which the extension sets from
 * vscode.workspace.isTrusted).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../../helpers/repoRoot';

describe('extension: Restricted Mode (issue 17)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));

  it('declares limited support, says what is limited, and names settings whose workspace value is ignored', () => {
    const u = pkg.capabilities?.untrustedWorkspaces;
    assert.ok(u, 'capabilities.untrustedWorkspaces is declared');
    assert.strictEqual(u.supported, 'limited');
    assert.match(u.description, /reads only files inside the workspace folders/);
    assert.deepStrictEqual(u.restrictedConfigurations, [
      'embeddingInspector.maxFileMegabytes',
      'embeddingInspector.export.maxRows',
    ]);
    for (const key of u.restrictedConfigurations)
      assert.ok(pkg.contributes.configuration.properties[key], `${key} is a contributed setting`);
  });
});
