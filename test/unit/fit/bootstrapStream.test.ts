// A bootstrap drawn as a stream (bootstrapStream) gives the sets bootstrapParams gives, whichever counts it is asked
// for in turn: a mean of both loss laws asks the LR-annealing law for 24 refits (its spread weights) and then for 200
// (its band and intervals), and the second call refits only the 176 it lacks. Equal to the bit, so no answer moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapParams, bootstrapStream } from '../../../src/core/fit/bootstrap';
import { logResidualDraw } from '../../../src/core/analysis/bands';
import { fitPower, powerLaw } from '../../../src/core/laws/powerLaw';
import { normal, seededRandom } from '../../../src/core/util/random';

const X = Array.from({ length: 12 }, (_, k) => 1e9 * 1.5 ** k);

/** A noisy power law, its fit, and the residual draws a band's refits are made from. */
function problem() {
  const random = seededRandom(3);
  const observed = Float64Array.from(X, (x) => (1.8 + 900 * x ** -0.3) * (1 + 0.01 * normal(random)));
  const { fit, points } = fitPower(powerLaw, X, observed, 1e-3)!;
  const draw = logResidualDraw(powerLaw, points, observed, fit.params)!;
  return { params: fit.params, draw, options: { seed: 11, delta: 1e-3, maxIterations: 300 } };
}

const same = (a: Float64Array[], b: Float64Array[]) =>
  a.length === b.length && a.every((p, r) => p.every((v, j) => Object.is(v, b[r][j])));

test('a stream asked for 24 refits and then 200 gives the sets of bootstrapParams at 24 and at 200', () => {
  const { params, draw, options } = problem();
  const stream = bootstrapStream(powerLaw, params, draw, options);
  const few = stream(24);
  const many = stream(200);
  assert.ok(same(few, bootstrapParams(powerLaw, params, draw, { ...options, samples: 24 })), 'the first 24');
  assert.ok(same(many, bootstrapParams(powerLaw, params, draw, { ...options, samples: 200 })), 'all 200');
  assert.ok(same(stream(24), few), 'asked for fewer again: the first 24, none drawn anew');
  assert.equal(many.length, 200);
});
