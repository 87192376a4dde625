// Command-line arguments to AnalysisOptions. The flags, what each accepts, its default and its help are rows of the
// options table (src/core/options/schema.ts); this file phrases them for a terminal. Usage errors are values (exit
// code 2), never exceptions.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { AnalysisOptions } from '../core/analysis/options';
import type { FileFormat, FileKind } from '../core/table/types';
import {
  assignOption,
  CLI_SECTIONS,
  KNOBS,
  OPTION_SCHEMA,
  type AnyKnob,
  type CliSection,
  type FlagSpec,
} from '../core/options/schema';

export type Command = 'fit' | 'inspect' | 'watch' | 'help' | 'version';

export interface CliRequest {
  command: Command;
  files: string[];
  json: boolean;
  options: Partial<AnalysisOptions>;
  /** Forced delimiter for delimited files. */
  delimiter?: string;
  /** Forced input format ('auto' or absent: recognise each input). */
  format?: FileFormat | 'auto';
  /** Seconds the whole command may take (--deadline). */
  deadline?: number;
  /**
   * The flags given that apply to one kind of file only (loss curves, downstream or (N, D) sweeps), or to one law
   * (LAW_FLAGS), by their help section.
   */
  kindFlags?: { flag: string; section: CliSection }[];
}

/** The help sections that belong to one kind of file, and that kind. */
const SECTION_KIND = { loss: 'loss-curve', downstream: 'downstream', compute: 'compute' } as const;
const KIND_WORDS: Record<KindSection, string> = {
  loss: 'loss curves',
  downstream: 'downstream sweeps (BLEU / CE vs D_p)',
  compute: '(N, D) sweeps',
};
export type KindSection = keyof typeof SECTION_KIND;
const isKindSection = (section: CliSection): section is KindSection => section in SECTION_KIND;

/**
 * The flags given for a kind of file that no input turned out to be (`--predict-at` on a loss curve): they were not
 * used, and a user who gave them should hear it rather than read a prediction made without them.
 */
export function unusedKindFlags(request: CliRequest, kinds: readonly FileKind[]): string[] {
  return (request.kindFlags ?? []).flatMap(({ flag, section }) => {
    const law = LAW_FLAGS[flag];
    if (law !== undefined)
      return request.options.law === law
        ? []
        : [`--${flag} applies to --law ${law} only, which was not given, so it was not used`];
    const reader = ALSO_READ_BY[flag];
    if (!isKindSection(section) || kinds.includes(SECTION_KIND[section])) return [];
    if (reader !== undefined && request.options.law === reader) return [];
    return [`--${flag} applies to ${KIND_WORDS[section]} only; no input is one, so it was not used`];
  });
}

/**
 * Flags one law reads, whatever kind the file is: `--law power --power-x step` fits a loss curve's loss against its
 * step (the lr-missing hint suggests just that), so the flag is used exactly when that law is.
 */
const LAW_FLAGS: Partial<Record<string, AnalysisOptions['law']>> = { 'power-x': 'power' };

/**
 * Flags of a kind of file that one law reads too, whatever the file is: the power law is predicted at
 * `--predict-data-multiplier` × its largest x and at each `--predict-at` (reports.ts predictionTargets), so on a loss
 * curve they are used, not "for downstream sweeps only".
 */
const ALSO_READ_BY: Partial<Record<string, AnalysisOptions['law']>> = {
  'predict-at': 'power',
  'predict-data-multiplier': 'power',
};

export type Parsed = { ok: true; request: CliRequest } | { ok: false; error: string };

type FlagKnob = AnyKnob & { flag: FlagSpec };

const FLAG_KNOBS: readonly FlagKnob[] = KNOBS.filter((k): k is FlagKnob => k.flag !== undefined);

/** parseArgs' options: the commands' own switches, then one per flagged knob (a list flag may be repeated). */
const PARSE_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  ...Object.fromEntries(
    FLAG_KNOBS.map((k) => [
      k.flag.name,
      { type: k.kind.arity === 'none' ? 'boolean' : 'string', multiple: k.kind.arity === 'many' },
    ]),
  ),
};

/** The default as the help shows it, or nothing when it says nothing (off, unset, empty). */
function helpDefault(value: unknown): string | undefined {
  const shown = (x: unknown): string => (typeof x === 'number' && x > 0 && x < 0.01 ? x.toExponential() : String(x));
  if (value === null || value === false) return undefined;
  if (Array.isArray(value)) return value.length ? value.map(shown).join(',') : undefined;
  if (typeof value === 'object') return undefined;
  return shown(value);
}

function helpLine(knob: FlagKnob): string {
  const { name, help, metavar = knob.kind.metavar } = knob.flag;
  const left = `--${name}${metavar ? ` ${metavar}` : ''}`;
  const defaultText = helpDefault(knob.default);
  const notes = [
    knob.kind.arity === 'many' && 'repeatable',
    defaultText && `default ${defaultText}`,
    knob.flag.note,
  ].filter(Boolean);
  return `  ${left.padEnd(Math.max(31, left.length + 3))}${help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

function helpSection(section: CliSection): string[] {
  const lines = FLAG_KNOBS.filter((k) => k.flag.section === section).map(helpLine);
  return CLI_SECTIONS[section] ? [` ${CLI_SECTIONS[section]}:`, ...lines] : lines;
}

export const USAGE = [
  'Usage:',
  '  scaling-lens fit PATH... [options]      fit scaling laws and predict (a folder: every run found in it)',
  '  scaling-lens inspect PATH... [--json]   show what the tool sees in each file or folder, without fitting',
  '  scaling-lens watch PATH... [options]    follow runs as they train: fit again each time they grow (Ctrl-C ends)',
  '',
  'Options of fit and watch:',
  ...(Object.keys(CLI_SECTIONS) as CliSection[]).flatMap(helpSection),
  '',
  'Exit codes: 0 success, 1 nothing could be fitted, 2 usage error, 3 the --deadline passed.',
].join('\n');

/** Every occurrence of a flag's text, as its kind reads it; undefined when the flag was not given. */
function occurrences(value: string | boolean | (string | boolean)[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return [value].flat().map(String);
}

/**
 * A file or folder named with a leading `-` taken for options: node's message named only its first letter (`-w` of
 * `-weird.csv`); this names the whole word and the two ways to pass it. Null when the unknown word is a `--` flag.
 */
function dashedName(argv: string[]): string | null {
  const end = argv.indexOf('--');
  const word = (end < 0 ? argv : argv.slice(0, end)).find((a) => /^-[^-]/.test(a) && a !== '-h');
  if (word === undefined) return null;
  const shown = JSON.stringify(word);
  const command = ['fit', 'inspect', 'watch'].includes(argv[0]) ? argv[0] : 'fit';
  return `unknown option ${shown}; a file or folder whose name starts with "-" goes after "--" (scaling-lens ${command} -- ${shown}) or as ${JSON.stringify(`./${word}`)}`;
}

export function parseCli(argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: PARSE_OPTIONS });
  } catch (error) {
    const word = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? dashedName(argv) : null;
    return { ok: false, error: word ?? (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.version) return { ok: true, request: { command: 'version', files: [], json: false, options: {} } };
  const [commandWord, ...files] = positionals;
  if (values.help || !commandWord)
    return { ok: true, request: { command: 'help', files: [], json: false, options: {} } };
  if (commandWord !== 'fit' && commandWord !== 'inspect' && commandWord !== 'watch')
    return { ok: false, error: `unknown command "${commandWord}" (expected fit, inspect or watch)` };
  if (files.length === 0) return { ok: false, error: `${commandWord} needs at least one file or folder` };

  const options: Partial<AnalysisOptions> = {};
  const given = new Map<AnyKnob, unknown>();
  for (const knob of FLAG_KNOBS) {
    const texts = occurrences(values[knob.flag.name]);
    if (texts === undefined) continue;
    const read = knob.kind.fromArgs(texts);
    if (!read.ok) return { ok: false, error: `--${knob.flag.name} ${read.message}` };
    given.set(knob, read.value);
    assignOption(options, knob, read.value);
  }
  const json = given.get(OPTION_SCHEMA.json) === true;
  const delimiter = given.get(OPTION_SCHEMA.delimiter) as string | undefined;
  const deadline = given.get(OPTION_SCHEMA.deadline) as number | undefined;
  const format = given.get(OPTION_SCHEMA.format) as CliRequest['format'];
  const kindFlags = [...given.keys()].flatMap((knob) => {
    const { name, section } = (knob as FlagKnob).flag;
    return isKindSection(section) || LAW_FLAGS[name] !== undefined ? [{ flag: name, section }] : [];
  });
  return { ok: true, request: { command: commandWord, files, json, options, delimiter, format, deadline, kindFlags } };
}

/**
 * Whether the arguments ask for --json, read before (and whatever) parsing them: a usage error's document is JSON when
 * they do. Arguments after `--` are file names.
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
