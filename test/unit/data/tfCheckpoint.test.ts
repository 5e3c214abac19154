/**
 * TensorFlow V2 checkpoints (tensor bundles) as TensorBoard's TF2 projector tutorial saves them.
 * The fixtures are written without TensorFlow by scripts/fixtures/makeTfCheckpoint.py, which
 * follows TF's C++ writer (tensor_bundle.cc, table_builder.cc, block_builder.cc, format.cc); the
 * values come from NumPy (tfckpt/expected.json).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../../../src/data/index';
import {
  crc32c,
  listCheckpointTensors,
  parseCheckpointIndex,
  readCheckpointTensor,
  snappyDecompress,
} from '../../../src/data/tfCheckpoint';
import { InputError } from '../../../src/shared/dataset';
import { bytesOf, expectError, fixture } from './fixtures';
import { rng } from '../../helpers/rng';

interface Expected {
  shape: number[];
  embedding: number[];
  half: number[];
  labels: string[];
  blocksNames: string[];
}
const expected = JSON.parse(fs.readFileSync(fixture('tfckpt/expected.json'), 'utf8')) as Expected;
const f32 = (xs: number[]): number[] => Array.from(Float32Array.from(xs));
const ck = (name: string): string => fixture(`tfckpt/${name}`);
const EMB = 'embedding/.ATTRIBUTES/VARIABLE_VALUE';

/** A temporary copy of the projector_ckpt folder, changed by `edit`. */
function tempFolder(edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-ckpt-'));
  for (const n of fs.readdirSync(fixture('projector_ckpt')))
    fs.copyFileSync(fixture(`projector_ckpt/${n}`), path.join(dir, n));
  edit(dir);
  return dir;
}

describe('data/tfCheckpoint: TensorFlow checkpoints (tensor bundles)', () => {
  it('crc32c gives the standard check value', () => {
    assert.strictEqual(crc32c(Buffer.from('123456789')), 0xe3069283);
  });

  it('loads a TensorBoard projector folder whose embedding lives in a checkpoint', async () => {
    const ds = await loadDataset(fixture('projector_ckpt'));
    assert.deepStrictEqual([ds.n, ds.dim], expected.shape);
    assert.deepStrictEqual(Array.from(ds.embeddings), f32(expected.embedding));
    assert.deepStrictEqual(
      Array.from(ds.labels, (i) => ds.classNames[i]),
      expected.labels,
    );
    assert.strictEqual(path.basename(ds.files.embeddings), 'embedding.ckpt-1.index');
    assert.strictEqual(path.basename(ds.files.metadata ?? ''), 'metadata.tsv');
  });

  it('lists the tensors of a TF2 checkpoint with their dtypes and shapes', async () => {
    const ts = await listCheckpointTensors(fixture('projector_ckpt/embedding.ckpt-1'));
    assert.deepStrictEqual(
      ts.map((t) => [t.name, t.dtype, t.shape]),
      [
        ['_CHECKPOINTABLE_OBJECT_GRAPH', 7, []],
        [EMB, 1, [12, 5]],
        ['save_counter/.ATTRIBUTES/VARIABLE_VALUE', 9, []],
      ],
    );
  });

  it('reads tables of many blocks, snappy-compressed blocks, float16 / float64 and big-endian bundles', async () => {
    const names = (await listCheckpointTensors(ck('blocks'))).map((t) => t.name);
    assert.deepStrictEqual(names, expected.blocksNames);
    assert.ok(
      fs.statSync(ck('snappy.index')).size < fs.statSync(ck('blocks.index')).size,
      'the snappy fixture has compressed blocks',
    );
    assert.deepStrictEqual(
      (await listCheckpointTensors(ck('snappy'))).map((t) => t.name),
      expected.blocksNames,
    );
    for (const p of ['blocks', 'snappy']) {
      const t = await readCheckpointTensor(ck(p), 'emb', 1 << 20); // name without /.ATTRIBUTES/VARIABLE_VALUE
      assert.deepStrictEqual(t.shape, expected.shape);
      assert.deepStrictEqual(Array.from(t.data), f32(expected.embedding));
    }
    assert.deepStrictEqual(
      Array.from((await readCheckpointTensor(ck('half'), 'emb', 1 << 20)).data),
      f32(expected.half),
    );
    assert.deepStrictEqual(
      Array.from((await readCheckpointTensor(ck('half'), 'emb64', 1 << 20)).data),
      f32(expected.embedding),
    );
    assert.deepStrictEqual(
      Array.from((await readCheckpointTensor(ck('bigendian'), 'emb/.ATTRIBUTES/VARIABLE_VALUE', 1 << 20)).data),
      f32(expected.embedding),
    );
  });

  it('refuses broken and unsuitable checkpoints with clear InputErrors', async () => {
    const prefix = fixture('projector_ckpt/embedding.ckpt-1');
    await expectError(() => readCheckpointTensor(ck('truncated_index'), EMB, 1 << 20), InputError, 'bad magic');
    await expectError(
      () => readCheckpointTensor(ck('bad_magic'), EMB, 1 << 20),
      InputError,
      'not a TensorFlow checkpoint index',
    );
    await expectError(() => readCheckpointTensor(ck('truncated_data'), EMB, 1 << 20), InputError, 'truncated');
    await expectError(() => readCheckpointTensor(ck('corrupt_data'), EMB, 1 << 20), InputError, 'checksum mismatch');
    await expectError(() => readCheckpointTensor(ck('missing'), EMB, 1 << 20), InputError, 'file not found');
    const e = await expectError(() => readCheckpointTensor(prefix, 'nope', 1 << 20), InputError, "no tensor 'nope'");
    assert.ok(e.message.includes(`${EMB} (12 x 5 float32)`), e.message);
    assert.ok(!e.message.includes('save_counter'), e.message);
    await expectError(
      () => readCheckpointTensor(prefix, 'save_counter', 1 << 20),
      InputError,
      'int64, not a float tensor',
    );
    await expectError(() => readCheckpointTensor(prefix, EMB, 100), InputError, 'memory budget');
    await expectError(() => parseCheckpointIndex(new Uint8Array(10), 'x.index'), InputError, 'truncated');
  });

  it('finds the checkpoint: config path, the checkpoint file, the only .index; refuses when there is none', async () => {
    const viaConfig = tempFolder((d) => {
      fs.unlinkSync(path.join(d, 'checkpoint'));
      fs.renameSync(path.join(d, 'embedding.ckpt-1.index'), path.join(d, 'other.index'));
      fs.renameSync(path.join(d, 'embedding.ckpt-1.data-00000-of-00001'), path.join(d, 'other.data-00000-of-00001'));
      fs.copyFileSync(path.join(d, 'other.index'), path.join(d, 'second.index'));
      fs.writeFileSync(
        path.join(d, 'projector_config.pbtxt'),
        `model_checkpoint_path: "/somewhere/else/other"\nembeddings {\n  tensor_name: "embedding"\n  metadata_path: "metadata.tsv"\n}\n`,
      );
    });
    const single = tempFolder((d) => fs.unlinkSync(path.join(d, 'checkpoint')));
    const none = tempFolder((d) => {
      for (const n of fs.readdirSync(d)) if (/ckpt|checkpoint/.test(n)) fs.unlinkSync(path.join(d, n));
    });
    const several = tempFolder((d) => {
      fs.unlinkSync(path.join(d, 'checkpoint'));
      fs.copyFileSync(path.join(d, 'embedding.ckpt-1.index'), path.join(d, 'b.index'));
    });
    try {
      for (const dir of [viaConfig, single]) {
        const ds = await loadDataset(dir);
        assert.deepStrictEqual(Array.from(ds.embeddings), f32(expected.embedding));
      }
      await expectError(() => loadDataset(none), InputError, 'no TensorFlow checkpoint');
      await expectError(() => loadDataset(several), InputError, 'several checkpoints');
    } finally {
      for (const d of [viaConfig, single, none, several]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('fuzz: mutated index bytes and snappy streams give only InputErrors', async function () {
    this.timeout(10000);
    const seeds = ['projector_ckpt/embedding.ckpt-1.index', 'tfckpt/blocks.index', 'tfckpt/snappy.index'].map(bytesOf);
    const r = rng(1);
    const end = Date.now() + Number(process.env.EI_FUZZ_MS ?? 1000);
    let refused = 0;
    let n = 0;
    for (; Date.now() < end; n++) {
      const out = Buffer.from(seeds[n % seeds.length]);
      const kind = Math.floor(r() * 4);
      if (kind === 0)
        for (let k = 0; k < 1 + r() * 6; k++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
      else if (kind === 1)
        out.writeUInt32LE(
          [0xffffffff, 0x7fffffff, 0, 1 << 30][Math.floor(r() * 4)],
          Math.floor(r() * (out.length - 4)),
        );
      else if (kind === 2) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
      const input = kind === 3 ? out.subarray(Math.floor(r() * out.length)) : out;
      for (const parse of [
        (b: Uint8Array) => parseCheckpointIndex(b, 'fuzz'),
        (b: Uint8Array) => snappyDecompress(b.subarray(Math.floor(r() * b.length)), 'fuzz'),
      ]) {
        try {
          parse(input);
        } catch (err) {
          if (!(err instanceof InputError))
            throw new Error(`seed ${n}: ${(err as Error).name}: ${(err as Error).message}`);
          refused++;
        }
      }
    }
    assert.ok(refused > 0 && n > 100, `${n} inputs, ${refused} refused`);
  });
});
