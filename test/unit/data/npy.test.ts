import * as assert from 'assert';
import { parseNpy, npyToEmbeddings, parseNpyHeader } from '../../../src/data/npy';
import { readNpyFile } from '../../../src/data/files';
import { InputError } from '../../../src/shared/dataset';
import { bytesOf, cases, expectError, fixture, plain } from './fixtures';

describe('data/npy: every case written by NumPy', () => {
  it('has fixtures for every dtype, both byte orders, both memory orders and all header versions', () => {
    const dtypes = new Set(cases.npy.map((c) => c.dtype));
    for (const d of [
      '<f2',
      '>f2',
      '<f4',
      '>f4',
      '<f8',
      '>f8',
      '|i1',
      '<i2',
      '>i2',
      '<i4',
      '>i4',
      '<i8',
      '>i8',
      '|u1',
      '<u2',
      '>u2',
      '<u4',
      '>u4',
      '<u8',
      '>u8',
      '|b1',
      '<U7',
      '>U4',
      '|S3',
    ]) {
      assert.ok(dtypes.has(d), `missing dtype ${d}`);
    }
    assert.ok(cases.npy.some((c) => c.fortran) && cases.npy.some((c) => !c.fortran && c.shape.length === 2));
    const versions = new Set(cases.npy.map((c) => bytesOf(c.file)[6]));
    assert.deepStrictEqual([...versions].sort(), [1, 2, 3]);
  });

  for (const c of cases.npy) {
    it(`${c.file}: dtype ${c.dtype}, shape (${c.shape.join(', ')}), values as NumPy reads them`, async () => {
      const a = parseNpy(bytesOf(c.file), c.file);
      assert.strictEqual(a.dtype, c.dtype);
      assert.deepStrictEqual(a.shape, c.shape);
      assert.strictEqual(a.fortranOrder && a.shape.length > 1, c.fortran);
      // NumPy's values are in C order; a Fortran file stores the transpose, so compare per index.
      const got = plain(a.data);
      if (a.fortranOrder && a.shape.length === 2) {
        const [r, k] = a.shape;
        for (let i = 0; i < r; i++) for (let j = 0; j < k; j++) assert.strictEqual(got[j * r + i], c.values[i * k + j]);
      } else assert.deepStrictEqual(got, c.values);
      // The file reader (header first, data straight into its own buffer) agrees with the in-memory parser.
      const b = await readNpyFile(fixture(c.file));
      assert.deepStrictEqual(plain(b.data), got);
    });
  }

  it("npyToEmbeddings gives row-major float32 equal to NumPy's C-order values, whatever the order and dtype", () => {
    for (const c of cases.npy.filter((x) => x.shape.length === 2 && x.shape[0] > 0 && /[fiu]/.test(x.dtype[1]))) {
      const e = npyToEmbeddings(parseNpy(bytesOf(c.file), c.file), c.file);
      assert.deepStrictEqual([e.n, e.dim], c.shape, c.file);
      const want = c.values.map((v) => Math.fround(Number(v)));
      assert.deepStrictEqual(Array.from(e.data), want, c.file);
    }
  });

  it('little-endian C-order float32 is read without copying the data (a view on the file buffer)', () => {
    const bytes = bytesOf('npy/emb_f4_le_C.npy');
    const a = parseNpy(bytes, 'x');
    const h = parseNpyHeader(bytes, 'x');
    assert.strictEqual((a.data as Float32Array).buffer, bytes.buffer);
    assert.strictEqual((a.data as Float32Array).byteOffset, bytes.byteOffset + h.dataOffset);
  });

  it('readNpyFile gives float32 data its own exactly-sized buffer (safe to transfer to a worker)', async () => {
    const a = await readNpyFile(fixture('npy/emb_f4_le_C.npy'));
    const d = a.data as Float32Array;
    assert.strictEqual(d.byteOffset, 0);
    assert.strictEqual(d.buffer.byteLength, d.byteLength);
  });
});

describe('data/npy: malformed files give an InputError naming the file and the problem', () => {
  for (const c of cases.malformed.filter((m) => m.file.endsWith('.npy') && !m.loader)) {
    it(`${c.file}: ${c.error}`, async () => {
      const err = await expectError(
        () => npyToEmbeddings(parseNpy(bytesOf(c.file), c.file), c.file),
        InputError,
        c.error,
      );
      assert.strictEqual((err as InputError).file, c.file);
      // The file reader reports the same problem without reading the data first.
      await expectError(
        async () => {
          const a = await readNpyFile(fixture(c.file));
          npyToEmbeddings(a, c.file);
        },
        InputError,
        c.error,
      );
    });
  }

  it('a 0-d array and an empty (0 x 4) array are not embeddings', () => {
    assert.throws(() => npyToEmbeddings(parseNpy(bytesOf('npy/emb_0d.npy'), 'a'), 'a'), /expected a 2-D array/);
    assert.throws(() => npyToEmbeddings(parseNpy(bytesOf('npy/emb_empty.npy'), 'b'), 'b'), /empty array/);
  });

  it('a header announcing a huge shape is refused as truncated before anything is allocated', () => {
    const good = bytesOf('npy/emb_f4_le_C.npy');
    const text = Buffer.from(good).toString('latin1').replace('(5, 3)', '(99999999, 9999)');
    assert.throws(() => parseNpy(Buffer.from(text, 'latin1'), 'huge.npy'), /truncated/);
  });
});
