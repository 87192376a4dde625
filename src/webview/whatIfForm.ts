// The what-if form: two schedules, A and B, each a shape with its knobs. Built with createElement and textContent
// only; the numbers typed here go to the server as a typed message, never into markup.
import { defaultSpec, longerSteps } from '../core/chart/whatIfSpec';
import { parseNumberCell } from '../core/table/number';
import { formatCompact, formatCompactExact } from '../core/util/format';
import type { Outcome, WhatIfCurve, WhatIfDefaults, WhatIfSpec } from '../shared/chart';
import { setText, textElement } from './words';

type Defaults = WhatIfDefaults;

/**
 * Two schedules to compare out of the box: A is the file's own schedule as logged (held at its last LR past the log),
 * whatever its shape (WSD, constant, linear, cosine), B a cosine to weigh it against; without a logged schedule, a
 * cosine against WSD. A fit whose curves never lower their LR cannot predict a decay (WhatIfDefaults.lrFloor), nor
 * one whose logs start late any schedule far from theirs in S1 (WhatIfDefaults.reachSteps): B then trains longer at
 * the same LR, twice as long or as far as that reach allows, which it can.
 */
export function defaultSpecs(d: Defaults): WhatIfSpec[] {
  if (d.lrFloor !== undefined || d.reachSteps !== undefined) {
    const longer = {
      ...defaultSpec(d, 'constant'),
      totalSteps: Math.min(longerSteps(d.totalSteps), d.reachSteps ?? Infinity),
    };
    return [d.logged ? defaultSpec(d, 'logged') : defaultSpec(d, 'constant'), longer];
  }
  return d.logged
    ? [defaultSpec(d, 'logged'), defaultSpec(d, 'cosine')]
    : [defaultSpec(d, 'cosine'), defaultSpec(d, 'wsd')];
}

interface Field {
  key: keyof WhatIfSpec;
  label: string;
  shapes?: WhatIfSpec['shape'][];
  kind: 'number' | 'shape' | 'decayShape' | 'list' | 'size';
}

const FIELDS: Field[] = [
  { key: 'shape', label: 'Schedule', kind: 'shape' },
  { key: 'peakLr', label: 'Peak LR', kind: 'number' },
  { key: 'warmupSteps', label: 'Warmup steps', kind: 'number', shapes: ['constant', 'cosine', 'wsd', 'multistep'] },
  { key: 'totalSteps', label: 'Total steps', kind: 'number' },
  { key: 'minLrRatio', label: 'Final LR / peak', kind: 'number', shapes: ['cosine', 'wsd'] },
  { key: 'decayFraction', label: 'Decay fraction', kind: 'number', shapes: ['wsd'] },
  { key: 'decayShape', label: 'Decay shape', kind: 'decayShape', shapes: ['wsd'] },
  { key: 'milestones', label: 'Milestones (fractions)', kind: 'list', shapes: ['multistep'] },
  { key: 'factor', label: 'Factor per milestone', kind: 'number', shapes: ['multistep'] },
  // Shown for the model-size law only: the N of the model to predict (suffixes K, M, B allowed).
  { key: 'modelSize', label: 'Model size N', kind: 'size' },
];

const OPTIONS: Record<'shape' | 'decayShape', [string, string][]> = {
  shape: [
    ['constant', 'Constant'],
    ['cosine', 'Cosine'],
    ['wsd', 'WSD (warmup-stable-decay)'],
    ['multistep', 'Multi-step'],
    ['logged', 'As logged in this file'],
  ],
  decayShape: [
    ['linear', 'linear'],
    ['cosine', 'cosine'],
    ['sqrt', '1 − sqrt'],
  ],
};

/**
 * Significant digits a knob's box shows. A peak LR read off a log can be a float's noise: 0.00030000000000000003 of a
 * computed schedule, 0.0003000000142492354 of a TensorBoard float32. The box shows 0.0003; the spec keeps the value
 * until the box is edited, so schedule A still scales the file's LR by exactly 1.
 */
const KNOB_DIGITS = 6;

/** A knob's value as its box shows it: a count as it is, a fraction to KNOB_DIGITS significant digits. */
export function knobText(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(KNOB_DIGITS)));
}

/** How long typing pauses before the curves are recomputed: a few keystrokes make one request. */
const TYPING_DELAY_MS = 250;

export class WhatIfForm {
  private specs: WhatIfSpec[] = [];
  private defaults: Defaults | undefined;
  private enabled = [true, true];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly result = document.createElement('div');

  constructor(
    private readonly root: HTMLElement,
    private readonly onChange: (specs: WhatIfSpec[]) => void,
  ) {}

  show(defaults: Defaults | undefined, remembered: WhatIfSpec[] | undefined): void {
    this.root.hidden = !defaults;
    this.defaults = defaults;
    if (!defaults) return;
    this.specs = remembered?.length === 2 ? remembered : defaultSpecs(defaults);
    this.render();
    this.emit(0);
  }

  current(): WhatIfSpec[] {
    return this.specs.filter((_, i) => this.enabled[i]);
  }

  private render(): void {
    this.root.replaceChildren();
    const title = document.createElement('h2');
    setText(title, `What-if ${this.defaults?.sizes ? 'schedule and model size' : 'schedule'} (${this.defaults?.law})`);
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = 'Predicted loss for a schedule you have not run, from the fitted law. Compare two.';
    const forms = document.createElement('div');
    forms.className = 'whatif-forms';
    this.specs.forEach((spec, i) => forms.append(this.form(spec, i)));
    this.result.className = 'whatif-result';
    this.result.id = 'whatif-result';
    this.root.append(title, hint, forms, this.result);
  }

  private form(spec: WhatIfSpec, index: number): HTMLElement {
    const box = document.createElement('fieldset');
    box.className = `whatif-form whatif-${index}`;
    const legend = document.createElement('legend');
    const toggle = document.createElement('input');
    toggle.type = 'checkbox';
    toggle.checked = this.enabled[index];
    toggle.id = `whatif-on-${index}`;
    toggle.addEventListener('change', () => {
      this.enabled[index] = toggle.checked;
      this.emit(0);
    });
    const name = document.createElement('label');
    name.htmlFor = toggle.id;
    name.textContent = ` Schedule ${String.fromCharCode(65 + index)}`;
    legend.append(toggle, name);
    box.append(legend);
    for (const f of FIELDS) {
      if (f.shapes && !f.shapes.includes(spec.shape)) continue;
      if (f.kind === 'size' && !this.defaults?.sizes) continue;
      box.append(this.field(spec, index, f));
    }
    const note = loggedNote(spec, this.defaults?.logged);
    if (note) box.append(Object.assign(textElement('p', note), { className: 'hint' }));
    return box;
  }

  private field(spec: WhatIfSpec, index: number, f: Field): HTMLElement {
    const row = document.createElement('label');
    row.className = 'field';
    const text = document.createElement('span');
    text.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'shape' || f.kind === 'decayShape') {
      const select = document.createElement('select');
      for (const [value, label] of OPTIONS[f.kind]) {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = label;
        select.append(o);
      }
      select.value = String(spec[f.key]);
      input = select;
    } else {
      const box = document.createElement('input');
      box.type = 'text';
      box.inputMode = 'decimal';
      box.value =
        f.kind === 'list'
          ? spec.milestones.join(', ')
          : f.kind === 'size'
            ? formatCompactExact(spec.modelSize ?? NaN)
            : knobText(spec[f.key] as number);
      input = box;
    }
    input.dataset.field = f.key;
    input.addEventListener('change', () => this.update(index, f, input.value));
    // Recompute while typing (debounced in emit); a value that does not parse yet comes back as a message.
    if (input instanceof HTMLInputElement) input.addEventListener('input', () => this.update(index, f, input.value));
    row.append(text, input);
    return row;
  }

  private update(index: number, f: Field, value: string): void {
    const spec = { ...this.specs[index] };
    if (f.kind === 'shape') spec.shape = value as WhatIfSpec['shape'];
    else if (f.kind === 'decayShape') spec.decayShape = value as WhatIfSpec['decayShape'];
    else if (f.kind === 'size') spec.modelSize = parseNumberCell(value)?.value ?? NaN;
    else if (f.kind === 'list')
      spec.milestones = value
        .split(/[,\s]+/)
        .filter(Boolean)
        .map(Number);
    else (spec as unknown as Record<string, number>)[f.key] = Number(value);
    this.specs[index] = spec;
    if (f.kind === 'shape') this.render();
    this.emit(TYPING_DELAY_MS);
  }

  /** Debounced: typing in a box or stepping a value asks once. */
  private emit(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(this.current()), delay);
  }

  /** The outcome line: each final loss, and B − A when both are on. */
  showResults(results: Outcome<WhatIfCurve>[]): void {
    const lines = outcomeLines(results);
    this.result.replaceChildren(...lines.map((l) => textElement('div', l)));
  }
}

/**
 * What 'as logged' means for this file: whose schedule, and the LR held after its last row, at the step the LR panel's
 * legend names ("after step 20k"; it read "20,000" beside it).
 */
export function loggedNote(spec: WhatIfSpec, logged: Defaults['logged']): string | undefined {
  if (spec.shape !== 'logged') return undefined;
  if (!logged) return 'This file has no logged LR schedule to continue.';
  return `${logged.curve}'s schedule, scaled to the peak LR, held at its last LR after step ${formatCompact(logged.lastStep)}.`;
}

/** Significant digits of a what-if's final loss. */
const FINAL_DIGITS = 5;

/**
 * Each final loss (5 significant digits), and B − A to the same decimal place when both are on: a difference below
 * it is no difference the final losses show ("B − A = -0.00000189 (B ends lower)" beside two equal 2.4853).
 */
export function outcomeLines(results: Outcome<WhatIfCurve>[]): string[] {
  const lines: string[] = [];
  const ok: WhatIfCurve[] = [];
  for (const r of results) {
    if (r.ok) {
      ok.push(r.value);
      lines.push(
        `${r.value.label} (${r.value.spec.shape}, ${formatCompactExact(r.value.spec.totalSteps)} steps): final loss ${r.value.finalLoss.toPrecision(FINAL_DIGITS)}` +
          (r.value.assumption ? `; assumes the ${r.value.assumption}` : ''),
      );
    } else lines.push(r.message);
  }
  if (ok.length !== 2) return lines;
  const [a, b] = ok.map((c) => c.finalLoss);
  const decimals = Math.max(0, FINAL_DIGITS - 1 - Math.floor(Math.log10(Math.max(Math.abs(a), Math.abs(b)))));
  const diff = (b - a).toFixed(Math.min(20, decimals));
  const same = Number(diff) === 0;
  lines.push(
    `B − A = ${same ? (0).toFixed(decimals) : diff} (${same ? `the same to ${decimals} decimals` : `${b < a ? 'B' : 'A'} ends lower`})`,
  );
  return lines;
}
