// How many of the public multi-power-law held-out rows fall inside the loss-curve laws' 95 % bands (fitted on the
// official fit set, every held-out row of each size), under the LR-annealing law, MPL and law auto: the figures of
// README, "Band coverage on the public curves", printed. The bands are where a newly logged point falls under the
// fitted law, so they hold the fitted rows; held out, they miss where the law is wrong for a schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import type { Analysis } from '../../../src/core/analysis/types';
import { LUO, LUO_FIT, luoFiles, skipUnless } from '../../helpers/shared';

const skip = skipUnless(LUO);

/** Rows with a band inside it, and rows with a band, of the curves of one role. */
function inside(a: Analysis, role: 'fit' | 'heldout'): { held: number; rows: number } {
  let [held, rows] = [0, 0];
  for (const c of a.curves.filter((c) => c.role === role)) {
    const { observed, low, high } = c.points;
    observed.forEach((y, i) => {
      if (!Number.isFinite(low[i])) return;
      rows++;
      if (y >= low[i] && y <= high[i]) held++;
    });
  }
  return { held, rows };
}

const share = ({ held, rows }: { held: number; rows: number }) =>
  `${held} of ${rows} (${Math.round((100 * held) / rows)} %)`;

test(
  'loss-curve law bands on the public MPL held-out curves: the share of rows inside (figures printed)',
  { skip },
  async () => {
    for (const law of ['lr-annealing', 'mpl', 'auto'] as const) {
      const total = { fit: { held: 0, rows: 0 }, heldout: { held: 0, rows: 0 } };
      const sizes: string[] = [];
      for (const size of ['25', '100', '400']) {
        const a = await analyseFiles(luoFiles(size), { law, fitOn: LUO_FIT, warmupSteps: 2160 });
        const [fit, held] = [inside(a, 'fit'), inside(a, 'heldout')];
        for (const [k, v] of [['fit', fit] as const, ['heldout', held] as const]) {
          total[k].held += v.held;
          total[k].rows += v.rows;
        }
        // A weighted mean of both laws is reported as the LR-annealing law's fit, with settings.combination.
        const chosen = a.fits[0].settings.combination ? 'mean of both laws' : a.fits[0].law;
        sizes.push(`${size}M (${chosen}) ${share(held)}`);
        assert.ok(held.rows > 1500, `${law} ${size}M: every held-out row has a band`);
      }
      console.log(
        `${law}: held-out rows inside the band ${share(total.heldout)}: ${sizes.join(', ')}; fitted rows ${share(total.fit)}`,
      );
      // The band is where a new point falls under the fitted law: it holds most fitted rows, whatever the held-out.
      assert.ok(total.fit.held >= 0.85 * total.fit.rows, `${law}: ${share(total.fit)} fitted rows`);
    }
  },
);
