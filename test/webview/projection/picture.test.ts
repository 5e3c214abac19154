import * as assert from './assert';
import type { DatasetView } from '../../../src/shared/protocol';
import { cellBackground, sampleImage } from '../../../webview/projection/picture';
import { validateDataset } from '../../../webview/projection/validate';

const sprite = { uri: 'uri:sprite.png', width: 56, height: 56, cellWidth: 8, cellHeight: 8, columns: 7 };
const ds = (over: Partial<DatasetView> = {}): DatasetView => ({
  id: 'a',
  name: 'x',
  n: 40,
  dim: 4,
  classNames: ['p'],
  labels: new Int32Array(40),
  imageDirs: [],
  imageDir: new Int32Array(0),
  imageUris: [],
  sampleTitles: [],
  sprite,
  ...over,
});

/** Where the cell's top-left sheet pixel lands in a box of `box` px, from the CSS background values (as the browser
 * computes them). */
function landing(bg: { size: string; position: string }, box: number): { scale: number; x: number; y: number } {
  const [sw, sh] = bg.size.split(' ').map((v) => (parseFloat(v) / 100) * box);
  const [px, py] = bg.position.split(' ').map((v) => parseFloat(v) / 100);
  return { scale: sw / 56, x: (box - sw) * px, y: (box - sh) * py };
}

describe("a sample's picture: an image file or its sprite cell", () => {
  it('an image file of its own first, else cell i of the sprite, row-major; none outside 0..n-1', () => {
    const uris = Array.from({ length: 40 }, (_, i) => (i === 3 ? 'uri:own.png' : ''));
    const d = ds({ imageUris: uris, sampleTitles: uris.map(() => '') });
    assert.deepEqual(sampleImage(d, 3), { uri: 'uri:own.png' });
    assert.deepEqual(sampleImage(d, 9), {
      uri: 'uri:sprite.png',
      cell: { x: 16, y: 8, w: 8, h: 8, sheetWidth: 56, sheetHeight: 56 },
    });
    assert.deepEqual(sampleImage(d, 39), {
      uri: 'uri:sprite.png',
      cell: { x: 32, y: 40, w: 8, h: 8, sheetWidth: 56, sheetHeight: 56 },
    });
    assert.equal(sampleImage(d, 40), null);
    assert.equal(sampleImage(ds({ sprite: undefined }), 0), null);
  });

  it('the CSS background puts exactly the cell in the box, scaled to fill it (to a thousandth of a pixel)', () => {
    for (const i of [0, 6, 9, 39]) {
      const c = sampleImage(ds(), i)!.cell!;
      const at = landing(cellBackground(c), 96);
      assert.equal(at.scale, 12);
      assert.ok(
        Math.abs(at.x + c.x * 12) < 1e-3 && Math.abs(at.y + c.y * 12) < 1e-3,
        `cell ${i}: sheet moved to (${at.x}, ${at.y}), expected (${-c.x * 12}, ${-c.y * 12})`,
      );
    }
    assert.equal(
      cellBackground({ x: 0, y: 0, w: 8, h: 8, sheetWidth: 8, sheetHeight: 8 }).position,
      '0% 0%',
      'a one-cell sheet',
    );
    assert.equal(cellBackground({ x: 0, y: 0, w: 10, h: 6, sheetWidth: 70, sheetHeight: 70 }).aspectRatio, '10 / 6');
  });

  it('a sprite that cannot hold n cells is rejected', () => {
    assert.equal(validateDataset(ds()), null);
    assert.match(validateDataset(ds({ sprite: { ...sprite, height: 40 } }))!, /cannot hold 40 cells/);
    assert.match(validateDataset(ds({ sprite: { ...sprite, uri: '' } }))!, /uri/);
    assert.match(validateDataset(ds({ sprite: { ...sprite, cellWidth: 0 } }))!, /positive integer/);
  });
});
