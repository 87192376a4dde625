// The chart panel's requests: series cut to a window and a point budget from the file's cached analysis, and
// what-if curves under its loss-curve fit. The full-resolution chart model is built once per analysis (on the first
// request, or ahead of it after a fit the user asked for: prepare, in slices between the server's other work, and let
// go if no chart asks for it soon), and the whole-range samples of it are kept, so reopening a chart or resetting its
// zoom costs no re-sampling.
import type { Analysis, Series } from '../core/analysis/types';
import { pointBudget } from '../core/chart/lttb';
import {
  chartSteps,
  referenceCurve,
  sampleChart,
  whatIfDefaults,
  type ChartModel,
  type SampleOptions,
} from '../core/chart/series';
import type { ChartData, Outcome, WhatIfCurve } from '../core/chart/types';
import { MAX_WHATIF_SPECS, NO_LOSS_FIT, predictsSchedules, whatIfCurve } from '../core/chart/whatIf';
import { runFor, runToEnd, type Steps } from '../core/util/steps';
import type { ChartDataParams, ChartDataResult, WhatIfParams } from '../shared/chart';

/** A file's analysis brought up to date (the file cache's ensure for a request). */
type AnalysisOf = (uri: string) => Promise<Analysis<Series> | undefined>;

const NO_ANALYSIS =
  'This file has no fit to chart yet. Run "Scaling Lens: Fit Scaling Law" on it, or map its columns with "Select Columns and Law...".';

/**
 * The longest a slice of a prebuild runs before the server's other requests (hovers, lenses) get their turn: the
 * server has one thread, and a 200-run sweep's model is seconds of work. A slice ends after the curve that passes it.
 */
const SLICE_MS = 10;

/**
 * How long a model built ahead of Show Chart waits for a chart to ask for it: a fit's notification offers Show Chart
 * at once, and a million-row log's model is about 32 MB that a file never charted would keep as long as its analysis.
 * A chart asking later builds it on its request (0.2-0.4 s of a million-row log's first draw).
 */
const PREBUILT_KEEP_MS = 2 * 60_000;

/** Whole-range samples kept per analysis: a few widths and both x spaces; each is a few hundred kB at most. */
const KEPT_SAMPLES = 4;

interface CachedChart {
  model: ChartModel;
  /** Whole-range samples by point budget and x space; windows and full exports are not kept. */
  samples: Map<string, ChartData>;
  /** Whether a request has taken it: a prebuilt model no request took is let go after PREBUILT_KEEP_MS. */
  asked: boolean;
}

/** Answers ChartDataRequest and WhatIfRequest; a chart lives as long as the analysis it was built from. */
export class ChartRequests {
  private readonly charts = new WeakMap<Analysis<Series>, CachedChart>();
  /** Models a prebuild has begun: a request finishes what is left of one at once. */
  private readonly building = new WeakMap<Analysis<Series>, Steps<ChartModel>>();

  constructor(
    private readonly analysisOf: AnalysisOf,
    private readonly sliceMs = SLICE_MS,
    private readonly keepMs = PREBUILT_KEEP_MS,
  ) {}

  async data({ uri, width, logX, window, full }: ChartDataParams): Promise<ChartDataResult> {
    const started = performance.now();
    const analysis = await this.analysisOf(uri);
    const analysed = performance.now();
    if (!analysis) return { ok: false, message: NO_ANALYSIS };
    try {
      const chart = this.chartOf(analysis);
      const built = performance.now();
      const value = sampleCached(chart, { width, logX, window, full });
      const timing = { analysisMs: analysed - started, modelMs: built - analysed, sampleMs: performance.now() - built };
      return { ok: true, value, timing };
    } catch (error) {
      return {
        ok: false,
        message: `The chart data could not be built: ${(error as Error).message}. Details are in the Scaling Lens log.`,
      };
    }
  }

  /**
   * Builds the chart model of a file's analysis ahead of its first request: after a fit the user asked for, whose
   * notification offers Show Chart (a million-row log's model was 0.2-0.4 s of the click's wait). Only the analysis
   * the fit left in the cache (`current`): asking for one here would start a fit (or a follower) of its own, even
   * after the server is gone. It is built a slice at a time after the fit's answer, and given up once the cache holds
   * another analysis (an edit, a re-fit). A model that cannot be built is left for the request, which says why.
   * Settles when the prebuild ends, whichever way (for a test or the bench to wait on; the server does not).
   */
  prepare(current: () => Analysis<Series> | undefined): Promise<void> {
    const analysis = current();
    if (!analysis || this.charts.has(analysis) || this.building.has(analysis)) return Promise.resolve();
    const steps = chartSteps(analysis);
    this.building.set(analysis, steps);
    return new Promise((resolve) => {
      const slice = () => {
        // Not when a request finished it meanwhile (or found it failed).
        if (this.building.get(analysis) === steps) {
          if (current() !== analysis) this.building.delete(analysis);
          else if (!this.step(analysis, steps)) return void setImmediate(slice);
        }
        resolve();
      };
      setImmediate(slice);
    });
  }

  async whatIf({ uri, specs }: WhatIfParams): Promise<Outcome<WhatIfCurve>[]> {
    if (!Array.isArray(specs)) return [{ ok: false, message: 'A what-if request must list its schedules.' }];
    const analysis = await this.analysisOf(uri);
    const fit = analysis?.fits.find(predictsSchedules);
    if (!analysis || !fit)
      return specs.map(() => ({
        ok: false as const,
        message: NO_LOSS_FIT,
      }));
    const { fromStep, sizes, departed } = whatIfDefaults(analysis, fit);
    const schedule = referenceCurve(analysis, fit)?.schedule;
    const logged = schedule && { steps: Float64Array.from(schedule.steps), lr: Float64Array.from(schedule.lr) };
    return specs.map((spec, i) =>
      i < MAX_WHATIF_SPECS
        ? whatIfCurve(fit, spec, `what-if ${String.fromCharCode(65 + i)}`, { fromStep, logged, sizes, departed })
        : { ok: false, message: `At most ${MAX_WHATIF_SPECS} what-ifs are predicted at once; this one was not.` },
    );
  }

  /** One slice of a prebuild; whether it has ended (built, or failed: the request builds it again and says why). */
  private step(analysis: Analysis<Series>, steps: Steps<ChartModel>): boolean {
    try {
      const built = runFor(steps, this.sliceMs);
      if (!built) return false;
      this.charts.set(analysis, { model: built.value, samples: new Map(), asked: false });
      this.unlessAsked(analysis);
    } catch {
      // Reported by the request.
    }
    this.building.delete(analysis);
    return true;
  }

  /**
   * Lets the prebuilt model of `analysis` go unless a request takes it within keepMs. The timer holds the analysis
   * weakly: one replaced by an edit meanwhile goes with its model as before.
   */
  private unlessAsked(analysis: Analysis<Series>): void {
    const ref = new WeakRef(analysis);
    const timer = setTimeout(() => {
      const kept = ref.deref();
      if (kept && this.charts.get(kept)?.asked === false) this.charts.delete(kept);
    }, this.keepMs);
    timer.unref?.();
  }

  /** The analysis's model: kept, or what is left of a prebuild's, or all of it, at once. */
  private chartOf(analysis: Analysis<Series>): CachedChart {
    let chart = this.charts.get(analysis);
    if (chart) return Object.assign(chart, { asked: true });
    const steps = this.building.get(analysis) ?? chartSteps(analysis);
    // Taken before it runs: steps that throw are not run again by a slice, nor by the next request.
    this.building.delete(analysis);
    // The model holds the analysis's own (typed) arrays: nothing of a million-row log is copied to number[] for it.
    this.charts.set(analysis, (chart = { model: runToEnd(steps), samples: new Map(), asked: true }));
    return chart;
  }
}

/** A whole-range view comes from the cache when sampled before (same point budget and x space); others are sampled. */
function sampleCached(chart: CachedChart, options: SampleOptions): ChartData {
  if (options.window || options.full) return sampleChart(chart.model, options);
  const key = `${pointBudget(options.width)}|${options.logX}`;
  let data = chart.samples.get(key);
  if (!data) {
    data = sampleChart(chart.model, options);
    const oldest = chart.samples.size >= KEPT_SAMPLES ? chart.samples.keys().next().value : undefined;
    if (oldest !== undefined) chart.samples.delete(oldest);
    chart.samples.set(key, data);
  }
  return data;
}
