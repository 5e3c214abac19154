import { equal, ok } from './check';
import {
  sanitizeRange,
  lastPosition,
  valueToPosition,
  positionToValue,
  keyToPosition,
  parseMarginInput,
  MAX_POSITIONS,
} from '../../../src/shared/sliderScale';

describe('controls/sliderScale', () => {
  const r = { min: 0, max: 1.5, step: 0.01 };

  it('maps positions to the values a user would type', () => {
    equal(lastPosition(r), 150);
    equal(positionToValue(0, r), 0);
    equal(positionToValue(20, r), 0.2);
    equal(positionToValue(30, r), 0.3); // not 0.30000000000000004
    equal(positionToValue(150, r), 1.5);
    equal(positionToValue(999, r), 1.5);
    equal(positionToValue(-3, r), 0);
    for (let p = 0; p <= 150; p++) equal(valueToPosition(positionToValue(p, r), r), p, `round trip ${p}`);
  });

  it('clamps typed margins outside the range to the ends', () => {
    equal(valueToPosition(7, r), 150);
    equal(valueToPosition(0.204, r), 20);
    equal(valueToPosition(0.206, r), 21);
    equal(valueToPosition(NaN, r), 0);
  });

  it('ends exactly at max when the step does not divide the range', () => {
    const odd = { min: 0.1, max: 1, step: 0.25 }; // 0.1, 0.35, 0.6, 0.85, then max
    equal(lastPosition(odd), 4);
    equal(positionToValue(3, odd), 0.85);
    equal(positionToValue(4, odd), 1);
  });

  it('steps by keys: arrows 1, pages 10, Home and End', () => {
    equal(keyToPosition('ArrowRight', 20, r), 21);
    equal(keyToPosition('ArrowUp', 20, r), 21);
    equal(keyToPosition('ArrowLeft', 20, r), 19);
    equal(keyToPosition('ArrowDown', 0, r), 0);
    equal(keyToPosition('PageUp', 20, r), 30);
    equal(keyToPosition('PageDown', 5, r), 0);
    equal(keyToPosition('PageUp', 145, r), 150);
    equal(keyToPosition('Home', 77, r), 0);
    equal(keyToPosition('End', 77, r), 150);
    equal(keyToPosition('a', 77, r), undefined);
  });

  it('repairs unusable ranges', () => {
    equal(JSON.stringify(sanitizeRange(undefined)), JSON.stringify({ min: 0, max: 1, step: 0.01 }));
    equal(sanitizeRange({ min: -1, max: 2, step: 0.1 }).min, 0);
    equal(sanitizeRange({ min: 1, max: 1, step: 0.1 }).max, 1); // fallback [0, 1]
    equal(sanitizeRange({ min: 0, max: 2, step: 0 }).step, 0.02);
    equal(sanitizeRange({ min: 0, max: 2, step: NaN }).max, 1);
    ok(lastPosition(sanitizeRange({ min: 0, max: 1e6, step: 1e-6 })) <= MAX_POSITIONS);
  });

  it('accepts any finite number >= 0 in the box and explains the rest', () => {
    const good: [string, number][] = [
      ['0.2', 0.2],
      [' 1 ', 1],
      ['.5', 0.5],
      ['0', 0],
      ['1e-3', 0.001],
      ['+2', 2],
      ['250', 250],
      ['3.', 3],
      ['1e6', 1e6],
    ];
    for (const [s, v] of good) {
      const p = parseMarginInput(s);
      ok(p.ok, `"${s}" should parse`);
      if (p.ok) equal(p.value, v, s);
    }
    for (const s of ['', '  ', '-0.1', 'abc', '0x10', 'Infinity', '1e999', '0,2', '1..2', '2 3', '2e6']) {
      const p = parseMarginInput(s);
      ok(!p.ok, `"${s}" should be refused`);
      if (!p.ok) ok(p.error.length > 0);
    }
    const comma = parseMarginInput('0,2');
    ok(!comma.ok && /dot/.test(comma.error));
  });
});
