// The chart panel's requests: series cut to a window and a point budget from the file's cached analysis, and
// what-if curves under its LR-annealing fit. The full-resolution chart model is built once per analysis.
import type { Connection } from 'vscode-languageserver';
import type { Analysis } from '../core/analysis/types';
import { buildChart, sampleChart, whatIfDefaults, type ChartModel } from '../core/chart/series';
import { whatIfCurve } from '../core/chart/whatIf';
import { ChartDataRequest, WhatIfRequest } from '../shared/chart';

type Ensure = (uri: string, reason: 'request') => Promise<Analysis | undefined>;

const NO_ANALYSIS = 'This file has no fit to chart yet. Run "Scaling Lens: Fit Scaling Law" on it, or map its columns with "Select Columns and Law...".';

export function registerChartHandlers(connection: Connection, ensure: Ensure): void {
  const models = new WeakMap<Analysis, ChartModel>();
  const modelOf = (analysis: Analysis) => {
    let model = models.get(analysis);
    if (!model) models.set(analysis, (model = buildChart(analysis)));
    return model;
  };

  connection.onRequest(ChartDataRequest, async ({ uri, width, logX, window, full }) => {
    const analysis = await ensure(uri, 'request');
    if (!analysis) return { ok: false, message: NO_ANALYSIS };
    try {
      return { ok: true, value: sampleChart(modelOf(analysis), { width, logX, window, full }) };
    } catch (error) {
      return { ok: false, message: `The chart data could not be built: ${(error as Error).message}. Details are in the Scaling Lens log.` };
    }
  });

  connection.onRequest(WhatIfRequest, async ({ uri, specs }) => {
    const analysis = await ensure(uri, 'request');
    const fit = analysis?.fits.find((f) => f.law === 'lr-annealing');
    if (!fit) return specs.map(() => ({ ok: false as const, message: 'A what-if schedule needs an LR-annealing fit; this file has none.' }));
    const fromStep = whatIfDefaults(analysis!, fit).fromStep;
    return specs.map((spec, i) => whatIfCurve(fit, spec, `what-if ${String.fromCharCode(65 + i)}`, { fromStep }));
  });
}
