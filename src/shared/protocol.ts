// Every message between the extension client and the language server, typed once. The client, the server and the
// tests import these; no method name or payload shape is written anywhere else.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Analysis, AnalysisKind, LawId, Prediction } from '../core/analysis/types';
import type { ColumnRole, FileKind } from '../core/table/types';
import type { RunPart } from '../core/sources/types';
import { settingsDefaults, type Settings } from '../core/options/settings';
import { isStepCount } from '../core/util/counts';

/**
 * The `scalingLens` settings section, as the server reads it per resource. Its shape, defaults and checks are rows of
 * the options table (src/core/options/schema.ts); package.json's `contributes.configuration` is generated from it.
 */
export type ScalingLensSettings = Settings;

export const DEFAULT_SETTINGS: ScalingLensSettings = settingsDefaults();

/** Choices a user made for one file with "Select Columns and Law...", remembered by the client per file. */
export interface FileOverrides {
  columns?: Partial<Record<ColumnRole, string>>;
  law?: 'auto' | LawId;
}

export interface UriParams {
  uri: string;
}

export type FitState = 'fitting' | 'done' | 'error' | 'skipped';

/** A short, serialisable account of one file's analysis for the command that asked for it. */
export interface FitSummary {
  uri: string;
  state: FitState;
  kind: AnalysisKind;
  /** One line a person reads: what was fitted and the headline prediction, or why nothing was. */
  message: string;
  fits: number;
  warnings: number;
  errors: number;
  ms: number;
  /** True when the file was read from disk (not open in an editor, or too large to be synced). */
  fromDisk: boolean;
  /** Auto-fit left the file alone: its columns do not look like a run file's (the client hints at mapping them). */
  unrecognised?: boolean;
  /** A metric file of a run folder (DVCLive, MLflow): the summary is its run's fit, said of the file as part of it. */
  partOf?: RunPartOf;
}

/** A run folder of a framework as it is named: its format, and its folder's name (DVCLive) or its id (MLflow). */
export type RunNamed = Pick<RunPartOf, 'format' | 'run'>;

/** The run folder a metric file is a part of (its format and metric as the source names them): its fit is the run's. */
export interface RunPartOf extends Pick<RunPart, 'format' | 'metric'> {
  /** The run: its folder's name (DVCLive), its id (MLflow). */
  run: string;
  /** The run folder's URI: what the fit, the chart and the predictions are of. */
  uri: string;
}

/** Fit a file by URI, from the open document or from disk; enables lenses and diagnostics for it. */
export const FitFileRequest = new RequestType<UriParams & { overrides?: FileOverrides }, FitSummary, void>(
  'scalingLens/fitFile',
);

export type PredictTarget =
  | { kind: 'step'; value: number }
  | { kind: 'dataMultiplier'; value: number }
  | { kind: 'dataValue'; value: number }
  | { kind: 'compute'; value: number }
  /** A value of the power law's x column (law 'power': the step of a loss curve, tokens, ...). */
  | { kind: 'powerX'; value: number };

/** The kinds of target, as a set a raw request's kind is checked against. */
const TARGET_KINDS: Record<PredictTarget['kind'], true> = {
  step: true,
  dataMultiplier: true,
  dataValue: true,
  compute: true,
  powerX: true,
};

/**
 * Why no law can be asked at this target, or undefined when one can: the one rule for the input box and a raw request.
 * A step below 1 rounds to step 0, where the loss-curve laws are undefined (worded as --predict-step's usage error);
 * the other targets are amounts, positive. A NaN sent over JSON arrives as null, hence the finite check.
 */
export function targetValueProblem(target: PredictTarget): string | undefined {
  // A raw request may send no target, or a kind no law answers ("No undefined in this file to predict from.").
  if (typeof target !== 'object' || target === null || !Object.hasOwn(TARGET_KINDS, target.kind))
    return `A target must be one of ${Object.keys(TARGET_KINDS).join(', ')}, with its value.`;
  const { kind, value } = target;
  // Steps are counted (step 2.5 is a typo, which was predicted as step 3 unsaid), and follow a log's 2^53 rule.
  const step = kind === 'step';
  const fits = (v: number) => (step ? isStepCount(v) : v >= Number.MIN_VALUE);
  if (typeof value === 'number' && Number.isFinite(value) && fits(value)) return undefined;
  // A value that is not a number is named by its type: a raw request's string may be megabytes long.
  const got = typeof value === 'string' || (typeof value === 'object' && value !== null) ? typeof value : String(value);
  return `${step ? 'A target step must be an integer >= 1 and <= 2^53 - 1' : 'A target must be a number > 0'}; got ${got}.`;
}

/**
 * What a lens tells Predict at... (its second argument): the target to ask for, and for a power law the column its x
 * is (`tokens`), so the question names it.
 */
export interface PredictAtHint {
  kind?: PredictTarget['kind'];
  xName?: string;
}

export interface PredictResult {
  predictions: Prediction[];
  /** Why there is no prediction, when there is none. */
  message?: string;
}

export const PredictRequest = new RequestType<UriParams & { target: PredictTarget }, PredictResult, void>(
  'scalingLens/predict',
);

/**
 * The server's own analysis of a file, hover data included (a curve's cell and joined-line maps, its metric files):
 * what the tests inspect. No file format: Export Fit writes FitDocumentRequest's document.
 */
export const AnalysisRequest = new RequestType<UriParams, Analysis | null, void>('scalingLens/analysis');

/** A page of an exported document's text: its pages, joined in order, are the document. */
export interface FitDocumentPage {
  text: string;
  /** The export's id to ask FitDocumentPageRequest for the next page with; absent on the last page. */
  next?: number;
}

/**
 * The first page of a file's fit as the document `scaling-lens fit --json` prints, as its text (its public field
 * names, its indent, its final newline), which Export Fit writes: one script reads an export and the CLI's output
 * alike. Null when the file has no analysis. A page at a time, a million-row log's 240 MB document is never whole.
 */
export const FitDocumentRequest = new RequestType<UriParams, FitDocumentPage | null, void>('scalingLens/fitDocument');

/**
 * The next page of an export (`id`: its page's `next`), or with `stop` its end before the last page (the save dialog
 * cancelled). Null when the export is not under way: ended, stopped, or let go after 10 minutes without a request.
 */
export const FitDocumentPageRequest = new RequestType<{ id: number; stop?: boolean }, FitDocumentPage | null, void>(
  'scalingLens/fitDocumentPage',
);

/**
 * An export's text page by page from its first (FitDocumentRequest's answer), each next one asked of `ask` (a client's
 * sendRequest of FitDocumentPageRequest) once the last is taken. Throws when the server let the export go meanwhile.
 */
export async function* documentPages(
  first: FitDocumentPage,
  ask: (params: { id: number }) => Promise<FitDocumentPage | null>,
): AsyncGenerator<string, void, undefined> {
  let page: FitDocumentPage | null = first;
  for (;;) {
    yield page.text;
    if (page.next === undefined) return;
    page = await ask({ id: page.next });
    if (!page) throw new Error('the language server let the export go before its end; run Export Fit again');
  }
}

export interface ColumnsResult {
  columns: string[];
  roles: Partial<Record<ColumnRole, string>>;
  kind: FileKind;
  /** The first few values of each column, in the order of `columns` (from the head of the file), for the picker. */
  samples?: string[][];
  /** The run folder the columns are of (DVCLive, MLflow), asked of it or of a metric file: the picker names it. */
  run?: RunNamed;
}

/** The columns of a file and what the server took each for, to build the "Select Columns and Law" picker. */
export const ColumnsRequest = new RequestType<UriParams, ColumnsResult, void>('scalingLens/columns');

/** Per-file choices from the client (sent on start for every remembered file, and when the user changes them). */
export const SetOverridesNotification = new NotificationType<UriParams & { overrides: FileOverrides }>(
  'scalingLens/setOverrides',
);

/** Fit progress and outcome per file, for the language status item. */
export const StatusNotification = new NotificationType<FitSummary>('scalingLens/status');

/** Commands a CodeLens or a hover link runs; the client registers exactly these. */
export const Commands = {
  fit: 'scalingLens.fit',
  showChart: 'scalingLens.showChart',
  predictAt: 'scalingLens.predictAt',
  selectColumns: 'scalingLens.selectColumns',
  exportFit: 'scalingLens.exportFit',
  restartServer: 'scalingLens.restartServer',
  showLog: 'scalingLens.showLog',
  openExample: 'scalingLens.openExample',
} as const;

/** The only commands a hover's Markdown may run: they open a view and never write a file or restart anything. */
export const HOVER_COMMANDS: readonly string[] = [Commands.showChart, Commands.selectColumns, Commands.showLog];

/**
 * Node flags the client starts the language server with. --expose-gc lets the server collect its own garbage as a
 * fit starts (src/server/gc.ts): its thread is idle while a worker fits, so V8 would not otherwise collect it.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--expose-gc'];

/**
 * Environment the client adds to the language server's. glibc's malloc raises its mmap threshold each time it frees
 * a large mapped block, so after the first re-fit a run's arrays (8 MB per million rows) are carved from its heaps
 * and stay resident once freed: a followed run's server grew with each re-fit. A fixed threshold keeps every block of
 * 1 MiB or more in a mapping of its own, given back to the system when freed. Other C libraries ignore it.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(2 ** 20) };

/** Where each finding code is documented (an anchor per code); diagnostics link there. */
export const DOCS_BASE = 'https://github.com/scaling-lens/scaling-lens/blob/main/README.md';
