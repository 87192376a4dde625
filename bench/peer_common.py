"""Shared by the scipy peers: job loading, per-start diagonal scaling, and the multi-start loop.

The multi-start loop mirrors src/core/fit/robust.ts exactly: for every start, the parameters are divided by the
start's magnitudes (|v|, or 1 when v == 0), L-BFGS-B runs on the scaled problem with the same bounds (scaled), and
the best finite objective wins. Only the optimiser differs: scipy.optimize.minimize(method='L-BFGS-B', jac=True).
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize


def load_job():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    arrays = {}
    for name, path in job.get("arrays", {}).items():
        arrays[name] = np.fromfile(path, dtype="<f8")
    return job, arrays


def fit_robust(fun, starts, lower, upper, maxiter, pgtol, ftol):
    """fun(params) -> (f, grad) in raw parameters. Returns (best_params, best_f, nit_total, nfev_total)."""
    best_x, best_f = None, np.inf
    nit = nfev = 0
    for start in starts:
        start = np.asarray(start, dtype=float)
        scale = np.where(np.abs(start) > 1e-300, np.abs(start), 1.0)

        def scaled(x, scale=scale):
            f, g = fun(x * scale)
            return f, g * scale

        bounds = [(lo / s if np.isfinite(lo) else None, hi / s if np.isfinite(hi) else None) for lo, hi, s in zip(lower, upper, scale)]
        x0 = np.clip(start / scale, [b[0] if b[0] is not None else -np.inf for b in bounds], [b[1] if b[1] is not None else np.inf for b in bounds])
        res = minimize(scaled, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": maxiter, "gtol": pgtol, "ftol": ftol, "maxcor": 10})
        nit += int(res.nit)
        nfev += int(res.nfev)
        if np.isfinite(res.fun) and res.fun < best_f:
            best_f, best_x = float(res.fun), res.x * scale
    return best_x, best_f, nit, nfev


def huber_terms(r, delta):
    a = np.abs(r)
    inside = a <= delta
    value = np.where(inside, 0.5 * r * r, delta * (a - 0.5 * delta))
    psi = np.clip(r, -delta, delta)
    return value, psi


def timed(reps, body):
    """One untimed warm-up call, then `reps` timed calls; returns (last result, list of ms)."""
    result = body()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        result = body()
        times.append((time.perf_counter() - t0) * 1000.0)
    return result, times


def emit(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")
