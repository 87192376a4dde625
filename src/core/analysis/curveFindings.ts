// Findings about single curves or groups, bounded as rowFindings.ts bounds those about single rows: a file of 100,000
// runs without an LR column must not give 2,000 `lr-missing` errors (2,000 diagnostics, megabytes for the editor, a
// wall of text in the terminal). The first curves of each code keep their findings as they are, so a few unusable
// runs are each named where they are; the rest become one finding with their count, the first of them named.
import { shownName } from '../util/controls';
import type { Finding } from './types';
import { pluralNoun } from '../util/format';

/** Curves (or groups) of one code whose findings are kept whole. */
const CURVES_SHOWN = 10;
/** Curves past those, named in the summary's message. */
export const CURVES_NAMED = 5;
/** Curves past those, linked in the summary's related list (the Problems panel links each). */
export const CURVES_LINKED = 20;

interface Group {
  /** Curves seen, in order, up to the first one past CURVES_SHOWN: which of them keep their findings. */
  kept: Set<string>;
  /** The first finding of a curve past CURVES_SHOWN, the summary's model. */
  first?: Finding;
  /** Curves past CURVES_SHOWN: how many, and the first CURVES_LINKED of them. */
  more: Set<string>;
  linked: Finding[];
}

/**
 * Codes kept whole on every curve: each is read back per group (a BLEU break's D_p marks the chart and counts in the
 * editor's summary, breaks.ts `breakPoint`), and there is at most one per group.
 */
const READ_PER_CURVE: ReadonlySet<Finding['code']> = new Set<Finding['code']>(['bleu-law-break']);

/** The curve or group a finding is about, or undefined for a finding about a file, a row or a fit as a whole. */
function subjectOf(f: Finding): string | undefined {
  if (READ_PER_CURVE.has(f.code)) return undefined;
  return f.rows === undefined ? (f.curve ?? f.group) : undefined;
}

function keyOf(f: Finding): string {
  return `${f.code}\u0000${f.severity}\u0000${f.file}\u0000${f.curve === undefined ? 'group' : 'curve'}`;
}

/**
 * Each code's findings about its first CURVES_SHOWN curves (or groups) of a file as they are, then one finding for the
 * curves past those with their count (`curves`), the first CURVES_NAMED named and CURVES_LINKED linked. Findings that
 * are not about one curve, and codes met on few curves, pass unchanged and in order. Linear in the findings.
 */
export function summariseCurveFindings(findings: Finding[]): Finding[] {
  const groups = new Map<string, Group>();
  const past = new Set<Finding>();
  for (const f of findings) {
    const subject = subjectOf(f);
    if (subject === undefined) continue;
    let group = groups.get(keyOf(f));
    if (!group) groups.set(keyOf(f), (group = { kept: new Set(), more: new Set(), linked: [] }));
    if (group.kept.has(subject)) continue;
    if (group.kept.size < CURVES_SHOWN) {
      group.kept.add(subject);
      continue;
    }
    past.add(f);
    // A curve past the shown ones counts once, however many findings of this code it has.
    if (group.more.has(subject)) continue;
    group.more.add(subject);
    group.first ??= f;
    if (group.linked.length < CURVES_LINKED) group.linked.push(f);
  }
  if (past.size === 0) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    if (!past.has(f)) out.push(f);
    else if (groups.get(keyOf(f))?.first === f) out.push(summary(groups.get(keyOf(f)) as Group));
  }
  return out;
}

/** One finding for the curves of a code past the shown ones: the first one's finding, with their count and names. */
function summary({ first, more: past, linked }: Group): Finding {
  const model = first as Finding;
  const more = past.size;
  const what = model.curve === undefined ? 'group' : 'curve';
  const names = linked.slice(0, CURVES_NAMED).map((f) => `"${shownName(subjectOf(f) ?? '')}"`);
  return {
    ...model,
    message:
      `${more.toLocaleString('en-US')} more ${pluralNoun(more, what)} with this finding (${names.join(', ')}` +
      `${more > names.length ? ', …' : ''}); the first: ${model.message}`,
    curves: more,
    related: linked.map((f) => ({ file: f.file, line: f.line, message: f.message })),
  };
}
