/// <reference types="vscode-webview" />
// The chart panel's page: receives downsampled series from the extension, draws one chart per panel, and sends back
// zoom windows (for re-sampling), what-if schedules and exports (the PNG image: exportImage.ts). File-supplied names
// only ever reach the DOM as textContent, and the canvas draws text as text.
import './clock'; // first: its clock starts before chart.js evaluates
import type {
  ChartData,
  ChartSnapshot,
  ChartViewState,
  ExportFormat,
  FromWebview,
  Outcome,
  LawChoiceText,
  PanelId,
  SeriesKind,
  ToWebview,
  WhatIfCurve,
  XWindow,
} from '../shared/chart';
import { applyView, createChart, type LensChart, type PanelView } from './charts';
import { datasetsFor, groupColor, whatIfDatasets, type LensDataset } from './datasets';
import { chartHeading, exportHeader, exportImage } from './exportImage';
import { publish, startTiming } from './hook';
import { onThemeChange, readTheme, type Theme } from './theme';
import { WhatIfForm } from './whatIfForm';
import { setText, textElement } from './words';
import { formatNumber, formatPercent, pluralNoun } from '../core/util/format';
import { LAW_NAMES } from '../core/analysis/lawNames';
import { shownOnOneLine } from '../core/util/controls';
import { appendAll } from '../core/util/arrays';

const vscode = acquireVsCodeApi<ChartViewState>();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const started = performance.now();

let state: ChartViewState = vscode.getState() ?? { uri: document.body.dataset.uri ?? '' };
let data: ChartData | undefined;
let file = '';
let theme: Theme = readTheme();
let whatIf: WhatIfCurve[] = [];
const charts = new Map<PanelId, LensChart>();
/** When the page loaded, got data and drew (see WebviewTiming); published in the test hook. */
const timing = startTiming(started);
let windowTimer: ReturnType<typeof setTimeout> | undefined;

const form = new WhatIfForm($('whatif'), (specs) => {
  saveState({ whatIf: specs.length === 2 ? specs : state.whatIf });
  post({ type: 'whatIf', specs });
});

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function saveState(patch: Partial<ChartViewState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

const logX = (): boolean => state.logX?.main ?? data?.panels[0]?.logX ?? true;
const plotWidth = (): number => Math.max(300, Math.round($('charts').clientWidth || 800));

// ---- messages -------------------------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'data':
      if (m.timing) timing.host = m.timing;
      receive(m.data, m.file, m.reason);
      break;
    case 'status':
      setStatus(m.message, m.state === 'error' || m.state === 'empty');
      if (m.state !== 'fitting') clearCharts();
      break;
    case 'whatIf':
      whatIf = m.results.filter((r): r is Extract<Outcome<WhatIfCurve>, { ok: true }> => r.ok).map((r) => r.value);
      form.showResults(m.results);
      rebuild();
      break;
    case 'exported':
      setStatus(m.message, !m.ok);
      report({ lastExport: m });
      break;
  }
});

function receive(next: ChartData, name: string, reason: 'load' | 'refresh' | 'window'): void {
  const now = performance.now();
  if (!timing.firstData) timing.firstData = now;
  timing.lastData = now;
  file = name;
  const first = !data;
  // A window answer in another x space (the x toggle) needs new scales, not just new points.
  const sameSpace = data?.logX === next.logX;
  data = next;
  setStatus('', false);
  setText($('title'), chartHeading(name, next));
  if (reason === 'window' && charts.size && sameSpace) replaceData();
  else {
    renderGroups();
    renderFits();
    rebuild();
  }
  renderNotes();
  if (first || reason !== 'window') form.show(next.whatIf, state.whatIf);
}

function setStatus(text: string, problem: boolean): void {
  const el = $('status');
  setText(el, text);
  el.classList.toggle('problem', problem);
}

// ---- panels ---------------------------------------------------------------------------------------------------

function clearCharts(): void {
  for (const c of charts.values()) c.destroy();
  charts.clear();
  $('charts').replaceChildren();
  report({});
}

const groupIndex = (): Map<string, number> => new Map((data?.groups ?? []).map((g, i) => [g, i]));

/**
 * Datasets of a panel: the server's series for visible groups, then the what-if curves. The residual view shows how
 * the data sit against the law: no what-if curves in any panel.
 */
function datasetsOf(panel: PanelId): LensDataset[] {
  if (!data) return [];
  const hidden = new Set(state.hiddenGroups ?? []);
  const residuals = panel === 'main' && !!state.residuals;
  const out = data.series
    .filter((s) => s.panel === panel && !hidden.has(s.group) && !(state.residuals && s.kind === 'schedule-assumed'))
    .filter((s) => state.runnerUp || !RUNNER_UP_KINDS.includes(s.kind))
    .flatMap((s) => datasetsFor(s, { theme, groupIndex: groupIndex(), residuals }));
  if (data.kind === 'loss-curve' && !state.residuals) appendAll(out, whatIfDatasets(whatIf, panel, theme));
  return out;
}

const RUNNER_UP_KINDS: SeriesKind[] = ['runner-up', 'runner-up-band'];

function viewOf(panel: PanelId, xRange?: PanelView['xRange']): PanelView {
  const spec = data!.panels.find((p) => p.id === panel)!;
  const hidden = new Set(state.hiddenGroups ?? []);
  // Targets are predictions beyond the data: the residual view has none to show; breaks stay (they are in the data).
  // A marker's label names its run: file text, drawn on the canvas as one line (see datasetsFor).
  const markers = data!.markers
    .filter((m) => m.panel === panel && !hidden.has(m.group) && !(state.residuals && m.kind === 'target'))
    .map((m) => ({ ...m, label: shownOnOneLine(m.label) }));
  return {
    spec,
    logX: logX(),
    logY: state.logY?.[panel] ?? spec.logY,
    residuals: panel === 'main' && !!state.residuals,
    markers,
    theme,
    xRange,
    legendByGroup: !!data!.legendByGroup,
    colorOf: (group) => groupColor(group, { theme, groupIndex: groupIndex() }),
    onWindow: (chart) => linkWindow(chart),
    onToggleGroup: (group) => toggleGroup(group),
    onDraw: () => drawn(),
  };
}

/**
 * One x range for every panel (a step sits at one x in the loss and the LR panels): the extent of what they draw,
 * and in the residual view the extent of the residuals. Undefined when nothing has an x the axis can show.
 */
function sharedXRange(byPanel: Map<PanelId, LensDataset[]>): PanelView['xRange'] {
  const log = logX();
  let [min, max] = [Infinity, -Infinity];
  for (const [panel, datasets] of byPanel) {
    if (state.residuals && panel !== 'main') continue;
    for (const d of datasets)
      for (const p of d.data) {
        if (!Number.isFinite(p.x) || (log && !(p.x > 0))) continue;
        if (p.x < min) min = p.x;
        if (p.x > max) max = p.x;
      }
  }
  if (!(max > min)) return undefined;
  // A little room on the right: a target marker at the furthest x is a line, not the plot's edge.
  return { min, max: log ? max * (max / min) ** X_PAD : max + (max - min) * X_PAD };
}

/** Share of the x-axis left free beyond the furthest point. */
const X_PAD = 0.03;

/** Recreates every chart: after new data, a toggle, a filter or a theme change. */
function rebuild(): void {
  if (!data) return;
  const container = $('charts');
  for (const c of charts.values()) c.destroy();
  charts.clear();
  container.replaceChildren();
  container.className = `charts layout-${data.kind === 'downstream' ? 'side' : 'stacked'}`;
  const byPanel = new Map(data.panels.map((p) => [p.id, datasetsOf(p.id)]));
  const xRange = sharedXRange(byPanel);
  for (const spec of data.panels) {
    const box = document.createElement('section');
    box.className = `panel panel-${spec.id}`;
    box.append(panelHeader(spec.id, spec.title));
    const holder = document.createElement('div');
    holder.className = 'canvas-holder';
    const canvas = document.createElement('canvas');
    canvas.id = `chart-${spec.id}`;
    // A screen reader names the picture by its panel (the numbers are in the fits, notes and the CSV export).
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${shownOnOneLine(spec.title)} chart`);
    holder.append(canvas);
    box.append(holder);
    container.append(box);
    charts.set(spec.id, createChart(canvas, byPanel.get(spec.id)!, viewOf(spec.id, xRange)));
  }
  report({}); // a chart's first render runs inside its constructor, before it is in `charts`
}

/** New points for the same series (a zoom was re-sampled): swap data, keep the zoomed scales. */
function replaceData(): void {
  for (const [panel, chart] of charts) {
    const fresh = new Map(datasetsOf(panel).map((d) => [d.lens.id + d.lens.kind, d]));
    for (const ds of chart.data.datasets as LensDataset[]) {
      const next = fresh.get(ds.lens.id + ds.lens.kind);
      if (next) ds.data = next.data;
    }
    chart.update('none');
  }
}

function panelHeader(panel: PanelId, title: string): HTMLElement {
  const head = document.createElement('div');
  head.className = 'panel-head';
  const name = document.createElement('span');
  name.className = 'panel-title';
  // A power law's panel is titled by its columns: file text, shown as one line (see chartHeading).
  name.textContent = shownOnOneLine(title);
  head.append(name, axisToggle(panel, 'x'), axisToggle(panel, 'y'));
  if (panel === 'main' && data?.lawChoice) head.append(runnerUpToggle(data.lawChoice));
  return head;
}

/** Overlays the law an automatic choice did not pick (dotted), beside the chosen one; says why it was not picked. */
function runnerUpToggle(choice: LawChoiceText): HTMLElement {
  const on = !!state.runnerUp;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'axis-toggle';
  button.id = 'runner-up-toggle';
  // Shown, it says how far it is from the chosen law: where both agree its dots lie on the chosen law's line, and the
  // toggle would seem to do nothing.
  const gap = choice.targetGap === undefined ? undefined : formatPercent(choice.targetGap, 2);
  button.textContent = `runner-up (${choice.runnerUp}): ${on ? `shown${gap ? ` · ${gap} off` : ''}` : 'hidden'}`;
  const apart = gap ? ` At the targets its predictions are at most ${gap} off the chosen law's.` : '';
  const through = choice.unsupported
    ? ` It is drawn through the log only, with no prediction: not supported by the data (${choice.unsupported}).`
    : '';
  button.title = `Law chosen automatically: ${choice.chosen}. Why: ${choice.reason}. Click to ${on ? 'hide' : 'overlay'} the runner-up, ${choice.runnerUp} (dotted, with its band where it has one), on every curve.${apart}${through}`;
  button.setAttribute('aria-pressed', String(on));
  button.addEventListener('click', () => {
    saveState({ runnerUp: !on });
    rebuild();
  });
  return button;
}

function axisToggle(panel: PanelId, axis: 'x' | 'y'): HTMLElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'axis-toggle';
  button.id = `${axis}-scale-${panel}`;
  const isLog = axis === 'x' ? logX() : (state.logY?.[panel] ?? data!.panels.find((p) => p.id === panel)!.logY);
  button.textContent = `${axis}: ${isLog ? 'log' : 'linear'}`;
  button.title = `Switch the ${axis}-axis to a ${isLog ? 'linear' : 'logarithmic'} scale`;
  button.setAttribute('aria-pressed', String(isLog));
  if (axis === 'y' && panel === 'main' && state.residuals) {
    // Residuals are percentages around 0: always a linear axis, and the button says so.
    button.textContent = 'y: linear';
    button.title = 'Residuals are drawn on a linear axis';
    button.setAttribute('aria-pressed', 'false');
    button.disabled = true;
    return button;
  }
  button.addEventListener('click', () => {
    if (axis === 'x') {
      // The panels share x (step or D_p): one toggle moves both, and the server re-samples in the new space.
      saveState({ logX: { main: !isLog, secondary: !isLog } });
      post({ type: 'view', width: plotWidth(), logX: !isLog });
    } else {
      saveState({ logY: { ...state.logY, [panel]: !isLog } });
      rebuild();
    }
  });
  return button;
}

// ---- zoom: linked x, re-sampled by the server -------------------------------------------------------------------

function linkWindow(source: LensChart): void {
  const { min, max } = source.scales.x;
  for (const c of charts.values()) if (c !== source) setXRange(c, { xMin: min, xMax: max });
  if (windowTimer) clearTimeout(windowTimer);
  windowTimer = setTimeout(
    () => post({ type: 'view', width: plotWidth(), logX: logX(), window: { xMin: min, xMax: max } }),
    200,
  );
}

/** Through the zoom plugin, so that chart's own Reset returns to its original range too. */
function setXRange(chart: LensChart, w: XWindow): void {
  chart.zoomScale('x', { min: w.xMin, max: w.xMax }, 'none');
}

$('reset').addEventListener('click', () => {
  for (const c of charts.values()) c.resetZoom('none');
  post({ type: 'view', width: plotWidth(), logX: logX() });
});

$<HTMLSelectElement>('view').addEventListener('change', (e) => {
  saveState({ residuals: (e.target as HTMLSelectElement).value === 'residuals' });
  rebuild();
});

// ---- group filter, fits, notes (text only) ----------------------------------------------------------------------

function renderGroups(): void {
  const list = $('group-list');
  list.replaceChildren();
  const hidden = new Set(state.hiddenGroups ?? []);
  for (const g of data?.groups ?? []) {
    const label = document.createElement('label');
    label.className = 'group';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !hidden.has(g);
    box.addEventListener('change', () => setGroupHidden(g, !box.checked));
    const text = document.createElement('span');
    text.textContent = shownOnOneLine(g);
    label.append(box, text);
    list.append(label);
  }
  $('groups').hidden = (data?.groups.length ?? 0) < 2;
}

function setGroupHidden(group: string, hide: boolean): void {
  const now = new Set(state.hiddenGroups ?? []);
  if (hide) now.add(group);
  else now.delete(group);
  saveState({ hiddenGroups: [...now] });
  rebuild();
}

/** A legend entry standing for a group: hide or show the group, and keep the filter's boxes in step. */
function toggleGroup(group: string): void {
  setGroupHidden(group, !(state.hiddenGroups ?? []).includes(group));
  renderGroups();
}

function renderFits(): void {
  const root = $('fits');
  root.replaceChildren();
  if (!data?.fits.length) return;
  const title = document.createElement('h2');
  title.textContent = `Fitted ${pluralNoun(data.fits.length, 'law')}`;
  root.append(title);
  for (const f of data.fits) {
    const row = document.createElement('div');
    row.className = 'fit';
    const params = Object.entries(f.params)
      // Its value is no measurement (FitResult.undetermined), no number: the hover and the CLI say why.
      .map(([k, v]) => (f.undetermined?.includes(k) ? `${k} not determined` : `${k} = ${formatNumber(v, 4)}`))
      .join(', ');
    // Under a mean of laws the coefficients are one law's and the predictions the mean's: say so, as the hover does.
    const mean =
      f.name === LAW_NAMES[f.law] ? '' : ` (the ${LAW_NAMES[f.law]}'s coefficients; every prediction is the ${f.name})`;
    // The group and a power law's formula (its column names) are file text: shown on one line, bidi and all.
    setText(row, shownOnOneLine(`${f.group ? `${f.group}: ` : ''}${f.formula} · ${params}${mean}`));
    root.append(row);
  }
}

function renderNotes(): void {
  $('notes').replaceChildren(...(data?.notes ?? []).map((n) => textElement('li', n)));
}

// ---- export -----------------------------------------------------------------------------------------------------

function exportAs(format: ExportFormat): void {
  if (format !== 'png') return post({ type: 'export', format, logX: logX() });
  const visible = [...charts.values()];
  if (!visible.length) return setStatus('Nothing to export yet.', true);
  const header = exportHeader(data, file);
  const base64 = exportImage(
    visible.map((c) => c.canvas),
    header,
    theme,
  );
  report({ exportHeader: header });
  post({ type: 'export', format: 'png', base64, logX: logX() });
}

for (const f of ['png', 'csv', 'json'] as const) $(`export-${f}`).addEventListener('click', () => exportAs(f));

// ---- theme ------------------------------------------------------------------------------------------------------

onThemeChange(() => {
  theme = readTheme();
  const byPanel = new Map([...charts.keys()].map((p) => [p, datasetsOf(p)]));
  const xRange = sharedXRange(byPanel);
  for (const [panel, chart] of charts) {
    applyView(chart, viewOf(panel, xRange));
    chart.data.datasets = byPanel.get(panel)!;
    chart.update('none');
  }
});

// ---- test hook: what was drawn, for the browser tests (read-only numbers and labels) -------------------------------

function drawn(): void {
  const now = performance.now();
  if (!timing.firstDraw && data) timing.firstDraw = now;
  timing.lastDraw = now;
  timing.draws++;
  report({});
}

/** Publishes the test hook's snapshot of the page (see hook.ts). */
function report(extra: Pick<ChartSnapshot, 'lastExport' | 'exportHeader'>): void {
  publish({ file, data, charts, whatIf, status: $('status').textContent ?? '', timing }, extra);
}

// ---- start: say ready, then the extension sends data ------------------------------------------------------------

if (state.residuals) $<HTMLSelectElement>('view').value = 'residuals';
timing.ready = performance.now();
post({ type: 'ready', state, width: plotWidth(), logX: state.logX?.main ?? true });
