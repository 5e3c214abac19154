import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/data/index';
import { FIXTURES } from './fixtures';

// embeddings.npy + labels.npy + metadata.tsv (label, image) written by NumPy: what a PyTorch user leaves.
const clusters = path.join(FIXTURES, '..', 'workspace', 'clusters');

describe('data: metadata.tsv beside an .npy', () => {
  it('is paired with the embeddings: sample images and the label column', async () => {
    const d = await loadDataset(path.join(clusters, 'embeddings.npy'));
    assert.equal(d.n, 60);
    assert.equal(d.files.metadata, path.join(clusters, 'metadata.tsv'));
    assert.equal(d.sources?.at(3)?.path, path.join(clusters, 'images', '003.png'));
    assert.equal(d.sources?.at(3)?.kind, 'image');
    // A metadata `label` column comes before a labels file beside (documented order).
    assert.deepEqual([...d.classNames].sort(), ['circle', 'cross', 'ring', 'square']);
    assert.deepEqual(d.warnings, []);
  });

  it('is ignored with a warning when its rows do not match', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-meta-'));
    try {
      for (const f of ['embeddings.npy', 'labels.npy']) fs.copyFileSync(path.join(clusters, f), path.join(dir, f));
      const lines = fs.readFileSync(path.join(clusters, 'metadata.tsv'), 'utf8').split('\n');
      fs.writeFileSync(path.join(dir, 'metadata.tsv'), lines.slice(0, 30).join('\n') + '\n');
      const d = await loadDataset(path.join(dir, 'embeddings.npy'));
      assert.equal(d.n, 60);
      assert.equal(d.sources, undefined);
      assert.deepEqual(d.classNames, ['0', '1', '2', '3'], 'labels fall back to labels.npy');
      assert.equal(d.warnings.length, 1);
      assert.match(
        d.warnings[0],
        /metadata\.tsv beside the embeddings was not used: .*60 .*29|metadata\.tsv beside the embeddings was not used/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
