// Cell text -> number. Two entry points share one definition of "numeric":
//  - scanNumber: the byte-level fast path for plain decimals, used on every unquoted cell of a delimited file
//    (scanNumberTo is the same without end checks, for the hot loops);
//  - parseNumberCell: the string path for everything else (suffixes, separators, nan/inf, quoted cells, JSON strings).
// scanNumber only accepts text that parseNumberCell would parse to the same value, so the two never disagree.
// scanJsonNumber reads JSON's stricter number grammar to the value JSON.parse gives (the JSONL fast path).

export interface NumberCell {
  value: number;
  /** Unit suffix as written but upper-cased ('K', 'M', 'B', 'G', 'T'); absent for plain numbers. */
  suffix?: string;
}

export interface NumberCellOptions {
  /** Accept "12,000,000" grouping. Off where "1,500" may be a decimal comma (see decimalComma.ts). Default true. */
  thousands?: boolean;
  /** Read "3,958" as 3.958 and "1.234,5" as 1234.5: a file written with decimal commas. Needs thousands off. */
  decimalComma?: boolean;
}

const PLAIN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNDERSCORED = /^[+-]?\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?$/;
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const SUFFIXED = /^([+-]?(?:\d+\.?\d*|\.\d+)) ?([kKmMbBgGtT])$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;
const DOT_GROUPED_DECIMAL_COMMA = /^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/;
/** An integer with dots grouping its thousands (1.000, 12.345.678): how a writer of decimal commas writes 1000. */
const DOT_GROUPED_INTEGER = /^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$/;
/** Thousands grouped by a space, a no-break space or a narrow one (French: 1 000,5), in a file of decimal commas. */
const SPACE_GROUPED = /^[+-]?[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?$/;
const NAN = /^[+-]?nan$/i;
const INF = /^([+-]?)(?:inf|infinity)$/i;

/** Decimal exponent of each suffix; 'm' is million (not milli): run files count parameters and tokens, not fractions. */
const SUFFIX_EXPONENT: Readonly<Record<string, number>> = { K: 3, M: 6, B: 9, G: 9, T: 12 };

/**
 * Parses one cell's text. Returns null for text that is not a number; the caller decides whether the cell was
 * empty (whitespace only) or text. NaN and infinities are numbers here: downstream code flags them.
 */
export function parseNumberCell(s: string, options?: NumberCellOptions): NumberCell | null {
  const t = s.trim();
  if (t === '') return null;
  // In a file of decimal commas a dot groups thousands: "1.000" is 1000, never 1 (the plain reading).
  if (options?.decimalComma === true && DOT_GROUPED_INTEGER.test(t)) return { value: Number(t.replace(/\./g, '')) };
  if (PLAIN.test(t)) return { value: Number(t) };
  if (NAN.test(t)) return { value: NaN };
  const inf = INF.exec(t);
  if (inf) return { value: inf[1] === '-' ? -Infinity : Infinity };
  if (t.includes('_') && UNDERSCORED.test(t)) return { value: Number(t.replace(/_/g, '')) };
  if (options?.thousands !== false && GROUPED.test(t)) return { value: Number(t.replace(/,/g, '')) };
  if (options?.decimalComma === true) {
    if (DECIMAL_COMMA.test(t)) return { value: Number(t.replace(',', '.')) };
    if (DOT_GROUPED_DECIMAL_COMMA.test(t)) return { value: Number(t.replace(/\./g, '').replace(',', '.')) };
    if (SPACE_GROUPED.test(t)) return { value: Number(t.replace(/[ \u00a0\u202f]/g, '').replace(',', '.')) };
  }
  const suffixed = SUFFIXED.exec(t);
  if (suffixed) {
    const suffix = suffixed[2].toUpperCase();
    // Shift the decimal exponent in text so the result is correctly rounded ("1.3B" is exactly 1300000000).
    return { value: Number(`${suffixed[1]}e${SUFFIX_EXPONENT[suffix]}`), suffix };
  }
  return null;
}

/** Reused output slot of scanNumber, so the hot loop allocates nothing. */
export interface NumberScan {
  value: number;
}

const ZERO = 48;
const ONE = 49;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const LOWER_E = 101;
const NINE = 57;
const TWO_POW_53 = 9007199254740992;
const EXPONENT_CAP = 100000; // past this every double is 0 or Infinity; stop accumulating digits
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Whether `byte` may be part of a number scanNumber reads: a delimiter that may is no field boundary to it. */
export function isNumberByte(byte: number): boolean {
  return (byte >= ZERO && byte <= NINE) || byte === PLUS || byte === MINUS || byte === DOT || (byte | 0x20) === LOWER_E;
}

/**
 * Scans a plain decimal (sign, digits, '.', digits, exponent) starting at buf[start] and ending before `end`.
 * Returns the index just after the number, or `start` when no digits begin there. The value goes to out.value.
 *
 * Exact: the digits are accumulated as an integer while it is below 2^53 and the decimal exponent is within
 * +-22, where one IEEE multiply or divide by an exact power of ten is correctly rounded (Clinger's fast path).
 * Anything else (17+ significant digits, large exponents) falls back to Number() on the bytes.
 */
export function scanNumber(buf: Buffer, start: number, end: number, out: NumberScan): number {
  let p = start;
  let negative = false;
  if (p < end && (buf[p] === MINUS || buf[p] === PLUS)) {
    negative = buf[p] === MINUS;
    p++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let d = 0;
  while (p < end && (d = buf[p] - ZERO) >= 0 && d <= 9) {
    mantissa = mantissa * 10 + d;
    digits++;
    p++;
  }
  if (p < end && buf[p] === DOT) {
    p++;
    const fractionStart = p;
    while (p < end && (d = buf[p] - ZERO) >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      p++;
    }
    digits += p - fractionStart;
    scale = fractionStart - p;
  }
  if (digits === 0) return start;
  if (p < end && (buf[p] | 0x20) === LOWER_E) {
    // Exponent: "[+-]digits". Without digits ("1e", "1ex") this is not a plain number: stop before the 'e' and
    // the caller's field-end check sends the cell down the string path.
    let q = p + 1;
    let exponentSign = 1;
    if (q < end && (buf[q] === MINUS || buf[q] === PLUS)) {
      exponentSign = buf[q] === MINUS ? -1 : 1;
      q++;
    }
    const exponentStart = q;
    let exponent = 0;
    while (q < end && (d = buf[q] - ZERO) >= 0 && d <= 9) {
      if (exponent < EXPONENT_CAP) exponent = exponent * 10 + d;
      q++;
    }
    if (q === exponentStart) return p;
    scale += exponentSign * exponent;
    p = q;
  }
  const value = decimalValue(buf, start, p, mantissa, scale);
  out.value = negative ? -value : value;
  return p;
}

/**
 * scanNumber for the hot loops, without end checks: the caller guarantees that a byte which cannot continue a
 * number (a line feed) comes before the end of the data, so every loop stops there at the latest. Same grammar and
 * same values as scanNumber; the value goes to out[slot].
 */
export function scanNumberTo(buf: Buffer, start: number, out: Float64Array, slot: number): number {
  let p = start;
  let c = buf[p];
  let negative = false;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    c = buf[++p];
  }
  const integerStart = p;
  let mantissa = 0;
  while (c >= ZERO && c <= NINE) {
    mantissa = mantissa * 10 + (c - ZERO);
    c = buf[++p];
  }
  let digits = p - integerStart;
  let scale = 0;
  if (c === DOT) {
    const fractionStart = ++p;
    c = buf[p];
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      c = buf[++p];
    }
    digits += p - fractionStart;
    scale = fractionStart - p;
  }
  if (digits === 0) return start;
  if ((c | 0x20) === LOWER_E) {
    let q = p + 1;
    c = buf[q];
    let exponentSign = 1;
    if (c === MINUS || c === PLUS) {
      exponentSign = c === MINUS ? -1 : 1;
      c = buf[++q];
    }
    const exponentStart = q;
    let exponent = 0;
    while (c >= ZERO && c <= NINE) {
      if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (c - ZERO);
      c = buf[++q];
    }
    if (q === exponentStart) return p; // "1e", "1ex": not a plain number, see scanNumber
    scale += exponentSign * exponent;
    p = q;
  }
  const value = decimalValue(buf, start, p, mantissa, scale);
  out[slot] = negative ? -value : value;
  return p;
}

/**
 * A JSON number (RFC 8259: no '+', no leading zeros, digits on both sides of '.', digits in the exponent) at
 * buf[start], without end checks like scanNumberTo. Returns its end, or -1 when the bytes there are not a JSON
 * number. The value (what JSON.parse gives for the same text) goes to out[slot].
 */
export function scanJsonNumber(buf: Buffer, start: number, out: Float64Array, slot: number): number {
  let p = start;
  let c = buf[p];
  const negative = c === MINUS;
  if (negative) c = buf[++p];
  let mantissa = 0;
  if (c === ZERO) {
    c = buf[++p];
    if (c >= ZERO && c <= NINE) return -1; // a leading zero
  } else {
    if (c < ONE || c > NINE) return -1;
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      c = buf[++p];
    }
  }
  let scale = 0;
  if (c === DOT) {
    const fractionStart = ++p;
    c = buf[p];
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (p === fractionStart) return -1;
    scale = fractionStart - p;
  }
  if ((c | 0x20) === LOWER_E) {
    c = buf[++p];
    let exponentSign = 1;
    if (c === MINUS || c === PLUS) {
      exponentSign = c === MINUS ? -1 : 1;
      c = buf[++p];
    }
    const exponentStart = p;
    let exponent = 0;
    while (c >= ZERO && c <= NINE) {
      if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (p === exponentStart) return -1;
    scale += exponentSign * exponent;
  }
  const value = decimalValue(buf, start, p, mantissa, scale);
  out[slot] = negative ? -value : value;
  return p;
}

/**
 * |value| of the digits scanned from buf[start, end) (sign included in the bytes): `mantissa` is their digits as an
 * integer (exact while below 2^53) and `scale` the decimal exponent to apply to it.
 */
function decimalValue(buf: Buffer, start: number, end: number, mantissa: number, scale: number): number {
  // Rounding is monotonic, so `mantissa < 2^53` holds only when the digit integer was accumulated exactly.
  if (mantissa < TWO_POW_53 && scale >= -22 && scale <= 22)
    return scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
  if (mantissa === 0) return 0;
  return Math.abs(Number(buf.toString('latin1', start, end)));
}

/**
 * Whether buf[start, end) is an integer with dots grouping thousands (1.000): a plain number to scanNumber, 1000 in a
 * file of decimal commas, so the scanners leave it to parseNumberCell there.
 */
export function isDotGroupedInteger(buf: Uint8Array, start: number, end: number): boolean {
  let p = start;
  if (buf[p] === PLUS || buf[p] === MINUS) p++;
  const digits = p;
  while (p < end && buf[p] >= ZERO && buf[p] <= NINE) p++;
  if (p === digits || p - digits > 3 || buf[digits] === ZERO || p === end) return false;
  while (p < end) {
    if (buf[p] !== DOT || p + 4 > end) return false;
    for (let k = 1; k <= 3; k++) if (!(buf[p + k] >= ZERO && buf[p + k] <= NINE)) return false;
    p += 4;
  }
  return true;
}
