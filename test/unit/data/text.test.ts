import * as assert from 'assert';
import { DelimitedReader, parseNumber, parseVectorCell } from '../../../src/data/text';
import { parseDelimitedTable, parseJsonl, parseNumericTsv } from '../../../src/data/tabular';
import { parseMetadataTsv, parseProjectorConfig } from '../../../src/data/projector';
import { fastNumericRows } from '../../../src/data/fastTsv';
import { InputError } from '../../../src/shared/dataset';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const num = (s: string): number => {
  const b = enc(s);
  return parseNumber(b, 0, b.length);
};

/** A deterministic generator so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('data/text: number parsing', () => {
  it('agrees with parseFloat, rounded to float32 (ties included), on 20 000 numbers in the formats scripts write', () => {
    const rnd = lcg(7);
    for (let k = 0; k < 20000; k++) {
      const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 12 - 6);
      const f32 = Math.fround(v);
      // Shapes: JS shortest, numpy '%.18e', '%.6f', float32 repr, exponent without sign, leading '+'.
      for (const s of [
        String(v),
        v.toExponential(18),
        v.toFixed(6),
        String(f32),
        f32.toExponential(8).replace('e+', 'e'),
        `+${Math.abs(v)}`,
        ` ${v}\r`,
      ]) {
        const got = num(s);
        assert.strictEqual(Math.fround(got), Math.fround(parseFloat(s)), `'${s}'`);
      }
    }
  });

  it('is exact (the correctly rounded double) for up to 15 digits', () => {
    for (const s of [
      '0.1',
      '-2.5e-3',
      '123456789012345',
      '1e22',
      '9.99999999999999e-1',
      '0.000001234',
      '7.',
      '.5',
      '1E5',
      '-0',
    ]) {
      assert.strictEqual(num(s), parseFloat(s), s);
    }
  });

  it('reads inf / nan words, and returns NaN for text that is not a number', () => {
    assert.strictEqual(num('inf'), Infinity);
    assert.strictEqual(num('-Infinity'), -Infinity);
    for (const s of ['nan', '', 'abc', '1.2.3', '1e', '--1', '0x10', '1,5', '.', '-'])
      assert.ok(Number.isNaN(num(s)), s);
    assert.strictEqual(num('1e400'), Infinity);
    assert.strictEqual(num('1e-400'), 0);
  });

  it('parses vectors held in one cell in the common spellings', () => {
    for (const s of ['[1, 2.5, -3]', '1 2.5 -3', '(1,2.5,-3)', '1;2.5;-3', ' [ 1,  2.5 , -3 ] ']) {
      const b = enc(s);
      assert.deepStrictEqual(parseVectorCell(b, 0, b.length), [1, 2.5, -3], s);
    }
  });
});

describe('data/text: delimited rows', () => {
  it('splits quoted CSV fields with delimiters, doubled quotes and newlines; CRLF and BOM handled', () => {
    const r = new DelimitedReader(enc('\ufeffa,"b,c","say ""hi""\nthere"\r\n1,2,3\r\n'), 44, 'f.csv');
    assert.ok(r.next());
    assert.deepStrictEqual([r.text(0), r.text(1), r.text(2)], ['a', 'b,c', 'say "hi"\nthere']);
    assert.ok(r.next());
    assert.strictEqual(r.lineNo, 3);
    assert.deepStrictEqual([r.number(0), r.number(1), r.number(2)], [1, 2, 3]);
    assert.ok(!r.next());
  });

  it('numeric TSV: values row-major, trailing newline optional, ragged line named', () => {
    const t = parseNumericTsv(enc('1\t2\t3\n4\t5\t6'), 't.tsv');
    assert.deepStrictEqual([t.n, t.dim, Array.from(t.embeddings)], [2, 3, [1, 2, 3, 4, 5, 6]]);
    assert.strictEqual(t.embeddings.buffer.byteLength, 24);
    assert.throws(
      () => parseNumericTsv(enc('1\t2\n3\t4\n5\n'), 't.tsv'),
      (e: unknown) => e instanceof InputError && e.message === 't.tsv: line 3 has 1 values, expected 2',
    );
    assert.throws(() => parseNumericTsv(enc('1\t2\n3\tnan\n'), 't.tsv'), /row 2, column 2 is NaN/);
    assert.throws(() => parseNumericTsv(enc('1\t2\n3\tx\n'), 't.tsv'), /line 2, column 2: 'x' is not a number/);
    assert.throws(() => parseNumericTsv(enc('\n\n'), 't.tsv'), /empty/);
  });

  it('the one-pass TSV fast path equals the general reader, and gives up on anything unusual', () => {
    const rnd = lcg(11);
    const general = (b: Uint8Array): number[] => {
      const r = new DelimitedReader(b, 9, 'g');
      const out: number[] = [];
      while (r.next()) for (let i = 0; i < r.count; i++) out.push(Math.fround(r.number(i)));
      return out;
    };
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(rnd() * 5);
      const dim = 1 + Math.floor(rnd() * 6);
      const eol = rnd() < 0.5 ? '\n' : '\r\n';
      const cell = (): string => {
        const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 10 - 5);
        return [
          String(v),
          v.toExponential(18),
          v.toFixed(4),
          Math.fround(v).toPrecision(8),
          `+${Math.abs(v)}`,
          v.toExponential(3).toUpperCase(),
        ][Math.floor(rnd() * 6)];
      };
      const text =
        Array.from({ length: rows }, () => Array.from({ length: dim }, cell).join('\t')).join(eol) +
        (rnd() < 0.5 ? eol : '') +
        (rnd() < 0.2 ? '\n\n' : '');
      const b = enc(text);
      const out = new Float32Array(rows * dim);
      assert.strictEqual(fastNumericRows(b, 0, 9, dim, out), rows, JSON.stringify(text));
      assert.deepStrictEqual(Array.from(out), general(b), JSON.stringify(text));
    }
    const give = (t: string, dim: number): number => fastNumericRows(enc(t), 0, 9, dim, new Float32Array(16));
    for (const t of [
      '1\t"2"\n',
      '1\tnan\n',
      '1\t2\t3\n',
      '1\n2\t3\n',
      '1\t2\n\n3\t4\n',
      '1 \t2\n',
      '1\t\n',
      'inf\t1\n',
    ])
      assert.strictEqual(give(t, 2), -1, JSON.stringify(t));
    // A value finite as a double but past float32's range is caught after the fast path.
    assert.throws(
      () => parseNumericTsv(enc('1\t2\n3\t1e39\n'), 'big.tsv'),
      /row 2, column 2 is beyond the float32 range/,
    );
  });

  it('tables: numbered columns by prefix, a vector column, or an explicit key; other columns kept as text', () => {
    const a = parseDelimitedTable(enc('id,f_1,f_0,label\n7,1,2,x\n8,3,4,y\n'), 'a.csv', 44);
    assert.deepStrictEqual(Array.from(a.embeddings), [1, 2, 3, 4]); // column order as in the file
    assert.deepStrictEqual(a.columns, { id: ['7', '8'], label: ['x', 'y'] });
    const b = parseDelimitedTable(enc('label\tvec\nx\t1 2\ny\t3 4\n'), 'b.tsv', 9);
    assert.deepStrictEqual([b.dim, Array.from(b.embeddings)], [2, [1, 2, 3, 4]]);
    const c = parseDelimitedTable(enc('a0,a1,b0,b1\n1,2,3,4\n'), 'c.csv', 44, 'b');
    assert.deepStrictEqual(Array.from(c.embeddings), [3, 4]);
    assert.throws(() => parseDelimitedTable(enc('a0,a1,b0,b1\n1,2,3,4\n'), 'c.csv', 44), /several arrays/);
    assert.throws(
      () => parseDelimitedTable(enc('name,label\nx,y\n'), 'd.csv', 44),
      /no embedding columns found \(columns: name, label\)/,
    );
    assert.throws(() => parseDelimitedTable(enc('e0,e1\n1,2\n3\n'), 'e.csv', 44), /line 3 has 1 values, expected 2/);
  });

  it('JSON Lines: vector field found by name, other fields as text, bad lines named', () => {
    const t = parseJsonl(
      enc('{"embedding":[1,2],"label":3,"path":"a.png"}\n\n{"embedding":[3,4],"label":"b"}\n'),
      'x.jsonl',
    );
    assert.deepStrictEqual([t.n, Array.from(t.embeddings)], [2, [1, 2, 3, 4]]);
    assert.deepStrictEqual(t.columns, { label: ['3', 'b'], path: ['a.png', ''] });
    assert.throws(
      () => parseJsonl(enc('{"embedding":[1,2]}\n{"embedding":[1]}\n'), 'x.jsonl'),
      /line 2 has 1 values, expected 2/,
    );
    assert.throws(() => parseJsonl(enc('{"embedding":[1,2]}\n{oops\n'), 'x.jsonl'), /line 2 is not valid JSON/);
    assert.throws(() => parseJsonl(enc('{"embedding":[1,null]}\n'), 'x.jsonl'), /row 1, column 2 is not a number/);
  });
});

describe('data/projector', () => {
  it('reads TensorBoard configs: several embeddings, comments, single quotes, no tensor_path', () => {
    const e = parseProjectorConfig(
      `# written by tf.summary\nembeddings {\n  tensor_name: "word_emb"\n  tensor_path: "00000/default/tensors.tsv"\n  metadata_path: 'meta.tsv'\n}\nembeddings { tensor_name: "ckpt/var" }\n`,
      'p',
    );
    assert.deepStrictEqual(e, [
      {
        tensorName: 'word_emb',
        tensorPath: '00000/default/tensors.tsv',
        metadataPath: 'meta.tsv',
        tensorShape: undefined,
      },
      { tensorName: 'ckpt/var', tensorPath: undefined, metadataPath: undefined, tensorShape: undefined },
    ]);
    assert.throws(() => parseProjectorConfig('embeddings { tensor_name: "x" ', 'p'), /missing '}'/);
    assert.throws(() => parseProjectorConfig('model_checkpoint_path: "x"', 'p'), /names no embeddings/);
  });

  it('metadata: one column has no header; several columns have one; a hand-written single header is tolerated', () => {
    assert.deepStrictEqual(parseMetadataTsv(enc('a\nb\n'), 'm', 2), { label: ['a', 'b'] });
    assert.deepStrictEqual(parseMetadataTsv(enc('label\na\nb\n'), 'm', 2), { label: ['a', 'b'] });
    assert.deepStrictEqual(parseMetadataTsv(enc('label\na\nb\n'), 'm', 3), { label: ['label', 'a', 'b'] });
    assert.deepStrictEqual(parseMetadataTsv(enc('label\timage\na\t1.png\n'), 'm'), { label: ['a'], image: ['1.png'] });
    assert.throws(() => parseMetadataTsv(enc('label\timage\na\n'), 'm'), /line 2 has 1 values, expected 2/);
  });
});
