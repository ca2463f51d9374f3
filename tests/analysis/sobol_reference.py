"""An independent reference for the analyze tests: first- and total-order
Sobol indices and Morris measures computed with numpy straight from the
formulas in docs/analysis.md and the run orderings in docs/sweep-designs.md,
sharing no code with model/analysis.

Sobol (Saltelli et al. 2010 first order, Jansen 1999 total order), per output,
over the base samples i whose d + 2 values are all finite:
    m, V = mean and variance (divisor 2n) of f over the A and B rows
    S1_j = mean_i[(f(B_i) - m) (f(AB_i^j) - f(A_i))] / V
    ST_j = mean_i[(f(A_i) - f(AB_i^j))^2] / (2 V)
Run order of a Saltelli design: run i (d + 2) + 0 is A_i, + 1 + j is AB_i^j,
+ d + 1 is B_i.
"""
import numpy as np


def saltelli_blocks(values, d):
    """Splits per-run values (runs first, in run order) into A (n, ...),
    AB (n, d, ...) and B (n, ...)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0] // (d + 2)
    assert n * (d + 2) == values.shape[0], "not a whole Saltelli design"
    blocks = values.reshape((n, d + 2) + values.shape[1:])
    return blocks[:, 0], blocks[:, 1 : d + 1], blocks[:, d + 1]


def sobol_indices(a, ab, b):
    """S1, ST (each of length d) and the number of base samples used for one
    scalar output: a and b of shape (n,), ab of shape (n, d)."""
    keep = np.isfinite(a) & np.isfinite(b) & np.all(np.isfinite(ab), axis=1)
    a, ab, b = a[keep], ab[keep], b[keep]
    d = ab.shape[1]
    both = np.concatenate([a, b])
    if len(a) < 2:
        return np.full(d, np.nan), np.full(d, np.nan), len(a)
    m = both.mean()
    v = both.var()
    if not (v > 0 and v > (1e-10 * abs(m)) ** 2):
        return np.full(d, np.nan), np.full(d, np.nan), len(a)
    s1 = np.mean((b - m)[:, None] * (ab - a[:, None]), axis=0) / v
    st = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / v
    return s1, st, len(a)


def morris_measures(values, unit_points, d):
    """mu, mu*, sigma (divisor n - 1) of one output from a Morris design in run
    order (trajectory t = runs t (d + 1) .. t (d + 1) + d). The parameter that
    moves at each step, and by how much, is read off the unit-space points
    (levels), which is all a reference needs."""
    values = np.asarray(values, dtype=float)
    r = len(values) // (d + 1)
    effects = [[] for _ in range(d)]
    for t in range(r):
        for s in range(1, d + 1):
            p, q = t * (d + 1) + s - 1, t * (d + 1) + s
            step = unit_points[q] - unit_points[p]
            (moved,) = np.nonzero(step)
            assert len(moved) == 1, "consecutive Morris runs must differ in one parameter"
            j = moved[0]
            effect = (values[q] - values[p]) / step[j]
            if np.isfinite(effect):
                effects[j].append(effect)
    mu = np.array([np.mean(e) for e in effects])
    mu_star = np.array([np.mean(np.abs(e)) for e in effects])
    sigma = np.array([np.std(e, ddof=1) for e in effects])
    return mu, mu_star, sigma
