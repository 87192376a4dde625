// package.json's settings are generated from the options table; this fails when they drift (then run
// `npm run settings:write`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationContribution, packageJsonWithSettings } from '../../../src/core/options/manifest';
import { KNOBS, SETTINGS_GROUPS } from '../../../src/core/options/schema';
import { REPO } from '../../helpers/shared';

const packageJson = readFileSync(join(REPO, 'package.json'), 'utf8');

test('package.json contributes.configuration is what the options table generates', () => {
  const manifest = JSON.parse(packageJson) as { contributes: { configuration: unknown } };
  assert.deepEqual(
    manifest.contributes.configuration,
    configurationContribution(),
    'package.json settings differ from src/core/options/schema.ts: run `npm run settings:write`',
  );
  assert.equal(packageJson, packageJsonWithSettings(packageJson), 'run `npm run settings:write` (formatting)');
});

test('every setting of the table is declared once, in its group, in table order', () => {
  const groups = configurationContribution();
  assert.deepEqual(
    groups.map((g) => [g.title, g.order]),
    SETTINGS_GROUPS.map((title, i) => [title, i + 1]),
  );
  const declared = groups.flatMap((g) => Object.keys(g.properties));
  const settingKnobs = KNOBS.filter((k) => k.setting);
  assert.deepEqual(
    declared,
    SETTINGS_GROUPS.flatMap((title) =>
      settingKnobs.filter((k) => k.setting!.group === title).map((k) => `scalingLens.${k.setting!.key}`),
    ),
  );
  for (const group of groups) {
    const properties = Object.values(group.properties);
    assert.deepEqual(
      properties.map((p) => p.order),
      properties.map((_, i) => i + 1),
    );
    for (const p of properties) assert.ok(p.markdownDescription.length > 10);
  }
  assert.equal(groups.at(-1)!.properties['scalingLens.trace.server'].scope, 'window');
});

test('every text setting is one the settings editor can edit: typed string, its default a string', () => {
  // VS Code's settings editor shows "Edit in settings.json" instead of a text box for a ["string", "null"] setting
  // (scalingLens.fit.powerX was one); it edits a nullable number, not a nullable string.
  const properties = Object.fromEntries(configurationContribution().flatMap((g) => Object.entries(g.properties)));
  for (const [key, p] of Object.entries(properties)) {
    const types = [p.type ?? []].flat();
    if (!types.includes('string')) continue;
    assert.ok(!types.includes('null'), `${key}: ${JSON.stringify(p.type)}`);
    if (types.length === 1) assert.equal(typeof p.default, 'string', `${key}: default ${JSON.stringify(p.default)}`);
  }
  assert.equal(properties['scalingLens.fit.powerX'].default, '');
});
