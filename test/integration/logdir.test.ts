/**
 * A PyTorch log dir (SummaryWriter.add_embedding, written by scripts/fixtures/makePytorchLogdir.py
 * into the workspace's runs/) in the real extension host: one dataset per tag with its steps as
 * snapshots, the sprite's cells against the images the script gave add_embedding, pixel for pixel,
 * and the sprite errors naming the file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, until, ws } from './helpers';
import { decodePng } from '../e2e/png';
import { spriteCell } from '../../src/shared/sprite';
import { datasetView } from '../../src/views/datasetView';
import { repoRoot } from '../helpers/repoRoot';
import { pngHeader, tsvValues } from '../helpers/pytorchLogdir';

/** label_img.npy (float32, N x 3 x H x W, C order) as the script saved it: header length at bytes 8-9. */
function labelImages(): { n: number; h: number; w: number; values: Float32Array } {
  const b = fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'data', 'pytorch_logdir', 'label_img.npy'));
  const headerLen = b.readUInt16LE(8),
    header = b.toString('latin1', 10, 10 + headerLen);
  assert.match(header, /'descr': '<f4'/);
  const [n, c, h, w] = /'shape': \((\d+), (\d+), (\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  assert.equal(c, 3);
  const data = b.subarray(10 + headerLen);
  return { n, h, w, values: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

describe('PyTorch log dir with sprites (issue 16, item 4)', function () {
  this.timeout(120_000);
  const errors: string[] = [];
  const original = vscode.window.showErrorMessage;
  before(() => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (m: string, ...rest: unknown[]) => {
      errors.push(m);
      return (original as (m: string, ...r: unknown[]) => Thenable<unknown>).call(vscode.window, m, ...rest);
    };
  });
  after(async () => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
    await closeAll();
  });

  it('opens a tag as one dataset with its steps as snapshots in step order; a switch keeps the tag', async () => {
    const a = await api();
    const s = await a.inspector.open(ws('runs'), { embeddingsKey: 'embeddings' });
    assert.ok(s, 'the log dir opened');
    const d = s.dataset;
    assert.equal(d.name, 'runs · embeddings');
    assert.deepEqual(
      d.snapshots?.map((x) => [x.name, x.epoch]),
      [
        ['step 0', 0],
        ['step 10', 10],
      ],
    );
    assert.equal(d.activeSnapshot, 1, 'the last step opens first');
    assert.deepEqual(Array.from(d.embeddings), tsvValues(ws('runs', '00010', 'embeddings', 'tensors.tsv')));
    assert.deepEqual(d.classNames, ['ant', 'bee', 'cat', 'dog']);
    assert.equal(d.sprite?.path, ws('runs', '00010', 'embeddings', 'sprite.png'));
    // The panel hands the webview the sprite as a webview URI it may load (a workspace folder is a resource root).
    const panel = a.inspector.panelOf(s)!;
    const view = datasetView(s.id, d, (p) => panel.panel.webview.asWebviewUri(vscode.Uri.file(p)).toString());
    assert.match(decodeURIComponent(view.sprite!.uri), /runs\/00010\/embeddings\/sprite\.png$/);
    assert.deepEqual([view.sprite!.columns, view.sprite!.cellWidth, view.sprite!.cellHeight], [7, 8, 8]);
    // The sidebar's picker switches to step 0 of the same tag: no question about which tag.
    const before = errors.length;
    const first = await a.inspector.switchSnapshot(s, 0);
    assert.ok(first, 'switched');
    assert.equal(first.dataset.activeSnapshot, 0);
    assert.equal(first.dataset.name, 'runs · embeddings');
    assert.deepEqual(Array.from(first.dataset.embeddings), tsvValues(ws('runs', '00000', 'embeddings', 'tensors.tsv')));
    assert.equal(first.dataset.sprite?.path, ws('runs', '00000', 'embeddings', 'sprite.png'));
    assert.equal(errors.length, before, `no error: ${errors.slice(before).join(' | ')}`);
  });

  it("every sample's sprite cell is its image as add_embedding got it, pixel for pixel; cells past n are empty", async () => {
    const a = await api();
    const s = (await a.inspector.open(ws('runs'), { embeddingsKey: 'embeddings' }))!;
    const sheet = s.dataset.sprite!;
    const png = decodePng(fs.readFileSync(sheet.path));
    assert.deepEqual([png.width, png.height], [sheet.width, sheet.height]);
    const src = labelImages();
    assert.equal(src.n, s.dataset.n);
    let compared = 0;
    for (let i = 0; i < sheet.columns * sheet.columns; i++) {
      const c = spriteCell(sheet, i);
      for (let y = 0; y < c.h; y++)
        for (let x = 0; x < c.w; x++) {
          const o = ((c.y + y) * png.width + (c.x + x)) * 4;
          for (let ch = 0; ch < 3; ch++) {
            // make_sprite: np.uint8((x * 255).clip(0, 255)) on float64, so truncation, not rounding.
            const want =
              i < src.n
                ? Math.min(255, Math.max(0, Math.floor(src.values[((i * 3 + ch) * src.h + y) * src.w + x] * 255)))
                : 0;
            if (png.data[o + ch] !== want)
              assert.fail(
                `sample ${i}, pixel (${x}, ${y}) channel ${ch}: the sprite has ${png.data[o + ch]}, the image ${want}`,
              );
            compared++;
          }
        }
    }
    assert.equal(compared, 49 * 8 * 8 * 3);
    // Clicking a sprite sample has no file to open: the panel says so, naming its cell.
    const notice = await a.inspector.panelOf(s)!.openSample(9);
    assert.match(
      notice ?? '(no notice)',
      /^Sample 9 is a cell of sprite\.png \(row 2, column 3; pixels 16–23, 8–15\); it has no file of its own/,
    );
  });

  it('a sprite that does not fit its grid, or is over 8192 px a side, is an error naming the image', async () => {
    const a = await api();
    for (const [name, prepare, problem] of [
      [
        'runs_bad_size',
        (dir: string) => fs.writeFileSync(path.join(dir, '00010', 'embeddings', 'sprite.png'), pngHeader(56, 64)),
        /sprite\.png: the sprite image is 56 x 64 px, but 40 images of 8 x 8 px .* need 56 x 56 px/,
      ],
      [
        'runs_too_big',
        (dir: string) => {
          const cfg = path.join(dir, 'projector_config.pbtxt');
          fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(/single_image_dim: 8/g, 'single_image_dim: 1200'));
          fs.writeFileSync(path.join(dir, '00010', 'embeddings', 'sprite.png'), pngHeader(8400, 8400));
        },
        /sprite\.png: the sprite image is 8400 x 8400 px, larger than the 8192 x 8192 px/,
      ],
    ] as const) {
      const dir = ws(name);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(ws('runs'), dir, { recursive: true });
      prepare(dir);
      const before = errors.length;
      const s = await a.inspector.open(dir, { embeddingsKey: 'embeddings' });
      assert.equal(s, undefined, `${name}: nothing opens`);
      const shown = await until(
        () => errors.slice(before).find((m) => problem.test(m)),
        () => `${name}: an error naming the sprite (got ${JSON.stringify(errors.slice(before))})`,
        10_000,
      );
      assert.ok(
        shown.includes(`${name}/00010/embeddings/sprite.png`),
        `the error names the file as the explorer shows it: ${shown}`,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
