/**
 * Issue 17, item 1: paths written in a manifest or a projector config stay inside the folder that
 * holds it or a workspace folder, symlinks followed. Real files and links in a temp folder.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Boundary, isInside } from '../../../src/data/boundary';
import { InputError, loadDataset } from '../../../src/data/index';
import { npyBytes } from '../../../src/cli/npyWriter';
import { expectError, fixture } from './fixtures';

describe('data/boundary: paths in a manifest or projector config stay inside', () => {
  let tmp: string;
  let ws: string;
  let run: string;
  const write = (p: string, data: string | Uint8Array): void => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  const emb = (rows: number): Uint8Array =>
    npyBytes(
      Float32Array.from({ length: rows * 2 }, (_, i) => i),
      rows,
      2,
    );
  const manifest = (m: object): string => {
    write(path.join(run, 'embeddings.json'), JSON.stringify(m));
    return path.join(run, 'embeddings.json');
  };

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ei-boundary-')));
    ws = path.join(tmp, 'ws');
    run = path.join(ws, 'run');
    write(path.join(run, 'emb.npy'), emb(4));
    write(path.join(run, 'labels.txt'), 'a\na\nb\nb\n');
    write(path.join(ws, 'shared', 'emb.npy'), emb(4));
    // Outside the workspace: what a hostile manifest would point at.
    write(path.join(tmp, 'outside.npy'), emb(4));
    write(path.join(tmp, 'passwd'), 'root\ndaemon\nbin\nsys\n');
    write(path.join(tmp, 'meta.tsv'), 'label\tx\na\t1\na\t2\nb\t3\nb\t4\n');
    fs.symlinkSync(path.join(tmp, 'outside.npy'), path.join(run, 'link.npy')); // a file link out
    fs.symlinkSync(tmp, path.join(run, 'up')); // a folder link out
    fs.symlinkSync(path.join(run, 'emb.npy'), path.join(run, 'inner.npy')); // a link that stays in
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('isInside: the root itself and below; not a sibling whose name starts with the root or with ..', () => {
    assert.ok(isInside('/a/b', '/a/b') && isInside('/a/b/c', '/a/b') && isInside('/a/b/..c', '/a/b'));
    assert.ok(!isInside('/a/bc', '/a/b') && !isInside('/a', '/a/b') && !isInside('/x/y', '/a/b'));
  });

  it('refuses each manifest field that leads out (../, absolute, file link, folder link), naming the field and the path', async () => {
    const cases: [object, string, string][] = [
      [{ embeddings: 'emb.npy', labels: path.join(tmp, 'passwd') }, 'labels', path.join(tmp, 'passwd')],
      [{ embeddings: '../../outside.npy', labels: 'labels.txt' }, 'embeddings', path.join(tmp, 'outside.npy')],
      [{ snapshots: ['emb.npy', 'link.npy'], labels: 'labels.txt' }, 'snapshots[1]', path.join(run, 'link.npy')],
      [
        { snapshots: [{ path: 'up/outside.npy', epoch: 3 }], labels: 'labels.txt' },
        'snapshots[0].path',
        path.join(run, 'up', 'outside.npy'),
      ],
      [
        { embeddings: 'emb.npy', metadata: path.join(tmp, 'meta.tsv'), labelColumn: 'label' },
        'metadata',
        path.join(tmp, 'meta.tsv'),
      ],
      [{ embeddings: 'emb.npy', labels: { path: '../../passwd' } }, 'labels.path', path.join(tmp, 'passwd')],
      [
        { embeddings: 'emb.npy', labels: 'labels.txt', layout: '../../outside.npy' },
        'layout',
        path.join(tmp, 'outside.npy'),
      ],
    ];
    for (const [m, field, named] of cases) {
      const file = manifest(m);
      for (const workspaceRoots of [undefined, [ws]]) {
        const err = await expectError(
          () => loadDataset(file, { workspaceRoots }),
          InputError,
          `'${field}' names ${named}, which `,
        );
        assert.strictEqual((err as InputError).file, file);
        assert.match(err.message, /outside the folder .*: it is not read$/);
      }
    }
    const linked = await expectError(
      () => loadDataset(manifest({ embeddings: 'link.npy', labels: 'labels.txt' })),
      InputError,
      'symbolic link',
    );
    assert.ok(
      linked.message.includes(`to ${path.join(tmp, 'outside.npy')}, outside the folder ${run}`),
      linked.message,
    );
  });

  it('accepts links that stay inside, and paths elsewhere in a workspace folder (not in the CLI, which has none)', async () => {
    const d = await loadDataset(manifest({ snapshots: ['emb.npy', 'inner.npy'], labels: 'labels.txt' }));
    assert.deepStrictEqual([d.n, d.snapshots?.length], [4, 2]);
    const file = manifest({ embeddings: '../shared/emb.npy', labels: 'labels.txt' });
    assert.strictEqual((await loadDataset(file, { workspaceRoots: [ws] })).n, 4);
    await expectError(
      () => loadDataset(file),
      InputError,
      `'embeddings' names ${path.join(ws, 'shared', 'emb.npy')}, which is outside the folder ${run}:`,
    );
  });

  it('projector config: tensor_path, metadata_path and sprite image_path must stay inside', async () => {
    const proj = path.join(ws, 'proj');
    fs.mkdirSync(proj, { recursive: true });
    fs.copyFileSync(fixture('projector/tensors.tsv'), path.join(proj, 'tensors.tsv'));
    fs.copyFileSync(fixture('projector/metadata.tsv'), path.join(proj, 'metadata.tsv'));
    const config = (body: string): string => {
      fs.writeFileSync(path.join(proj, 'projector_config.pbtxt'), `embeddings {\n  tensor_name: "e"\n${body}}\n`);
      return proj;
    };
    // The sprite is read now (its header): 8 samples of 28 x 28 px in a 3 x 3 grid, 84 x 84 px.
    fs.writeFileSync(
      path.join(proj, 'sprite.png'),
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
        Buffer.from('IHDR', 'latin1'),
        Buffer.from([0, 0, 0, 84, 0, 0, 0, 84, 8, 2, 0, 0, 0]),
      ]),
    );
    assert.strictEqual(
      (
        await loadDataset(
          config(
            '  tensor_path: "tensors.tsv"\n  metadata_path: "metadata.tsv"\n  sprite { image_path: "sprite.png" single_image_dim: 28 single_image_dim: 28 }\n',
          ),
        )
      ).sprite?.columns,
      3,
    );
    const cfg = path.join(proj, 'projector_config.pbtxt');
    await expectError(
      () => loadDataset(config(`  tensor_path: "${path.join(tmp, 'outside.npy')}"\n`)),
      InputError,
      `'tensor_path' names ${path.join(tmp, 'outside.npy')}, which is outside`,
    );
    await expectError(
      () => loadDataset(config('  tensor_path: "tensors.tsv"\n  metadata_path: "../../passwd"\n')),
      InputError,
      `'metadata_path' names ${path.join(tmp, 'passwd')}`,
    );
    const err = await expectError(
      () => loadDataset(config('  tensor_path: "tensors.tsv"\n  sprite { image_path: "/etc/hostname" }\n')),
      InputError,
      "'sprite.image_path' names /etc/hostname",
    );
    assert.strictEqual((err as InputError).file, cfg);
  });

  it('a checkpoint named by model_checkpoint_path outside the folder is not looked at', async () => {
    const proj = path.join(ws, 'ckpt');
    const away = path.join(tmp, 'away');
    fs.mkdirSync(proj, { recursive: true });
    fs.mkdirSync(away, { recursive: true });
    for (const f of fs.readdirSync(fixture('projector_ckpt'))) {
      fs.copyFileSync(fixture(`projector_ckpt/${f}`), path.join(f.startsWith('embedding.ckpt') ? away : proj, f));
    }
    fs.writeFileSync(
      path.join(proj, 'checkpoint'),
      `model_checkpoint_path: "${path.join(away, 'embedding.ckpt-1')}"\n`,
    );
    await expectError(() => loadDataset(proj, { workspaceRoots: [ws] }), InputError, 'no TensorFlow checkpoint');
    // The same checkpoint inside the workspace is found (by its file name beside the config).
    for (const f of fs.readdirSync(away)) fs.copyFileSync(path.join(away, f), path.join(proj, f));
    assert.strictEqual((await loadDataset(proj, { workspaceRoots: [ws] })).dim > 0, true);
  });

  it('Boundary.refusal: a path that does not exist yet passes (the reader reports it missing)', async () => {
    const b = await Boundary.of([run]);
    assert.strictEqual(await b.refusal(path.join(run, 'nope.npy')), undefined);
    assert.match((await b.refusal(path.join(tmp, 'nope.npy')))!, /outside the folder/);
  });
});

describe('data/boundary: Restricted Mode reads only inside the workspace folders (issue 17, item 8)', () => {
  let tmp: string;
  let ws: string;
  const write = (p: string, data: string | Uint8Array): void => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  const emb = (rows: number): Uint8Array =>
    npyBytes(
      Float32Array.from({ length: rows * 2 }, (_, i) => i),
      rows,
      2,
    );

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ei-restricted-')));
    ws = path.join(tmp, 'ws');
    write(path.join(tmp, 'shared', 'emb.npy'), emb(4));
    write(path.join(tmp, 'shared', 'labels.txt'), 'a\na\nb\nb\n');
    write(path.join(tmp, 'shared', 'metadata.tsv'), 'label\tnote\na\tx\na\ty\nb\tz\nb\tw\n');
    // A workspace whose files are links to a shared folder outside it (common for big datasets).
    write(path.join(ws, 'own', 'emb.npy'), emb(4));
    fs.symlinkSync(path.join(tmp, 'shared', 'labels.txt'), path.join(ws, 'own', 'labels.txt'));
    fs.symlinkSync(path.join(tmp, 'shared', 'metadata.tsv'), path.join(ws, 'own', 'metadata.tsv'));
    fs.mkdirSync(path.join(ws, 'linked'));
    fs.symlinkSync(path.join(tmp, 'shared', 'emb.npy'), path.join(ws, 'linked', 'emb.npy'));
    write(path.join(ws, 'linked', 'labels.txt'), 'a\na\nb\nb\n');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a trusted workspace follows links beside the data; Restricted Mode refuses each one, naming it', async () => {
    const trusted = await loadDataset(path.join(ws, 'own', 'emb.npy'), { workspaceRoots: [ws] });
    assert.deepStrictEqual(
      [trusted.n, trusted.classNames, Object.keys(trusted.metadata ?? {})],
      [4, ['a', 'b'], ['label', 'note']],
    );
    assert.strictEqual((await loadDataset(path.join(ws, 'linked', 'emb.npy'), { workspaceRoots: [ws] })).n, 4);

    const restricted = { workspaceRoots: [ws], confineToWorkspace: true };
    const labels = path.join(ws, 'own', 'labels.txt');
    const err = await expectError(
      () => loadDataset(path.join(ws, 'own', 'emb.npy'), restricted),
      InputError,
      `this labels file leads through a symbolic link to ${path.join(tmp, 'shared', 'labels.txt')}, outside the workspace folders: Restricted Mode reads only files inside them`,
    );
    assert.strictEqual((err as InputError).file, labels);
    // The metadata beside it was only a guess: it is left out with a warning, before the labels are refused.
    fs.renameSync(labels, `${labels}.off`);
    fs.writeFileSync(labels, 'a\na\nb\nb\n');
    const d = await loadDataset(path.join(ws, 'own', 'emb.npy'), restricted);
    assert.strictEqual(d.metadata, undefined);
    assert.ok(
      d.warnings.some((w) =>
        w.startsWith(
          'metadata.tsv beside the embeddings was not used: this metadata file leads through a symbolic link',
        ),
      ),
      d.warnings.join('|'),
    );
    await expectError(
      () => loadDataset(path.join(ws, 'linked', 'emb.npy'), restricted),
      InputError,
      'this file leads through a symbolic link',
    );
    // A manifest that is itself a link out is not even parsed.
    fs.mkdirSync(path.join(ws, 'cfg'));
    write(path.join(tmp, 'shared', 'embeddings.json'), JSON.stringify({ embeddings: 'emb.npy', labels: 'labels.txt' }));
    fs.symlinkSync(path.join(tmp, 'shared', 'embeddings.json'), path.join(ws, 'cfg', 'embeddings.json'));
    await expectError(
      () => loadDataset(path.join(ws, 'cfg'), restricted),
      InputError,
      'this embeddings.json leads through a symbolic link',
    );
  });

  it('a TensorFlow checkpoint whose .data shard links out: trusted reads it, Restricted Mode refuses the shard, naming it', async () => {
    const src = fixture('projector_ckpt'),
      dir = path.join(ws, 'ckpt'),
      shard = 'embedding.ckpt-1.data-00000-of-00001';
    for (const f of fs.readdirSync(src)) if (f !== shard) write(path.join(dir, f), fs.readFileSync(path.join(src, f)));
    write(path.join(tmp, 'shared', shard), fs.readFileSync(path.join(src, shard)));
    fs.symlinkSync(path.join(tmp, 'shared', shard), path.join(dir, shard));
    const trusted = await loadDataset(dir, { workspaceRoots: [ws] });
    assert.ok(trusted.n > 0);
    const err = await expectError(
      () => loadDataset(dir, { workspaceRoots: [ws], confineToWorkspace: true }),
      InputError,
      `this checkpoint data file leads through a symbolic link to ${path.join(tmp, 'shared', shard)}, outside the workspace folders: Restricted Mode reads only files inside them`,
    );
    assert.strictEqual((err as InputError).file, path.join(dir, shard));
  });
});
