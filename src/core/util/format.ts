// Number formatting shared by every surface (CLI text, CodeLens, hovers, notifications, chart labels), so a value
// reads the same everywhere. The rules, in one place:
// - a value with a band gets the digits its band resolves: it is rounded to the decimal place of the band's narrower
//   side, and so are its bounds ("2.501 [2.489, 2.513]", never "2.5 [2.489, 2.513]");
// - token, parameter and step counts read as the file, lens and legend write them ("16B", "N=7B", "20k");
// - exponents are written as users type them ("1e22", "3e-4"), never "1e+22".
import { parseNumberCell } from '../table/number';
import { minOf } from './arrays';

/** Significant-digit formatting that switches to exponent notation for very large or small magnitudes. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return exponent(v, digits);
  return Number(v.toPrecision(digits)).toString();
}

/**
 * R² to `digits` significant digits, never rounded up to a perfect fit it is not: 0.99996 is "0.9999", not "1" (a
 * user reads "R² 1" as a law that passes through every point). A curve of one point has none (its variance is 0):
 * "n/a", as a percentage without one, not "R² NaN" in its lens and the CLI's table. Every surface that shows a fit's
 * R² (lens, hover, summary, CLI) takes the default 4 digits; a finding's reason may say fewer ("R² -0.02").
 */
export function formatR2(r2: number, digits = 4): string {
  if (!Number.isFinite(r2)) return 'n/a';
  const shown = formatNumber(r2, digits);
  return shown === '1' && r2 < 1 ? (1 - 10 ** -digits).toFixed(digits) : shown;
}

/** `v` in exponent notation with `digits` significant digits, trailing zeros and the "+" dropped: "1.6e10". */
function exponent(v: number, digits: number): string {
  return v
    .toExponential(Math.max(0, digits - 1))
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e');
}

/** A fraction as a percentage, e.g. 0.00213 -> "0.213 %". */
export function formatPercent(fraction: number, digits = 3): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  return `${Number((fraction * 100).toPrecision(digits))} %`;
}

const COUNT_UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * Compact step or token counts as users write them: 200000 -> "200k", 42e6 -> "42M", 1.5e9 -> "1.5B"; to `digits`
 * significant digits (4 unless more are needed to tell values apart: distinctDigits).
 */
export function formatCompact(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  // Past a thousand T (FLOP counts, 1e15 and up) a suffix would read "100000T": exponent notation reads better.
  if (a >= 1e15) return exponent(v, digits);
  for (const [scale, suffix] of COUNT_UNITS)
    if (a >= scale) return `${Number((v / scale).toPrecision(digits))}${suffix}`;
  return String(Number(v.toPrecision(Math.max(6, digits))));
}

/** A double's significant digits: enough to tell any two apart. */
const MAX_DIGITS = 17;

/**
 * The fewest significant digits in [from, to] with which `format` tells the different values of `values` apart (`to`
 * when none does). By default formatCompact from 4 on: model sizes 1e8, 1e8+1 and 1e8+2 all read "100M" at 4 digits,
 * so their curves looked like one size; at 9 they read "100M", "100.000001M" and "100.000002M". Work grows with the
 * number of values (at most to - from passes over them).
 */
export function distinctDigits(
  values: readonly number[],
  format: (v: number, digits: number) => string = formatCompact,
  from = 4,
  to = MAX_DIGITS,
): number {
  const distinct = new Set(values);
  for (let digits = from; digits < to; digits++)
    if (new Set([...distinct].map((v) => format(v, digits))).size === distinct.size) return digits;
  return to;
}

/**
 * Model sizes as a text that names several of them writes them (a fit's sizes, a size given against its column's, the
 * sizes fitted against the one asked for): each to as many digits as tell it from the others (distinctDigits), so
 * 1e8 and 1e8+1 never read alike in one message.
 */
export function formatSizes(sizes: readonly number[]): string[] {
  const digits = distinctDigits(sizes);
  return sizes.map((n) => formatCompact(n, digits));
}

/**
 * A count as an editable box shows it: compact, to the fewest significant digits (from 4) that read back as the same
 * number, so a what-if's model size 1e8+1 shows "100.000001M", not "100M" that an edit would read back as 1e8.
 */
export function formatCompactExact(v: number): string {
  for (let digits = 4; digits < MAX_DIGITS; digits++) {
    const text = formatCompact(v, digits);
    if (parseNumberCell(text)?.value === v) return text;
  }
  return formatCompact(v, MAX_DIGITS);
}

/**
 * Names by model size ("N=100M") for several sizes told apart by their names (a file's loss curves of several sizes
 * without a run column, each a curve of its own by its name): each to as many digits as tell the sizes apart, or
 * 1e8 and 1e8+1 were one "N=100M" curve, their rows merged. `sizes` may repeat (a column's cells).
 */
export function sizeNames(sizes: Iterable<number>): (size: number) => string {
  const digits = distinctDigits([...new Set(sizes)]);
  return (size) => `N=${formatCompact(size, digits)}`;
}

/**
 * A count read off a row (a step, tokens, parameters): exact while it is short enough to read ("12345"), compact
 * beyond ("16B", "1.2M"), so a hover names the row as the file does without "1.6e10" or "7000000000".
 */
export function formatCount(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : formatCompact(v);
}

/** A compute amount in FLOP, as budgets are written: "1e22", "3.2e21". */
export function formatFlop(v: number): string {
  return exponent(v, 4);
}

/** A value and its band as printed: the three numbers rounded to one decimal place. */
export interface BandedText {
  value: string;
  low: string;
  high: string;
}

/** Fewest and most significant digits a banded value is given. */
const BAND_MIN_DIGITS = 3;
const BAND_MAX_DIGITS = 7;
/** A band of zero width resolves no digit: the value gets the 4 digits of an unbanded one. */
const ZERO_BAND_DIGITS = 4;

/**
 * A value with its band, each rounded to the decimal place the band resolves: the place of the narrower side's
 * width, so the value is told apart from both bounds. At least 3 and at most 7 significant digits for the value. Null when the band is not finite (no band to show).
 * `resolved`: a narrower band about the same value whose place this one is printed at (a sweep law's band inside its
 * new-run band), so the wider reads as wider: at its own place a new run's [1.96, 1.98] read inside the law's
 * [1.957, 1.977].
 */
export function formatBanded(
  value: number,
  low: number,
  high: number,
  resolved: readonly [number, number] = [low, high],
): BandedText | null {
  if (![value, low, high].every(Number.isFinite)) return null;
  const magnitude = Math.floor(Math.log10(Math.abs(value) || Math.max(Math.abs(low), Math.abs(high)) || 1));
  // A gap below half the last of the most digits a value gets rounds away there: the band reads as of zero width
  // (refits that all stopped at one bound, 4.512201e-8 [4.512201e-8, 4.512201e-8]), not as seven resolved digits.
  const unresolved = 10 ** (magnitude - BAND_MAX_DIGITS + 1) / 2;
  const gaps = [value - resolved[0], resolved[1] - value]
    .filter(Number.isFinite)
    .map(Math.abs)
    .filter((g) => g >= unresolved);
  const gapPlace = Math.floor(Math.log10(minOf(gaps)));
  const digits = gaps.length
    ? Math.min(BAND_MAX_DIGITS, Math.max(BAND_MIN_DIGITS, magnitude - gapPlace + 1))
    : ZERO_BAND_DIGITS;
  const place = magnitude - digits + 1;
  // A bound two decades or more above the value (a coefficient's interval out to its bound) is told apart from the
  // value by its magnitude: it gets the value's significant digits, not its decimal place (0.0520 [0.0372, 156]).
  const bound = (v: number) => atPlace(v, place, magnitudeOf(v) - magnitude >= 2 ? digits - 1 : BAND_MAX_DIGITS);
  return { value: atPlace(value, place), low: bound(low), high: bound(high) };
}

const magnitudeOf = (v: number): number => (v === 0 ? -Infinity : Math.floor(Math.log10(Math.abs(v))));

/** "value [low, high]" by the band rule, or the value alone (4 significant digits) when there is no band. */
export function formatEstimate(value: number, low: number, high: number): string {
  const banded = formatBanded(value, low, high);
  return banded ? `${banded.value} [${banded.low}, ${banded.high}]` : formatNumber(value, 4);
}

/**
 * `v` rounded to the decimal place 10^place, trailing zeros kept (they are digits the band resolves), and to at most
 * `maxDigits` + 1 significant digits: a bound decades above its value (D/N [0, 4e43] of 5e-6) printed 52 at its place.
 */
function atPlace(v: number, requested: number, maxDigits = BAND_MAX_DIGITS): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const place = Math.max(requested, Math.floor(Math.log10(a)) - maxDigits);
  if (a >= 1e6 || a < 1e-3) {
    const digits = Math.floor(Math.log10(a)) - place + 1;
    return digits >= 1 ? v.toExponential(digits - 1).replace('e+', 'e') : '0';
  }
  if (place >= 0) return String(Math.round(v / 10 ** place) * 10 ** place);
  return v.toFixed(Math.min(20, -place));
}

/** "1 row", "3 rows". */
export function plural(n: number, noun: string): string {
  return `${n} ${pluralNoun(n, noun)}`;
}

/**
 * A noun in the number of `n`, without the count: "law" for one, "laws" otherwise. The one rule for a heading or label
 * over a list of counted things ("Fitted law" over one fit, never "Fitted laws"), and for plural's counts.
 */
export function pluralNoun(n: number, noun: string): string {
  return n === 1 ? noun : `${noun}s`;
}

/**
 * A range as every surface writes it: its ends, each formatted by the caller, joined by an en dash ("0.43–0.95",
 * "D_p 500M–4B", "lines 2–9"), never a hyphen, which reads as a minus before a negative end.
 */
export function formatRange(low: string, high: string): string {
  return `${low}–${high}`;
}

/**
 * A quantity at a value as a sentence writes it: "D_p = 8B", "N = 25M", spaced about "=" (a count compact:
 * formatCompact). A name built of one (a curve "N=25M", a group "en-fr, D_f=42M") is a name, written without spaces.
 */
export function formatQuantity(symbol: string, value: number | string): string {
  return `${symbol} = ${typeof value === 'number' ? formatCompact(value) : value}`;
}

/** An MLflow run id (32 hex digits) short, as MLflow's own UI shows it: its first 8 characters. */
export function shortRunId(id: string): string {
  return id.slice(0, 8);
}
