/**
 * Issue 17, items 4, 5 and 6: NaN labels, broken safetensors offsets and values beyond float32's
 * range, on the files scripts/fixtures/makeNpyFixtures.py writes with NumPy (cases.json says the
 * error each must produce) and on small text inputs built here.
 */
import * as assert from 'assert';
import { loadDataset } from '../../../src/data/index';
import { readLabelsFile } from '../../../src/data/labels';
import { parseDelimitedTable, parseJsonl, parseNumericTsv } from '../../../src/data/tabular';
import { InputError } from '../../../src/shared/dataset';
import { cases, expectError, fixture } from './fixtures';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('data: NaN labels, safetensors layout, float32 range (issue 17)', () => {
  it('a NaN float label is an error naming the file and the first such row, not one more class', async () => {
    for (const c of cases.malformed.filter((m) => m.loader === 'labels')) {
      const err = await expectError(() => readLabelsFile(fixture(c.file)), InputError, c.error);
      assert.strictEqual((err as InputError).file, fixture(c.file));
      // Given as the labels of a dataset, the same.
      await expectError(
        () => loadDataset(fixture('textlabels/emb.npy'), { labels: fixture(c.file) }),
        InputError,
        c.error,
      );
    }
    const npz = await expectError(
      () => loadDataset(fixture('badsets/nan_labels.npz')),
      InputError,
      "labels array 'labels': row 4 is NaN; every sample needs a class label",
    );
    assert.strictEqual((npz as InputError).file, fixture('badsets/nan_labels.npz'));
  });

  it('safetensors offsets are held to the reference layout rule: overlaps, gaps, reversed, wrong sizes and trailing bytes refused', async () => {
    const broken = cases.malformed.filter((m) => /offsets_.*\.safetensors$/.test(m.file));
    assert.deepStrictEqual(
      broken.map((m) => m.file.replace(/^.*offsets_|\.safetensors$/g, '')),
      ['overlap', 'gap', 'reversed', 'size', 'trailing'],
    );
    // (Each is also run by the loader test over cases.malformed; here the message is checked whole for one.)
    const err = await expectError(
      () => loadDataset(fixture('badsets/offsets_overlap.safetensors')),
      InputError,
      'overlap',
    );
    assert.strictEqual(
      err.message,
      `${fixture('badsets/offsets_overlap.safetensors')}: tensor 'labels': data_offsets [0, 32] overlap tensor 'embeddings' [0, 32]; the tensors of a safetensors file must follow each other in its data without gaps or overlaps`,
    );
    // Listed out of order in the header but laid out back to back: valid, as for the reference.
    const d = await loadDataset(fixture('safetensors/listed_out_of_order.safetensors'));
    assert.deepStrictEqual([d.n, d.dim, d.classNames], [4, 2, ['0', '1']]);
  });

  it('a float64 value beyond float32 range says so (row, column, value), in C and Fortran order', async () => {
    for (const order of ['C', 'F']) {
      const err = await expectError(
        () => loadDataset(fixture(`bad/f8_overflow_${order}.npy`), { labels: fixture('snapshots/labels.npy') }),
        InputError,
        'row 2, column 3 is 1e+39, beyond the float32 range (largest magnitude 3.4028235e+38)',
      );
      assert.strictEqual((err as InputError).file, fixture(`bad/f8_overflow_${order}.npy`));
    }
  });

  it('numbers in text beyond float32 range say so too; a real Infinity is still called Infinity', () => {
    const beyond = /row 2, column 1 is beyond the float32 range/;
    assert.throws(
      () => parseNumericTsv(enc('1\t2\n1e39\t2\n'), 't.tsv'),
      (e: unknown) => e instanceof InputError && beyond.test(e.problem),
    );
    assert.throws(
      () => parseNumericTsv(enc('1\t2\n-4e38\t2.123456789012345678\n'), 't.tsv'),
      (e: unknown) => e instanceof InputError && beyond.test(e.problem),
    );
    assert.throws(
      () => parseDelimitedTable(enc('label,e0,e1\na,1,2\nb,1e39,2\n'), 't.csv', 44),
      (e: unknown) => e instanceof InputError && beyond.test(e.problem),
    );
    assert.throws(
      () => parseJsonl(enc('{"embedding": [1, 2]}\n{"embedding": [1e39, 2]}\n'), 't.jsonl'),
      (e: unknown) => e instanceof InputError && beyond.test(e.problem),
    );
    assert.throws(
      () => parseNumericTsv(enc('1\t2\ninf\t2\n'), 't.tsv'),
      (e: unknown) => e instanceof InputError && /row 2, column 1 is Infinity/.test(e.problem),
    );
  });
});
