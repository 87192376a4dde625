// The extension's settings, derived from the options table: their type, their defaults, reading what VS Code sends,
// and the analysis options they give. Adding a row with a `setting` to schema.ts is all a new setting needs here.
import type { AnalysisOptions } from '../analysis/options';
import { assignOption, KNOBS, type FlatSettings } from './schema';

/** `{ 'fit.lambda': X }` nested as VS Code sends it: `{ fit: { lambda: X } }`. */
type Nested<Flat> = {
  [K in keyof Flat as K extends `${infer Head}.${string}` ? Head : K]: K extends `${infer Head}.${string}`
    ? Nested<{ [P in keyof Flat as P extends `${Head}.${infer Rest}` ? Rest : never]: Flat[P] }>
    : Flat[K];
};

/** The settings section (`scalingLens`), every value checked and present. */
export type Settings = Nested<FlatSettings>;

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = isPlain(node) ? node[key] : undefined;
  return node;
}

function placeAt(root: Plain, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!isPlain(node[key])) node[key] = {};
    node = node[key] as Plain;
  }
  node[path[path.length - 1]] = value;
}

const pathOf = (key: string): string[] => key.split('.');

/**
 * What VS Code sent for the section, checked setting by setting: a value its kind does not accept (a wrong type, out
 * of range, an unknown word) is replaced by the default, never reported, since the user may be mid-edit and VS Code
 * already marks it in settings.json. Keys the table does not know are dropped.
 */
export function readSettings(incoming: unknown): Settings {
  const settings: Plain = {};
  for (const knob of KNOBS) {
    if (!knob.setting) continue;
    const path = pathOf(knob.setting.key);
    const given = valueAt(incoming, path);
    const value = given === undefined ? undefined : knob.kind.fromJson(given);
    placeAt(settings, path, structuredClone(value === undefined ? knob.default : value));
  }
  // The shape is Settings by construction: one entry per row with a setting, at its key, of its kind's type.
  return settings as Settings;
}

/** Every setting at its default (the source of DEFAULT_SETTINGS). */
export function settingsDefaults(): Settings {
  return readSettings(undefined);
}

/** The analysis options the settings set (shell-only settings such as autoFit set none). */
export function optionsFromSettings(settings: Settings): Partial<AnalysisOptions> {
  const options: Partial<AnalysisOptions> = {};
  for (const knob of KNOBS) if (knob.setting) assignOption(options, knob, valueAt(settings, pathOf(knob.setting.key)));
  return options;
}
