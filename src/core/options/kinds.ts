// What a knob's value can be, written once per kind: how a setting's JSON value and a flag's text are read and
// checked, and the JSON schema package.json declares for it. The schema (schema.ts) gives every knob one kind, so a
// setting and its flag accept the same values.
//
// Settings are read tolerantly (a value that does not fit is dropped and the default used, list items that do not
// fit are dropped), since they come from a settings file the user may be half-way through editing; flags are read
// strictly (a usage error), since the user is right there to fix them. Messages never name the flag: the CLI does.
import type { Outcome } from '../chart/types';
import type { ColumnRole } from '../table/types';
import { parseNumberCell } from '../table/number';
import { DELIMITER_NAMES, delimiterFromName } from '../table/delimiterNames';
import { boundText } from '../util/counts';

/** The part of JSON schema VS Code reads for a setting (package.json `contributes.configuration`). */
export interface JsonSchema {
  type?: string | string[];
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  propertyNames?: JsonSchema;
  additionalProperties?: JsonSchema;
}

export interface ValueKind<T> {
  /** A setting's JSON value, or undefined when it does not fit (the caller then uses the default). */
  fromJson(value: unknown): T | undefined;
  /** The text of every occurrence of a flag (one for single-value flags), or what is wrong with it. */
  fromArgs(occurrences: readonly string[]): Outcome<T>;
  /** How a flag takes it: one argument, repeated arguments (each may be a comma-separated list), or none. */
  arity: 'one' | 'many' | 'none';
  /** The argument's placeholder in the help ('N', 'peak|actual'); empty for arity 'none'. */
  metavar: string;
  /** What a valid value is, for messages: 'an integer >= 3'. */
  expects: string;
  schema: JsonSchema;
}

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
/** The one phrasing of a flag's bad value; the CLI puts the flag in front. */
const wrong = <T>(kind: { expects: string }, raw: string): Outcome<T> => ({
  ok: false,
  message: `must be ${kind.expects}; got "${raw}"`,
});

/** Drops absent fields, so a generated schema equals the one parsed back from package.json. */
function defined(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([, v]) => v !== undefined));
}

/** A single-value flag given twice keeps the last, as node's parseArgs does. */
const last = (occurrences: readonly string[]): string => occurrences[occurrences.length - 1] ?? '';

/** Every occurrence of a repeatable flag, split at commas, trimmed, empty items dropped. */
export function listItems(occurrences: readonly string[]): string[] {
  return occurrences
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Text to a number the way cells are read (so '100k' and '2e5' work); undefined for text, NaN and infinities. */
function numberFromText(raw: string): number | undefined {
  const cell = parseNumberCell(raw.trim());
  return cell && Number.isFinite(cell.value) ? cell.value : undefined;
}

export interface Range {
  integer?: boolean;
  min?: number;
  exclusiveMin?: number;
  max?: number;
  exclusiveMax?: number;
}

function inRange(x: number, r: Range): boolean {
  return (
    Number.isFinite(x) &&
    (!r.integer || Number.isInteger(x)) &&
    (r.min === undefined || x >= r.min) &&
    (r.exclusiveMin === undefined || x > r.exclusiveMin) &&
    (r.max === undefined || x <= r.max) &&
    (r.exclusiveMax === undefined || x < r.exclusiveMax)
  );
}

/** 'an integer >= 3', 'a number > 0 and < 1'. */
function describeRange(r: Range): string {
  const bounds = [
    r.min !== undefined && `>= ${r.min}`,
    r.exclusiveMin !== undefined && `> ${r.exclusiveMin}`,
    r.max !== undefined && `<= ${boundText(r.max)}`,
    r.exclusiveMax !== undefined && `< ${r.exclusiveMax}`,
  ].filter((b): b is string => typeof b === 'string');
  return [r.integer ? 'an integer' : 'a number', bounds.join(' and ')].filter(Boolean).join(' ');
}

function rangeSchema(r: Range): JsonSchema {
  return defined({
    type: r.integer ? 'integer' : 'number',
    minimum: r.min,
    exclusiveMinimum: r.exclusiveMin,
    maximum: r.max,
    exclusiveMaximum: r.exclusiveMax,
  });
}

/** A number in a range (an integer when range.integer). */
export function numberIn(range: Range = {}): ValueKind<number> {
  const kind: ValueKind<number> = {
    arity: 'one',
    metavar: range.integer ? 'N' : 'X',
    expects: describeRange(range),
    schema: rangeSchema(range),
    fromJson: (value) => (typeof value === 'number' && inRange(value, range) ? value : undefined),
    fromArgs: (occurrences) => {
      const raw = last(occurrences);
      const value = numberFromText(raw);
      return value !== undefined && inRange(value, range) ? ok(value) : wrong(kind, raw);
    },
  };
  return kind;
}

/** A number as `inner` reads it, or the word 'auto' (the analysis then chooses). */
export function autoOr(inner: ValueKind<number>): ValueKind<number | 'auto'> {
  const kind: ValueKind<number | 'auto'> = {
    arity: 'one',
    metavar: `${inner.metavar}|auto`,
    expects: `${inner.expects}, or auto`,
    // Two types, so the settings editor offers settings.json; the range still applies to numbers there.
    schema: { ...inner.schema, type: ['number', 'string'] },
    fromJson: (value) => (value === 'auto' ? 'auto' : inner.fromJson(value)),
    fromArgs: (occurrences) => {
      const raw = last(occurrences);
      if (raw === 'auto') return ok('auto');
      const number = inner.fromArgs([raw]);
      return number.ok ? number : wrong(kind, raw);
    },
  };
  return kind;
}

/** `inner`, or null for "not set" (a setting can be null; a flag is then simply not given). */
export function orNull<T>(inner: ValueKind<T>): ValueKind<T | null> {
  const types = inner.schema.type === undefined ? [] : [inner.schema.type].flat();
  return {
    ...inner,
    schema: { ...inner.schema, type: [...types, 'null'] },
    fromJson: (value) => (value === null ? null : inner.fromJson(value)),
  };
}

/** One of a fixed set of words; `choices` maps each to the description the settings editor shows beside it. */
export function oneOf<V extends string>(choices: Readonly<Record<V, string>>): ValueKind<V> {
  const values = Object.keys(choices) as V[];
  const isChoice = (value: unknown): value is V => typeof value === 'string' && (values as string[]).includes(value);
  const kind: ValueKind<V> = {
    arity: 'one',
    metavar: values.join('|'),
    expects: `one of ${values.join(', ')}`,
    schema: { type: 'string', enum: values, enumDescriptions: values.map((v) => choices[v]) },
    fromJson: (value) => (isChoice(value) ? value : undefined),
    fromArgs: (occurrences) => {
      const raw = last(occurrences);
      return isChoice(raw) ? ok(raw) : wrong(kind, raw);
    },
  };
  return kind;
}

/** On or off: a setting true/false, a flag given (on) or not. */
export const onOff: ValueKind<boolean> = {
  arity: 'none',
  metavar: '',
  expects: 'true or false',
  schema: { type: 'boolean' },
  fromJson: (value) => (typeof value === 'boolean' ? value : undefined),
  fromArgs: () => ok(true),
};

/**
 * Any text, e.g. a column name. A number in settings JSON is read as its text, as the same digits are on the command
 * line: a column may be named `2020`.
 */
export const anyText: ValueKind<string> = {
  arity: 'one',
  metavar: 'NAME',
  expects: 'text',
  schema: { type: 'string' },
  fromJson: (value) =>
    typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined,
  fromArgs: (occurrences) => ok(last(occurrences)),
};

/**
 * Text that may be left out (a column to name or not): none is `null`, and also an empty or blank setting, because
 * VS Code's settings editor shows a text box only for a setting typed `string` (a `["string", "null"]` one is
 * "Edit in settings.json"), and clearing that box leaves `""`.
 */
export const optionalText: ValueKind<string | null> = {
  ...anyText,
  fromJson: (value) =>
    value === null || (typeof value === 'string' && !value.trim()) ? null : anyText.fromJson(value),
  // An empty flag (`--power-x ""`) is none too, as the cleared box is.
  fromArgs: (occurrences) => ok(last(occurrences).trim() ? last(occurrences) : null),
};

/**
 * A list of numbers (all > 0 when `positive`). An empty list from a setting counts as not given, so a default such
 * as [2] holds for `[]` too; `prefix` is text a flag's items may start with (the CLI's `D_p=1B`).
 */
export function numberList(options: {
  positive: boolean;
  prefix?: RegExp;
  min?: number;
  max?: number;
  integer?: boolean;
}): ValueKind<number[]> {
  const fits = (x: unknown): x is number =>
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (!options.integer || Number.isInteger(x)) &&
    (!options.positive || x > 0) &&
    (options.min === undefined || x >= options.min) &&
    (options.max === undefined || x <= options.max);
  const numbers = options.integer ? 'integers' : 'numbers';
  const below = options.max === undefined ? '' : ` and <= ${boundText(options.max)}`;
  const kind: ValueKind<number[]> = {
    arity: 'many',
    metavar: options.integer ? 'N' : 'X',
    expects:
      (options.min !== undefined ? `${numbers} >= ${options.min}` : options.positive ? `${numbers} > 0` : numbers) +
      below,
    schema: {
      type: 'array',
      items: defined({
        type: options.integer ? 'integer' : 'number',
        exclusiveMinimum: options.positive && options.min === undefined ? 0 : undefined,
        minimum: options.min,
        maximum: options.max,
      }),
    },
    fromJson: (value) => {
      const items = Array.isArray(value) ? value.filter(fits) : [];
      return items.length ? items : undefined;
    },
    fromArgs: (occurrences) => {
      const out: number[] = [];
      for (const raw of listItems(occurrences)) {
        const value = numberFromText(options.prefix ? raw.replace(options.prefix, '') : raw);
        if (!fits(value)) return wrong(kind, raw);
        out.push(value);
      }
      return ok(out);
    },
  };
  return kind;
}

/**
 * A list of names (curve names). A flag's occurrences are kept whole, not split at commas here: a run's name may hold
 * a comma, and only the curves tell whether `a,b` names one of them or two (resolveFitOn). Occurrences that name
 * nothing (empty, or only commas and spaces) are dropped, as before.
 */
export const nameList: ValueKind<string[]> = {
  arity: 'many',
  metavar: 'NAME[,NAME...]',
  expects: 'names',
  schema: { type: 'array', items: { type: 'string' } },
  fromJson: (value) => {
    const names = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
    return names.length ? names : undefined;
  },
  fromArgs: (occurrences) => ok(occurrences.filter((v) => listItems([v]).length > 0)),
};

type RoleMap = Partial<Record<ColumnRole, string>>;

/** Column names by role: a settings object `{ "loss": "val/loss" }`, or flags `role=name,role=name`. */
export function roleMap(roles: readonly ColumnRole[]): ValueKind<RoleMap> {
  const isRole = (role: string): role is ColumnRole => (roles as readonly string[]).includes(role);
  const kind: ValueKind<RoleMap> = {
    arity: 'many',
    metavar: 'role=name,...',
    expects: `role=name with role one of ${roles.join(', ')}`,
    schema: { type: 'object', propertyNames: { enum: roles }, additionalProperties: { type: 'string' } },
    fromJson: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      const entries = Object.entries(value).filter(([role, name]) => isRole(role) && typeof name === 'string');
      return Object.fromEntries(entries) as RoleMap;
    },
    fromArgs: (occurrences) => {
      const out: RoleMap = {};
      for (const pair of listItems(occurrences)) {
        const eq = pair.indexOf('=');
        const role = pair.slice(0, eq).trim();
        if (eq < 1 || !isRole(role)) return wrong(kind, pair);
        out[role] = pair.slice(eq + 1).trim();
      }
      return ok(out);
    },
  };
  return kind;
}

/** A field delimiter: one character, or a name from DELIMITER_NAMES ('tab'). */
export const delimiterChar: ValueKind<string> = (() => {
  const resolve = (raw: string): string | undefined => {
    const d = delimiterFromName(raw);
    return d.length === 1 ? d : undefined;
  };
  const words = Object.keys(DELIMITER_NAMES).filter((name) => /^[a-z]+$/.test(name));
  const kind: ValueKind<string> = {
    arity: 'one',
    metavar: 'C',
    expects: `one character or one of ${words.join(', ')}`,
    schema: { type: 'string' },
    fromJson: (value) => (typeof value === 'string' ? resolve(value) : undefined),
    fromArgs: (occurrences) => {
      const d = resolve(last(occurrences));
      return d === undefined ? wrong(kind, last(occurrences)) : ok(d);
    },
  };
  return kind;
})();

/**
 * Numbers (> 0, at most `max`) by name: a settings object `{ "csv_25": 25e6 }`, or flags `NAME=N` (each may be a
 * comma-separated list). Entries that do not fit are dropped from a setting, as list items are.
 */
export function positiveNumberMap(max: number): ValueKind<Record<string, number>> {
  const fits = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= max;
  const kind: ValueKind<Record<string, number>> = {
    arity: 'many',
    metavar: 'NAME=N',
    expects: `NAME=N with N a number > 0 and at most ${max.toExponential()}`,
    schema: { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0, maximum: max } },
    fromJson: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      return Object.fromEntries(Object.entries(value).filter(([name, n]) => name !== '' && fits(n)));
    },
    fromArgs: (occurrences) => {
      const out: Record<string, number> = {};
      for (const pair of listItems(occurrences)) {
        const eq = pair.lastIndexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = numberFromText(pair.slice(eq + 1));
        if (eq < 1 || name === '' || !fits(value)) return wrong(kind, pair);
        // The same name twice with two values: which was meant is not ours to guess (the same value twice is fine).
        if (name in out && out[name] !== value)
          return { ok: false, message: `gives "${name}" two values, ${out[name]} and ${value}; give it once` };
        out[name] = value;
      }
      return ok(out);
    },
  };
  return kind;
}
