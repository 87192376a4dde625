// `scaling-lens`: the command-line shell around the core. Exit codes: 0 success, 1 nothing fitted, 2 usage error.
import { existsSync, statSync } from 'node:fs';
import { analyseFiles } from '../core/analysis/analyse';
import { inspectFiles } from '../core/analysis/inspect';
import { parseCli, USAGE } from './args';
import { toJsonReport } from './report';
import { cliMessage, formatAnalysis, formatInspection } from './text';

declare const SCALING_LENS_VERSION: string | undefined;
const VERSION = typeof SCALING_LENS_VERSION === 'string' ? SCALING_LENS_VERSION : '0.0.0-dev';

function write(text: string): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(text) ? resolve() : process.stdout.once('drain', () => resolve()),
  );
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCli(argv);
  if (!parsed.ok) {
    process.stderr.write(`scaling-lens: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  const { request } = parsed;
  if (request.command === 'help') {
    await write(`${USAGE}\n`);
    return 0;
  }
  if (request.command === 'version') {
    await write(`${VERSION}\n`);
    return 0;
  }
  const missing = request.files.filter((f) => !existsSync(f) || !statSync(f).isFile());
  if (missing.length) {
    process.stderr.write(`scaling-lens: no such file: ${missing.join(', ')}\n`);
    return 2;
  }
  const read = { delimiter: request.delimiter };
  if (request.command === 'inspect') {
    const inspection = await inspectFiles(request.files, request.options.columns, read);
    if (request.json)
      await write(
        `${JSON.stringify({ files: inspection.files, series: Object.fromEntries(inspection.series), findings: inspection.findings }, null, 2)}\n`,
      );
    else await write(formatInspection(inspection.files, inspection.series, inspection.findings));
    return inspection.files.some((f) => f.rows > 0) ? 0 : 1;
  }
  const analysis = await analyseFiles(request.files, request.options, read);
  if (request.json) await write(`${JSON.stringify(toJsonReport(analysis, VERSION), null, 2)}\n`);
  else await write(formatAnalysis(analysis));
  if (analysis.fits.length === 0) {
    const reasons = analysis.findings.filter((f) => f.severity === 'error').map(cliMessage);
    process.stderr.write(
      `scaling-lens: nothing could be fitted${reasons.length ? `: ${reasons.slice(0, 3).join(' ')}` : ' (no file had the columns of a known law; see `scaling-lens inspect`)'}\n`,
    );
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      // Never a stack trace for a user: the core returns errors as findings, so reaching here is a bug to report.
      process.stderr.write(`scaling-lens: internal error: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
