// Settings (and a file's remembered overrides) to analysis options. Which setting sets which option, its default and
// what it accepts are rows of the options table (src/core/options/schema.ts); this adds the per-file overrides.
import type { AnalysisOptions } from '../core/analysis/options';
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
