/**
 * PyTorch log dirs (SummaryWriter.add_embedding) against the fixture written by
 * scripts/fixtures/makePytorchLogdir.py, which follows torch/utils/tensorboard: one dataset per tag,
 * its steps as snapshots, the sprite's grid, and the sprite errors naming the file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AmbiguousChoiceError, discoverDatasets, InputError, loadDataset } from '../../../src/data/index';
import { projectorSeries, pytorchStep, tensorRows } from '../../../src/data/logdir';
import { parseProjectorConfig } from '../../../src/data/projector';
import { imageSize } from '../../../src/data/sprite';
import { spriteCell, spriteColumns, spriteProblem } from '../../../src/shared/sprite';
import { repoRoot } from '../../helpers/repoRoot';
import { pngHeader, tsvValues } from '../../helpers/pytorchLogdir';

const RUNS = path.join(repoRoot(), 'test', 'fixtures', 'workspace', 'runs');

/** A scratch copy of the fixture log dir. */
function copyRuns(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-logdir-'));
  fs.cpSync(RUNS, path.join(dir, 'runs'), { recursive: true });
  return path.join(dir, 'runs');
}

describe('data/logdir: PyTorch add_embedding log dirs', () => {
  it('parses each entry with its sprite and groups the entries by tag, steps in order', () => {
    const entries = parseProjectorConfig(fs.readFileSync(path.join(RUNS, 'projector_config.pbtxt'), 'utf8'), 'p');
    assert.deepStrictEqual(entries[0].sprite, { imagePath: '00000/embeddings/sprite.png', singleImageDim: [8, 8] });
    assert.deepStrictEqual(entries.map(pytorchStep), [
      { tag: 'embeddings', step: 0 },
      { tag: 'embeddings', step: 10 },
      { tag: 'features/val', step: 10 },
    ]);
    const series = projectorSeries(entries);
    assert.deepStrictEqual(
      series.map((s) => [s.key, s.steps.map((x) => x.step)]),
      [
        ['embeddings', [0, 10]],
        ['features/val', [10]],
      ],
    );
  });

  it('the same step logged twice (global_step=None) is one step, the later entry; other entries stay alone', () => {
    const text = [
      'embeddings { tensor_name: "default:00000" tensor_path: "00000/default/tensors.tsv" }',
      'embeddings { tensor_name: "default:00003" tensor_path: "00003/default/tensors.tsv" }',
      'embeddings { tensor_name: "default:00000" tensor_path: "00000/default/tensors.tsv" metadata_path: "00000/default/metadata.tsv" }',
      'embeddings { tensor_name: "word:00000" tensor_path: "elsewhere/tensors.tsv" }',
    ].join('\n');
    const series = projectorSeries(parseProjectorConfig(text, 'p'));
    assert.deepStrictEqual(
      series.map((s) => [s.key, s.tag, s.steps.map((x) => x.step)]),
      [
        ['default', 'default', [0, 3]],
        ['word:00000', undefined, [undefined]],
      ],
    );
    assert.strictEqual(
      series[0].steps[0].entry.metadataPath,
      '00000/default/metadata.tsv',
      'the later entry of step 0',
    );
  });

  it('counts rows of a tensors.tsv without parsing it', async () => {
    assert.strictEqual(await tensorRows(path.join(RUNS, '00000', 'embeddings', 'tensors.tsv')), 40);
    assert.strictEqual(await tensorRows(path.join(RUNS, '00010', 'features%2fval', 'tensors.tsv')), 30);
  });

  it('a log dir with two tags is a choice; a tag opens as one dataset with its steps as snapshots, the last first', async () => {
    await assert.rejects(
      loadDataset(RUNS),
      (e: unknown) =>
        e instanceof AmbiguousChoiceError &&
        e.key === 'embeddingsKey' &&
        e.options.join() === 'embeddings,features/val',
    );
    const d = await loadDataset(RUNS, { embeddingsKey: 'embeddings' });
    assert.deepStrictEqual(
      d.snapshots?.map((s) => [s.name, s.epoch, path.relative(RUNS, s.path)]),
      [
        ['step 0', 0, '00000/embeddings/tensors.tsv'],
        ['step 10', 10, '00010/embeddings/tensors.tsv'],
      ],
    );
    assert.strictEqual(d.activeSnapshot, 1);
    assert.strictEqual(d.name, 'runs · embeddings');
    assert.deepStrictEqual([d.n, d.dim], [40, 8]);
    assert.deepStrictEqual(Array.from(d.embeddings), tsvValues(path.join(RUNS, '00010', 'embeddings', 'tensors.tsv')));
    assert.deepStrictEqual(d.classNames, ['ant', 'bee', 'cat', 'dog']);
    assert.deepStrictEqual(Array.from(d.labels.slice(0, 5)), [0, 1, 2, 3, 0]);
    assert.strictEqual(d.metadata?.name.at(7), 's07');
    assert.deepStrictEqual(d.files.manifest, path.join(RUNS, 'projector_config.pbtxt'));
    assert.strictEqual(d.files.embeddingsKey, 'embeddings');
    assert.deepStrictEqual(d.sprite, {
      path: path.join(RUNS, '00010', 'embeddings', 'sprite.png'),
      width: 56,
      height: 56,
      cellWidth: 8,
      cellHeight: 8,
      columns: 7,
    });
    const first = await loadDataset(RUNS, { embeddingsKey: 'embeddings', snapshot: 0 });
    assert.deepStrictEqual(
      Array.from(first.embeddings),
      tsvValues(path.join(RUNS, '00000', 'embeddings', 'tensors.tsv')),
    );
    assert.strictEqual(first.sprite?.path, path.join(RUNS, '00000', 'embeddings', 'sprite.png'));
    // A tensor name opens its tag at that step; the second tag has one step, single-column metadata, no sprite.
    assert.strictEqual(
      (await loadDataset(path.join(RUNS, 'projector_config.pbtxt'), { embeddingsKey: 'embeddings:00000' }))
        .activeSnapshot,
      0,
    );
    const val = await loadDataset(RUNS, { embeddingsKey: 'features/val' });
    assert.deepStrictEqual(
      [val.n, val.dim, val.classNames, val.snapshots, val.sprite],
      [30, 5, ['0', '1', '2'], undefined, undefined],
    );
  });

  it('steps of a tag with different row counts are not snapshots of one dataset: a choice by row count', async () => {
    const runs = copyRuns();
    const t10 = path.join(runs, '00010', 'embeddings', 'tensors.tsv');
    fs.writeFileSync(t10, fs.readFileSync(t10, 'utf8').split('\n').slice(0, 30).join('\n') + '\n');
    fs.unlinkSync(path.join(runs, '00010', 'embeddings', 'metadata.tsv'));
    await assert.rejects(
      loadDataset(runs, { embeddingsKey: 'embeddings' }),
      (e: unknown) =>
        e instanceof AmbiguousChoiceError && e.options.join() === 'embeddings (40 rows),embeddings (30 rows)',
    );
    const d = await loadDataset(runs, { embeddingsKey: 'embeddings (40 rows)' });
    assert.deepStrictEqual([d.n, d.snapshots, d.activeSnapshot], [40, undefined, undefined]);
  });

  it('discovery offers the log dir once (its step folders are part of it), saying what it holds', async () => {
    const found = await discoverDatasets([path.dirname(RUNS)]);
    const here = found.filter((c) => c.target.startsWith(RUNS));
    assert.deepStrictEqual(
      here.map((c) => [c.label, c.kind]),
      [['runs', 'projector']],
    );
    assert.match(here[0].detail, /PyTorch add_embedding\): embeddings \(2 steps, images\), features\/val \(1 step\)/);
  });
});

describe('data/sprite: sprite sheets', () => {
  it('grid of ceil(sqrt(n)) cells a side, row-major', () => {
    assert.deepStrictEqual([1, 2, 4, 5, 40, 49, 50, 10000, 10001].map(spriteColumns), [1, 2, 2, 3, 7, 7, 8, 100, 101]);
    const g = { width: 56, height: 56, cellWidth: 8, cellHeight: 6, columns: 7 };
    assert.deepStrictEqual(
      [0, 6, 7, 39].map((i) => spriteCell(g, i)),
      [
        { x: 0, y: 0, w: 8, h: 6 },
        { x: 48, y: 0, w: 8, h: 6 },
        { x: 0, y: 6, w: 8, h: 6 },
        { x: 32, y: 30, w: 8, h: 6 },
      ],
    );
  });

  it('the sheet must fit the grid (PyTorch pads cells wider than tall to a square) and stay within 8192 px', () => {
    assert.strictEqual(spriteProblem(40, 56, 56, 8, 8), '');
    assert.strictEqual(spriteProblem(40, 70, 42, 10, 6), '', 'TensorFlow-style: 7 x 10 by 7 x 6');
    assert.strictEqual(
      spriteProblem(40, 70, 70, 10, 6),
      '',
      'PyTorch make_sprite: padded to a square of the grid width',
    );
    assert.match(spriteProblem(40, 56, 64, 8, 8), /56 x 64 px, but 40 images of 8 x 8 px .* 7 x 7 need 56 x 56 px/);
    assert.match(spriteProblem(40, 42, 42, 6, 10), /need 42 x 70/, 'cells taller than wide: no square padding');
    assert.match(spriteProblem(40, 8400, 8400, 1200, 1200), /8400 x 8400 px, larger than the 8192 x 8192 px/);
  });

  it('reads sizes from PNG, GIF, WebP and JPEG headers', () => {
    assert.deepStrictEqual(imageSize(fs.readFileSync(path.join(RUNS, '00000', 'embeddings', 'sprite.png'))), {
      width: 56,
      height: 56,
      format: 'PNG',
    });
    assert.deepStrictEqual(imageSize(Buffer.from('GIF89a\x20\x01\x10\x00', 'latin1')), {
      width: 288,
      height: 16,
      format: 'GIF',
    });
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x01, 0x2c, 0x02, 0x58, 3, 0, 0, 0,
    ]);
    assert.deepStrictEqual(imageSize(jpeg), { width: 600, height: 300, format: 'JPEG' });
    assert.strictEqual(imageSize(Buffer.from('not an image at all, really')), undefined);
  });

  it('a sprite that does not fit its grid, or is over 8192 px, is an error naming the image', async () => {
    const runs = copyRuns();
    const sprite = path.join(runs, '00010', 'embeddings', 'sprite.png');
    fs.writeFileSync(sprite, pngHeader(56, 64));
    await assert.rejects(
      loadDataset(runs, { embeddingsKey: 'embeddings' }),
      (e: unknown) =>
        e instanceof InputError && e.file === sprite && /56 x 64 px, but 40 images of 8 x 8/.test(e.problem),
    );
    const cfg = path.join(runs, 'projector_config.pbtxt');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(/single_image_dim: 8/g, 'single_image_dim: 1200'));
    fs.writeFileSync(sprite, pngHeader(8400, 8400));
    await assert.rejects(
      loadDataset(runs, { embeddingsKey: 'embeddings' }),
      (e: unknown) => e instanceof InputError && e.file === sprite && /larger than the 8192 x 8192/.test(e.problem),
    );
    fs.writeFileSync(sprite, 'GIF');
    await assert.rejects(
      loadDataset(runs, { embeddingsKey: 'embeddings' }),
      (e: unknown) => e instanceof InputError && e.file === sprite && /not a PNG, JPEG, GIF or WebP/.test(e.problem),
    );
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(/ *single_image_dim: 1200\n/g, ''));
    await assert.rejects(
      loadDataset(runs, { embeddingsKey: 'embeddings' }),
      (e: unknown) =>
        e instanceof InputError && e.file === cfg && /single_image_dim must be two positive integers/.test(e.problem),
    );
  });

  it('a sprite path that leads out of the folder is refused before anything is read', async () => {
    const runs = copyRuns();
    const cfg = path.join(runs, 'projector_config.pbtxt');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('"00010/embeddings/sprite.png"', '"../../outside.png"'));
    await assert.rejects(
      loadDataset(runs, { embeddingsKey: 'embeddings' }),
      (e: unknown) => e instanceof InputError && e.file === cfg && /sprite\.image_path/.test(e.problem),
    );
  });
});
