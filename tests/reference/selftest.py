#!/usr/bin/python3
"""Self-tests of the Python reference implementation against closed forms (docs/model.md §9).

Run:  /usr/bin/python3 tests/reference/selftest.py [-v]
Exits non-zero on any failure.  Takes about half a minute.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import arcm_reference as ar  # noqa: E402

VERBOSE = "-v" in sys.argv
FAILS = []


def check(name, ok, detail=""):
    if not ok:
        FAILS.append(name)
    if VERBOSE or not ok:
        print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def scen(name):
    return ar.load_scenario(os.path.join(HERE, "scenarios", name + ".yaml"))


_RUNS = {}


def run(name):
    if name not in _RUNS:
        _RUNS[name] = (scen(name), ar.run(scen(name)))
    return _RUNS[name]


# ------------------------------------------------------------------ market closed forms
def test_market():
    nu = 0.02
    # asymmetric Cournot, no fringe, no backstop: P* = sum c / (n - 1/eps)
    for eps, chat in ((0.8, [1.0, 1.3, 1.7, 2.0]), (2.5, [0.5, 0.55]), (1.5, [3.0, 3.3, 2.9])):
        chat = np.array(chat)
        n = len(chat)
        Pstar = chat.sum() / (n - 1.0 / eps)
        Kt = np.full(n, 1e12)
        P, q, Qd, Qf, Qbs, reg = ar.clear_market(chat, Kt, 100.0, 2.0, eps, 0.0, 0.0, np.inf, nu)
        shares = eps * (1 - chat / Pstar)
        assert np.all(shares > 0)
        check(f"cournot closed form eps={eps} n={n}", rel(P, Pstar) < 1e-12 and reg == "interior",
              f"P={P!r} P*={Pstar!r} rel={rel(P, Pstar):.2e}")
        check(f"cournot quantities eps={eps}", rel(q, shares * Qd) < 1e-11 and abs(q.sum() / Qd - 1) < 1e-12)
    # a capacity-bound player: others interior, bound one at K~; market clears
    chat = np.array([1.0, 1.2, 1.5])
    P, q, Qd, Qf, Qbs, reg = ar.clear_market(chat, np.array([1.0, 1e9, 1e9]), 100.0, 2.0, 1.2, 0.0, 0.0,
                                             np.inf, nu)
    # closed form with player 1 fixed at K: sum_{2,3} eps(1 - c/P) = 1 - K/Qd(P); solve by bisection here
    check("capacity-bound player sits at K~", q[0] == 1.0 and abs((q.sum()) / Qd - 1) < 1e-12)
    foc = q[1:] - 1.2 * Qd * (1 - chat[1:] / P)
    check("interior FOC with a bound player", np.max(np.abs(foc)) < 1e-9 * Qd)
    # fringe: FOC q_i = Phi (1 - c/P) and Q_d = sum q + Q_f
    chat = np.array([20.0, 25.0])
    P, q, Qd, Qf, Qbs, reg = ar.clear_market(chat, np.array([1e6, 1e6]), 227.0, 30.0, 0.5, 190.0, 0.3,
                                             np.inf, nu)
    Phi = 0.5 * Qd + 0.3 * Qf
    check("fringe: FOC at the root", rel(q, Phi * (1 - chat / P)) < 1e-11 and abs((q.sum() + Qf) / Qd - 1) < 1e-12,
          f"P={P}")
    # cap regime with no players at all: P = Pbar, backstop fills
    P, q, Qd, Qf, Qbs, reg = ar.clear_market(np.array([1.0]), np.array([0.0]), 100.0, 2.0, 1.5, 0.0, 0.0, 3.0, nu)
    check("cap regime, no players", reg == "cap" and P == 3.0 and abs(Qbs - Qd) < 1e-12 * Qd)
    # cap regime with no root (n eps <= 1), one player with slack filling
    chat = np.array([1.0])
    P, q, Qd, Qf, Qbs, reg = ar.clear_market(chat, np.array([50.0]), 100.0, 2.0, 0.5, 0.0, 0.0, 3.0, nu)
    q0 = min(50.0, 0.5 * Qd * (1 - 1 / 3.0))
    check("cap regime n*eps<=1: slack filled", reg == "cap" and P == 3.0 and abs(q[0] - 50.0) < 1e-12 and
          abs(Qbs - (Qd - 50.0)) < 1e-9, f"q0={q0} q={q} Qbs={Qbs}")
    # continuity where the regime switches: Pbar slightly below / above the interior root
    chat = np.array([1.0, 1.4])
    Kt = np.array([30.0, 20.0])
    Pi, qi, *_ = ar.clear_market(chat, Kt, 100.0, 2.0, 1.5, 10.0, 0.5, np.inf, nu)
    for f in (1 - 1e-9, 1 + 1e-9):
        P2, q2, Qd2, Qf2, Qbs2, reg2 = ar.clear_market(chat, Kt, 100.0, 2.0, 1.5, 10.0, 0.5, Pi * f, nu)
        check(f"continuity at regime switch ({reg2})", rel(P2, Pi) < 2e-9 and np.max(np.abs(q2 - qi)) < 1e-6 and
              abs(Qbs2) < 1e-6)
    # continuity where a player's cost crosses the cap
    Pbar = 3.0
    outs = []
    for c in (Pbar * (1 - 1e-10), Pbar, Pbar * (1 + 1e-10)):
        P, q, Qd, Qf, Qbs, reg = ar.clear_market(np.array([1.0, c]), np.array([1.0, 40.0]), 100.0, 2.0, 0.5,
                                                 0.0, 0.0, Pbar, nu)
        outs.append(np.r_[q, Qbs])
    check("continuity where a cost crosses the cap", np.max(np.abs(np.diff(outs, axis=0))) < 1e-6)


# ------------------------------------------------------------------ scenario closed forms
def test_cournot_scenarios():
    sc, res = run("cournot_single")
    k, i = 0, 0
    T0 = sc.T0
    c = sc.e[i] * (sc.cext0[k] + sc.ctrans[k]) * (1 + sc.sigma_T * T0)
    eps = sc.eps[k]
    Pstar = c / (1 - 1 / eps)
    check("single player: P(t0) = c/(1-1/eps)", rel(res["price"][0, k], Pstar) < 1e-12,
          f"{res['price'][0, k]!r} vs {Pstar!r}")
    check("single player: P(t) = c/(1-1/eps) for all t", rel(res["price"][:, k], Pstar) < 1e-11)
    check("single player: q = Q_d (capacity not binding)", rel(res["extraction"][:, i, k], res["demand"][:, k]) < 1e-11)

    sc, res = run("cournot_asym")
    T = res["tension"][0]
    beta = np.where(sc.j_party[sc.jur], sc.regime["benefit_sharing_rate"], 0.0)
    chat = sc.e * (sc.cext0[0] + sc.ctrans[0]) * (1 + sc.sigma_T * T) / (1 - beta)
    Pstar = chat.sum() / (len(chat) - 1 / sc.eps[0])
    check("asymmetric players with royalty: P* = sum c_hat/(n-1/eps)", rel(res["price"][:, 0], Pstar) < 1e-11,
          f"{res['price'][0, 0]!r} vs {Pstar!r}")
    check("royalty = beta P q", rel(res["royalty"][:, 0, 0], 0.05 * res["revenue"][:, 0, 0]) < 1e-14 and
          np.all(res["royalty"][:, 1:, 0] == 0))


def test_wright():
    sc, res = run("wright")
    X, cL = res["launch_experience"][:, 0], res["launch_cost"][:, 0]
    pred = sc.c0[0] * (X / sc.X0[0]) ** math.log2(sc.p[0])
    check("Wright: c_L = c0 (X/X0)^log2(p) along the run", rel(cL, pred) < 1e-12)
    check("Wright: X more than doubles in the run", X[-1] > 2 * X[0])
    # direct: one doubling of X_eff lowers c_own by the factor p (cost falls by 1 - p)
    m = ar.Model(sc)
    m.start()
    y = m.y0()
    y2 = y.copy()
    y2[m.sl["X"]] *= 2
    _, a1 = m.rhs(sc.t0, y, aux=True)
    _, a2 = m.rhs(sc.t0, y2, aux=True)
    check("Wright: doubling X_eff multiplies c_own by p", rel(a2["c_own"][0] / a1["c_own"][0], sc.p[0]) < 1e-14)
    # dX/dt = M (flies itself): X(t) - X0 = integral of L0 e^{gL t}
    t = res["time"] - sc.t0
    Xpred = sc.X0[0] + sc.L0[0] / sc.gL[0] * (np.exp(sc.gL[0] * t) - 1)
    check("learning accrues to the actor who flies", rel(X, Xpred) < 1e-9)


def test_pipeline():
    sc, res = run("pipeline")
    I = res["investment"][:, 0, 0]
    B0 = sc.B0[0]
    check("pipeline: financing binds (I = B0)", rel(I, B0) < 1e-12)
    kappa = sc.h[0] * (1 + sc.j_ell[0])
    J = B0 / kappa
    tau = sc.tau_build[0] + sc.j_tauL[0]
    d = sc.delta[0]
    t = res["time"] - sc.t0
    U = J * tau * (1 - np.exp(-t / tau))
    C1 = J * tau / (1 - d * tau)
    K = J / d + C1 * np.exp(-t / tau) + (-J / d - C1) * np.exp(-d * t)
    n = slice(1, None)
    check("pipeline: U(t) closed form", rel(res["pipeline"][n, 0, 0], U[n]) < 1e-8,
          f"{rel(res['pipeline'][n, 0, 0], U[n]):.2e}")
    check("pipeline: K(t) closed form", rel(res["capacity"][n, 0, 0], K[n]) < 1e-8,
          f"{rel(res['capacity'][n, 0, 0], K[n]):.2e}")
    check("pipeline: steady states U* = J tau_b, K* = J / delta",
          rel(res["pipeline"][-1, 0, 0], J * tau) < 1e-8 and rel(res["capacity"][-1, 0, 0], J / d) < 1e-7)


def test_conservation(name):
    sc, res = run(name)
    ok = np.isfinite(res["debris"])
    S, C = res["stock"][ok], res["extracted"][ok]
    err = np.max(np.abs(S + C.sum(axis=1) - sc.S0[None, :]) / sc.S0[None, :])
    check(f"{name}: S + sum C = S0 (r = 0)", err < 1e-9, f"{err:.2e}")
    G, Y = res["receipts"][ok].sum(axis=1), res["royalties_paid"][ok].sum(axis=1)
    err = np.max(np.abs(G - Y)) / max(1e-300, np.max(np.abs(Y)))
    check(f"{name}: sum G = sum royalties_paid", err < 1e-9 and (Y[-1] > 0 or name != "mini_baseline"), f"{err:.2e}")
    neg = min(np.min(res[v][ok]) for v in ("capacity", "pipeline", "launch_experience", "stock", "debris"))
    check(f"{name}: K, U, X, S, D >= 0 at outputs", neg >= -1e-8, f"min {neg:.2e}")
    T = res["tension"][ok]
    check(f"{name}: 0 <= T <= 1", T.min() >= -1e-12 and T.max() <= 1 + 1e-12)


def test_t0_launch_cost():
    sc, res = run("mini_baseline")
    m = ar.Model(sc)
    c0 = sc.c0
    cb = []
    for i in range(sc.N):
        offers = [(1 + sc.markup[j]) * c0[j] for j in range(sc.N) if m.elig[i, j]]
        cb.append(min([c0[i]] + offers))
    check("c_L(t0) = c_buy(t0) with X_eff(t0) normalisation (spillovers on)", rel(res["launch_cost"][0], cb) < 1e-14)


def test_schedule():
    sc, res = run("schedule")
    t = res["time"]
    i2031, i2032 = int(np.where(t == 2031)[0][0]), int(np.where(t == 2032)[0][0])
    usa = list(sc.act_ids).index("usa")
    rev, roy = res["revenue"], res["royalty"]
    m = rev > 0
    check("schedule: before 2032 usa (not a party) pays no royalty", np.all(roy[i2031, usa] == 0))
    r32 = roy[i2032][m[i2032]] / rev[i2032][m[i2032]]
    check("schedule: output at event year is right-continuous, same-year events in file order (beta = 0.03)",
          m[i2032].any() and rel(r32, 0.03) < 1e-13)
    r31 = roy[i2031][m[i2031]] / rev[i2031][m[i2031]]
    check("schedule: beta before 2032 is 0.02 or 0", np.all((np.abs(r31 - 0.02) < 1e-13) | (r31 == 0)))
    # events at t0 apply before the start: P_M(t0) = 0.5, so no mitigation surcharge at t0
    # even though c_M > 0; and property_security 0.7 is in force (checked via the model state)
    sc2 = scen("schedule")
    sc2.apply_event(*sc2.schedule[0][1:])
    check("schedule: t0 event values", sc2.regime["property_security"] == 0.7)
    base_sc, base = run("mini_baseline")
    check("schedule: c_L(t0) = c_buy(t0) after t0 events", rel(res["launch_cost"][0], base["launch_cost"][0]) < 1e-14)
    # cross-bloc launch forbidden from 2032 on: india (no bloc) must fly itself
    india = list(sc.act_ids).index("india")
    check("schedule: tension output continuous across events", np.all(np.isfinite(res["tension"])))
    check("schedule: india flies itself after 2032 (c_L >= own cost path)",
          res["launch_cost"][i2032, india] >= res["launch_cost"][i2031, india] * 0.999)


def test_kessler():
    sc, res = run("kessler")
    st = float(res["stop_time"])
    t = res["time"]
    ok = np.isfinite(res["debris"])
    check("kessler: status", str(res["status"]) == "kessler")
    check("kessler: outputs after the stop are NaN, before are finite",
          np.all(t[ok] <= st) and np.all(t[~ok] > st) and (~ok).any())
    check("kessler: debris below D_max before the stop", np.all(res["debris"][ok] < sc.D_max))
    for v in ("price", "capacity", "gini", "tension"):
        check(f"kessler: {v} NaN after stop", np.all(np.isnan(res[v][~ok])))


def test_rk45_agrees():
    sc = scen("schedule")
    a = ar.run(sc, method="DOP853")
    b = ar.run(scen("schedule"), method="RK45")
    for v, tol in (("price", 1e-7), ("debris", 1e-7), ("stock", 1e-7), ("launched_mass", 1e-7),
                   ("capacity", 1e-5), ("npv", 1e-5)):
        floor = 1e-6 * np.nanmax(np.abs(a[v]))
        d = np.nanmax(np.abs(a[v] - b[v]) / np.maximum(np.abs(a[v]), floor))
        check(f"DOP853 vs RK45 agree on {v}", d < tol, f"{d:.2e}")


def main():
    import time
    t0 = time.time()
    test_market()
    test_cournot_scenarios()
    test_wright()
    test_pipeline()
    for name in ("mini_baseline", "schedule", "kessler", "cournot_asym"):
        test_conservation(name)
    test_t0_launch_cost()
    test_schedule()
    test_kessler()
    if "--slow" in sys.argv:
        test_rk45_agrees()
    print(f"selftest: {len(FAILS)} failure(s) in {time.time() - t0:.1f} s")
    for f in FAILS:
        print("  FAILED:", f)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
