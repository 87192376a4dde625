// package.json's `contributes.configuration`, derived from the options table. `npm run settings:write` writes it into
// package.json, and a test fails when package.json differs, so the settings VS Code shows cannot drift from the
// settings the server reads.
import type { JsonSchema } from './kinds';
import { KNOBS, SETTINGS_GROUPS, SETTINGS_SECTION, type AnyKnob, type SettingSpec } from './schema';

type SettingProperty = JsonSchema & { scope: string; default: unknown; order: number; markdownDescription: string };

export interface ConfigurationGroup {
  title: string;
  order: number;
  properties: Record<string, SettingProperty>;
}

type SettingKnob = AnyKnob & { setting: SettingSpec<string> };

function property(knob: SettingKnob, order: number): SettingProperty {
  return {
    ...knob.kind.schema,
    scope: knob.setting.scope ?? 'resource',
    default: editorDefault(knob),
    order,
    markdownDescription: knob.setting.description,
  };
}

/**
 * The default the settings editor shows: a text setting without one is an empty box (its kind reads `""` as none), as
 * a `null` default would not fit its `string` type.
 */
function editorDefault(knob: SettingKnob): unknown {
  return knob.default === null && knob.kind.schema.type === 'string' ? '' : knob.default;
}

/** One group per SETTINGS_GROUPS entry, its settings in table order (`order` makes the editor keep that order). */
export function configurationContribution(): ConfigurationGroup[] {
  const settings = KNOBS.filter((k): k is SettingKnob => k.setting !== undefined);
  return SETTINGS_GROUPS.map((title, index) => ({
    title,
    order: index + 1,
    properties: Object.fromEntries(
      settings
        .filter((k) => k.setting.group === title)
        .map((k, i) => [`${SETTINGS_SECTION}.${k.setting.key}`, property(k, i + 1)]),
    ),
  }));
}

/** package.json's text with `contributes.configuration` replaced, formatted as npm writes it. */
export function packageJsonWithSettings(packageJson: string): string {
  const manifest = JSON.parse(packageJson) as { contributes: Record<string, unknown> };
  manifest.contributes.configuration = configurationContribution();
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
