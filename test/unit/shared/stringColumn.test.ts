/**
 * StringColumn against the plain `string[]` it replaces: every value reads back as given (unicode,
 * empty strings, a leading byte-order mark, lone surrogates and undefined entries kept whole, an
 * empty column), an index reads as `array[i]` does, and the parts survive a structured clone with
 * their buffers transferred (the load worker's way to the host), for many columns at once.
 */
import * as assert from 'node:assert/strict';
import {
  StringColumn,
  reviveStringColumns,
  toStringColumns,
  utf8Length,
  type StringColumnParts,
} from '../../../src/shared/stringColumn';
import { transferablesOf } from '../../../src/worker/rpc';
import { rng } from '../../helpers/rng';

type Values = (string | undefined)[];

/** Every way of reading c gives what the array gives. */
function assertSame(c: StringColumn, a: Values): void {
  assert.equal(c.length, a.length);
  assert.deepStrictEqual(c.toArray(), Array.from(a));
  for (const i of [...a.keys(), -1, -a.length, 0.5, a.length - 0.5, a.length, NaN])
    assert.equal(c.at(i), a[i], `at(${i})`);
  assert.deepStrictEqual(
    c.map((s, i) => `${i}:${s}`),
    Array.from(a, (s, i) => `${i}:${s}`),
  );
}

/** Through a structured clone with every buffer transferred, as the load worker posts it. */
function acrossThreads<T extends object>(x: T): T {
  const transfer = transferablesOf(x);
  return structuredClone(x, { transfer });
}

describe('shared: StringColumn (string columns in typed arrays)', () => {
  it('reads back ASCII values, empty strings among them', () => {
    const a = ['a', '', 'query', 'gallery', '', '  padded  ', 'tab\there', 'line\nbreak', ''];
    const c = StringColumn.fromArray(a);
    assertSame(c, a);
    assert.equal(c.ascii, true);
    assert.equal(c.odd.length, 0);
    assert.equal(c.bytes.length, a.join('').length);
  });

  it('an empty column, and one of empty strings only', () => {
    assertSame(StringColumn.fromArray([]), []);
    assert.equal(StringColumn.fromArray([]).bytes.length, 0);
    assertSame(StringColumn.fromArray(['', '', '']), ['', '', '']);
  });

  it('unicode: accents (both normal forms), CJK, emoji with joiners, a leading byte-order mark, U+FFFD', () => {
    const a = ['ü', 'u\u0308', '猫', '数据/图像', '🐈‍⬛', '\uFEFFfirst', 'x\uFEFF', '\uFFFD', 'ß', ''];
    const c = StringColumn.fromArray(a);
    assertSame(c, a);
    assert.equal(c.ascii, false);
    assert.equal(c.odd.length, 0, 'all of them UTF-8 holds');
  });

  it('lone surrogates and undefined entries (holes too) are kept whole, in index order', () => {
    const a: Values = ['ok', 'bad\uD800', undefined, '\uDC00', 'x\uDBFF\uDBFF', '', '\uD83D\uDC08'];
    a[9] = 'after a hole';
    const c = StringColumn.fromArray(a);
    assertSame(c, a);
    assert.deepStrictEqual(
      c.odd.map(([i]) => i),
      [1, 2, 3, 4, 7, 8],
    );
    assert.equal(c.isOdd(5), false, 'an empty string is not odd');
    assert.equal(c.isOdd(1), true);
  });

  it('utf8Length agrees with TextEncoder, and is -1 for a lone surrogate', () => {
    for (const s of ['', 'abc', 'é', '猫', '🐈', 'a\u0800b', '\u07ff'])
      assert.equal(utf8Length(s), new TextEncoder().encode(s).length, s);
    for (const s of ['\uD800', '\uDC00x', 'a\uD800b', '\uD83D']) assert.equal(utf8Length(s), -1);
  });

  it('long values: ASCII past the one-call decode (4096 bytes), and long non-ASCII', () => {
    const a = ['a'.repeat(5000), 'b', 'é'.repeat(3000), 'z'.repeat(4095)];
    assertSame(StringColumn.fromArray(a), a);
    assertSame(StringColumn.fromArray([a[0], a[3]]), [a[0], a[3]]);
  });

  it('crosses threads as transferred buffers and reads back the same', () => {
    const a: Values = ['a', '数', '', 'x\uD800', undefined];
    const c = StringColumn.fromArray(a);
    const copy = acrossThreads(c) as StringColumnParts;
    assert.equal(c.bytes.byteLength, 0, 'moved, not copied: the sender keeps detached arrays');
    assert.ok(!(copy instanceof StringColumn), 'a structured clone keeps the fields, not the class');
    assertSame(StringColumn.revive(copy), a);
    assertSame(StringColumn.revive(acrossThreads(StringColumn.fromArray([]))), []);
  });

  it('many columns: the same values and the same column order after a clone', () => {
    const r = rng(11);
    const parts = ['query', 'gallery', 'c1', 'täxt', '猫', '', ' x ', '🐈', '\uD800'];
    const names = ['label', 'split', 'camera', 'x', 'y', '2', '10', 'image', 'note', 'Ünïcode'];
    const columns: Record<string, string[]> = {};
    for (const name of names)
      columns[name] = Array.from({ length: 3000 }, () =>
        Array.from({ length: Math.floor(r() * 4) }, () => parts[Math.floor(r() * parts.length)]).join(''),
      );
    const compact = toStringColumns(columns);
    assert.deepStrictEqual(Object.keys(compact), Object.keys(columns));
    for (const name of names) assertSame(compact[name], columns[name]);
    const back = reviveStringColumns(acrossThreads(compact));
    assert.deepStrictEqual(Object.keys(back), Object.keys(columns));
    for (const name of names) assertSame(back[name], columns[name]);
  });
});
