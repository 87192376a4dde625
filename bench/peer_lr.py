"""scipy peer for the LR-annealing law fit (bench/fits.ts writes the job).

Same objective as src/core/fit/robust.ts with src/core/laws/lrAnnealing.ts: sum_i Huber_delta(ln pred_i - ln obs_i),
pred = L0 + A * S1^(-alpha) - C * S2 on areas normalised by the peak LR, analytic gradient, the same bounds, the same
starting points (computed by our variable projection and passed in), the same per-start scaling, and the same
stopping rule (gtol = our pgtol; ftol chosen so scipy's absolute-decrease test equals our relative one at the
optimum). Only the fits are timed: process start, imports and loading the data are not.
"""
import numpy as np

from peer_common import emit, fit_robust, huber_terms, load_job, timed

LOWER = [0.0, 1e-12, 1e-4, 0.0]
UPPER = [np.inf, np.inf, 5.0, np.inf]


def objective(s1, s2, obs, delta):
    log_obs = np.log(obs)
    log_s1 = np.log(s1)

    def fun(p):
        l0, a, alpha, c = p
        power = np.exp(-alpha * log_s1)
        pred = l0 + a * power - c * s2
        if not np.all(pred > 0) or not np.all(np.isfinite(pred)):
            return np.inf, np.zeros(4)
        r = np.log(pred) - log_obs
        value, psi = huber_terms(r, delta)
        scale = psi / pred
        grad = np.array([scale.sum(), scale @ power, -(a * (scale * power) @ log_s1), -(scale @ s2)])
        return float(value.sum()), grad

    return fun


def main():
    job, arrays = load_job()
    out = []
    for fit in job["fits"]:
        o = fit["options"]
        full = objective(arrays[fit["s1"]], arrays[fit["s2"]], arrays[fit["obs"]], o["delta"])
        coarse = objective(arrays[fit["thinS1"]], arrays[fit["thinS2"]], arrays[fit["thinObs"]], o["delta"]) if fit.get("thinS1") else None

        def body():
            if coarse is None:
                return fit_robust(full, fit["starts"], LOWER, UPPER, o["maxiter"], o["pgtol"], o["ftol"])
            # Mirrors lossAnalysis.ts fitAll on huge curves: starts on the thinned copy, then the best refined on all.
            x, f, nit, nfev = fit_robust(coarse, fit["starts"], LOWER, UPPER, o["maxiter"], o["pgtol"], o["coarseFtol"])
            x2, f2, nit2, nfev2 = fit_robust(full, [x], LOWER, UPPER, o["maxiter"], o["pgtol"], o["ftol"])
            refine_evaluations[0] = nfev2
            return x2, f2, nit + nit2, nfev + nfev2

        refine_evaluations = [None]
        (x, f, nit, nfev), times = timed(fit["reps"], body)
        out.append({"name": fit["name"], "ms": times, "objective": f, "params": list(map(float, x)), "iterations": nit, "evaluations": nfev,
                    "refineEvaluations": refine_evaluations[0]})
    emit({"fits": out})


if __name__ == "__main__":
    main()
