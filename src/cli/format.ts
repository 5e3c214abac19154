/**
 * Readable (non-JSON) output of the CLI: aligned tables, counts with thousands separators, the
 * margin and conventions always shown next to the counts they qualify.
 */
import type { CensusReport, SampledCensusReport } from './censusReport';
import type { Estimate } from '../engine/passSample';
import { formatQueryGallery } from './queryGallery';

/** 1234567 -> "1,234,567" (exact for counts up to 2^53). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A number with 4 significant digits, "-" when not finite. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x === 0) return '0';
  return Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}

/** Rows of cells, columns padded to their widest cell (first column left-aligned, others right). */
export function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return (
    rows
      .map(
        (r) =>
          indent +
          r
            .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
            .join('  ')
            .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** The census report as text. */
export function formatCensusTable(r: CensusReport): string {
  const conv =
    r.convention === 'pml'
      ? 'pml: easy t > m, semi-hard 0 < t <= m, hard t <= 0'
      : 'facenet: easy t >= m, semi-hard 0 <= t < m, hard t < 0';
  let out = `Triplet census of ${r.dataset}: n = ${formatCount(r.n)}, dim = ${r.dim}, classes = ${r.classes}\n`;
  out += `distance ${r.distance}${r.normalize ? ' on L2-normalised embeddings' : ''}, margin m = ${r.margin}, convention ${conv}\n\n`;
  out += table([
    ['valid triplets', formatCount(r.triplets), ''],
    ['easy', formatCount(r.easy), share(r.easy, r.triplets)],
    ['semi-hard', formatCount(r.semihard), share(r.semihard, r.triplets)],
    ['hard', formatCount(r.hard), share(r.hard, r.triplets)],
    [
      r.convention === 'pml' ? 'violating (t <= m)' : 'violating (loss > 0)',
      formatCount(r.violating),
      share(r.violating, r.triplets),
    ],
  ]);
  out +=
    '\n' +
    table([
      ['loss sum', formatNumber(r.lossSum)],
      ['mean loss (all triplets)', formatNumber(r.meanLoss)],
      ['mean loss (non-zero)', formatNumber(r.meanLossNonZero)],
      ['batch-hard mean loss', formatNumber(r.batchHard.meanLoss)],
      [
        'batch-hard violating anchors',
        `${formatCount(r.batchHard.violatingAnchors)} of ${formatCount(r.batchHard.anchors)}`,
      ],
      ['precision@1', formatNumber(r.retrieval.precisionAt1)],
      ['R-precision', formatNumber(r.retrieval.rPrecision)],
      ['MAP@R', formatNumber(r.retrieval.mapAtR)],
    ]);
  if (r.worst.length) {
    out += `\nWorst ${r.worst.length} triplets at m = ${r.margin}:\n`;
    out += table([
      ['anchor', 'positive', 'negative', 'd(a,p)', 'd(a,n)', 'loss'],
      ...r.worst.map((w) => [
        String(w.anchor),
        String(w.positive),
        String(w.negative),
        formatNumber(w.dap),
        formatNumber(w.dan),
        formatNumber(w.loss),
      ]),
    ]);
  }
  if (r.queryGallery) out += '\n' + formatQueryGallery(r.queryGallery);
  for (const w of r.warnings) out += `warning: ${w}\n`;
  return out;
}

/** "12,345 ± 678" (counts) or "12.3 % ± 0.2 %" (shares). */
function est(e: Estimate, share = false): string {
  if (share)
    return `${(100 * e.value).toFixed(2)} % ± ${Number.isFinite(e.halfWidth95) ? (100 * e.halfWidth95).toFixed(2) : '?'} %`;
  return `${formatCount(e.value)} ± ${Number.isFinite(e.halfWidth95) ? formatCount(e.halfWidth95) : '?'}`;
}

/** The stated estimate of `census --sample` as text: every number marked as estimated, with its interval. */
export function formatSampledTable(r: SampledCensusReport): string {
  let out = `Estimated triplet census of ${r.dataset}: n = ${formatCount(r.n)}, dim = ${r.dim}, classes = ${r.classes}\n`;
  out += `distance ${r.distance}${r.normalize ? ' on L2-normalised embeddings' : ''}, margin m = ${r.margin}, convention ${r.convention}\n`;
  out += `${r.method}\n\n`;
  out += `≈ ${est(r.violatingShare, true)} violating, sample of ${formatCount(r.sampledAnchors)} anchors\n\n`;
  out += table([
    ['valid triplets', `≈ ${est(r.triplets)}`],
    ['easy', `≈ ${est(r.easy)}`],
    ['semi-hard', `≈ ${est(r.semihard)}`],
    ['hard', `≈ ${est(r.hard)}`],
    ['violating', `≈ ${est(r.violating)}`],
    ['mean loss (all triplets)', `≈ ${formatNumber(r.meanLoss.value)} ± ${formatNumber(r.meanLoss.halfWidth95)}`],
    [
      'mean loss (non-zero)',
      `≈ ${formatNumber(r.meanLossNonZero.value)} ± ${formatNumber(r.meanLossNonZero.halfWidth95)}`,
    ],
  ]);
  out += '\nThe exact census: run without --sample.\n';
  for (const w of r.warnings) out += `warning: ${w}\n`;
  return out;
}
