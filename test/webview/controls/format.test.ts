import { ok, equal } from './check';
import {
  formatCount,
  formatPercent,
  formatShare,
  formatValue,
  decimalsForStep,
  formatMargin,
  formatTick,
  THIN_SPACE,
  MISSING,
} from '../../../webview/common/format';

const T = THIN_SPACE;

describe('controls/format', () => {
  it('groups counts by thousands with thin spaces', () => {
    equal(THIN_SPACE, '\u2009');
    equal(formatCount(0), '0');
    equal(formatCount(999), '999');
    equal(formatCount(1000), `1${T}000`);
    equal(formatCount(123456), `123${T}456`);
    equal(formatCount(9_880_000_000), `9${T}880${T}000${T}000`);
    equal(formatCount(-1234567), `-1${T}234${T}567`);
    equal(formatCount(2 ** 53), `9${T}007${T}199${T}254${T}740${T}992`);
    equal(formatCount(NaN), MISSING);
  });

  it('groups exactly like a brute-force reference on random counts', () => {
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const n = Math.floor((seed / 2 ** 31) * 10 ** (1 + (i % 14)));
      const digits = String(n).split('').reverse();
      const groups: string[] = [];
      for (let k = 0; k < digits.length; k += 3)
        groups.push(
          digits
            .slice(k, k + 3)
            .reverse()
            .join(''),
        );
      equal(formatCount(n), groups.reverse().join(T), `n=${n}`);
    }
  });

  it('formats percentages of the valid triplets', () => {
    equal(formatPercent(0, 10), '0%');
    equal(formatPercent(10, 10), '100%');
    equal(formatPercent(1, 3), '33.3%');
    equal(formatPercent(1, 200), '0.50%');
    equal(formatPercent(1, 1e7), '<0.01%');
    equal(formatPercent(1e7 - 1, 1e7), '>99.99%');
    equal(formatPercent(5, 0), MISSING);
    equal(formatShare(0.25), '25.0%');
    equal(formatShare(1.5), '100%');
  });

  it('formats losses and metrics with fixed significant digits', () => {
    equal(formatValue(0.0412), '0.04120');
    equal(formatValue(1.23456), '1.235');
    equal(formatValue(0), '0');
    equal(formatValue(undefined), MISSING);
    equal(formatValue(Infinity), MISSING);
    equal(formatValue(1.5e-6), '1.50e-6');
    equal(formatValue(1110.4, 3), `1${T}110`);
    equal(formatValue(9999), '9999');
    equal(formatValue(12345.6), `12${T}346`);
  });

  it('derives decimals from the step and never hides typed digits', () => {
    equal(decimalsForStep(0.01), 2);
    equal(decimalsForStep(0.005), 3);
    equal(decimalsForStep(1), 0);
    equal(decimalsForStep(2.5), 1);
    equal(decimalsForStep(0.1 + 0.2), 1); // 0.30000000000000004 is a float-noisy 0.3
    equal(formatMargin(0.2, 0.01), '0.20');
    equal(formatMargin(0.125, 0.01), '0.125');
    equal(formatMargin(1, 0.05), '1.00');
    equal(formatMargin(3, 1), '3');
  });

  it('formats axis ticks briefly', () => {
    equal(formatTick(0), '0');
    equal(formatTick(-0), '0');
    equal(formatTick(0.5), '0.5');
    equal(formatTick(0.1 + 0.2), '0.3');
    equal(formatTick(-0.25), '-0.25');
    ok(formatTick(1e-6).startsWith('1e-6'));
  });
});
