#!/usr/bin/python3
"""Independent Python reference implementation of ARCM (docs/model.md, version 1).

Written from the model's equations (docs/model.md §2-§3) and the scenario schema
(model/core/params.hpp) only; it shares no code with the C++ model.  It is used by the
test suite to check the C++ trajectories year by year (docs/model.md §11); see README.md
in this directory for usage and for every interpretation made where the equations leave
room.

Usage:
    /usr/bin/python3 arcm_reference.py SCENARIO.yaml -o OUT.npz|OUT.h5 [--rtol 1e-10]
"""
from __future__ import annotations

import argparse
import math
import sys
import time as _time

import numpy as np

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("python3-yaml is required: apt-get install -y --no-install-recommends python3-yaml")
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

REGIME_KEYS = ("property_security", "safety_zone_exclusivity", "benefit_sharing_rate",
               "regime_scope", "cross_bloc_recognition", "debris_mitigation",
               "cross_bloc_launch", "spillover_within_bloc", "spillover_across_blocs",
               "asat_tests_per_tension")
JURISDICTION_KEYS = ("domestic_property_security", "licensing_fee_share",
                     "licensing_delay", "party_to_regime")

# Root tolerance on log P: |dlogP| <= 1e-14  ->  relative error on P <= ~1e-14.
LOGP_XTOL = 1e-14


# ----------------------------------------------------------------------------- scenario
def _num(v, default=None):
    if v is None:
        return default
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    return float(v)


def _bool(v, default=False):
    if v is None:
        return default
    if isinstance(v, str):
        return v.strip().lower() in ("true", "yes", "on", "1")
    return bool(v)


def _scope(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return 1 if v else 0
    s = str(v).strip().lower()
    if s == "universal":
        return 1
    if s == "parties":
        return 0
    raise ValueError(f"unknown regime_scope {v!r}")


class Scenario:
    """Fully resolved scenario as numpy arrays (mirrors params.hpp)."""

    def __init__(self, doc: dict):
        self.name = str(doc.get("name", ""))
        tm = doc.get("time", {}) or {}
        self.t0 = float(tm.get("start", 2025))
        self.t_end = float(tm.get("end", 2075))

        # jurisdictions
        jur = doc.get("jurisdictions", {}) or {}
        self.jur_ids = list(jur.keys())
        J = len(self.jur_ids)
        self.j_has_law = np.zeros(J, bool)
        self.j_theta_dom = np.zeros(J)
        self.j_ell = np.zeros(J)
        self.j_tauL = np.zeros(J)
        self.j_party = np.zeros(J, bool)
        for n, jid in enumerate(self.jur_ids):
            d = jur[jid] or {}
            v = d.get("domestic_property_security", None)
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                self.j_has_law[n] = True
                self.j_theta_dom[n] = float(v)
            self.j_ell[n] = _num(d.get("licensing_fee_share"), 0.0)
            self.j_tauL[n] = _num(d.get("licensing_delay"), 0.0)
            self.j_party[n] = _bool(d.get("party_to_regime"), False)

        # resources
        res = doc.get("resources", {}) or {}
        self.res_ids = list(res.keys())
        M = len(self.res_ids)
        f = lambda key, dflt=0.0: np.array([_num((res[r] or {}).get(key), dflt) for r in self.res_ids], float)
        self.Dk0 = f("demand")
        self.Pk0 = f("reference_price")
        self.eps = f("elasticity")
        self.g = f("demand_growth")
        self.F0 = f("fringe_supply")
        self.eta = f("fringe_elasticity")
        self.S0 = f("stock")
        self.Smin = f("min_stock")
        self.gamma = f("stock_exponent")
        self.regen = f("regeneration_rate")
        self.Scap = f("stock_capacity", np.nan)
        self.cext0 = f("extraction_cost")
        self.ctrans = f("transport_cost")
        self.mops = f("operations_mass")
        self.h = f("hardware_cost")
        self.m = f("plant_mass")
        self.tau_build = f("build_time")
        self.delta = f("depreciation", 0.05)
        self.Kseed = f("entry_scale")
        self.has_bs = np.zeros(M, bool)
        self.cbs = np.zeros(M)
        self.mbs = np.zeros(M)
        for k, r in enumerate(self.res_ids):
            bs = (res[r] or {}).get("backstop", None)
            if isinstance(bs, dict):
                self.has_bs[k] = True
                self.cbs[k] = _num(bs.get("price"), 0.0)
                self.mbs[k] = _num(bs.get("launch_mass"), 0.0)
            elif bs is None or (isinstance(bs, str) and bs.strip().lower() == "none") or bs is False:
                pass
            else:
                raise ValueError(f"resource {r}: bad backstop {bs!r}")

        # actors
        act = doc.get("actors", {}) or {}
        self.act_ids = list(act.keys())
        N = len(self.act_ids)
        self.blocs = []
        self.kind_state = np.zeros(N, bool)
        self.jur = np.zeros(N, int)
        self.bloc = -np.ones(N, int)
        a = lambda key, dflt=0.0: np.array([_num((act[i] or {}).get(key), dflt) for i in self.act_ids], float)
        for n, aid in enumerate(self.act_ids):
            d = act[aid] or {}
            kind = str(d.get("kind", "firm")).strip().lower()
            if kind not in ("state", "firm"):
                raise ValueError(f"actor {aid}: bad kind {kind}")
            self.kind_state[n] = kind == "state"
            jid = d.get("jurisdiction")
            if jid not in self.jur_ids:
                raise ValueError(f"actor {aid}: unknown jurisdiction {jid!r}")
            self.jur[n] = self.jur_ids.index(jid)
            b = d.get("bloc", "")
            b = "" if b is None else str(b)
            if b != "":
                if b not in self.blocs:
                    self.blocs.append(b)
                self.bloc[n] = self.blocs.index(b)
        self.c0 = a("launch_cost")
        self.cfloor = a("launch_cost_floor")
        self.p = a("progress_ratio", 0.85)
        self.bexp = -np.log2(self.p)
        self.X0 = a("launch_experience")
        self.markup = a("launch_markup")
        self.provider = np.array([_bool((act[i] or {}).get("launch_provider"), False) for i in self.act_ids], bool)
        self.L0 = a("base_launch_mass")
        self.gL = a("base_launch_growth")
        self.B0 = a("budget") * a("resource_budget_share", 1.0)
        self.gB = a("budget_growth")
        self.alpha = a("profit_reinvestment")
        self.r = a("discount_rate", 0.05)
        self.phi = a("adjustment_speed", 0.2)
        self.sigma = a("strategic_value")
        self.e = a("cost_efficiency", 1.0)
        self.taker = np.array([str((act[i] or {}).get("conduct", "cournot")) == "price_taker" for i in self.act_ids],
                              bool)
        self.K0 = np.zeros((N, M))
        self.U0 = np.zeros((N, M))
        for n, aid in enumerate(self.act_ids):
            d = act[aid] or {}
            for key, arr in (("initial_capacity", self.K0), ("initial_pipeline", self.U0)):
                for rid, v in (d.get(key) or {}).items():
                    if rid not in self.res_ids:
                        raise ValueError(f"actor {aid}: unknown resource {rid!r} in {key}")
                    arr[n, self.res_ids.index(rid)] = float(v)

        # beneficiaries
        ben = doc.get("beneficiaries", {}) or {}
        self.ben_ids = list(ben.keys())
        w = np.array([_num((ben[b] or {}).get("weight"), 0.0) for b in self.ben_ids], float)
        if len(w) and w.sum() <= 0:
            raise ValueError("sum of beneficiary weights must be > 0")
        self.w = w / w.sum() if len(w) else w
        self.ben_actor = -np.ones(len(self.ben_ids), int)
        for n, bid in enumerate(self.ben_ids):
            if bid in self.act_ids:
                i = self.act_ids.index(bid)
                if self.kind_state[i]:
                    self.ben_actor[n] = i

        # regime (legal), economy, debris, tension
        lg = doc.get("legal", {}) or {}
        self.regime = dict(
            property_security=_num(lg.get("property_security"), 0.6),
            safety_zone_exclusivity=_num(lg.get("safety_zone_exclusivity"), 0.0),
            benefit_sharing_rate=_num(lg.get("benefit_sharing_rate"), 0.0),
            regime_scope=_scope(lg.get("regime_scope", "parties")),
            cross_bloc_recognition=_num(lg.get("cross_bloc_recognition"), 0.5),
            debris_mitigation=_num(lg.get("debris_mitigation"), 0.0),
            cross_bloc_launch=1.0 if _bool(lg.get("cross_bloc_launch"), True) else 0.0,
            spillover_within_bloc=_num(lg.get("spillover_within_bloc"), 0.0),
            spillover_across_blocs=_num(lg.get("spillover_across_blocs"), 0.0),
            asat_tests_per_tension=_num(lg.get("asat_tests_per_tension"), 0.0),
        )
        ec = doc.get("economy", {}) or {}
        self.r_soc = _num(ec.get("social_discount_rate"), 0.05)
        self.nu = _num(ec.get("eligibility_band"), 0.02)
        self.xmax = _num(ec.get("investment_saturation"), 5.0)
        self.R0 = _num(ec.get("revenue_share_floor"), 10.0)
        self.rho_theta = _num(ec.get("title_risk_premium"), 0.1)
        self.rho_T = _num(ec.get("tension_risk_premium"), 0.05)
        self.sigma_T = _num(ec.get("tension_cost_surcharge"), 0.5)
        self.psi_L = _num(ec.get("debris_launch_surcharge"), 0.0)
        self.c_M = _num(ec.get("mitigation_cost"), 0.0)
        # P_M,ref: None (null) charges mitigation from P_M(t0) (docs/model.md §3.1).
        self.PM_ref = _num(ec.get("mitigation_reference"), None)
        self.psi_D = _num(ec.get("debris_capacity_loss"), 0.0)
        self.taking_band = _num(ec.get("price_taking_band"), 1e-3)
        if str(ec.get("expectations", "myopic")) != "myopic":
            raise ValueError("economy.expectations: this reference implements myopic expectations only "
                             "(docs/model.md §3.5); perfect foresight (§3.15) is checked by the closed-form "
                             "tests of tests/dynamics/test_foresight.cpp")
        db = doc.get("debris", {}) or {}
        self.D0 = _num(db.get("initial"), 36500.0)
        self.D_ref = _num(db.get("reference"), self.D0)
        self.D_sat = _num(db.get("saturation"), 10.0 * self.D0)
        self.D_max = _num(db.get("kessler_threshold"), 100.0 * self.D0)
        self.m_D = _num(db.get("per_launched_tonne"), 0.0)
        self.k_D = _num(db.get("collision_rate"), 0.0)
        self.delta_D = _num(db.get("decay_rate"), 0.0)
        self.gamma_A = _num(db.get("per_asat_test"), 0.0)
        te = doc.get("tension", {}) or {}
        self.T0 = _num(te.get("initial"), 0.2)
        self.T_base = _num(te.get("base"), 0.2)
        self.a_Delta = _num(te.get("inequality_weight"), 0.0)
        self.a_z = _num(te.get("claims_weight"), 0.0)
        self.tau_T = _num(te.get("adjustment_time"), 5.0)

        # schedule
        self.schedule = []
        for ev in doc.get("schedule", []) or []:
            yr = float(ev["year"])
            changes = list((ev.get("set") or {}).items())
            if "jurisdiction" in ev and ev["jurisdiction"] is not None:
                jid = str(ev["jurisdiction"])
                if jid != "*" and jid not in self.jur_ids:
                    raise ValueError(f"schedule: unknown jurisdiction {jid!r}")
                for key, _ in changes:
                    if key not in JURISDICTION_KEYS:
                        raise ValueError(f"schedule: {key!r} is not a jurisdiction key")
                self.schedule.append((yr, jid, changes))
            else:
                for key, _ in changes:
                    if key not in REGIME_KEYS:
                        raise ValueError(f"schedule: {key!r} is not a regime key")
                self.schedule.append((yr, None, changes))
        last = self.t0
        for yr, _, _ in self.schedule:
            if yr < self.t0 or yr >= self.t_end or yr < last:
                raise ValueError(f"schedule: event year {yr} outside [t0, end) or out of order")
            last = yr

        out = doc.get("output", {}) or {}
        self.out_step = _num(out.get("step"), 1.0)
        self.N, self.M, self.B = N, M, len(self.ben_ids)

    def apply_event(self, jid, changes):
        for key, v in changes:
            if jid is None:
                if key == "regime_scope":
                    self.regime[key] = _scope(v)
                elif key == "cross_bloc_launch":
                    self.regime[key] = 1.0 if _bool(v) else 0.0
                else:
                    self.regime[key] = float(v)
            else:
                idx = range(len(self.jur_ids)) if jid == "*" else [self.jur_ids.index(jid)]
                for j in idx:
                    if key == "domestic_property_security":
                        if v is None or (isinstance(v, float) and math.isnan(v)):
                            self.j_has_law[j] = False
                            self.j_theta_dom[j] = 0.0
                        else:
                            self.j_has_law[j] = True
                            self.j_theta_dom[j] = float(v)
                    elif key == "licensing_fee_share":
                        self.j_ell[j] = float(v)
                    elif key == "licensing_delay":
                        self.j_tauL[j] = float(v)
                    elif key == "party_to_regime":
                        self.j_party[j] = _bool(v)


def _deep_merge(base, over):
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _load_doc(path, depth=0):
    import os
    with open(path) as fh:
        doc = yaml.safe_load(fh) or {}
    parent = doc.pop("extends", None)
    if parent is not None:
        # Convenience only: maps are merged recursively, everything else replaced. The
        # authoritative input is a fully resolved scenario (e.g. the C++ resolved_yaml).
        if depth > 10:
            raise ValueError("extends: too deep")
        print(f"[arcm_reference] warning: resolving 'extends: {parent}' by deep merge; prefer a "
              "fully resolved scenario", file=sys.stderr)
        doc = _deep_merge(_load_doc(os.path.join(os.path.dirname(os.path.abspath(path)), parent),
                                    depth + 1), doc)
    return doc


def load_scenario(path) -> Scenario:
    """A scenario YAML file, or an ARCM results file (.h5/.nc) whose root attribute
    `resolved_yaml` holds the fully resolved scenario of its runs."""
    if str(path).endswith((".h5", ".hdf5", ".nc")):
        import h5py
        with h5py.File(path, "r") as f:
            text = f.attrs["resolved_yaml"]
        if isinstance(text, bytes):
            text = text.decode()
        return Scenario(yaml.safe_load(str(text)))
    return Scenario(_load_doc(path))


# ----------------------------------------------------------------------------- market
def clear_market(chat, Kt, A, P0, eps, F0, eta, Pbar, nu, x_guess=None, taker=None, band=1e-3):
    """Cournot clearing of one market (docs/model.md §3.4).

    chat, Kt: arrays over actors (effective marginal cost, usable capacity K~).
    taker: which actors are price takers (supply K~ clip((1 - chat/P)/band, 0, 1)).
    A = D_k0 exp(g (t - t0)); Pbar = backstop price (np.inf for none).
    Returns (P, q, Qd, Qf, Qbs, regime) with regime 'cap' or 'interior'.
    """
    chat = np.asarray(chat, float)
    Kt = np.asarray(Kt, float)
    taker = np.zeros(len(chat), bool) if taker is None else np.asarray(taker, bool)
    lP0 = math.log(P0)
    F_A = F0 / A
    ee = eps + eta

    def h(x):  # h_k at P = exp(x), written relative to Q_d to avoid overflow
        P = math.exp(x)
        rf = F_A * math.exp(ee * (x - lP0)) if F0 > 0 else 0.0
        Qd = A * math.exp(-eps * (x - lP0))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            br = np.minimum(Kt / Qd, np.maximum(0.0, (eps + eta * rf) * (1.0 - chat / P)))
            br = np.where(taker, Kt / Qd * np.clip((1.0 - chat / P) / band, 0.0, 1.0), br)
        return float(br.sum()) + rf - 1.0

    def br_at(P):
        Qd = A * (P / P0) ** (-eps)
        Qf = F0 * (P / P0) ** eta if F0 > 0 else 0.0
        Phi = eps * Qd + eta * Qf
        q = np.minimum(Kt, np.maximum(0.0, Phi * (1.0 - chat / P)))
        q = np.where(taker, Kt * np.clip((1.0 - chat / P) / band, 0.0, 1.0), q)
        return q, Qd, Qf

    if np.isfinite(Pbar):
        xbar = math.log(Pbar)
        hbar = h(xbar)
        if hbar < 0.0:  # cap regime
            q0, Qd, Qf = br_at(Pbar)
            R = Qd - Qf - q0.sum()
            e = np.clip((Pbar - chat) / (nu * Pbar), 0.0, 1.0)
            slack = e * (Kt - q0)
            ssum = slack.sum()
            if ssum > 0.0:
                q = q0 + slack * min(1.0, R / ssum)
            else:
                q = q0
            Qbs = Qd - Qf - q.sum()
            return Pbar, q, Qd, Qf, Qbs, "cap"
        if hbar == 0.0:
            q, Qd, Qf = br_at(Pbar)
            return Pbar, q, Qd, Qf, 0.0, "interior"
    else:
        xbar = math.inf
        hbar = None

    # interior: bracket the root of h on (0, Pbar]
    xg = lP0 if x_guess is None or not np.isfinite(x_guess) else x_guess
    if xg > xbar:
        xg = xbar
    d = 1e-6
    hg = h(xg)
    if hg == 0.0:
        lo = hi = xg
    elif hg < 0.0:
        lo, hlo = xg, hg
        while True:
            hi = lo + d
            if hi >= xbar:
                hi = xbar
                break
            hhi = h(hi)
            if hhi >= 0.0:
                break
            lo = hi
            d *= 4.0
            if d > 1e4:
                raise RuntimeError("market: no root found (h < 0 up to huge price)")
    else:
        hi = xg
        while True:
            lo = hi - d
            hlo = h(lo)
            if hlo <= 0.0:
                break
            hi = lo
            d *= 4.0
            if d > 1e4:
                raise RuntimeError("market: no root found (h > 0 down to tiny price)")
    if lo == hi:
        x = lo
    else:
        flo, fhi = h(lo), h(hi)
        if flo == 0.0:
            x = lo
        elif fhi == 0.0:
            x = hi
        else:
            x = brentq(h, lo, hi, xtol=LOGP_XTOL, rtol=4 * np.finfo(float).eps, maxiter=500)
    P = math.exp(x)
    q, Qd, Qf = br_at(P)
    return P, q, Qd, Qf, 0.0, "interior"


# ----------------------------------------------------------------------------- model
class Model:
    def __init__(self, sc: Scenario):
        self.sc = sc
        N, M, B = sc.N, sc.M, sc.B
        # state layout
        o = 0
        self.sl = {}
        for name, size in (("K", N * M), ("U", N * M), ("X", N), ("V", N), ("C", N * M),
                           ("S", M), ("Pi", N), ("G", B), ("D", 1), ("T", 1), ("Y", N)):
            self.sl[name] = slice(o, o + size)
            o += size
        self.n = o
        same = np.zeros((N, N))
        other = np.zeros((N, N))
        for i in range(N):
            for j in range(N):
                if i == j or sc.bloc[i] < 0 or sc.bloc[j] < 0:
                    continue
                if sc.bloc[i] == sc.bloc[j]:
                    same[i, j] = 1.0
                else:
                    other[i, j] = 1.0
        self.same, self.other = same, other
        self.x_guess = np.full(M, np.nan)
        self.nfev = 0
        self.refresh()

    def refresh(self):
        """Recompute the parameters derived from the regime/jurisdictions (after events)."""
        sc, rg = self.sc, self.sc.regime
        jur = sc.jur
        universal = rg["regime_scope"] == 1
        if universal:
            theta_i = np.full(sc.N, rg["property_security"])
        else:
            theta_i = np.where(sc.j_has_law[jur], sc.j_theta_dom[jur], rg["property_security"])
        self.theta_i = theta_i
        self.theta_eff = 1.0 - (1.0 - theta_i) * (1.0 - rg["safety_zone_exclusivity"])
        self.beta_i = np.where(universal | sc.j_party[jur], rg["benefit_sharing_rate"], 0.0)
        self.ell_i = sc.j_ell[jur]
        self.tau_b = sc.tau_build[None, :] + sc.j_tauL[jur][:, None]
        # launch purchase eligibility: elig[i, j] = i may buy from j
        N = sc.N
        elig = np.zeros((N, N), bool)
        for i in range(N):
            for j in range(N):
                if j == i or sc.kind_state[j] or not sc.provider[j]:
                    continue
                if (sc.bloc[i] >= 0 and sc.bloc[j] == sc.bloc[i]) or rg["cross_bloc_launch"]:
                    elig[i, j] = True
        self.elig = elig
        self.any_elig = elig.any()

    def x_eff(self, X, T):
        rg = self.sc.regime
        return X + rg["spillover_within_bloc"] * (self.same @ X) + \
            rg["spillover_across_blocs"] * (1.0 - T) * (self.other @ X)

    def start(self):
        """Fix the t0 normalisations (after events at t0): X_eff(t0), P_M(t0)."""
        sc = self.sc
        T0c = min(max(sc.T0, 0.0), 1.0)
        self.Xeff0 = self.x_eff(np.maximum(sc.X0, 0.0), T0c)
        self.PM0 = sc.regime["debris_mitigation"] if sc.PM_ref is None else sc.PM_ref

    def y0(self):
        sc = self.sc
        y = np.zeros(self.n)
        y[self.sl["K"]] = sc.K0.ravel()
        y[self.sl["U"]] = sc.U0.ravel()
        y[self.sl["X"]] = sc.X0
        y[self.sl["S"]] = sc.S0
        y[self.sl["D"]] = sc.D0
        y[self.sl["T"]] = sc.T0
        return y

    def rhs(self, t, y, aux=False):
        self.nfev += 1
        sc, rg, sl = self.sc, self.sc.regime, self.sl
        N, M = sc.N, sc.M
        K = np.maximum(y[sl["K"]].reshape(N, M), 0.0)
        U = np.maximum(y[sl["U"]].reshape(N, M), 0.0)
        X = np.maximum(y[sl["X"]], 0.0)
        S = np.maximum(y[sl["S"]], 0.0)
        D = max(y[sl["D"]][0], 0.0)
        T = min(max(y[sl["T"]][0], 0.0), 1.0)
        dt = t - sc.t0

        # §3.1 launch cost
        Xeff = self.x_eff(X, T)
        c_own = sc.cfloor + (sc.c0 - sc.cfloor) * (Xeff / self.Xeff0) ** (-sc.bexp)
        if self.any_elig:
            offer = np.where(self.elig, ((1.0 + sc.markup) * c_own)[None, :], np.inf)
            best_j = np.argmin(offer, axis=1)          # ties: lowest index
            best_p = offer[np.arange(N), best_j]
        else:
            best_j = np.zeros(N, int)
            best_p = np.full(N, np.inf)
        self_fly = c_own <= best_p
        c_buy = np.minimum(c_own, best_p)
        c_L = c_buy * (1.0 + sc.psi_L * max(0.0, D - sc.D0) / sc.D_ref) * \
            (1.0 + sc.c_M * max(0.0, rg["debris_mitigation"] - self.PM0))

        # §3.2 costs
        cext = sc.cext0 * (sc.S0 / np.maximum(S, sc.Smin)) ** sc.gamma
        c = sc.e[:, None] * (cext + sc.ctrans)[None, :] * (1.0 + sc.sigma_T * T)
        avail = S / (S + sc.Smin)
        Kt = avail[None, :] * K
        kappa = (sc.h[None, :] + sc.m[None, :] * c_L[:, None]) * (1.0 + self.ell_i)[:, None]

        # §3.3 user cost
        sumKt = Kt.sum(axis=0)
        lam = sc.gamma * cext * sumKt / (np.maximum(S, sc.Smin) * sc.r_soc)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(sumKt[None, :] > 0, Kt / np.where(sumKt > 0, sumKt, 1.0)[None, :], 0.0)
        te = self.theta_eff[:, None]
        mu = (te + (1.0 - te) * share) * lam[None, :]
        beta = self.beta_i
        chat = (c + mu) / (1.0 - beta)[:, None]

        # §3.4 markets
        Pbar = np.where(sc.has_bs, sc.cbs + sc.mbs * c_L.min() if N else sc.cbs, np.inf)
        P = np.empty(M)
        q = np.empty((N, M))
        Qd = np.empty(M)
        Qf = np.empty(M)
        Qbs = np.empty(M)
        for k in range(M):
            A = sc.Dk0[k] * math.exp(sc.g[k] * dt)
            P[k], q[:, k], Qd[k], Qf[k], Qbs[k], reg = clear_market(
                chat[:, k], Kt[:, k], A, sc.Pk0[k], sc.eps[k], sc.F0[k], sc.eta[k],
                Pbar[k], sc.nu, self.x_guess[k], sc.taker, sc.taking_band)
            if reg == "interior":
                self.x_guess[k] = math.log(P[k])
        Rev = P[None, :] * q
        Yr = beta[:, None] * Rev
        ops = sc.mops[None, :] * c_L[:, None]
        pi = (1.0 - beta)[:, None] * Rev - c * q - ops * K

        # §3.5-§3.6 investment
        with np.errstate(invalid="ignore", divide="ignore"):
            u = np.where(K > 0, q / np.where(K > 0, K, 1.0), 1.0)
        margin = ((1.0 - beta)[:, None] * P[None, :] - c) * u - ops
        roi = margin / kappa
        delta_ik = sc.delta[None, :] + sc.psi_D * D / sc.D_ref
        rhat = sc.r[:, None] + sc.rho_theta * (1.0 - self.theta_eff)[:, None] + sc.rho_T * T + delta_ik
        QT = (roi + sc.sigma[:, None]) / rhat
        x = np.maximum(0.0, QT - 1.0)
        Istar = sc.phi[:, None] * kappa * (K + U + sc.Kseed[None, :]) * x / (1.0 + x / sc.xmax)
        Fin = sc.B0 * np.exp(sc.gB * dt) + sc.alpha * np.maximum(0.0, pi.sum(axis=1))
        sI = Istar.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            fac = np.where(sI > 0, np.minimum(1.0, Fin / np.where(sI > 0, sI, 1.0)), 0.0)
        I = Istar * fac[:, None]
        build = I / kappa
        dU = build - U / self.tau_b
        dK = U / self.tau_b - delta_ik * K

        # §3.7 launch mass, §3.1 learning, §3.8 debris, §3.9 tension
        Mi = sc.L0 * np.exp(sc.gL * dt) + (sc.m[None, :] * build + sc.mops[None, :] * K).sum(axis=1)
        dX = np.where(self_fly, Mi, 0.0)
        if not self_fly.all():
            dX = dX + np.bincount(best_j[~self_fly], weights=Mi[~self_fly], minlength=N)
        A_t = rg["asat_tests_per_tension"] * T
        dD = sc.m_D * (1.0 - rg["debris_mitigation"]) * Mi.sum() + \
            sc.k_D * D * D / (sc.D_ref * (1.0 + D / sc.D_sat)) - sc.delta_D * D + sc.gamma_A * A_t
        nb = len(sc.blocs)
        if nb >= 2:
            rev_i = Rev.sum(axis=1)
            inb = sc.bloc >= 0
            den = rev_i[inb].sum() + sc.R0
            sb = np.array([(rev_i[sc.bloc == b].sum() + sc.R0 / nb) / den for b in range(nb)])
            Delta = sb.max() - sb.min()
        else:
            Delta = 0.0
        rx = rg["cross_bloc_recognition"]
        Tstar = min(max(sc.T_base + sc.a_Delta * Delta * (1.0 - rx) +
                        sc.a_z * rg["safety_zone_exclusivity"] * (1.0 - rx), 0.0), 1.0)
        dT = (Tstar - T) / sc.tau_T

        # §3.10 accounting
        regen = np.where(sc.regen > 0, sc.regen * S * (1.0 - S / np.where(sc.regen > 0, sc.Scap, 1.0)), 0.0)
        dS = -q.sum(axis=0) + regen
        dV = np.exp(-sc.r * dt) * (pi - I).sum(axis=1)
        dPi = pi.sum(axis=1)
        dG = sc.w * Yr.sum()
        dY = Yr.sum(axis=1)

        dy = np.empty(self.n)
        dy[sl["K"]] = dK.ravel()
        dy[sl["U"]] = dU.ravel()
        dy[sl["X"]] = dX
        dy[sl["V"]] = dV
        dy[sl["C"]] = q.ravel()
        dy[sl["S"]] = dS
        dy[sl["Pi"]] = dPi
        dy[sl["G"]] = dG
        dy[sl["D"]] = dD
        dy[sl["T"]] = dT
        dy[sl["Y"]] = dY
        if not aux:
            return dy
        return dy, dict(price=P, demand=Qd, fringe_supply=Qf, backstop_supply=Qbs,
                        extraction=q, revenue=Rev, royalty=Yr, profit_rate=pi,
                        investment=I, launch_cost=c_L, launched_mass=Mi,
                        tension_target=Tstar, c_own=c_own, self_fly=self_fly,
                        provider=np.where(self_fly, np.arange(N), best_j),
                        chat=chat, kappa=kappa, Ktilde=Kt)


# ----------------------------------------------------------------------------- derived
def derived(sc: Scenario, st: dict, ax: dict) -> dict:
    """§3.12 indicators at one output time from the states st and the aux quantities ax."""
    q = ax["extraction"]
    tot = q.sum(axis=0)
    stq = q[sc.kind_state].sum(axis=0)
    fq = q[~sc.kind_state].sum(axis=0)
    safe = np.where(tot > 0, tot, 1.0)
    out = dict(state_share_extraction=np.where(tot > 0, stq / safe, 0.0),
               firm_share_extraction=np.where(tot > 0, fq / safe, 0.0),
               total_extraction=tot,
               hhi=np.where(tot > 0, ((q / safe[None, :]) ** 2).sum(axis=0), 0.0))
    C = st["extracted"]
    ctot = C.sum(axis=0)
    csafe = np.where(ctot > 0, ctot, 1.0)
    kind = np.stack([C[sc.kind_state].sum(axis=0), C[~sc.kind_state].sum(axis=0)])
    out["cumulative_share_by_kind"] = np.where(ctot[None, :] > 0, kind / csafe[None, :], 0.0)
    nb = len(sc.blocs)
    byb = np.array([C[sc.bloc == b].sum(axis=0) for b in range(nb)]).reshape(nb, sc.M)
    out["cumulative_share_by_bloc"] = np.where(ctot[None, :] > 0, byb / csafe[None, :], 0.0)
    # Gini of per-capita gains, weights w_b
    G = st["receipts"]
    Pi = st["cumulative_profit"]
    gains = G.copy()
    for b in range(sc.B):
        i = sc.ben_actor[b]
        if i >= 0:
            gains[b] = max(0.0, G[b] + Pi[i])
    w = sc.w
    pos = w > 0
    if pos.sum() >= 1 and gains[pos].sum() > 0:
        wp, yp = w[pos], gains[pos] / w[pos]
        mean = (wp * yp).sum()
        out["gini"] = float((wp[:, None] * wp[None, :] * np.abs(yp[:, None] - yp[None, :])).sum()
                            / (2.0 * wp.sum() * mean))
    else:
        out["gini"] = 0.0
    return out


# ----------------------------------------------------------------------------- driver
def run(sc: Scenario, rtol=1e-10, atol_scale=1e-12, method="DOP853", verbose=False):
    t_start = _time.time()
    model = Model(sc)
    N, M, B = sc.N, sc.M, sc.B
    nsteps = int(round((sc.t_end - sc.t0) / sc.out_step))
    times = sc.t0 + sc.out_step * np.arange(nsteps + 1)
    times[-1] = sc.t_end
    nT = len(times)

    shapes = dict(capacity=(N, M), pipeline=(N, M), launch_experience=(N,), npv=(N,),
                  extracted=(N, M), stock=(M,), cumulative_profit=(N,), receipts=(B,),
                  debris=(), tension=(), royalties_paid=(N,),
                  price=(M,), demand=(M,), fringe_supply=(M,), backstop_supply=(M,),
                  extraction=(N, M), revenue=(N, M), royalty=(N, M), profit_rate=(N, M),
                  investment=(N, M), launch_cost=(N,), launched_mass=(N,), tension_target=(),
                  state_share_extraction=(M,), firm_share_extraction=(M,), total_extraction=(M,),
                  cumulative_share_by_kind=(2, M), cumulative_share_by_bloc=(len(sc.blocs), M),
                  hhi=(M,), gini=())
    res = {k: np.full((nT,) + s, np.nan) for k, s in shapes.items()}
    state_map = dict(capacity="K", pipeline="U", launch_experience="X", npv="V", extracted="C",
                     stock="S", cumulative_profit="Pi", receipts="G", debris="D", tension="T",
                     royalties_paid="Y")

    def record(idx, t, y):
        st = {}
        for name, key in state_map.items():
            v = y[model.sl[key]]
            st[name] = v.reshape(shapes[name]) if shapes[name] else v[0]
        _, ax = model.rhs(t, y, aux=True)
        dv = derived(sc, st, ax)
        for name in shapes:
            if name in st:
                res[name][idx] = st[name]
            elif name in dv:
                res[name][idx] = dv[name]
            else:
                res[name][idx] = ax[name]

    # events at t0 apply before the start
    ev = list(sc.schedule)
    while ev and abs(ev[0][0] - sc.t0) < 1e-9:
        sc.apply_event(ev[0][1], ev[0][2])
        ev.pop(0)
    model.refresh()
    model.start()
    y = model.y0()
    atol = atol_scale * np.maximum(1.0, np.abs(y))

    def kessler(t, yy):
        return yy[model.sl["D"]][0] - sc.D_max
    kessler.terminal = True
    kessler.direction = 1.0

    bounds = sorted(set([sc.t0] + [e[0] for e in ev] + [sc.t_end]))
    status, stop_time, message = "ok", sc.t_end, ""
    for a, b in zip(bounds[:-1], bounds[1:]):
        last = b == sc.t_end
        sel = np.where((times >= a - 1e-9) & ((times < b - 1e-9) | (last & (times <= b + 1e-9))))[0]
        teval = np.clip(times[sel], a, b)
        # always ask for b as well, to get the solver's own state at the segment end
        add_end = len(teval) == 0 or teval[-1] < b
        te2 = np.append(teval, b) if add_end else teval
        sol = solve_ivp(model.rhs, (a, b), y, method=method, rtol=rtol, atol=atol,
                        t_eval=te2, events=kessler, dense_output=False)
        ts, ys = sol.t, sol.y
        if add_end and len(ts) and ts[-1] >= b:
            y = ys[:, -1].copy()
            ts, ys = ts[:-1], ys[:, :-1]
        for n, t in enumerate(ts):
            record(sel[n], t, ys[:, n])
        if sol.status == -1:
            status, message = "failed", sol.message
            stop_time = float(ts[-1]) if len(ts) else a
            break
        if sol.status == 1:
            status, stop_time, message = "kessler", float(sol.t_events[0][0]), "debris reached D_max"
            break
        if not add_end:
            y = ys[:, -1].copy()
        while ev and abs(ev[0][0] - b) < 1e-9:
            sc.apply_event(ev[0][1], ev[0][2])
            ev.pop(0)
        model.refresh()
    wall = _time.time() - t_start
    if verbose:
        print(f"[arcm_reference] {sc.name}: status {status}, stop {stop_time}, "
              f"{model.nfev} rhs evaluations, {wall:.1f} s", file=sys.stderr)
    res.update(time=times, actor=np.array(sc.act_ids), resource=np.array(sc.res_ids),
               beneficiary=np.array(sc.ben_ids), bloc=np.array(sc.blocs, dtype=str),
               kind=np.array(["state", "firm"]), status=np.array(status), stop_time=np.array(stop_time),
               message=np.array(message), wall_seconds=np.array(wall), rhs_evaluations=np.array(model.nfev),
               rtol=np.array(rtol), atol_scale=np.array(atol_scale))
    return res


def save(res: dict, path: str):
    if path.endswith(".h5") or path.endswith(".hdf5"):
        import h5py
        with h5py.File(path, "w") as f:
            f.attrs["arcm_reference"] = 1
            g = f.create_group("trajectories")
            for k, v in res.items():
                v = np.asarray(v)
                if v.dtype.kind in "US":
                    f.create_dataset(k, data=np.array([s.encode() for s in np.atleast_1d(v)]) if v.ndim else v.item().encode())
                elif k in ("time", "status", "stop_time", "wall_seconds", "rhs_evaluations", "rtol", "atol_scale"):
                    f.create_dataset(k, data=v)
                else:
                    g.create_dataset(k, data=v)
    else:
        np.savez_compressed(path, **{k: np.asarray(v) for k, v in res.items()})


def load_results(path: str) -> dict:
    if path.endswith(".h5") or path.endswith(".hdf5"):
        import h5py
        out = {}
        with h5py.File(path, "r") as f:
            for k in f:
                if isinstance(f[k], h5py.Group):
                    for kk in f[k]:
                        out[kk] = f[k][kk][()]
                else:
                    out[k] = f[k][()]
        for k, v in list(out.items()):
            if isinstance(v, bytes):
                out[k] = v.decode()
            elif isinstance(v, np.ndarray) and v.dtype.kind == "S":
                out[k] = v.astype(str)
        return out
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", help="fully resolved scenario YAML, or an ARCM results .h5 (uses its resolved_yaml attribute)")
    ap.add_argument("-o", "--output", required=True, help="output file (.npz or .h5)")
    ap.add_argument("--rtol", type=float, default=1e-10)
    ap.add_argument("--atol-scale", type=float, default=1e-12,
                    help="atol_i = atol_scale * max(1, |y_i(t0)|) (default 1e-12)")
    ap.add_argument("--method", default="DOP853", choices=["DOP853", "RK45"])
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    res = run(sc, rtol=args.rtol, atol_scale=args.atol_scale, method=args.method, verbose=True)
    save(res, args.output)
    print(f"status {res['status']} stop_time {float(res['stop_time'])} "
          f"wall {float(res['wall_seconds']):.1f} s -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
