// The BLEU law's start scan as it was before 2026-12-07 (one Householder least-squares solve per exponent, allocated
// afresh, and each candidate's log prediction taken as the logarithm of its power), kept as the oracle the faster scan
// (laws/bleu.ts: the line's design factored once per set of points, one logarithm per point) must match start for start,
// and as the bench's peer for the downstream refits' time (bench/downstreamGroup.ts).
import { BETA_GRID, bleuLaw, type BleuPoints } from '../../src/core/laws/bleu';

/** The former least squares of y on some columns: coefficients, or null when rank-deficient. */
export function formerLeastSquares(columns: Float64Array[], y: Float64Array): Float64Array | null {
  const n = y.length;
  const k = columns.length;
  if (k === 0 || n < k) return null;
  const a = columns.map((c) => Float64Array.from(c.subarray(0, n)));
  const b = Float64Array.from(y);
  const diagonal = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const v = a[j];
    let norm = 0;
    for (let i = j; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (!(norm > 0) || !Number.isFinite(norm)) return null;
    const alpha = v[j] > 0 ? -norm : norm;
    v[j] -= alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += v[i] * v[i];
    diagonal[j] = alpha;
    if (vv === 0) continue;
    for (const target of [...a.slice(j + 1), b]) {
      let dot = 0;
      for (let i = j; i < n; i++) dot += v[i] * target[i];
      const f = (2 * dot) / vv;
      for (let i = j; i < n; i++) target[i] -= f * v[i];
    }
  }
  const largest = diagonal.reduce((m, d) => Math.max(m, Math.abs(d)), 0);
  if (diagonal.some((d) => Math.abs(d) <= largest * 1e-14)) return null;
  const coefficients = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    let rest = b[j];
    for (let c = j + 1; c < k; c++) rest -= a[c][j] * coefficients[c];
    coefficients[j] = rest / diagonal[j];
  }
  return coefficients.every(Number.isFinite) ? coefficients : null;
}

/** The former bleuStarts. */
export function formerBleuStarts(data: BleuPoints, observed: Float64Array, keep = 4): Float64Array[] {
  const ones = new Float64Array(observed.length).fill(1);
  const scanned: { sse: number; start: Float64Array }[] = [];
  const pred = new Float64Array(observed.length);
  const lnObserved = observed.map(Math.log);
  for (const beta of BETA_GRID) {
    const line = formerLeastSquares(
      [ones, data.u],
      observed.map((v) => Math.pow(v, 1 / beta)),
    );
    if (!line) continue;
    const start = Float64Array.of(line[0], Math.max(line[1], 1e-6), beta);
    bleuLaw.predict(start, data, pred);
    let sse = 0;
    for (let i = 0; i < pred.length; i++) sse += (Math.log(pred[i]) - lnObserved[i]) ** 2;
    if (Number.isFinite(sse)) scanned.push({ sse, start });
  }
  scanned.sort((p, q) => p.sse - q.sse);
  return scanned.slice(0, keep).map((s) => s.start);
}
