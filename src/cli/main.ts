// `scaling-lens`: the command-line shell around the core. Exit codes: 0 success, 1 nothing fitted (or an internal
// error), 2 usage error, 3 the deadline passed. Under --json every one of them ends in one JSON document on stdout.
import { spawn } from 'node:child_process';
import { analyseFiles } from '../core/analysis/analyse';
import type { Analysis } from '../core/analysis/types';
import { withCellColumns } from '../core/sources/cellLines';
import { inspectFiles } from '../core/analysis/inspect';
import { parseCli, unusedKindFlags, USAGE, wantsJson } from './args';
import { jsonErrorDocument, writeJsonReport, type CliJsonError } from './report';
import { documentJson, jsonShown, VERSION } from '../core/report/fitDocument';
import { jsonSafe, terminalSafe } from './terminal';
import { cliMessage, formatAnalysis, formatInspection } from './text';
import { isMainThread } from 'node:worker_threads';
import { watchRuns, type Writer } from './watch';

/** Every byte printed goes through here or through fail(): file text never reaches the terminal raw. */
function write(text: string, kind: 'text' | 'json' = 'text'): Promise<void> {
  const safe = kind === 'json' ? jsonSafe(text) : terminalSafe(text);
  return new Promise((resolve) =>
    process.stdout.write(safe) ? resolve() : process.stdout.once('drain', () => resolve()),
  );
}

function fail(text: string): void {
  process.stderr.write(terminalSafe(text));
}

/** Set in the child that does the work under --deadline, so it does not fork again. */
const DEADLINE_CHILD = 'SCALING_LENS_DEADLINE_CHILD';

/**
 * The analysis is CPU-bound work on this thread, which no timer can interrupt: under --deadline the same command runs
 * in a child process that is killed when the time is up. It prints only when done, so nothing half-written remains.
 * Under --json its stdout passes through here, so a child killed before it printed leaves the deadline's document.
 */
function runWithDeadline(argv: string[], seconds: number, json: boolean): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      stdio: ['inherit', json ? 'pipe' : 'inherit', 'inherit'],
      env: { ...process.env, [DEADLINE_CHILD]: '1' },
    });
    let printed = false;
    child.stdout?.once('data', () => (printed = true));
    child.stdout?.pipe(process.stdout, { end: false });
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      child.kill('SIGKILL');
    }, seconds * 1000);
    // 'close', not 'exit': the child's stdout is read to its end before the deadline's document may follow it.
    child.once('close', (code) => {
      clearTimeout(timer);
      if (!late) return resolve(code ?? 1);
      const message = `stopped after ${seconds} s (--deadline); nothing was analysed to the end`;
      fail(`scaling-lens: ${message}\n`);
      const done = () => resolve(3);
      if (json && !printed) void writeErrorDocument({ kind: 'deadline', message, exitCode: 3 }).then(done);
      else done();
    });
  });
}

/** The core's entry points main calls: a test gives its own to make one fail. */
export interface Work {
  analyseFiles: typeof analyseFiles;
  inspectFiles: typeof inspectFiles;
}

const CORE: Work = { analyseFiles, inspectFiles };

/** What a command has printed and made so far, for the document of an error that ends it. */
interface Progress {
  /** Whether stdout has been written to: a second document after part of one would not parse. */
  printed: boolean;
  /** Under watch, a document is a line: an error's may follow the updates printed. */
  lines: boolean;
  /** The report made so far (a fit's or an inspection's), which the error's document carries. */
  report?: Record<string, unknown>;
}

/** The --json document of a command that ended on `error`, around the report made so far. */
function writeErrorDocument(error: CliJsonError, progress?: Progress): Promise<void> {
  const document = jsonErrorDocument(error, VERSION, progress?.report);
  return write(`${JSON.stringify(document, jsonShown, progress?.lines ? undefined : 2)}\n`, 'json');
}

/**
 * Runs the command; an exception from anywhere (a bug: the core returns errors as findings) ends it with exit code 1
 * and its message on stderr, never a stack trace, and under --json with the internal error's document on stdout.
 */
export async function main(argv: string[], work: Work = CORE): Promise<number> {
  const progress: Progress = { printed: false, lines: false };
  const print: Writer = (text, kind) => {
    progress.printed = true;
    return write(text, kind);
  };
  try {
    return await run(argv, work, print, progress);
  } catch (error) {
    const message = `internal error: ${(error as Error)?.message ?? String(error)}`;
    fail(`scaling-lens: ${message}\n`);
    if (wantsJson(argv) && (!progress.printed || progress.lines))
      await writeErrorDocument({ kind: 'internal', message, exitCode: 1 }, progress);
    return 1;
  }
}

async function run(argv: string[], work: Work, write: Writer, progress: Progress): Promise<number> {
  const parsed = parseCli(argv);
  if (!parsed.ok) {
    fail(`scaling-lens: ${parsed.error}\n\n${USAGE}\n`);
    // Under watch a document is a line, even one that ends the command before it began.
    progress.lines = argv.find((a) => !a.startsWith('-')) === 'watch';
    if (wantsJson(argv)) await writeErrorDocument({ kind: 'usage', message: parsed.error, exitCode: 2 }, progress);
    return 2;
  }
  const { request } = parsed;
  if (request.deadline !== undefined && !process.env[DEADLINE_CHILD])
    return runWithDeadline(argv, request.deadline, request.json);
  if (request.command === 'help') {
    await write(`${USAGE}\n`);
    return 0;
  }
  if (request.command === 'version') {
    await write(`${VERSION}\n`);
    return 0;
  }
  // Each input stands alone: one that cannot be read (missing, a folder, a device) is reported by the reader with its
  // reason, and the others are analysed.
  const read = { delimiter: request.delimiter, format: request.format };
  if (request.command === 'inspect') {
    const inspection = await work.inspectFiles(request.files, request.options.columns, read);
    const findings = await withCellColumns(inspection.findings);
    const code = inspection.files.some((f) => f.rows > 0) ? 0 : 1;
    const report = { files: inspection.files, series: Object.fromEntries(inspection.series), findings };
    progress.report = report;
    if (request.json) {
      const error: CliJsonError | undefined = code
        ? { kind: 'no-data', message: 'no input holds data rows (see the findings)', exitCode: code }
        : undefined;
      await write(`${documentJson(error ? jsonErrorDocument(error, VERSION, report) : report)}\n`, 'json');
    } else await write(formatInspection(inspection.files, inspection.series, findings));
    return code;
  }
  if (request.command === 'watch') {
    progress.lines = true;
    const code = await watchRuns(request, VERSION, write, fail);
    endAtOnce = true;
    return code;
  }
  const analysis = await work.analyseFiles(request.files, request.options, read);
  analysis.findings = await withCellColumns(analysis.findings);
  progress.report = { tool: 'scaling-lens', version: VERSION, files: analysis.files, findings: analysis.findings };
  const nothing = analysis.fits.length === 0 ? nothingFitted(analysis) : undefined;
  const error: CliJsonError | undefined =
    nothing === undefined ? undefined : { kind: 'nothing-fitted', message: nothing, exitCode: 1 };
  if (request.json) await writeJsonReport(analysis, VERSION, (text) => write(text, 'json'), error);
  else await write(formatAnalysis(analysis));
  for (const note of unusedKindFlags(
    request,
    analysis.files.map((f) => f.kind),
  ))
    fail(`scaling-lens: ${note}\n`);
  if (nothing === undefined) return 0;
  fail(`scaling-lens: ${nothing}\n`);
  return 1;
}

/**
 * Why nothing was fitted. The errors say why; a sweep's too few points are an info (each group said); files without
 * rows, or only files whose kind is unknown, are said as such, never a header-only file as one "without the columns
 * of a law".
 */
function nothingFitted(analysis: Analysis): string {
  const errors = analysis.findings.filter((f) => f.severity === 'error');
  const why = errors.length ? errors : analysis.findings.filter((f) => f.code === 'too-few-points');
  const reasons = why.map(cliMessage);
  const none = analysis.files.every((f) => f.rows === 0)
    ? ' (no file holds data rows; see the findings above)'
    : analysis.files.every((f) => f.kind === 'unknown')
      ? ' (no file had the columns of a known law; see `scaling-lens inspect`)'
      : ' (see the findings above)';
  return `nothing could be fitted${reasons.length ? `: ${reasons.slice(0, 3).join(' ')}` : none}`;
}

/**
 * A reader that went away (`fit ... --json | head`) ends the output: the rest would go nowhere, so the command ends
 * quietly instead of dying on the stream's EPIPE with a stack trace. Any other failure to print is said once, on
 * stderr while it can still be written, with exit code 1.
 */
function endOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (stream !== process.stderr) fail(`scaling-lens: cannot print: ${error.message}\n`);
    process.exit(1);
  });
}

/**
 * The command ended with all its output written, and work it no longer wants may still be under way: `watch` after a
 * signal, whose update in flight (a read, a fit) held the process 1-5 s, so main ends the process at once.
 */
let endAtOnce = false;

// Not in the follower's thread `watch` starts from this file when bundled (watch.ts).
if (require.main === module && isMainThread) {
  endOnClosedPipe(process.stdout);
  endOnClosedPipe(process.stderr);
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    if (endAtOnce) process.exit(code);
  });
}
