// Numbers on axes and in tooltips: compact on ticks, exact (6 significant digits) in tooltips.
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

export function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // Compact notation stops at T (trillions): FLOP counts (1e17 and up) would read "100,000T".
  if (a < 1e-2 || a >= 1e15) return v.toExponential(0);
  return compact.format(v);
}

export function exact(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(5);
  return String(Number(v.toPrecision(6)));
}
