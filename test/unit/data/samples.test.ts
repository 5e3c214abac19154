import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveSamples, sampleKind, splitLineSuffix } from '../../../src/data/samples';
import { encodeLabels, labelWarnings, naturalSort, readLabelsFile } from '../../../src/data/labels';
import { InputError } from '../../../src/shared/dataset';
import { expectError, fixture } from './fixtures';

describe('data/samples: paths inside the workspace only', () => {
  let tmp: string;
  let ws: string;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ei-samples-')));
    ws = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(ws, 'data', 'img'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'data', 'img', 'a.png'), 'x');
    fs.writeFileSync(path.join(ws, 'data', 'notes.txt'), 'x\ny\n');
    fs.writeFileSync(path.join(tmp, 'secret.png'), 'x');
    fs.mkdirSync(path.join(tmp, 'outside'));
    fs.writeFileSync(path.join(tmp, 'outside', 'b.png'), 'x');
    fs.symlinkSync(path.join(tmp, 'secret.png'), path.join(ws, 'data', 'link.png')); // file link out
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(ws, 'data', 'linkdir')); // folder link out
    fs.symlinkSync(path.join(ws, 'data', 'img', 'a.png'), path.join(ws, 'data', 'inner.png')); // link that stays in
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('resolves relative paths, #L suffixes and in-workspace links; refuses ../, absolute paths outside and links out', async () => {
    const values = [
      'img/a.png',
      'notes.txt#L2',
      '../../secret.png',
      path.join(tmp, 'secret.png'),
      'link.png',
      'linkdir/b.png',
      'inner.png',
      'img/missing.png',
      '',
      'https://example.com/x.png',
      path.join(ws, 'data', 'img', 'a.png'),
      '../data/img/a.png',
    ];
    const r = await resolveSamples(values, path.join(ws, 'data'), [ws]);
    const shown = r.sources.map((s) => s && `${path.relative(ws, s.path)}${s.line ? `#${s.line}` : ''}:${s.kind}`);
    assert.deepStrictEqual(shown, [
      'data/img/a.png:image',
      'data/notes.txt#2:text',
      undefined,
      undefined,
      undefined,
      undefined,
      'data/img/a.png:image',
      undefined,
      undefined,
      undefined,
      'data/img/a.png:image',
      'data/img/a.png:image',
    ]);
    assert.deepStrictEqual(r.warnings, [
      "5 sample paths resolve outside the workspace and were not loaded (first: '../../secret.png').",
      "1 sample file is missing (first: 'img/missing.png').",
    ]);
  });

  it('with several workspace folders, a path inside any of them is accepted', async () => {
    const r = await resolveSamples(['../../secret.png'], path.join(ws, 'data'), [ws, tmp]);
    assert.strictEqual(r.sources[0]?.path, path.join(tmp, 'secret.png'));
  });

  it('kinds and line suffixes', () => {
    assert.deepStrictEqual(['a.PNG', 'b.jpeg', 'c.webp', 'd.gif', 'e.bmp', 'f.jpg', 'g.txt', 'h.py'].map(sampleKind), [
      'image',
      'image',
      'image',
      'image',
      'image',
      'image',
      'text',
      'text',
    ]);
    assert.deepStrictEqual(splitLineSuffix('a/b.py#L12'), { file: 'a/b.py', line: 12 });
    assert.deepStrictEqual(splitLineSuffix('a/b#L0'), { file: 'a/b#L0' });
    assert.deepStrictEqual(splitLineSuffix('x#y.png'), { file: 'x#y.png' });
  });
});

describe('data/labels', () => {
  it('natural order: numbers by value (negative, decimal), text with numbers by those numbers', () => {
    assert.deepStrictEqual(naturalSort(['10', '9', '-1', '2.5', '100']), ['-1', '2.5', '9', '10', '100']);
    assert.deepStrictEqual(naturalSort(['class10', 'class9', 'Class1', 'b', 'a']), [
      'a',
      'b',
      'Class1',
      'class9',
      'class10',
    ]);
  });

  it('class ids follow the sorted names; warnings for one class and singletons', () => {
    const { labels, classNames } = encodeLabels(['7', '10', '7', '2']);
    assert.deepStrictEqual(
      [Array.from(labels), classNames],
      [
        [1, 2, 1, 0],
        ['2', '7', '10'],
      ],
    );
    assert.deepStrictEqual(labelWarnings(labels, classNames), [
      "2 classes have a single sample (no positives): '2', '10'.",
    ]);
    const one = encodeLabels(['a', 'a']);
    assert.deepStrictEqual(labelWarnings(one.labels, one.classNames), [
      "Only one class ('a'): there are no negatives, so no triplets.",
    ]);
    const many = encodeLabels(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'g']);
    assert.match(
      labelWarnings(many.labels, many.classNames)[0],
      /^6 classes have a single sample \(no positives\): 'a', 'b', 'c', 'd', 'e', …\.$/,
    );
  });

  it('label files: 1-D .npy of any dtype NumPy writes, or text one per line', async () => {
    assert.deepStrictEqual(await readLabelsFile(fixture('npy/labels_i8_be.npy')), [
      '0',
      '1',
      '2',
      '9223372036854775807',
      '-9223372036854775808',
      '7',
    ]);
    assert.deepStrictEqual(await readLabelsFile(fixture('npy/labels_U.npy')), [
      'cat',
      'dog',
      'ünïcødé',
      '',
      'a€z',
      '🐍',
    ]);
    assert.deepStrictEqual(await readLabelsFile(fixture('npy/labels_bool.npy')), ['True', 'False', 'True', 'True']);
    assert.deepStrictEqual((await readLabelsFile(fixture('textlabels/labels.txt'))).slice(0, 3), ['cat', 'dog', 'cat']);
    await expectError(
      () => readLabelsFile(fixture('npy/emb_f4_le_C.npy')),
      InputError,
      'labels must be a 1-D array, got shape (5, 3)',
    );
    await expectError(() => readLabelsFile(fixture('bad/empty.npy')), InputError, 'empty file');
    await expectError(() => readLabelsFile(fixture('nope.txt')), InputError, 'cannot read the labels: file not found');
  });
});
