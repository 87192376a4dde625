// What the read of a JSON document says about what it could not use (document.ts reads it): a document of none of
// the shapes read, log_history entries left out, and a walk that stopped early. Each names what was found, with its
// line, so the user can act on it; the rows read before are kept.
import { quote, type ProblemLog } from '../../table/problems';
import type { DocumentVisitor } from './document';
import { MAX_JSON_DEPTH, type JsonScalar, type JsonSkipped, type JsonStop } from './tokenizer';

/** What the document holds when it is none of the shapes read, named so the user knows what was given. */
export function reportShape(visitor: DocumentVisitor, file: string): void {
  const { keys, counts } = visitor;
  const list = (names: string[], count: number) =>
    names.map((n) => quote(n)).join(', ') + (count > names.length ? `, … (${count} in all)` : '');
  let found: string;
  if (visitor.root === 'array') found = `an array of ${visitor.notRecords} value(s), none of them an object`;
  else if (visitor.root === 'scalar') found = `one ${scalarNamed(visitor.rootValue)} and nothing else`;
  else if (visitor.root === null) found = 'no JSON value';
  else {
    const parts = [
      counts.scalars > 0 ? `${counts.scalars} scalar key(s) (${list(keys.scalars, counts.scalars)})` : '',
      counts.objects > 0 ? `${counts.objects} object key(s) (${list(keys.objects, counts.objects)})` : '',
      counts.arrays > 0 ? `${counts.arrays} array key(s) (${list(keys.arrays, counts.arrays)})` : '',
    ].filter((p) => p !== '');
    found = `an object with ${parts.length > 0 ? parts.join(', ') : 'no keys'}`;
  }
  visitor.problems.add(
    'json-shape',
    'error',
    1,
    1,
    `${file} holds ${found}: Scaling Lens reads a JSON document that is an array of records ` +
      '([{"step": 1, "loss": 3.2}, ...]), an object of column arrays ({"step": [1, 2], "loss": [3.2, 3.1]}) or a ' +
      'Hugging Face trainer_state.json (an object with a log_history array)',
  );
}

/** A document's one value, as the message names it: `null`, `the number 42`, `the string "loss"`. */
function scalarNamed(value: JsonScalar | undefined): string {
  if (typeof value === 'number') return `number (${value})`;
  if (typeof value === 'string') return `string (${quote(value)})`;
  return `value (${String(value)})`;
}

/** Says what of log_history could not be used. */
export function reportHistory(visitor: DocumentVisitor): void {
  const h = visitor.history;
  const logging = visitor.scalars.get('logging_steps');
  if (h.entries === 0 && h.notObjects === 0) {
    const when = typeof logging === 'number' ? ` (the Trainer logs every ${logging} steps)` : '';
    visitor.problems.addForFile(
      'log-history',
      'warning',
      1,
      1,
      `log_history is empty: the run has not logged anything yet${when}; there is nothing to fit until it does`,
    );
    return;
  }
  if (h.noStep > 0)
    visitor.problems.add(
      'log-history',
      'warning',
      h.firstNoStep,
      1,
      `${h.noStep} log_history entr${h.noStep === 1 ? 'y has' : 'ies have'} no numeric "step" (the first at line ` +
        `${h.firstNoStep}, holding ${keysNamed(visitor.noStepKeys)}); they are left out`,
    );
  if (h.notObjects > 0)
    visitor.problems.add(
      'log-history',
      'warning',
      1,
      1,
      `${h.notObjects} log_history entr${h.notObjects === 1 ? 'y is' : 'ies are'} not an object; left out`,
    );
  // A key numeric elsewhere loses cells of a column (a warning); a key never a number is bookkeeping (an ETA as
  // text), never fitted: said as info.
  const all = [...visitor.notNumbers];
  reportNotNumbers(
    visitor,
    all.filter(([key]) => visitor.numericKeys.has(key)),
    'warning',
    'left out',
  );
  reportNotNumbers(
    visitor,
    all.filter(([key]) => !visitor.numericKeys.has(key)),
    'info',
    'never a number, so no column to fit; not read',
  );
}

/** One finding for log_history values that are not numbers, at the first of them. */
function reportNotNumbers(
  visitor: DocumentVisitor,
  byKey: [string, { count: number; value: string; line: number }][],
  severity: 'warning' | 'info',
  outcome: string,
): void {
  if (byKey.length === 0) return;
  const count = byKey.reduce((n, [, v]) => n + v.count, 0);
  // Keys in the order first met, so the first's first value is the first of all.
  const [key, first] = byKey[0];
  visitor.problems.add(
    'log-history',
    severity,
    first.line,
    1,
    `${count} log_history value${count === 1 ? ' is' : 's are'} not a number (the first: ` +
      `${quote(key)} = ${first.value} at line ${first.line}); ${outcome}`,
  );
}

/** Values nested too deep to read: left out, the rest of the document read. */
export function reportSkipped(problems: ProblemLog, skipped: JsonSkipped | null): void {
  if (skipped === null) return;
  const { line, column } = skipped.at;
  const values = skipped.count === 1 ? 'a value' : `${skipped.count} values`;
  problems.addForFile(
    'json-too-deep',
    'warning',
    line,
    column,
    `${values} nested more than ${MAX_JSON_DEPTH} levels deep (the first at line ${line}, column ${column}) ${skipped.count === 1 ? 'is' : 'are'} left out; the rest of the document is read`,
  );
}

/** Where and why the walk stopped early; the rows before it are kept. */
export function reportStop(problems: ProblemLog, stop: JsonStop | null, visitor: DocumentVisitor): void {
  if (stop === null) return;
  const { line, column } = stop.at;
  const kept = visitor.logHistory
    ? `the ${visitor.history.entries} log_history entries before it are read`
    : visitor.root === 'array'
      ? `the ${visitor.recordCount} record(s) before it are read`
      : 'what comes before it is read';
  const anything = visitor.history.entries + visitor.recordCount + visitor.columns.length > 0;
  const why =
    stop.kind === 'truncated'
      ? `the JSON document is cut short at line ${line}, column ${column} (${stop.message}: a run still writing it?)`
      : `the JSON document has an error at line ${line}, column ${column}: ${stop.message}`;
  problems.addForFile('json-invalid', anything ? 'warning' : 'error', line, column, `${why}; ${kept}`);
}

/** The first few keys of an entry, quoted, for a message ("no keys" for an empty one). */
function keysNamed({ named, count }: { named: readonly string[]; count: number }): string {
  if (count === 0) return 'no keys';
  const shown = named.map((k) => JSON.stringify(k.slice(0, 40)));
  return shown.join(', ') + (count > named.length ? `, … (${count} keys)` : '');
}
