// Number formatting shared by every surface (CLI tables, CodeLens, hovers), so a value reads the same everywhere.

/** Significant-digit formatting that switches to exponent notation for very large or small magnitudes. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return Number(v.toPrecision(digits)).toString();
}

/** A fraction as a percentage, e.g. 0.00213 -> "0.213 %". */
export function formatPercent(fraction: number, digits = 3): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  return `${Number((fraction * 100).toPrecision(digits))} %`;
}

/** Compact step or token counts as users write them: 200000 -> "200k", 42e6 -> "42M", 1.5e9 -> "1.5B". */
export function formatCompact(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) if (a >= scale) return `${Number((v / scale).toPrecision(4))}${suffix}`;
  return String(Number(v.toPrecision(6)));
}

/** "1 row", "3 rows". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
