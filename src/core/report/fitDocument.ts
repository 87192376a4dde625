// The fit document: what `fit --json` prints and what the editor's Export Fit writes. Its field names are a public
// contract (other tools read them): curves, fits, predictions, findings, files. Pairs like [step, loss] are what
// plotting scripts expect, so series are emitted as pairs here. The analysis's hover-only data (a curve's cell and
// joined-line maps, its metric files, its first line) stays out: it says where values are in a file, not what was fitted.
import { shownText } from '../util/controls';
import type { Analysis, AnalysisKind, CurveReport, Series } from '../analysis/types';

import { version } from '../../../package.json';

/** The tool's version as the document (and `--version`) states it: the package's, one number for CLI and extension. */
export const VERSION: string = version;

/** A per-point array of a curve, made row by row when it is written (a million-row log has four of them per curve). */
export interface PointRows {
  length: number;
  row(i: number): number | number[];
}

/** A per-point array as the document holds it: [x, value] pairs, [x, low, high] triples, or line numbers. */
export type PointArray = (number | number[])[];

/** How a curve's per-point arrays enter the document: as arrays, or as stand-ins written later (the CLI's writer). */
export type PointArrays<P = PointArray> = (rows: PointRows) => P;

/** Every row made at once: the document whole in memory (its per-point arrays one copy of the series). */
export const asArray: PointArrays = (rows) => Array.from({ length: rows.length }, (_, i) => rows.row(i));

function pairs(xs: ArrayLike<number>, ys: ArrayLike<number>): PointRows {
  return { length: xs.length, row: (i) => [xs[i], ys[i]] };
}

/** A curve's fields but its per-point arrays: the whole curve of a watch update (a line per update). */
function curveHead(c: CurveReport<Series>) {
  return {
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
}

/** A curve of the document, its per-point arrays made by `arrays`. */
function curveJson<P>(c: CurveReport<Series>, arrays: PointArrays<P>) {
  const { x, observed, predicted, low, high, lines, runLow, runHigh } = c.points;
  return {
    ...curveHead(c),
    observed: arrays(pairs(x, observed)),
    predicted: predicted.length ? arrays(pairs(x, predicted)) : [],
    band: low.length ? arrays({ length: x.length, row: (i) => [x[i], low[i], high[i]] }) : [],
    // A sweep law's band of a new run at each point (predictions[].runLow, runHigh), beside the law's own band.
    ...(runLow && runHigh && { runBand: arrays({ length: x.length, row: (i) => [x[i], runLow[i], runHigh[i]] }) }),
    lines: arrays({ length: lines.length, row: (i) => lines[i] }),
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

/** A curve of a watch update: no per-point arrays. */
export type CurveHead = ReturnType<typeof curveHead>;

/** A curve of the document with its per-point arrays (`P` as `arrays` made them). */
export type CurveDocument<P = PointArray> = ReturnType<typeof curveJson<P>>;

/** The document of a fit with its curves as `C`. */
export type FitDocumentOf<C> = {
  tool: 'scaling-lens';
  version: string;
  kind: AnalysisKind;
  files: Analysis['files'];
  curves: C[];
  fits: Analysis['fits'];
  predictions: Analysis['predictions'];
  findings: Analysis['findings'];
  timings: Analysis['timings'];
};

/** The document of a fit, whole: what `fit --json` prints and Export Fit writes (README, The `--json` document). */
export type FitDocument = FitDocumentOf<CurveDocument>;

/**
 * The analysis as the document. Its series may be the typed arrays the language server keeps: they are read row by
 * row, never copied to number[] first, so the document made whole (asArray) holds one extra copy of the series.
 * `arrays` makes the per-point arrays otherwise (the CLI's stand-ins, written row by row).
 */
export function fitDocument(analysis: Analysis<Series>, version?: string): FitDocument;
export function fitDocument<P>(
  analysis: Analysis<Series>,
  version: string,
  arrays: PointArrays<P>,
): FitDocumentOf<CurveDocument<P>>;
export function fitDocument(
  analysis: Analysis<Series>,
  version = VERSION,
  arrays: PointArrays<unknown> = asArray,
): FitDocumentOf<CurveDocument<unknown>> {
  return documentOf(analysis, version, (c) => curveJson(c, arrays));
}

/** The document of a watch update: every field but the curves' per-point arrays. */
export function fitHeadDocument(analysis: Analysis<Series>, version: string): FitDocumentOf<CurveHead> {
  return documentOf(analysis, version, curveHead);
}

function documentOf<C>(analysis: Analysis<Series>, version: string, curve: (c: CurveReport<Series>) => C) {
  const document: FitDocumentOf<C> = {
    tool: 'scaling-lens',
    version,
    kind: analysis.kind,
    files: analysis.files,
    curves: analysis.curves.map(curve),
    fits: analysis.fits,
    predictions: analysis.predictions,
    findings: analysis.findings,
    timings: analysis.timings,
  };
  return document;
}

/** The document's fields that are sentences for a reader, not values a program matches on (names stay whole there). */
const DISPLAY_FIELDS: ReadonlySet<string> = new Set(['message', 'reason', 'statusReason', 'hints', 'notes']);

/**
 * JSON.stringify's replacer for the document: long names and cells inside the display fields shortened (shownText),
 * so a 6 MB header does not come back in every message; names, columns and files (identifiers) are left whole.
 */
export function jsonShown(key: string, value: unknown): unknown {
  if (!DISPLAY_FIELDS.has(key)) return value;
  if (typeof value === 'string') return shownText(value);
  return Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? shownText(v) : v)) : value;
}

/** A document as it is written out (`fit --json`, `inspect --json`, Export Fit): indented, display fields shortened. */
export function documentJson(document: unknown): string {
  return JSON.stringify(document, jsonShown, 2);
}
