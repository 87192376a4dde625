// Every message of the chart panel, typed once: the client <-> server requests for chart data and what-if curves,
// and the extension <-> webview messages. The webview says `ready` before it is sent anything.
import { RequestType } from 'vscode-languageserver-protocol';
import type { ChartData, Outcome, WhatIfCurve, WhatIfSpec, XWindow } from '../core/chart/types';

export type { ChartData, ChartSeries, ChartMarker, ChartPanelSpec, WhatIfCurve, WhatIfDefaults, WhatIfSpec, XWindow, Outcome } from '../core/chart/types';

export interface ChartDataParams {
  uri: string;
  /** Plot width in CSS pixels; about two points per pixel are sent. */
  width: number;
  /** Sample (LTTB) in log10(x), and leave out x <= 0. */
  logX: boolean;
  /** Only this x range (after a zoom or pan). */
  window?: XWindow;
  /** Every row, not downsampled (CSV/JSON export). */
  full?: boolean;
}

/** Downsampled series of a file's analysis; the server holds the analysis and the raw rows. */
export const ChartDataRequest = new RequestType<ChartDataParams, Outcome<ChartData>, void>('scalingLens/chartData');

export interface WhatIfParams {
  uri: string;
  specs: WhatIfSpec[];
}

/** Predicted loss curves of what-if schedules under the file's LR-annealing fit, one outcome per spec. */
export const WhatIfRequest = new RequestType<WhatIfParams, Outcome<WhatIfCurve>[], void>('scalingLens/whatIf');

export const CHART_VIEW_TYPE = 'scalingLens.chart';

/** What the webview remembers across reloads (getState/setState) and the serializer restores from. */
export interface ChartViewState {
  uri: string;
  logX?: Partial<Record<'main' | 'secondary', boolean>>;
  logY?: Partial<Record<'main' | 'secondary', boolean>>;
  residuals?: boolean;
  hiddenGroups?: string[];
  whatIf?: WhatIfSpec[];
}

export type ExportFormat = 'png' | 'csv' | 'json';

export type ToWebview =
  | { type: 'data'; file: string; data: ChartData; reason: 'load' | 'refresh' | 'window' }
  | { type: 'status'; state: 'fitting' | 'error' | 'empty'; message: string }
  | { type: 'whatIf'; results: Outcome<WhatIfCurve>[] }
  | { type: 'exported'; ok: boolean; message: string };

export type FromWebview =
  | { type: 'ready'; state?: ChartViewState; width: number; logX: boolean }
  /** Re-sample: the axis type or the visible x window changed. */
  | { type: 'view'; width: number; logX: boolean; window?: XWindow }
  | { type: 'whatIf'; specs: WhatIfSpec[] }
  /** PNG: the canvas as base64 (the webview cannot download); CSV/JSON: the extension fetches every row itself. */
  | { type: 'export'; format: ExportFormat; base64?: string; logX: boolean }
  | { type: 'state'; state: ChartViewState };
