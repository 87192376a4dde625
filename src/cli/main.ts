// `scaling-lens`: the command-line shell around the core. Exit codes: 0 success, 1 nothing fitted, 2 usage error.
import { spawn } from 'node:child_process';
import { analyseFiles } from '../core/analysis/analyse';
import { withCellColumns } from '../core/sources/cellLines';
import { inspectFiles } from '../core/analysis/inspect';
import { parseCli, unusedKindFlags, USAGE } from './args';
import { writeJsonReport } from './report';
import { jsonSafe, jsonShown, terminalSafe } from './terminal';
import { cliMessage, formatAnalysis, formatInspection } from './text';
import { watchRuns } from './watch';

declare const SCALING_LENS_VERSION: string | undefined;
const VERSION = typeof SCALING_LENS_VERSION === 'string' ? SCALING_LENS_VERSION : '0.0.0-dev';

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
 */
function runWithDeadline(argv: string[], seconds: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      stdio: 'inherit',
      env: { ...process.env, [DEADLINE_CHILD]: '1' },
    });
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      child.kill('SIGKILL');
    }, seconds * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!late) return resolve(code ?? 1);
      fail(`scaling-lens: stopped after ${seconds} s (--deadline); nothing was analysed to the end\n`);
      resolve(3);
    });
  });
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCli(argv);
  if (!parsed.ok) {
    fail(`scaling-lens: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  const { request } = parsed;
  if (request.deadline !== undefined && !process.env[DEADLINE_CHILD]) return runWithDeadline(argv, request.deadline);
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
    const inspection = await inspectFiles(request.files, request.options.columns, read);
    const findings = await withCellColumns(inspection.findings);
    if (request.json)
      await write(
        `${JSON.stringify({ files: inspection.files, series: Object.fromEntries(inspection.series), findings }, jsonShown, 2)}\n`,
        'json',
      );
    else await write(formatInspection(inspection.files, inspection.series, findings));
    return inspection.files.some((f) => f.rows > 0) ? 0 : 1;
  }
  if (request.command === 'watch') return watchRuns(request, VERSION, write, fail);
  const analysis = await analyseFiles(request.files, request.options, read);
  analysis.findings = await withCellColumns(analysis.findings);
  if (request.json) await writeJsonReport(analysis, VERSION, (text) => write(text, 'json'));
  else await write(formatAnalysis(analysis));
  for (const note of unusedKindFlags(
    request,
    analysis.files.map((f) => f.kind),
  ))
    fail(`scaling-lens: ${note}\n`);
  if (analysis.fits.length === 0) {
    // The errors say why; a sweep's too few points are an info (each group said); files without rows, or only files
    // whose kind is unknown, are said as such, never a header-only file as one "without the columns of a law".
    const errors = analysis.findings.filter((f) => f.severity === 'error');
    const why = errors.length ? errors : analysis.findings.filter((f) => f.code === 'too-few-points');
    const reasons = why.map(cliMessage);
    const none = analysis.files.every((f) => f.rows === 0)
      ? ' (no file holds data rows; see the findings above)'
      : analysis.files.every((f) => f.kind === 'unknown')
        ? ' (no file had the columns of a known law; see `scaling-lens inspect`)'
        : ' (see the findings above)';
    fail(`scaling-lens: nothing could be fitted${reasons.length ? `: ${reasons.slice(0, 3).join(' ')}` : none}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      // Never a stack trace for a user: the core returns errors as findings, so reaching here is a bug to report.
      fail(`scaling-lens: internal error: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
