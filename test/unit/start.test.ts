// Getting started, without a VS Code: the manifest's walkthrough and icon, the icon generator, and the values
// "Predict at..." accepts. (The walkthrough, the hint and the picker in a real VS Code: test/vscode/start.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { iconPng } from '../../scripts/generate-icon';
import { RUN_FILE_NAME } from '../../src/client/patterns';
import { parseTargetValue } from '../../src/client/targetValue';
import { runOfPart } from '../../src/core/sources';
import { REPO } from '../helpers/shared';

interface Manifest {
  icon?: string;
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    walkthroughs: {
      id: string;
      steps: { id: string; description: string; media: { markdown?: string; image?: string } }[];
    }[];
  };
}

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Manifest;

test('the committed icon is exactly what the generator draws, a 128×128 PNG', () => {
  const committed = readFileSync(join(REPO, manifest.icon ?? 'media/icon.png'));
  assert.ok(committed.equals(iconPng()), 'media/icon.png differs from the generator: run npm run icon');
  assert.equal(committed.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(committed.readUInt32BE(16), 128);
  assert.equal(committed.readUInt32BE(20), 128);
});

test('every walkthrough step has its media, and every link runs a command that exists with an example that exists', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.ok(walkthrough.steps.length >= 5);
  const ours = new Set(manifest.contributes.commands.map((c) => c.command));
  const seen = new Set<string>();
  for (const step of walkthrough.steps) {
    const media = step.media.markdown ?? step.media.image;
    assert.ok(media && existsSync(join(REPO, media)), `${step.id}: media ${media} is missing`);
    const links = [...step.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
    assert.ok(links.length > 0, `${step.id} has no button`);
    for (const [, command, args] of links) {
      seen.add(command);
      assert.ok(ours.has(command) || command.startsWith('workbench.'), `${step.id}: unknown command ${command}`);
      if (command === 'scalingLens.openExample' && args) {
        const [file] = JSON.parse(decodeURIComponent(args)) as string[];
        assert.ok(existsSync(join(REPO, 'examples', file)), `${step.id}: example ${file} is missing`);
      }
    }
  }
  // The steps show fit, chart and Predict at on an example, and the way to map a file's columns.
  for (const command of ['openExample', 'fit', 'showChart', 'predictAt', 'selectColumns'])
    assert.ok(seen.has(`scalingLens.${command}`), `no step runs scalingLens.${command}`);
});

test('the package ships the examples the walkthrough opens and the media it shows', () => {
  const ignore = readFileSync(join(REPO, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!examples/**'));
  assert.ok(ignore.includes('!media/**'));
});

test('Fit Scaling Law is in the palette with no file open; the file commands only with a run file, view item commands never', () => {
  const palette = manifest.contributes.menus.commandPalette;
  assert.equal(
    palette.find((p) => p.command === 'scalingLens.fit'),
    undefined,
    'no when clause hides Fit from the palette',
  );
  // The file commands need a run file; the Runs view's item commands (they act on a view item) never show there.
  for (const entry of palette)
    assert.match(entry.when ?? '', entry.command.startsWith('scalingLens.runs.') ? /^false$/ : /resourceExtname/);
});

test("an editor's file commands show for exactly the files the editor serves (trainer_state.json too)", async () => {
  // A trainer_state.json gets its lens, hovers and diagnostics (RUN_FILE_NAME), but its editor had no Show Chart
  // button, context menu item or palette entry: the menus knew the run files' extensions only.
  // An MLflow metric file (no extension) is served too, by its path: the clause agrees with the recogniser.
  const served = (when: string, path: string) =>
    [...when.matchAll(/resourceExtname =~ \/(.+?)\/(?= |\)|$)/g)].some((m) => new RegExp(m[1]).test(extname(path))) ||
    [...when.matchAll(/resourceFilename == (\S+?)(?=\)|$| )/g)].some((m) => m[1] === basename(path)) ||
    [...when.matchAll(/resourcePath =~ \/(.+?)\/(?= |\)|$)/g)].some((m) => new RegExp(m[1]).test(path));
  const mlflowRun = join('/w', 'mlruns', '1', 'a'.repeat(32));
  const { menus } = manifest.contributes;
  const fileEntries = [...menus['editor/title'], ...menus['editor/context'], ...menus.commandPalette].filter((e) =>
    e.when?.includes('resourceExtname'),
  );
  assert.ok(fileEntries.length >= 7, JSON.stringify(fileEntries));
  for (const entry of fileEntries)
    for (const name of ['run.csv', 'run.tsv', 'log.jsonl', 'log.ndjson', 'trainer_state.json', 'package.json', 'a.txt'])
      for (const path of [join('/w', name), join(mlflowRun, 'metrics', 'loss'), join(mlflowRun, 'params', 'lr')])
        assert.equal(
          served(entry.when!, path),
          RUN_FILE_NAME.test(path) || (await runOfPart(path)) !== null,
          `${entry.command} (${entry.when}) on ${path}`,
        );
});

test('a multiple of D_p is accepted as 4, 4x, 4× or x4; other targets take numbers with suffixes', () => {
  for (const text of ['4', '4x', '4X', '4×', '4 x', 'x4', '× 4', ' 4x '])
    assert.equal(parseTargetValue('dataMultiplier', text), 4, text);
  assert.equal(parseTargetValue('dataMultiplier', '1.5x'), 1.5);
  for (const text of ['', 'x', '0x', '-2x', 'abc', '4xx', 'nan', 'infx'])
    assert.equal(parseTargetValue('dataMultiplier', text), undefined, text);
  assert.equal(parseTargetValue('step', '200k'), 200_000);
  assert.equal(parseTargetValue('dataValue', '120B'), 120e9);
  assert.equal(parseTargetValue('compute', '1e24'), 1e24);
  assert.equal(parseTargetValue('step', '4x'), undefined);
  // A step below 1 is step 0 rounded, where no law is defined: refused in the box, not answered "no loss curve".
  assert.equal(parseTargetValue('step', '0.3'), undefined);
  assert.equal(parseTargetValue('step', '1'), 1);
  // Steps are counted: 2.5 is a typo (it was predicted as step 3); 2.5k is a step.
  assert.equal(parseTargetValue('step', '2.5'), undefined);
  assert.equal(parseTargetValue('step', '2.5k'), 2500);
  assert.equal(parseTargetValue('dataMultiplier', '0.5'), 0.5);
});

test('the package ships every bundle the extension runs (each dist/ entry of esbuild.mjs but the CLI)', () => {
  const ignore = readFileSync(join(REPO, '.vscodeignore'), 'utf8').split('\n');
  const bundles = [...readFileSync(join(REPO, 'esbuild.mjs'), 'utf8').matchAll(/outfile: '(dist\/[^']+\.js)'/g)].map(
    (m) => m[1],
  );
  assert.ok(bundles.length >= 5, `bundles found in esbuild.mjs: ${bundles.join(', ')}`);
  const missing = bundles.filter((b) => b !== 'dist/cli.js' && !ignore.includes(`!${b}`));
  assert.deepEqual(missing, [], 'bundles left out of the package by .vscodeignore');
});
