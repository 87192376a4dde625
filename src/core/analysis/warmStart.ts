// What a followed run carries from one analysis to the next (src/core/live): the loss-curve law's last fit, so the
// next one starts at its optimum instead of searching. The law chosen under 'auto' is kept with it; the choice (its
// backtest refits both laws) and the lambda search are made again by a cold fit once the fitted points have doubled
// since the last one, so the total work stays proportional to the run's length however often it is re-fitted.
import type { LawChoice } from './lawChoice';

/** A warm start is used while the fitted points are under this many times those of the last cold fit. */
const COLD_GROWTH = 2;

export class LossWarmStart {
  /**
   * `release`: called once a new fit has taken the previous one's place, with nothing holding the previous one any
   * more. A shell that can collect garbage on demand (the language server) frees it there, before the new fit's
   * bands and reports allocate: the previous fit's arrays are about 80 MB for a million-row run, and V8 would
   * otherwise keep them until its heap, which they are not part of, grows.
   */
  constructor(private readonly release: () => void = () => {}) {}

  private last: LawChoice | null = null;
  /** The fitted points of the last cold fit. */
  private coldPoints = 0;
  /** How the last fit was started, for the shells and tests. */
  lastStart: 'cold' | 'warm' | 'none' = 'none';

  /** The choice to start from for a fit of `points` fitted points, or null for a cold fit. */
  startFor(points: number, fitNames: ReadonlySet<string>): LawChoice | null {
    const last = this.last;
    if (last === null || points >= COLD_GROWTH * this.coldPoints) return null;
    // Another set of fitted curves is another fit.
    if (last.fit === null || !sameNames(this.fitNames, fitNames)) return null;
    return last;
  }

  private fitNames: ReadonlySet<string> = new Set();

  /** Records the fit just made. */
  remember(choice: LawChoice, points: number, fitNames: ReadonlySet<string>, warm: boolean): void {
    this.last = choice.fit === null ? null : choice;
    this.fitNames = fitNames;
    this.lastStart = warm ? 'warm' : 'cold';
    if (!warm) this.coldPoints = points;
  }

  /** The previous fit is let go (see the constructor). */
  released(): void {
    this.release();
  }

  /** Forgets the last fit (the run was replaced): the next fit is cold. */
  reset(): void {
    this.last = null;
    this.coldPoints = 0;
    this.lastStart = 'none';
  }
}

function sameNames(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((name) => b.has(name));
}
