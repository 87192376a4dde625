// Each kind of hint is phrased by both shells in their own terms: the CLI as a flag it accepts, the editor as a
// setting or command it contributes. A finding's message in a shell is the core's words followed by those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE } from '../../../src/cli/args';
import { cliHint, cliMessage, formatFindings } from '../../../src/cli/text';
import type { Finding } from '../../../src/core/analysis/types';
import { finding, FINDING_CODES, FINDINGS, HINT_OPTIONS, type Hint } from '../../../src/core/findings';
import { ANALYSIS_FAILED, editorHint, editorMessage, findingHref } from '../../../src/server/hints';
import { DOCS_BASE } from '../../../src/shared/protocol';
import { REPO } from '../../helpers/shared';

const MANIFEST = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { title: string }[];
    configuration: { properties: Record<string, unknown> }[];
  };
};
const SETTINGS = new Set(MANIFEST.contributes.configuration.flatMap((c) => Object.keys(c.properties)));
const COMMAND_TITLES = new Set(MANIFEST.contributes.commands.map((c) => c.title));

/** One hint of every kind, and of every option and shape a kind has. */
const EVERY_HINT: Hint[] = [
  { kind: 'map-role', roles: ['lr'] },
  { kind: 'map-role', roles: ['pretrainData', 'bleu', 'ce'] },
  { kind: 'map-role', roles: [] },
  { kind: 'choose-law' },
  ...HINT_OPTIONS.map((option) => ({ kind: 'set-option', option }) as const),
];

test('the CLI phrases every hint, with flags it accepts', () => {
  const phrased = EVERY_HINT.map(cliHint);
  assert.equal(new Set(phrased).size, phrased.length, 'each hint says something of its own');
  for (const [i, text] of phrased.entries()) {
    assert.ok(text.length > 20 && text.endsWith('.'), text);
    assert.doesNotMatch(text, /scalingLens/);
    const flags = [...text.matchAll(/--[a-z-]+/g)].map((m) => m[0]);
    if (EVERY_HINT[i].kind !== 'set-option' || EVERY_HINT[i].option !== 'maxBytes') assert.ok(flags.length, text);
    for (const flag of flags) assert.ok(USAGE.includes(`${flag} `), `${flag} is not a flag of the CLI`);
  }
  assert.match(cliHint({ kind: 'map-role', roles: ['lr'] }), /--columns lr=NAME/);
  assert.match(cliHint({ kind: 'set-option', option: 'breakTolerance' }), /--break-tolerance/);
});

test('the editor phrases every hint, with settings and commands the extension contributes', () => {
  const phrased = EVERY_HINT.map(editorHint);
  assert.equal(new Set(phrased).size, phrased.length, 'each hint says something of its own');
  for (const text of phrased) {
    assert.ok(text.length > 20 && text.endsWith('.'), text);
    const settings = [...text.matchAll(/scalingLens\.[\w.]+\w/g)].map((m) => m[0]);
    const commands = [...text.matchAll(/"([^"]+\.\.\.)"/g)].map((m) => m[1]);
    assert.ok(settings.length || /command line/.test(text), `${text}: neither a setting nor where else to set it`);
    for (const setting of settings) assert.ok(SETTINGS.has(setting), `${setting} is not a setting`);
    for (const title of commands) assert.ok(COMMAND_TITLES.has(title), `${title} is not a command`);
  }
  assert.match(
    editorHint({ kind: 'map-role', roles: ['lr'] }),
    /Select Columns and Law\.\.\..*scalingLens\.columns.*"lr"/,
  );
  assert.match(editorHint({ kind: 'set-option', option: 'fitFirst' }), /scalingLens\.breaks\.fitFirst/);
});

test("a shell's message is the core's words, then each of the finding's hints in its terms", () => {
  const place = { message: 'The LR is missing.', file: 'run.csv', line: 2 };
  const f = finding('lr-missing', 'error', place);
  const hints = f.hints ?? [];
  assert.equal(hints.length, 2);
  assert.equal(cliMessage(f), `The LR is missing. ${hints.map(cliHint).join(' ')}`);
  assert.equal(editorMessage(f), `The LR is missing. ${hints.map(editorHint).join(' ')}`);
  assert.match(cliMessage(f), /Or choose the law with --law power\./);
  assert.match(editorMessage(f), /Or choose the law "power" with/);
  // Words without a full stop end their sentence before a hint's: /dev/zero's size limit ran into "The command line...".
  const cut = finding('file-too-large', 'error', { ...place, message: 'x is 5 GiB; raise the size limit (e.g. a)' });
  assert.match(cliMessage(cut), /^x is 5 GiB; raise the size limit \(e\.g\. a\)\. The command line has no option/);
  assert.match(editorMessage(cut), /^x is 5 GiB; raise the size limit \(e\.g\. a\)\. \S/);
  const plain: Finding = finding('row-ragged', 'warning', place);
  assert.equal(cliMessage(plain), 'The LR is missing.');
  assert.equal(editorMessage(plain), 'The LR is missing.');
  assert.match(
    formatFindings([f]),
    /run\.csv:2 {2}The LR is missing\. Map columns with --columns lr=NAME\. Or choose .* \[lr-missing\]/,
  );
});

test('every hint of the catalogue reaches both shells', () => {
  for (const code of FINDING_CODES) {
    const f = finding(code, FINDINGS[code].severities[0], { message: 'm.', file: 'f', line: 1 });
    for (const hint of FINDINGS[code].hints ?? []) {
      assert.ok(cliMessage(f).includes(cliHint(hint)), code);
      assert.ok(editorMessage(f).includes(editorHint(hint)), code);
    }
  }
});

test('diagnostics link each code to its README anchor, the analysis-failed one included', () => {
  assert.equal(findingHref('bleu-law-break'), `${DOCS_BASE}#bleu-law-break`);
  assert.deepEqual(ANALYSIS_FAILED, {
    code: 'analysis-failed',
    codeDescription: { href: `${DOCS_BASE}#analysis-failed` },
  });
});
