// Numbers on axes: compact ticks. Tooltips use the core's formatNumber, as every other surface does.
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

export function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // Compact notation stops at T (trillions): FLOP counts (1e17 and up) would read "100,000T".
  if (a < 1e-2 || a >= 1e15) return v.toExponential(0);
  return compact.format(v);
}
