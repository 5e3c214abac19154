/**
 * SampleSources against the plain `(SampleSource | undefined)[]` it replaces: every value reads back
 * as given (undefined entries and holes, unicode paths, lines, kinds, the odd values kept whole),
 * the Array methods the consumers call answer as the array's do, and the parts survive a
 * structured clone with their buffers transferred (the load worker's way to the host).
 */
import * as assert from 'node:assert/strict';
import type { SampleSource } from '../../../src/shared/dataset';
import { SampleSources } from '../../../src/shared/sampleSources';
import { transferablesOf } from '../../../src/worker/rpc';
import { rng } from '../../helpers/rng';

type Sources = (SampleSource | undefined)[];

/** Every way of reading s gives what the array gives. */
function assertSame(s: SampleSources, a: Sources): void {
  assert.equal(s.length, a.length);
  assert.deepStrictEqual(s.toArray(), Array.from(a));
  // As `array[i]`: a negative, fractional or out-of-range index has no source (not Array.at's rule).
  for (const i of [...a.keys(), -1, -a.length, 0.5, a.length - 0.5, a.length, NaN]) {
    assert.deepStrictEqual(s.at(i), a[i], `at(${i})`);
    assert.equal(s.pathAt(i), a[i]?.path, `pathAt(${i})`);
    assert.equal(s.nameAt(i), a[i]?.path.split(/[\\/]/).pop(), `nameAt(${i})`);
    assert.equal(s.lineAt(i), a[i]?.line, `lineAt(${i})`);
  }
  const title = (x: SampleSource | undefined, i: number): string => (x ? `${i}:${x.path}#${x.line}:${x.kind}` : `${i}`);
  assert.deepStrictEqual(
    s.map(title),
    Array.from(a, (x, i) => title(x, i)),
  );
  for (const want of [...a.slice(0, 20).map((x) => x?.path), a.at(-1)?.path, 'nowhere']) {
    const pred = (x: SampleSource | undefined): boolean => x?.path === want;
    assert.equal(s.findIndex(pred), Array.from(a).findIndex(pred), `findIndex ${want}`);
    assert.equal(s.some(pred), Array.from(a).some(pred), `some ${want}`);
  }
  assert.equal(
    s.some((x) => x !== undefined),
    Array.from(a).some((x) => x !== undefined),
  );
}

/** Through a structured clone with every buffer transferred, as the load worker posts it. */
function acrossThreads(s: SampleSources): SampleSources {
  const transfer = transferablesOf(s);
  const copy = structuredClone(s, { transfer });
  assert.ok(transfer.length >= 4, 'bytes, starts, lines and kinds are transferred');
  assert.equal(s.kind.byteLength, 0, 'moved, not copied: the sender keeps detached arrays');
  return SampleSources.revive(copy);
}

describe('shared: SampleSources (sample sources in typed arrays)', () => {
  const mixed: Sources = [
    { path: '/w/img/0.png', kind: 'image' },
    undefined,
    { path: '/w/t/notes.txt', line: 12, kind: 'text' },
    { path: '/w/t/notes.txt', kind: 'text' },
    undefined,
    { path: '/w/img/1.jpg', kind: 'image' },
  ];

  it('reads back the array it was made from: images, texts with and without a line, undefined entries', () => {
    assertSame(SampleSources.fromArray(mixed), mixed);
    assert.equal(SampleSources.fromArray(mixed).paths.ascii, true);
  });

  it('an empty dataset, and one with no source at all', () => {
    assertSame(SampleSources.fromArray([]), []);
    assertSame(SampleSources.fromArray([undefined, undefined, undefined]), [undefined, undefined, undefined]);
    assert.equal(SampleSources.fromArray([]).paths.bytes.length, 0);
  });

  it('holes read as undefined', () => {
    const holes: Sources = new Array(4);
    holes[2] = { path: '/w/a.png', kind: 'image' };
    const s = SampleSources.fromArray(holes);
    assert.deepStrictEqual(s.toArray(), [undefined, undefined, { path: '/w/a.png', kind: 'image' }, undefined]);
    assert.deepStrictEqual(s.at(2), holes[2]);
  });

  it('unicode paths: accents (both normal forms), CJK, emoji, an empty path; a lone surrogate kept whole', () => {
    const u: Sources = [
      { path: '/w/ü.png', kind: 'image' },
      { path: '/w/u\u0308.png', kind: 'image' },
      { path: '/数据/图像/猫.jpg', kind: 'image' },
      { path: '/w/🐈‍⬛/cat.png', kind: 'image' },
      { path: '', kind: 'text' },
      { path: 'C:\\w\\bad\uD800name.txt', line: 3, kind: 'text' },
      { path: '/w/lone\uDC00', kind: 'image' },
      { path: '/w/plain.png', kind: 'image' },
      { path: 'C:\\w\\图\\x.txt', line: 7, kind: 'text' },
      { path: 'relative.txt', kind: 'text' },
    ];
    const s = SampleSources.fromArray(u);
    assertSame(s, u);
    assert.equal(s.paths.ascii, false);
    assert.deepStrictEqual(
      s.paths.odd.map(([i]) => i),
      [5, 6],
      'only the paths UTF-8 cannot hold are kept whole',
    );
    assert.equal(s.odd.length, 0, 'by the path column: the sources themselves are plain');
  });

  it('lines: 1 and the largest Int32 in the array; beyond it, fractions and 0 kept whole', () => {
    const lines: Sources = [1, 2 ** 31 - 1, 2 ** 31, 1e21, 2.5, 0, -4].map((line) => ({
      path: `/w/t${line}.txt`,
      line,
      kind: 'text',
    }));
    const s = SampleSources.fromArray(lines);
    assertSame(s, lines);
    assert.equal(s.odd.length, 5);
  });

  it('sources with fields of their own, or line: undefined, read back with them', () => {
    const odd = [
      { path: '/w/a.png', kind: 'image', line: undefined },
      { path: '/w/b.png', kind: 'image', extra: 1 },
      { path: '/w/c.png', line: 4, kind: 'image' },
    ] as Sources;
    assertSame(SampleSources.fromArray(odd), odd);
  });

  it('crosses threads as transferred buffers and reads back the same', () => {
    const u: Sources = [...mixed, { path: '/数据/猫.jpg', kind: 'image' }, { path: '/w/x\uD800', kind: 'text' }];
    assertSame(acrossThreads(SampleSources.fromArray(u)), u);
    assertSame(acrossThreads(SampleSources.fromArray([])), []);
  });

  it('5 000 random sources: the same as the array, before and after a clone', () => {
    const r = rng(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
    const parts = ['images', 'täxt', 'a', 'long-folder-name-'.repeat(8), '猫', 'x y'];
    const a: Sources = Array.from({ length: 5000 }, (_, i) => {
      const roll = r();
      if (roll < 0.2) return undefined;
      const path = `/${pick(parts)}/${pick(parts)}/${i}.${roll < 0.6 ? 'png' : 'txt'}`;
      if (roll < 0.6) return { path, kind: 'image' };
      return roll < 0.8 ? { path, line: 1 + Math.floor(r() * 1e6), kind: 'text' } : { path, kind: 'text' };
    });
    const s = SampleSources.fromArray(a);
    assertSame(s, a);
    assertSame(acrossThreads(s), a);
  });
});
