// Settings (and a file's remembered overrides) to analysis options. Which setting sets which option, its default and
// what it accepts are rows of the options table (src/core/options/schema.ts); this adds the per-file overrides.
import type { AnalysisOptions } from '../core/analysis/options';
import { OPTION_SCHEMA } from '../core/options/schema';
import { optionsFromSettings, readSettings } from '../core/options/settings';
import type { FileOverrides, ScalingLensSettings } from '../shared/protocol';

/** What the client sent for the `scalingLens` section, each value checked; a value that does not fit is its default. */
export function resolveSettings(incoming: unknown): ScalingLensSettings {
  return readSettings(incoming);
}

/** The analysis options of one file: its settings, with the law and the columns chosen for the file on top. */
export function toAnalysisOptions(
  settings: ScalingLensSettings,
  overrides: FileOverrides = {},
): Partial<AnalysisOptions> {
  return {
    ...optionsFromSettings(settings),
    law: overrides.law ?? settings.law,
    columns: { ...settings.columns, ...overrides.columns },
  };
}

/**
 * A file's choices as a request or notification sent them, each checked as its setting is (a raw client's law "bogus"
 * was fitted as "The bogus law fits undefined", a column named by a number failed with "name.trim is not a function"):
 * a part that does not fit is left out, as a setting that does not fit is its default.
 */
export function checkOverrides(incoming: unknown): FileOverrides {
  if (typeof incoming !== 'object' || incoming === null) return {};
  const { law, columns } = incoming as Record<string, unknown>;
  const checkedLaw = OPTION_SCHEMA.law.kind.fromJson(law);
  const checkedColumns = OPTION_SCHEMA.columns.kind.fromJson(columns);
  return {
    ...(checkedLaw !== undefined && { law: checkedLaw }),
    ...(checkedColumns !== undefined && { columns: checkedColumns }),
  };
}
