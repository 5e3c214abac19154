/**
 * Issue 17, item 7 (and the CLI side of item 2): the CLI in-process (`main`, stderr captured) on
 * small .npy files written here — strict numbers, outputs checked before any work and never over
 * an input, write failures and a missing labels file as sentences with exit code 2, and the
 * memory budget as --max-megabytes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { datasetFlags, loadOptions, maxBytesFromFlags } from '../../../src/cli/common';
import { writeOutput } from '../../../src/cli/output';
import { npyBytes } from '../../../src/cli/npyWriter';
import { main } from '../../../src/cli';
import { InputError } from '../../../src/shared/dataset';

/** Runs the CLI with stdout and stderr captured. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '',
    stderr = '';
  process.stdout.write = ((c: string | Uint8Array) => {
    stdout += String(c);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('cli hardening (issue 17)', () => {
  let dir = '';
  let emb = '',
    lab = '';
  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ei-cli-hard-')));
    emb = path.join(dir, 'emb.npy');
    lab = path.join(dir, 'labels.npy');
    fs.writeFileSync(
      emb,
      npyBytes(
        Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)),
        8,
        3,
      ),
    );
    fs.writeFileSync(
      lab,
      npyBytes(
        Int32Array.from({ length: 8 }, (_, i) => i % 2),
        8,
        1,
      ),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('numbers are plain decimal or exponent notation: hex, binary, blanks, trailing junk, Infinity are refused', () => {
    const margin = { margin: { kind: 'number' as const, min: 0, help: '' } };
    const parse = (v: string): unknown =>
      parseArgs(['x', '--margin', v], margin, { count: 1, names: ['d'] }).flags.margin;
    for (const ok of [
      ['0.2', 0.2],
      ['15', 15],
      ['.5', 0.5],
      ['1.', 1],
      ['1e-3', 1e-3],
      ['2E+2', 200],
      ['+3', 3],
    ] as const)
      assert.equal(parse(ok[0]), ok[1], ok[0]);
    for (const bad of [
      '0x10',
      '0b1',
      '0o7',
      '',
      ' 1',
      '1 ',
      '1abc',
      '1,5',
      '1_000',
      'Infinity',
      'NaN',
      '1e999',
      'e3',
      '--',
    ]) {
      assert.throws(
        () => parse(bad),
        (e: unknown) =>
          e instanceof UsageError &&
          /--margin needs a number written in decimal/.test(e.message) &&
          e.message.includes(JSON.stringify(bad)),
        bad,
      );
    }
  });

  it('--out in a missing folder, or naming a folder: exit 2 with a sentence naming the path, before any work', async () => {
    const missing = path.join(dir, 'no', 'such', 'knn.npy');
    let r = await cli(['knn', emb, '--labels', lab, '--k', '2', '--out', missing]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `embedding-inspector: ${missing}: cannot write --out: the folder ${path.dirname(missing)} does not exist\n`,
    );
    r = await cli(['project', emb, '--labels', lab, '--out', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `embedding-inspector: ${dir}: cannot write --out: it is a folder; give a file name, like ${path.join(dir, 'out.npy')}\n`,
    );
    r = await cli(['knn', emb, '--labels', lab, '--k', '2', '--out-distances', path.join(dir, 'emb.npy', 'd.npy')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot write --out-distances: .*emb\.npy is not a folder/);
  });

  it('--out equal to an input (the embeddings, the labels, through a symlink) is refused and the input kept', async () => {
    const before = fs.readFileSync(emb);
    fs.symlinkSync(emb, path.join(dir, 'alias.npy'));
    for (const [flag, target, input] of [
      ['--out', emb, emb],
      ['--out', lab, lab],
      ['--out-distances', path.join(dir, 'alias.npy'), emb],
    ]) {
      const r = await cli(['knn', emb, '--labels', lab, '--k', '2', flag, target]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        `embedding-inspector: ${target}: refusing to write ${flag} over ${input}, a file of the dataset being read; choose another file name\n`,
      );
    }
    const r = await cli(['project', emb, '--labels', lab, '--out', emb]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /refusing to write --out over .*emb\.npy, a file of the dataset being read/);
    const same = await cli([
      'knn',
      emb,
      '--labels',
      lab,
      '--k',
      '2',
      '--out',
      path.join(dir, 'k.npy'),
      '--out-distances',
      path.join(dir, 'k.npy'),
    ]);
    assert.equal(same.code, 2, same.stderr);
    assert.match(same.stderr, /--out-distances and --out name the same file/);
    assert.deepEqual(fs.readFileSync(emb), before);
  });

  it('a write that fails anyway is an InputError sentence, not a raw errno', async () => {
    const file = path.join(dir, 'emb.npy', 'x.npy');
    await assert.rejects(
      writeOutput(file, new Uint8Array(4), '--out'),
      (e: unknown) =>
        e instanceof InputError &&
        e.message === `${file}: cannot write --out: a part of its path is a file, not a folder`,
    );
    const gone = path.join(dir, 'gone', 'x.npy');
    await assert.rejects(
      writeOutput(gone, new Uint8Array(4), '--out'),
      (e: unknown) => e instanceof InputError && e.message === `${gone}: cannot write --out: its folder does not exist`,
    );
  });

  it('a missing --labels file is named, with no errno', async () => {
    const nope = path.join(dir, 'nope.npy');
    const r = await cli(['census', emb, '--labels', nope, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `embedding-inspector: ${nope}: cannot read the labels: file not found\n`);
  });

  it('--max-megabytes is the memory budget (default 2048, as the setting); a file over it is refused and the message says how to raise it', async () => {
    assert.equal(maxBytesFromFlags({}), 2048 * 1024 * 1024);
    assert.equal(
      loadOptions(parseArgs(['d'], datasetFlags, { count: 1, names: ['d'] }).flags).maxBytes,
      2048 * 1024 * 1024,
    );
    assert.equal(
      loadOptions(parseArgs(['d', '--max-megabytes', '1.5'], datasetFlags, { count: 1, names: ['d'] }).flags).maxBytes,
      1.5 * 1024 * 1024,
    );
    const big = path.join(dir, 'big.npy');
    fs.writeFileSync(big, npyBytes(new Float32Array(1024 * 512), 1024, 512)); // 2 MB
    const r = await cli(['census', big, '--labels', lab, '--max-megabytes', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /big\.npy: file is 2\.0 MB, more than the memory budget of 1\.0 MB; not read \(.*--max-megabytes on the command line\)/,
    );
    assert.match((await cli(['census', big, '--max-megabytes', '0'])).stderr, /--max-megabytes must be >= 1/);
  });
});
