// The catalogue of findings and its documentation agree: every code has its README anchor, every anchor of the
// Findings table is a code, and the severities the README and docs/findings.md give are the ones the code allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../../src/core/analysis/types';
import { FINDING_CODES, FINDINGS, finding, type FindingCode } from '../../../src/core/findings';
import { ProblemLog } from '../../../src/core/table/problems';
import { REPO } from '../../helpers/shared';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const DOCS = readFileSync(join(REPO, 'docs/findings.md'), 'utf8');
const isCode = (code: string): code is FindingCode => Object.hasOwn(FINDINGS, code);

/** The README's Findings table: per row, the anchors it defines and its severity column. */
function findingsTableRows(): { anchors: string[]; severities: string[] }[] {
  const section = README.slice(
    README.indexOf('\n## Findings'),
    README.indexOf('\n## ', README.indexOf('\n## Findings') + 1),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('| <a id='))
    .map((line) => {
      const [codes, severity] = line.split(' | ');
      return {
        anchors: [...codes.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]),
        severities: severity.split('/').map((s) => s.trim()),
      };
    });
}

test('every catalogue code has its anchor in the README Findings table, and every anchor there is a code', () => {
  const anchors = findingsTableRows().flatMap((row) => row.anchors);
  assert.deepEqual(
    FINDING_CODES.filter((code) => !anchors.includes(code)),
    [],
    'codes without a README anchor',
  );
  assert.deepEqual(
    anchors.filter((anchor) => !isCode(anchor)),
    [],
    'README anchors that are not catalogue codes',
  );
  assert.equal(new Set(anchors).size, anchors.length, 'an anchor is defined twice');
});

test('the severities of each README row are exactly those its codes may have', () => {
  for (const { anchors, severities } of findingsTableRows()) {
    const allowed = new Set(anchors.filter(isCode).flatMap((code) => FINDINGS[code].severities));
    assert.deepEqual(new Set(severities), allowed, `README row of ${anchors.join(', ')}`);
  }
});

test('every section of docs/findings.md is a code, with a severity the code may have', () => {
  const sections = [...DOCS.matchAll(/^## (\S+)\n+- \*\*Severity\*\*: (\w+)/gm)];
  const headings = [...DOCS.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
  assert.ok(headings.length >= 15, `found ${headings.length} sections`);
  assert.deepEqual(
    headings.filter((h) => !isCode(h)),
    [],
    'sections that are not codes',
  );
  for (const [, code, severity] of sections) {
    assert.ok(
      isCode(code) && (FINDINGS[code].severities as readonly string[]).includes(severity),
      `${code}: ${severity}`,
    );
  }
});

test('every entry has a one-line title and distinct severities', () => {
  for (const code of FINDING_CODES) {
    const entry = FINDINGS[code];
    assert.ok(entry.title.length > 10 && !entry.title.includes('\n'), code);
    assert.ok(entry.severities.length >= 1 && new Set(entry.severities).size === entry.severities.length, code);
  }
});

test('a finding carries the hints of its code unless it names its own', () => {
  const place = { message: 'm', file: 'f.csv', line: 1 };
  assert.deepEqual(finding('lr-missing', 'error', place).hints, [
    { kind: 'map-role', roles: ['lr'] },
    { kind: 'choose-law', law: 'power' },
  ]);
  assert.equal('hints' in finding('row-ragged', 'warning', place), false, 'no empty hints field');
  const own = finding('power-missing-column', 'error', { ...place, hints: [{ kind: 'map-role', roles: ['loss'] }] });
  assert.deepEqual(own.hints, [{ kind: 'map-role', roles: ['loss'] }]);
});

// Never called: tsc --noEmit (which covers test/) fails if any of these stops being a type error, so a code missing
// from the catalogue, or a severity the catalogue does not allow for a code, cannot reach a user.
function _typeChecks(): Finding[] {
  const place = { message: 'm', file: 'f.csv', line: 1 };
  // @ts-expect-error: not a code of the catalogue
  const unknown: Finding = { code: 'no-such-code', severity: 'info', ...place };
  // @ts-expect-error: not a code of the catalogue
  finding('no-such-code', 'info', place);
  // @ts-expect-error: a row-ragged problem is a warning, never an error
  new ProblemLog('f.csv').add('row-ragged', 'error', 1, 1, 'm');
  // @ts-expect-error: an analysis code is not a reading problem
  new ProblemLog('f.csv').add('lr-missing', 'error', 1, 1, 'm');
  // @ts-expect-error: bleu-law-break is a warning
  return [unknown, finding('bleu-law-break', 'error', place)];
}
