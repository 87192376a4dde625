"""scipy peer for the multi-power law fit (bench/mplFits.ts writes the job).

Same objective as src/core/fit/robust.ts with src/core/laws/multiPower.ts: sum_i w_i * Huber_delta(ln pred_i - ln obs_i),
pred = L0 + a * x1^(-alpha) - b * LD, on the very per-point data our solver sees: ln x1 per point and the compressed
loss-drop terms (weight, ln eta, ln S) of each point, precomputed by our code and passed in, so both sides sum the
same terms. G(z) = 1 - (1 + e^z)^(-beta) with z = ln c - gamma * ln eta + ln S is evaluated by its formula here (ours
reads a table accurate to 1e-9). Normalised parameters (L0, a, alpha, b, ln c, beta, gamma), analytic gradient, the
same bounds, the same starts (our variable projection), the same per-start scaling and the same stopping rule
(gtol = our pgtol; ftol chosen so scipy's absolute-decrease test equals our relative one at the optimum). Only the
fits are timed: process start, imports and loading the data are not.
"""
import numpy as np

from peer_common import emit, fit_robust, huber_terms, load_job, timed


def objective(a, delta):
    """a: the job's arrays for one fit set. Returns fun(params) -> (f, grad)."""
    log_x1 = a["logX1"]
    log_obs = np.log(a["obs"])
    weights = a.get("weights")
    weight, log_eta, log_area = a["weight"], a["logEta"], a["logArea"]
    start, end = a["termStart"].astype(np.int64), a["termEnd"].astype(np.int64)
    n = len(log_x1)
    # Terms are stored point after point; points without terms (no LR drop yet) keep LD = 0. The four per-point
    # sums are one np.add.reduceat over the non-empty points (the fastest segment sum numpy has: ~15x bincount).
    if n and (start[0] != 0 or np.any(start[1:] != end[:-1]) or end[-1] != len(weight)):
        raise ValueError("terms are not stored point after point")
    has_terms = end > start
    segment_starts = start[has_terms]

    def per_point(rows):
        out = np.zeros((rows.shape[0], n))
        if len(segment_starts):
            out[:, has_terms] = np.add.reduceat(rows, segment_starts, axis=1)
        return out

    def fun(p):
        l0, amp, alpha, b, log_c, beta, gamma = p
        z = log_c - gamma * log_eta + log_area
        # softplus(z) = ln(1 + e^z) and the logistic e^(z - softplus) without overflow (z = -inf where S = 0).
        soft = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
        q = np.exp(-beta * soft)
        wq = weight * q
        wdz = beta * np.exp(z - soft) * wq  # w * dG/dz
        ld, ld_z, ld_z_log_eta, ld_beta = per_point(np.stack([weight - wq, wdz, wdz * log_eta, soft * wq]))
        power = np.exp(-alpha * log_x1)
        pred = l0 + amp * power - b * ld
        if not np.all(pred > 0) or not np.all(np.isfinite(pred)):
            return np.inf, np.zeros(7)
        r = np.log(pred) - log_obs
        value, psi = huber_terms(r, delta)
        if weights is not None:
            value, psi = value * weights, psi * weights
        scale = psi / pred
        grad = np.array([
            scale.sum(),
            scale @ power,
            -amp * (scale * power) @ log_x1,
            -(scale @ ld),
            -b * (scale @ ld_z),
            -b * (scale @ ld_beta),
            b * (scale @ ld_z_log_eta),
        ])
        return float(value.sum()), grad

    return fun


def bound(values, infinite):
    return [infinite if v is None else float(v) for v in values]


def main():
    job, arrays = load_job()
    out = []
    for fit in job["fits"]:
        o = fit["options"]
        own = {key: arrays[name] for key, name in fit["arrays"].items()}
        fun = objective(own, o["delta"])
        lower, upper = bound(fit["lower"], -np.inf), bound(fit["upper"], np.inf)
        (x, f, nit, nfev), times = timed(fit["reps"], lambda: fit_robust(fun, fit["starts"], lower, upper, o["maxiter"], o["pgtol"], o["ftol"]))
        # Both solutions under this evaluator (G by its formula), so the two optima are compared by one yardstick.
        ours_f = fun(np.asarray(fit["oursParams"], dtype=float))[0] if fit.get("oursParams") else None
        out.append({"name": fit["name"], "ms": times, "objective": f, "params": list(map(float, x)), "iterations": nit,
                    "evaluations": nfev, "oursObjective": ours_f})
    emit({"fits": out})


if __name__ == "__main__":
    main()
