// Settings (and a file's remembered overrides) to analysis options: the only place the two vocabularies meet.
import type { AnalysisOptions } from '../core/analysis/options';
import { DEFAULT_SETTINGS, type FileOverrides, type ScalingLensSettings } from '../shared/protocol';

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merge what the client sent over the defaults, keeping only values of the default's type. */
function mergeInto(base: Plain, incoming: unknown): Plain {
  if (!isPlain(incoming)) return base;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(incoming)) {
    const current = base[key];
    if (isPlain(current) && isPlain(value)) out[key] = key === 'columns' ? { ...value } : mergeInto(current, value);
    else if (
      current === null ||
      current === undefined ||
      typeof current === typeof value ||
      (key === 'lambda' && (value === 'auto' || typeof value === 'number'))
    )
      out[key] = value;
  }
  return out;
}

export function resolveSettings(incoming: unknown): ScalingLensSettings {
  return mergeInto(DEFAULT_SETTINGS as unknown as Plain, incoming) as unknown as ScalingLensSettings;
}

const positive = (values: unknown): number[] =>
  Array.isArray(values) ? values.filter((v): v is number => typeof v === 'number' && v > 0) : [];

export function toAnalysisOptions(
  settings: ScalingLensSettings,
  overrides: FileOverrides = {},
): Partial<AnalysisOptions> {
  return {
    law: overrides.law ?? settings.law,
    columns: { ...settings.columns, ...overrides.columns },
    bootstrapSamples: settings.fit.bootstrapSamples,
    predictSteps: positive(settings.predict.steps),
    dataMultipliers: positive(settings.predict.dataMultipliers).length
      ? positive(settings.predict.dataMultipliers)
      : [2],
    computeBudgets: positive(settings.predict.computeBudgets),
    lambda: settings.fit.lambda,
    warmupConvention: settings.fit.warmupConvention,
    warmupSteps: settings.fit.warmupSteps ?? undefined,
    lossDelta: settings.fit.huberDelta,
    bleuDelta: settings.fit.bleuHuberDelta,
    ceDelta: settings.fit.ceHuberDelta,
    breakTolerance: settings.breaks.tolerance,
    fitFirst: settings.breaks.fitFirst,
  };
}
