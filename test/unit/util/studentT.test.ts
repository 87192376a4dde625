// Student's t bounds against their tabled values (scipy.stats.t.ppf at the normal's 3-sigma share, 0.99865 one-sided).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalWithin, studentTQuantile, studentTWithin } from '../../../src/core/util/studentT';

test('the t bound holding what 3 normal standard deviations hold, for 1 to 9 and 1000 degrees of freedom', () => {
  const within = normalWithin(3);
  assert.ok(Math.abs(within - 0.9973002) < 2e-7, `${within}`);
  const tabled = [235.801, 19.207, 9.219, 6.62, 5.507, 4.904, 4.53, 4.277, 4.094];
  tabled.forEach((t, i) => assert.ok(Math.abs(studentTQuantile(within, i + 1) / t - 1) < 1e-3, `${i + 1}: ${t}`));
  assert.ok(Math.abs(studentTQuantile(within, 1000) - 3.008) < 2e-3);
  assert.equal(studentTWithin(0, 4), 0);
});
