// `scaling-lens watch PATH...`: follows the runs (src/core/live) and prints an update each time they change — the
// fit's text, or with --json one compact line per update in the `fit --json` shape without the per-point arrays, plus
// `update` (what changed, how the fit started, its timings). Ends with status 0 on SIGINT or SIGTERM.
import { plainAnalysis } from '../core/analysis/series';
import { followRuns, type LiveUpdate } from '../core/live/follower';
import type { CliRequest } from './args';
import { fitHeadDocument, jsonShown } from '../core/report/fitDocument';
import { formatAnalysis } from './text';
import { nameOnLine, oneLine } from './terminal';

/** How main prints: through its escaping. */
export type Writer = (text: string, kind?: 'text' | 'json') => Promise<void>;

/** Follows until SIGINT or SIGTERM; resolves with the exit status. */
export async function watchRuns(request: CliRequest, version: string, write: Writer, fail: (text: string) => void) {
  // Listened to first: a signal during the first read must end the watch, not the process.
  const signalled = new Promise<void>((resolve) => {
    const end = () => {
      process.off('SIGINT', end);
      process.off('SIGTERM', end);
      resolve();
    };
    process.on('SIGINT', end);
    process.on('SIGTERM', end);
  });
  const read = { delimiter: request.delimiter, format: request.format };
  let printing = Promise.resolve();
  const print = (update: LiveUpdate) => {
    const analysis = plainAnalysis(update.analysis);
    return request.json
      ? write(
          `${JSON.stringify({ ...fitHeadDocument(analysis, version), update: updateJson(update) }, jsonShown)}\n`,
          'json',
        )
      : write(`${updateLine(update)}\n${formatAnalysis(analysis)}\n`);
  };
  const following = await followRuns(
    request.files,
    { analysis: request.options, read },
    (update) => (printing = printing.then(() => print(update))),
    (error) =>
      fail(
        `scaling-lens: an update failed (${oneLine(error instanceof Error ? error.message : String(error))}); following goes on\n`,
      ),
  );
  await signalled;
  following.stop();
  await printing;
  return 0;
}

function updateJson(update: LiveUpdate) {
  return {
    time: new Date().toISOString(),
    inputs: update.inputs,
    start: update.start,
    readMs: Math.round(update.readMs * 10) / 10,
    fitMs: Math.round(update.fitMs * 10) / 10,
  };
}

/** "== 12:03:04 run.csv: 100 rows appended (3,100 rows); warm fit in 45 ms". */
function updateLine(update: LiveUpdate): string {
  const inputs = update.inputs.map(
    (input) => `${nameOnLine(input.path)}: ${input.change} (${input.rows.toLocaleString('en-US')} rows)`,
  );
  const fit = update.start === 'none' ? 'no loss-curve fit' : `${update.start} fit`;
  const time = new Date().toISOString().slice(11, 19);
  return `== ${time} ${inputs.join('; ')}; ${fit}, read ${update.readMs.toFixed(0)} ms, analysed ${update.fitMs.toFixed(0)} ms`;
}
