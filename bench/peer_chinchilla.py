"""scipy peer for the Chinchilla L(N, D) fit and its case bootstrap (bench/fits.ts writes the job).

Same objective as src/core/laws/chinchilla.ts through src/core/fit/robust.ts: log Lhat = LSE(a - alpha ln N,
b - beta ln D, e), summed Huber (delta 1e-3) of ln Lhat - ln L, analytic gradient, bounds alpha, beta in [0, 5], the
same starts (our variable-projection starts, passed in), the same per-start scaling and stopping rule. The bootstrap
refits the very same resampled replicates (index arrays passed in) from the same point estimate with the same
iteration cap. Only the fits are timed.
"""
import time

import numpy as np

from peer_common import emit, fit_robust, huber_terms, load_job, timed

LOWER = [-np.inf, -np.inf, -np.inf, 0.0, 0.0]
UPPER = [np.inf, np.inf, np.inf, 5.0, 5.0]


def objective(ln_n, ln_d, obs, delta):
    log_obs = np.log(obs)

    def fun(p):
        a, b, e, alpha, beta = p
        term_n = np.exp(a - alpha * ln_n)
        term_d = np.exp(b - beta * ln_d)
        floor = np.exp(e)
        pred = term_n + term_d + floor
        if not np.all(np.isfinite(pred)) or not np.all(pred > 0):
            return np.inf, np.zeros(5)
        r = np.log(pred) - log_obs
        value, psi = huber_terms(r, delta)
        scale = psi / pred
        grad = np.array([scale @ term_n, scale @ term_d, scale.sum() * floor, -((scale * term_n) @ ln_n), -((scale * term_d) @ ln_d)])
        return float(value.sum()), grad

    return fun


def main():
    job, arrays = load_job()
    o = job["options"]
    ln_n, ln_d, obs = arrays["lnN"], arrays["lnD"], arrays["obs"]
    point_fun = objective(ln_n, ln_d, obs, o["delta"])
    (x, f, nit, nfev), times = timed(job["reps"], lambda: fit_robust(point_fun, job["starts"], LOWER, UPPER, o["maxiter"], o["pgtol"], o["ftol"]))
    point = {"ms": times, "objective": f, "params": list(map(float, x)), "iterations": nit, "evaluations": nfev}

    n = len(obs)
    idx = arrays["bootstrapIndex"].astype(np.int64).reshape(-1, n)
    start = job["bootstrapStart"]
    funs = [objective(ln_n[i], ln_d[i], obs[i], o["delta"]) for i in idx]
    t0 = time.perf_counter()
    results = [fit_robust(fun, [start], LOWER, UPPER, o["bootstrapMaxiter"], o["pgtol"], o["ftol"]) for fun in funs]
    boot_ms = (time.perf_counter() - t0) * 1000.0
    emit({
        "point": point,
        "bootstrap": {
            "ms": boot_ms,
            "objectives": [r[1] for r in results],
            "params": [list(map(float, r[0])) if r[0] is not None else None for r in results],
        },
    })


if __name__ == "__main__":
    main()
