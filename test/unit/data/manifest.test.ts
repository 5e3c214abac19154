import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseManifest } from '../../../src/data/manifest';
import { discoverDatasets, looksLikeDataset } from '../../../src/data/index';
import { groupNumbered, numberedName } from '../../../src/data/snapshots';
import { InputError } from '../../../src/shared/dataset';

const F = '/ws/run/embeddings.json';

describe('data/manifest', () => {
  it('resolves paths against the manifest folder; snapshots get names from epochs', () => {
    const m = parseManifest(
      JSON.stringify({
        name: 'r',
        snapshots: [{ epoch: 1, path: 'e1.npy' }, { name: 'last', path: '../e9.npz', key: 'emb' }, 'e10.npy'],
        labels: 'labels.txt',
        metadata: 'meta.tsv',
        sampleColumn: 'img',
      }),
      F,
    );
    assert.deepStrictEqual(m.snapshots, [
      { name: 'epoch 1', epoch: 1, path: '/ws/run/e1.npy' },
      { name: 'last', path: '/ws/e9.npz', key: 'emb' },
      { name: 'e10.npy', path: '/ws/run/e10.npy' },
    ]);
    assert.deepStrictEqual(
      [m.labels, m.metadata, m.sampleColumn],
      [{ path: '/ws/run/labels.txt' }, '/ws/run/meta.tsv', 'img'],
    );
    const one = parseManifest(
      '{"embeddings": "x.npz", "embeddingsKey": "z", "labels": {"path": "x.npz", "key": "y"}}',
      F,
    );
    assert.deepStrictEqual(
      [one.snapshots, one.labels],
      [[{ name: 'x.npz', path: '/ws/run/x.npz', key: 'z' }], { path: '/ws/run/x.npz', key: 'y' }],
    );
  });

  it('clear errors for bad manifests', () => {
    const bad: [string, RegExp][] = [
      ['{', /not valid JSON/],
      ['[]', /must be a JSON object/],
      ['{}', /'embeddings' must be a non-empty string/],
      ['{"embeddings": "a", "snapshots": ["b"]}', /either 'embeddings' or 'snapshots'/],
      ['{"snapshots": []}', /non-empty array/],
      ['{"embeddings": "a", "lables": "x"}', /unknown field 'lables'/],
      ['{"embeddings": "a", "labels": {}}', /needs a 'path' or a 'column'/],
      ['{"snapshots": [{"path": "a", "epoch": "one"}]}', /epoch must be a number/],
    ];
    for (const [text, re] of bad)
      assert.throws(
        () => parseManifest(text, F),
        (e: unknown) => e instanceof InputError && e.file === F && re.test(e.problem),
        text,
      );
  });
});

describe('data/snapshots: numbered files', () => {
  it('groups files that differ only by a number, sorted numerically', () => {
    const g = groupNumbered([
      'embeddings_epoch12.npy',
      'embeddings_epoch2.npy',
      'emb_0030.npy',
      'emb_0010.npy',
      'labels.npy',
      'x1_final.npy',
      'other7.npy',
    ]);
    assert.deepStrictEqual(
      [...g.entries()],
      [
        [
          'embeddings_epoch#.npy',
          [
            { file: 'embeddings_epoch2.npy', number: 2 },
            { file: 'embeddings_epoch12.npy', number: 12 },
          ],
        ],
        [
          'emb_#.npy',
          [
            { file: 'emb_0010.npy', number: 10 },
            { file: 'emb_0030.npy', number: 30 },
          ],
        ],
      ],
    );
    assert.strictEqual(numberedName('x1_final.npy'), undefined);
  });
});

describe('data/discover', () => {
  let ws: string;
  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-disc-'));
    const w = (p: string, s: string | Uint8Array): void => {
      fs.mkdirSync(path.dirname(path.join(ws, p)), { recursive: true });
      fs.writeFileSync(path.join(ws, p), s);
    };
    w('a/table.csv', 'label,e0,e1\nx,1,2\n');
    w('a/notes.csv', 'name,city\nx,y\n'); // no vectors: not a dataset
    w('a/numbers.tsv', '1\t2\n3\t4\n'); // numbers without labels: not a dataset
    w('b/projector_config.pbtxt', 'embeddings { tensor_path: "t.tsv" }');
    w('c/embeddings.json', '{"embeddings": "x.npy"}');
    w('c/x.npy', 'ignored: the manifest speaks for the folder');
    w('d/e.jsonl', '{"embedding": [1, 2], "label": "a"}\n');
    w('node_modules/pkg/t.csv', 'label,e0,e1\nx,1,2\n');
    w('.hidden/t.csv', 'label,e0,e1\nx,1,2\n');
    w('dist/t.csv', 'label,e0,e1\nx,1,2\n');
    w('deep/1/2/3/4/5/6/7/8/9/10/t.csv', 'label,e0,e1\nx,1,2\n');
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('finds manifests, projector folders and tables; skips node_modules, hidden, dist and very deep folders', async () => {
    const found = await discoverDatasets([ws]);
    assert.deepStrictEqual(found.map((c) => [c.label, c.kind]).sort(), [
      ['a/table.csv', 'table'],
      ['b', 'projector'],
      ['c/embeddings.json', 'manifest'],
      ['d/e.jsonl', 'jsonl'],
    ]);
    assert.strictEqual(found.find((c) => c.kind === 'projector')!.target, path.join(ws, 'b'));
  });

  it('stops after maxFiles directory entries', async () => {
    const found = await discoverDatasets([ws], { maxFiles: 1 });
    assert.ok(found.length < 4);
  });

  it('looksLikeDataset by name only', () => {
    const yes = [
      'a.npy',
      'b.NPZ',
      'c.tsv',
      'd.csv',
      'e.jsonl',
      'f.parquet',
      'g.safetensors',
      'projector_config.pbtxt',
      'embeddings.json',
      'run.embeddings.json',
    ];
    const no = ['package.json', 'a.png', 'b.txt', 'c.pbtxt.bak', 'README.md'];
    assert.deepStrictEqual(yes.filter(looksLikeDataset), yes);
    assert.deepStrictEqual(no.filter(looksLikeDataset), []);
  });
});
