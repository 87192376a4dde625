// The `--json` document. Its field names are a public contract (other tools read them): curves, fits, predictions,
// findings, files. Pairs like [step, loss] are what plotting scripts expect, so series are emitted as pairs here.
import type { Analysis, CurveReport } from '../core/analysis/types';

function pairs(xs: number[], ys: number[]): [number, number][] {
  return xs.map((x, i) => [x, ys[i]]);
}

/** A curve of the document; without `points` (a watch update), its per-point arrays are left out. */
function curveJson(c: CurveReport, points = true) {
  const head = {
    name: c.name,
    file: c.file,
    role: c.role === 'fit' ? 'fit' : c.role === 'heldout' ? 'heldout' : 'unfitted',
    law: c.law,
    metric: c.metric,
    xName: c.xName,
    group: c.group,
    groupFields: c.groupFields,
    points: c.points.x.length,
    metrics: c.metrics ?? null,
    // Where the run's latest points left its law (the finding law-departure); its predictions are withheld.
    ...(c.departure && { departure: c.departure }),
    // Where the curve's predictions stop, its LR lower than the fit curves' ever was (the finding drop-unseen).
    ...(c.withheldFrom && { withheldFrom: c.withheldFrom }),
    // The model size N the model-size law knows the curve by.
    ...(c.modelSize !== undefined && { modelSize: c.modelSize }),
  };
  if (!points) return head;
  return {
    ...head,
    observed: pairs(c.points.x, c.points.observed),
    predicted: c.points.predicted.length ? pairs(c.points.x, c.points.predicted) : [],
    band: c.points.low.length ? c.points.x.map((x, i) => [x, c.points.low[i], c.points.high[i]]) : [],
    lines: c.points.lines,
    // Indices into `observed` of the points a fitted curve's law did not use (a BLEU group's from its break on).
    ...(c.notFitted && { notFitted: c.notFitted }),
    metrics: c.metrics ?? null,
    excludedBy: c.excludedBy,
    // Under law auto: the runner-up law's prediction, [step, value, low, high] at some steps (fits[].runnerUpFit).
    ...(c.runnerUp && {
      runnerUp: {
        law: c.runnerUp.law,
        predicted: c.runnerUp.x.map((x, i) => [x, c.runnerUp!.predicted[i], c.runnerUp!.low[i], c.runnerUp!.high[i]]),
      },
    }),
  };
}

export function toJsonReport(analysis: Analysis, version: string, points = true) {
  return {
    tool: 'scaling-lens',
    version,
    kind: analysis.kind,
    files: analysis.files,
    curves: analysis.curves.map((c) => curveJson(c, points)),
    fits: analysis.fits,
    predictions: analysis.predictions,
    findings: analysis.findings,
    timings: analysis.timings,
  };
}
