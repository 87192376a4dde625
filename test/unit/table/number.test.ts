import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNumberCell, scanNumber } from '../../../src/core/table/number';
import { parseText } from '../../../src/core/table';
import { column, numbers, texts } from './helpers';

test('plain decimals and exponent forms', () => {
  assert.deepEqual(parseNumberCell('4.1114'), { value: 4.1114 });
  assert.deepEqual(parseNumberCell('-0.5'), { value: -0.5 });
  assert.deepEqual(parseNumberCell('.5'), { value: 0.5 });
  assert.deepEqual(parseNumberCell('1.2e10'), { value: 1.2e10 });
  assert.deepEqual(parseNumberCell('12e9'), { value: 12e9 });
  assert.deepEqual(parseNumberCell('1E-05'), { value: 1e-5 });
  assert.deepEqual(parseNumberCell('  7  '), { value: 7 });
});

test('unit suffixes K, M, B, G, T (m is million) are exact and reported upper-case', () => {
  assert.deepEqual(parseNumberCell('12B'), { value: 12e9, suffix: 'B' });
  assert.deepEqual(parseNumberCell('1.3b'), { value: 1300000000, suffix: 'B' });
  assert.deepEqual(parseNumberCell('350M'), { value: 350e6, suffix: 'M' });
  assert.deepEqual(parseNumberCell('350m'), { value: 350e6, suffix: 'M' });
  assert.deepEqual(parseNumberCell('70k'), { value: 70000, suffix: 'K' });
  assert.deepEqual(parseNumberCell('1.4T'), { value: 1.4e12, suffix: 'T' });
  assert.deepEqual(parseNumberCell('2G'), { value: 2e9, suffix: 'G' });
  assert.deepEqual(parseNumberCell('12 B'), { value: 12e9, suffix: 'B' });
});

test('thousands separators and underscores', () => {
  assert.deepEqual(parseNumberCell('12,000,000,000'), { value: 12e9 });
  assert.deepEqual(parseNumberCell('1,234.5'), { value: 1234.5 });
  assert.deepEqual(parseNumberCell('1_000'), { value: 1000 });
  assert.deepEqual(parseNumberCell('1_000_000.5'), { value: 1000000.5 });
  assert.equal(parseNumberCell('1,5'), null, 'not a valid grouping: could be a decimal comma');
  assert.equal(parseNumberCell('12,000', { thousands: false }), null);
});

test('nan and infinities are numbers', () => {
  for (const s of ['nan', 'NaN', 'NAN', '-nan']) assert.ok(Number.isNaN(parseNumberCell(s)?.value), s);
  assert.equal(parseNumberCell('inf')?.value, Infinity);
  assert.equal(parseNumberCell('-inf')?.value, -Infinity);
  assert.equal(parseNumberCell('Infinity')?.value, Infinity);
  assert.equal(parseNumberCell('-Infinity')?.value, -Infinity);
});

test('text and empty cells are not numbers', () => {
  for (const s of ['abc', 'cosine', '', '   ', '1e', '0x10', '1.2.3', '12BB', 'B', '--1', '1_', '1e5K']) {
    assert.equal(parseNumberCell(s), null, s);
  }
});

test('numeric cells of a file: suffixes recorded per column, mixed notation visible', () => {
  const table = parseText(
    'params,tokens,lr\n12B,"12,000,000,000",1e-05\n350M,1.2e10,0.0003\n1_000,12e9,nan\n7,1.3b,-inf\n',
  );
  assert.deepEqual(numbers(table, 'params'), [12e9, 350e6, 1000, 7]);
  assert.deepEqual(column(table, 'params').suffixes, ['B', 'M']);
  assert.deepEqual(numbers(table, 'tokens'), [12e9, 1.2e10, 12e9, 1.3e9]);
  assert.deepEqual(column(table, 'tokens').suffixes, ['B']);
  const lr = numbers(table, 'lr');
  assert.deepEqual(lr.slice(0, 2), [1e-5, 0.0003]);
  assert.ok(Number.isNaN(lr[2]));
  assert.equal(lr[3], -Infinity);
  assert.equal(column(table, 'lr').numericCount, 4, 'NaN and -inf count as numeric cells');
});

test('thousands separators in TSV cells', () => {
  const table = parseText('step\ttokens\n1\t12,000,000,000\n');
  assert.equal(table.format, 'tsv');
  assert.deepEqual(numbers(table, 'tokens'), [12e9]);
});

test('semicolon files do not read "1,500" as fifteen hundred (it may be a decimal comma)', () => {
  const table = parseText('step;loss\n1;1,500\n2;2\n');
  assert.equal(table.delimiter, ';');
  assert.deepEqual(texts(table, 'loss'), ['1,500', null]);
});

function scan(text: string): number | null {
  const out = { value: 0 };
  const buf = Buffer.from(text, 'latin1');
  const end = scanNumber(buf, 0, buf.length, out);
  return end === buf.length ? out.value : null;
}

test('byte-level scanner matches Number() on the values run files hold', () => {
  const samples = [
    '0.00029990847724108225',
    '4.1114',
    '1e-05',
    '6795600349.289497',
    '9.993852799709755e+18',
    '0.0003',
    '0.0002999771173709568',
    '5.005581996196243',
    '-0',
    '0',
    '00012',
    '1.',
    '.25',
    '+3.5',
    '-2.5e-3',
    '1e308',
    '1e309',
    '2e-324',
    '4.9e-324',
    '9007199254740993',
    '9007199254740992',
    '123456789012345678901234567890',
    '0.1',
    '0.2',
    '0.30000000000000004',
    '1.7976931348623157e308',
    '2.2250738585072014e-308',
    '1e22',
    '1e23',
    '1e-22',
    '1e-23',
    '8.98846567431158e307',
    '0.000000000000000000000000000001',
    '3.141592653589793238462643383279',
  ];
  for (const s of samples) assert.ok(Object.is(scan(s), Number(s)), `${s}: ${scan(s)} vs ${Number(s)}`);
});

test('byte-level scanner is exact on 200000 random decimals (no ulp differences)', () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  for (let i = 0; i < 200000; i++) {
    const kind = i % 4;
    let s: string;
    if (kind === 0)
      s = String(random() * 10 ** Math.floor(random() * 40 - 20)); // shortest round-trip repr
    else if (kind === 1) s = `${digits(1 + Math.floor(random() * 12))}.${digits(1 + Math.floor(random() * 12))}`;
    else if (kind === 2)
      s = `${digits(1 + Math.floor(random() * 18))}e${random() < 0.5 ? '-' : '+'}${Math.floor(random() * 40)}`;
    else s = `-0.${digits(Math.floor(random() * 25))}${digits(1)}`;
    const expected = Number(s);
    const got = scan(s);
    assert.ok(Object.is(got, expected), `${s}: scanned ${got}, Number() gives ${expected}`);
  }
});

test('byte-level scanner stops at non-numeric bytes so the cell takes the string path', () => {
  const out = { value: 0 };
  const at = (s: string) => scanNumber(Buffer.from(s), 0, s.length, out);
  assert.equal(at('12B'), 2);
  assert.equal(at('1e'), 1);
  assert.equal(at('1ex'), 1);
  assert.equal(at('abc'), 0);
  assert.equal(at('-'), 0);
  assert.equal(at('.'), 0);
  assert.equal(at('1.5,2'), 3);
});
