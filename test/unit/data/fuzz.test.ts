import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AmbiguousChoiceError } from '../../../src/data/errors';
import { loadDataset } from '../../../src/data/index';
import { parseManifest } from '../../../src/data/manifest';
import { npyToEmbeddings, parseNpy } from '../../../src/data/npy';
import { parseNpz } from '../../../src/data/npz';
import { parseParquet } from '../../../src/data/parquet';
import { parseMetadataTsv, parseProjectorConfig } from '../../../src/data/projector';
import { listSafetensors, readSafetensor } from '../../../src/data/safetensors';
import { parseDelimitedTable, parseJsonl, parseNumericTsv } from '../../../src/data/tabular';
import { InputError } from '../../../src/shared/dataset';
import { bytesOf, fixture } from './fixtures';
import { rng } from '../../helpers/rng';

/** One random mutation of `b`: flips, overwrites with boundary values, truncation, splices, or noise. */
function mutate(b: Uint8Array, r: () => number): Uint8Array {
  const out = Buffer.from(b);
  const at = (): number => Math.floor(r() * Math.max(1, out.length));
  switch (Math.floor(r() * 7)) {
    case 0:
      for (let k = 0; k < 1 + r() * 8; k++) out[at()] ^= 1 << Math.floor(r() * 8);
      return out;
    case 1: {
      const p = at();
      if (p + 4 <= out.length) out.writeUInt32LE([0xffffffff, 0x7fffffff, 0, 1 << 30][Math.floor(r() * 4)], p);
      return out;
    }
    case 2:
      return out.subarray(0, at());
    case 3: {
      const p = at();
      return Buffer.concat([out.subarray(0, p), out.subarray(at()), out.subarray(p)]);
    }
    case 4: {
      const p = at();
      return Buffer.concat([
        out.subarray(0, p),
        Buffer.from(Array.from({ length: 1 + r() * 16 }, () => Math.floor(r() * 256))),
        out.subarray(p),
      ]);
    }
    case 5:
      for (let k = 0; k < 4; k++) out[at()] = [0x22, 0x0a, 0x09, 0x2c, 0x5b, 0x7b, 0x30, 0x2e][Math.floor(r() * 8)];
      return out;
    default:
      return Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
  }
}

type Parser = (b: Uint8Array) => unknown;
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const parsers: Record<string, { seeds: string[]; parse: Parser }> = {
  npy: {
    seeds: ['npy/emb_f8_be_F.npy', 'npy/labels_U.npy', 'npy/emb_v3.npy', 'npy/emb_f2_le_C.npy'],
    parse: (b) => {
      const a = parseNpy(b, 'fuzz');
      if (a.shape.length === 2) npyToEmbeddings(a, 'fuzz');
    },
  },
  npz: { seeds: ['npz/stored.npz', 'npz/deflated.npz'], parse: (b) => parseNpz(b, 'fuzz') },
  tsv: { seeds: ['projector/tensors.tsv', 'badsets/ragged/tensors.tsv'], parse: (b) => parseNumericTsv(b, 'fuzz') },
  csv: { seeds: ['tabular/columns.csv', 'tabular/vector.csv'], parse: (b) => parseDelimitedTable(b, 'fuzz', 44) },
  tsvTable: { seeds: ['tabular/header.tsv'], parse: (b) => parseDelimitedTable(b, 'fuzz', 9) },
  jsonl: { seeds: ['tabular/data.jsonl'], parse: (b) => parseJsonl(b, 'fuzz') },
  pbtxt: { seeds: ['projector/projector_config.pbtxt'], parse: (b) => parseProjectorConfig(text(b), 'fuzz') },
  metadata: {
    seeds: ['projector/metadata.tsv', 'projector_single/metadata.tsv'],
    parse: (b) => parseMetadataTsv(b, 'fuzz', 8),
  },
  manifest: { seeds: ['manifest/embeddings.json'], parse: (b) => parseManifest(text(b), '/x/fuzz.json') },
  safetensors: {
    seeds: ['safetensors/model.safetensors'],
    parse: (b) => {
      const { tensors, dataStart } = listSafetensors(b, 'fuzz');
      for (const t of tensors) readSafetensor(b, t, dataStart, 'fuzz');
    },
  },
  parquet: {
    seeds: ['parquet/data.parquet', 'parquet/gzip.parquet'],
    parse: (b) => parseParquet(b, 'fuzz', undefined),
  },
};

/** Runs one input; any error other than InputError / AmbiguousChoiceError fails the test. */
async function feed(name: string, parse: Parser, input: Uint8Array, seed: number): Promise<'ok' | 'refused'> {
  try {
    await parse(input);
    return 'ok';
  } catch (err) {
    if (err instanceof InputError || err instanceof AmbiguousChoiceError) return 'refused';
    throw new Error(
      `${name}: ${(err as Error)?.name}: ${(err as Error)?.message} (seed ${seed}, input ${Buffer.from(input.subarray(0, 64)).toString('hex')}…)`,
    );
  }
}

describe('data/fuzz: random and mutated bytes into every parser give only clear errors', function () {
  this.timeout(30000);
  // A rejection nobody handles would end a CLI or worker process: none may escape a parser.
  const leaked: string[] = [];
  const onLeak = (e: unknown): void => {
    leaked.push(String(e));
  };
  before(() => process.on('unhandledRejection', onLeak));
  after(() => process.off('unhandledRejection', onLeak));
  afterEach(async () => {
    await new Promise((r) => setImmediate(r)); // let Node report pending rejections
    assert.deepStrictEqual(leaked.splice(0), [], 'unhandled rejections');
  });
  const totalMs = Number(process.env.EI_FUZZ_MS ?? 3000); // EI_FUZZ_MS=600000 for a long run
  const perParser = totalMs / (Object.keys(parsers).length + 1);

  for (const [name, { seeds, parse }] of Object.entries(parsers)) {
    it(`${name} (${Math.round(perParser)} ms of inputs)`, async () => {
      const bases = seeds.map(bytesOf);
      const end = Date.now() + perParser;
      const seen = { ok: 0, refused: 0 };
      for (let seed = 1; Date.now() < end; seed++) {
        const r = rng(seed * 7919 + name.length);
        let input = bases[seed % bases.length];
        for (let k = 0, m = 1 + Math.floor(r() * 3); k < m; k++) input = mutate(input, r);
        seen[await feed(name, parse, input, seed)]++;
        if (seed % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      // Most mutations must be refused; some survive (e.g. a changed digit) and that is fine.
      assert.ok(seen.refused > 20, `only ${seen.refused} inputs refused (${seen.ok} accepted)`);
    });
  }

  it('inputs fuzzing once found (hangs, process aborts in hyparquet) are refused quickly', async () => {
    const dir = fixture('regress');
    // A hang shows as this suite's timeout; an abort would end the whole run.
    for (const f of fs.readdirSync(dir))
      await assert.rejects(loadDataset(path.join(dir, f)), (e: unknown) => e instanceof InputError, f);
  });

  it('the harness itself fails on any other exception type', async () => {
    await assert.rejects(
      feed(
        'self',
        () => {
          throw new TypeError('boom');
        },
        new Uint8Array(1),
        0,
      ),
      /self: TypeError: boom/,
    );
    await assert.rejects(
      feed('self', () => Promise.reject(new RangeError('x')), new Uint8Array(1), 0),
      /RangeError/,
    );
  });

  it('loadDataset on mutated files on disk (npy, npz, csv, projector folder)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-fuzz-'));
    try {
      const files = ['npy/emb_f4_le_C.npy', 'npz/deflated.npz', 'tabular/columns.csv', 'tabular/data.jsonl'];
      fs.writeFileSync(path.join(dir, 'labels.npy'), bytesOf('npy/labels_i8_le.npy').subarray(0, 0)); // unreadable labels beside
      const end = Date.now() + perParser;
      for (let seed = 1; Date.now() < end; seed++) {
        const r = rng(seed);
        const f = files[seed % files.length];
        const target = path.join(dir, `x${path.extname(f)}`);
        fs.writeFileSync(target, mutate(bytesOf(f), r));
        await feed('loadDataset', () => loadDataset(target, { workspaceRoots: [dir] }), new Uint8Array(0), seed);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
