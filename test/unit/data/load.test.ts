import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AmbiguousChoiceError, InputError, loadDataset } from '../../../src/data/index';
import { parseNpy } from '../../../src/data/npy';
import { FIXTURES, cases, expectError, fixture } from './fixtures';

/** Every fixture file with its size and mtime: the loaders must never write. */
function snapshotTree(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) snapshotTree(p, out);
    else {
      const st = fs.statSync(p);
      out.set(p, `${st.size}:${st.mtimeMs}`);
    }
  }
  return out;
}

describe('data/loadDataset on every dataset fixture', () => {
  const before = snapshotTree(FIXTURES);
  after(() => assert.deepStrictEqual(snapshotTree(FIXTURES), before, 'a loader changed a file'));

  for (const c of cases.datasets) {
    it(`${c.name} (${c.target}): embeddings, labels, classes, samples as written`, async () => {
      const root = fixture(c.target.split('/')[0]);
      if (c.ambiguous) {
        const err = await expectError(
          () => loadDataset(fixture(c.target), { workspaceRoots: [root] }),
          AmbiguousChoiceError,
          'choose one',
        );
        assert.deepStrictEqual((err as AmbiguousChoiceError).options, c.ambiguous);
      }
      const d = await loadDataset(fixture(c.target), { workspaceRoots: [root], ...(c.options ?? {}) });
      assert.deepStrictEqual([d.n, d.dim], [c.n, c.dim]);
      assert.deepStrictEqual(Array.from(d.embeddings), c.embeddings.map(Math.fround));
      assert.strictEqual(d.embeddings.length, d.n * d.dim);
      assert.deepStrictEqual(
        Array.from(d.labels, (k) => d.classNames[k]),
        c.labels,
      );
      if (c.classNames) assert.deepStrictEqual(d.classNames, c.classNames);
      if (c.sources) {
        const base = path.dirname(d.files.metadata ?? d.files.embeddings);
        assert.deepStrictEqual(
          d.sources?.map((s) => s && { ...s, path: path.relative(base, s.path) }),
          c.sources.map((s) => s ?? undefined),
        );
      }
      if (c.refused)
        assert.ok(
          d.warnings.some((w) => w.startsWith(`${c.refused} sample paths resolve outside the workspace`)),
          d.warnings.join('|'),
        );
      if (c.missing)
        assert.ok(
          d.warnings.some((w) => w.startsWith(`${c.missing} sample file is missing`)),
          d.warnings.join('|'),
        );
      if (c.snapshots) {
        assert.deepStrictEqual(
          d.snapshots?.map((s) => s.name),
          c.snapshots,
        );
        assert.strictEqual(d.activeSnapshot, c.snapshots.length - 1);
      }
    });
  }

  for (const c of cases.malformed.filter((m) => m.loader === 'dataset')) {
    it(`${c.file}: InputError '${c.error}' naming the file`, async () => {
      const err = await expectError(
        () => loadDataset(fixture(c.file), c.labels ? { labels: fixture(c.labels) } : {}),
        InputError,
        c.error,
      );
      assert.strictEqual((err as InputError).file, fixture(c.file));
      if (c.labels) assert.ok(err.message.includes(fixture(c.labels)), 'a length mismatch names both files');
    });
  }
});

describe('data/loadDataset behaviour', () => {
  it('loads an earlier snapshot on request, and says which one is active', async () => {
    const d = await loadDataset(fixture('snapshots'), { snapshot: 0 });
    assert.strictEqual(d.activeSnapshot, 0);
    assert.strictEqual(path.basename(d.files.embeddings), 'embeddings_epoch01.npy');
    assert.deepStrictEqual(
      d.snapshots!.map((s) => s.epoch),
      [1, 2, 10],
    );
    const last = await loadDataset(fixture('snapshots'));
    assert.deepStrictEqual(
      Array.from(last.embeddings),
      Array.from(d.embeddings, (v) => Math.fround(v * 10)),
    );
    await expectError(
      () => loadDataset(fixture('snapshots'), { snapshot: 3 }),
      InputError,
      'snapshot 3 does not exist',
    );
    const m = await loadDataset(fixture('manifest'), { snapshot: 0 });
    assert.deepStrictEqual(
      [m.snapshots![0].epoch, m.activeSnapshot, m.files.manifest],
      [0, 0, fixture('manifest/embeddings.json')],
    );
  });

  it("a manifest's own layout (.npy of shape (n, 2), float64 from NumPy) is read as float32; another shape is an error naming the file", async () => {
    const d = await loadDataset(fixture('manifest_layout'));
    const want = parseNpy(new Uint8Array(fs.readFileSync(fixture('manifest_layout/layout.npy'))), 'layout.npy');
    assert.strictEqual(want.dtype, '<f8');
    assert.deepStrictEqual(
      Array.from(d.layout!.values),
      Array.from(want.data as Float64Array, (v) => Math.fround(v)),
    );
    assert.strictEqual(d.layout!.file, fixture('manifest_layout/layout.npy'));
    assert.strictEqual((await loadDataset(fixture('manifest'))).layout, undefined);
    const err = await expectError(
      () => loadDataset(fixture('manifest_badlayout')),
      InputError,
      'a layout must have shape (6, 2), one row per sample; this one is (6, 3)',
    );
    assert.strictEqual((err as InputError).file, fixture('manifest_badlayout/layout.npy'));
  });

  it('a loaded numbered file is the active snapshot of its series', async () => {
    const d = await loadDataset(fixture('snapshots/embeddings_epoch02.npy'));
    assert.strictEqual(d.activeSnapshot, 1);
  });

  it('an ambiguous .npz asks, then loads the chosen array; a chosen labels array too', async () => {
    const err = await expectError(() => loadDataset(fixture('npz/ambiguous.npz')), AmbiguousChoiceError, 'train, test');
    const e = err as AmbiguousChoiceError;
    assert.deepStrictEqual(
      [e.key, e.file, e.options],
      ['embeddingsKey', fixture('npz/ambiguous.npz'), ['train', 'test']],
    );
    await expectError(
      () => loadDataset(fixture('npz/ambiguous.npz'), { embeddingsKey: 'test' }),
      InputError,
      '3 embeddings but 6 labels',
    );
    const d = await loadDataset(fixture('npz/ambiguous.npz'), { embeddingsKey: 'train', labelsKey: 'y' });
    assert.deepStrictEqual([d.n, d.dim, d.classNames], [6, 4, ['0', '1', '2']]);
    await expectError(
      () => loadDataset(fixture('npz/ambiguous.npz'), { embeddingsKey: 'nope' }),
      InputError,
      "no array 'nope'",
    );
  });

  it('refuses a file larger than the memory budget before reading it, and says why', async () => {
    for (const t of [
      'npy/emb_f4_le_C.npy',
      'projector',
      'tabular/columns.csv',
      'npz/stored.npz',
      'parquet/data.parquet',
    ]) {
      await expectError(
        () => loadDataset(fixture(t), { maxBytes: 64 }),
        InputError,
        'more than the memory budget of 64 bytes',
      );
    }
  });

  it('an explicit labels file, or a named column, overrides what is found', async () => {
    const d = await loadDataset(fixture('textlabels/emb.npy'), { labels: fixture('snapshots/labels.npy') });
    assert.deepStrictEqual([d.classNames, d.files.labels], [['0', '1', '2'], fixture('snapshots/labels.npy')]);
    const t = await loadDataset(fixture('textlabels/emb.npy'), { labels: fixture('projector/metadata.tsv') });
    assert.deepStrictEqual(
      Array.from(t.labels, (k) => t.classNames[k]),
      ['cat', 'dog', 'cat', 'bird', 'dog', 'cat', 'bird', 'dog'],
    );
    const u = await loadDataset(fixture('textlabels/emb.npy'), {
      labels: fixture('projector/metadata.tsv'),
      labelColumn: 'split',
    });
    assert.deepStrictEqual(u.classNames, ['test', 'train']);
    const s = await loadDataset(fixture('projector'), { labelColumn: 'split' });
    assert.deepStrictEqual(s.classNames, ['test', 'train']);
    await expectError(
      () => loadDataset(fixture('projector'), { labelColumn: 'nope' }),
      InputError,
      "no label column 'nope' (columns: label, image, split)",
    );
  });

  describe('warnings on legal but degenerate labels', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-load-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('one class: loads and warns; classes with one sample: named and counted', async () => {
      fs.writeFileSync(path.join(dir, 'one.tsv'), 'label\te0\te1\na\t1\t2\na\t3\t4\n');
      const one = await loadDataset(path.join(dir, 'one.tsv'));
      assert.deepStrictEqual([one.n, one.classNames], [2, ['a']]);
      assert.ok(
        one.warnings.some((w) => /Only one class \('a'\)/.test(w)),
        one.warnings.join('|'),
      );
      fs.writeFileSync(path.join(dir, 'single.csv'), 'label,e0,e1\nx,1,0\nx,2,0\ny,3,0\nz,4,0\n');
      const s = await loadDataset(path.join(dir, 'single.csv'));
      assert.ok(s.warnings.includes("2 classes have a single sample (no positives): 'y', 'z'."), s.warnings.join('|'));
    });

    it('a folder with several datasets asks which; the answer loads it', async () => {
      const sub = path.join(dir, 'two');
      fs.mkdirSync(sub);
      fs.writeFileSync(path.join(sub, 'a.csv'), 'label,e0,e1\nx,1,2\ny,3,4\n');
      fs.writeFileSync(path.join(sub, 'b.jsonl'), '{"embedding":[1],"label":"q"}\n');
      const err = await expectError(() => loadDataset(sub), AmbiguousChoiceError, 'a.csv, b.jsonl');
      assert.deepStrictEqual((err as AmbiguousChoiceError).options, ['a.csv', 'b.jsonl']);
      const d = await loadDataset(sub, { embeddingsKey: 'b.jsonl' });
      assert.deepStrictEqual([d.n, d.dim, d.classNames], [1, 1, ['q']]);
      await expectError(() => loadDataset(path.join(dir, 'nothing-here')), InputError, 'file not found');
    });

    it('a manifest can take labels from an .npz that holds only labels, and a CSV metadata table', async () => {
      const sub = path.join(dir, 'man');
      fs.mkdirSync(sub);
      fs.copyFileSync(fixture('npy/emb_f8_be_F.npy'), path.join(sub, 'e.npy')); // 5 x 3
      fs.copyFileSync(fixture('npz/deflated.npz'), path.join(sub, 'y.npz')); // labels: 6 values
      fs.writeFileSync(
        path.join(sub, 'embeddings.json'),
        JSON.stringify({ embeddings: 'e.npy', labels: { path: 'y.npz', key: 'labels' } }),
      );
      await expectError(() => loadDataset(sub), InputError, `5 embeddings but 6 labels in ${path.join(sub, 'y.npz')}`);
      fs.writeFileSync(path.join(sub, 'm.csv'), 'kind,file\na,"x, y.png"\nb,2.png\na,3.png\nb,4.png\nc,5.png\n');
      fs.writeFileSync(
        path.join(sub, 'embeddings.json'),
        JSON.stringify({ embeddings: 'e.npy', metadata: 'm.csv', labelColumn: 'kind', sampleColumn: 'file' }),
      );
      const d = await loadDataset(sub);
      assert.deepStrictEqual(
        [d.classNames, Array.from(d.labels), d.metadata!.file.at(0)],
        [['a', 'b', 'c'], [0, 1, 0, 1, 2], 'x, y.png'],
      );
      assert.ok(
        d.warnings.some((w) => w.startsWith('5 sample files are missing')),
        d.warnings.join('|'),
      );
    });

    it('embeddings without any labels: an InputError that says how to provide them', async () => {
      const sub = path.join(dir, 'nolabels');
      fs.mkdirSync(sub);
      fs.copyFileSync(fixture('npy/emb_f4_le_C.npy'), path.join(sub, 'emb.npy'));
      await expectError(() => loadDataset(path.join(sub, 'emb.npy')), InputError, 'no labels found');
    });
  });
});
