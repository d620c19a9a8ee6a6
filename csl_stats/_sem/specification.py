"""Layer 1 of the SEM engine: model specification.

A model is a measurement part ``{"construct": [items]}``, a structural part
``[(from, to), ...]`` and optional residual covariances, turned into a
parameter table (lavaan's "partable") and the LISREL "all-y" matrices

.. math:: y = \\nu + \\Lambda\\eta + \\varepsilon,\\qquad \\eta = \\alpha + B\\eta + \\zeta,

so that :math:`\\Sigma = \\Lambda A \\Psi A^\\top \\Lambda^\\top + \\Theta` and
:math:`\\mu = \\nu + \\Lambda A \\alpha` with :math:`A = (I - B)^{-1}`.

Each row of the table is one matrix element of one group; ``free`` is the index
of the free parameter it takes its value from (``-1`` when fixed), so equality
constraints across groups (measurement invariance) are rows sharing an index.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ArgumentTypeError, ModelSpecificationError

__all__ = ["Spec", "Model", "check_measurement", "check_structural", "check_pairs", "build_model"]


@dataclass(frozen=True)
class Spec:
    """A checked model specification (names only, no data)."""

    measurement: dict[str, list[Hashable]]
    structural: list[tuple[str, str]]
    residual_covariances: list[tuple[Hashable, Hashable]] = field(default_factory=list)

    @property
    def constructs(self) -> list[str]:
        return list(self.measurement)

    @property
    def items(self) -> list[Hashable]:
        return [it for its in self.measurement.values() for it in its]

    @property
    def endogenous(self) -> list[str]:
        targets = {t for _, t in self.structural}
        return [c for c in self.measurement if c in targets]


def check_measurement(
    measurement: Any, *, min_items: int = 1, arg: str = "measurement"
) -> dict[str, list[Hashable]]:
    """Validate ``{"construct": ["item", ...]}`` (ordered copy); ``arg`` names the argument in messages."""
    if not isinstance(measurement, Mapping):
        raise ArgumentTypeError(
            f"{arg} must be a dict mapping each construct name to its list of items, e.g. "
            f"{{'sat': ['sat1', 'sat2', 'sat3']}}; got {type(measurement).__name__}."
        )
    if len(measurement) == 0:
        raise ModelSpecificationError(f"{arg} is empty; give at least one construct with its items.")
    out: dict[str, list[Hashable]] = {}
    owner: dict[Hashable, str] = {}
    for name, items in measurement.items():
        if isinstance(items, str) or not isinstance(items, Sequence | pd.Index):
            raise ArgumentTypeError(
                f"{arg}[{name!r}] must be a list of item names; got {type(items).__name__} {items!r}."
            )
        items = list(items)
        if len(items) < min_items:
            raise ModelSpecificationError(
                f"construct {name!r} has no items; every construct needs at least {min_items} item(s)."
            )
        for it in items:
            if it in owner:
                where = f"both {owner[it]!r} and {name!r}" if owner[it] != name else f"{name!r} twice"
                raise ModelSpecificationError(
                    f"item {it!r} is assigned to {where}; in this measurement model each item "
                    "measures exactly one construct."
                )
            owner[it] = str(name)
        out[str(name)] = items
    clash = [c for c in out if c in owner]
    if clash:
        raise ModelSpecificationError(f"construct name(s) {clash} are also used as item names; rename them.")
    return out


def check_structural(structural: Any, constructs: Sequence[str]) -> list[tuple[str, str]]:
    """Validate ``[(from, to), ...]`` paths among constructs and refuse cycles."""
    if structural is None:
        return []
    if isinstance(structural, str | Mapping) or not isinstance(structural, Sequence):
        raise ArgumentTypeError(
            "structural must be a list of (from, to) pairs of construct names, e.g. [('sat', 'loy')]; "
            f"got {type(structural).__name__}."
        )
    out: list[tuple[str, str]] = []
    for pair in structural:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ArgumentTypeError(f"each structural path must be a (from, to) pair; got {pair!r}.")
        a, b = str(pair[0]), str(pair[1])
        unknown = [x for x in (a, b) if x not in constructs]
        if unknown:
            raise ModelSpecificationError(
                f"structural path {pair!r} names unknown construct(s) {unknown}; the constructs of the "
                f"measurement model are {list(constructs)}."
            )
        if a == b:
            raise ModelSpecificationError(f"structural path {pair!r} goes from a construct to itself.")
        if (a, b) in out:
            raise ModelSpecificationError(f"structural path {pair!r} is given twice.")
        out.append((a, b))
    # cycle check (depth-first search)
    children: dict[str, list[str]] = {c: [] for c in constructs}
    for a, b in out:
        children[a].append(b)
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in children[node]:
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt]
                raise ModelSpecificationError(
                    f"the structural model has a cycle {' -> '.join(cycle)}; only recursive models "
                    "(no feedback loops) are supported."
                )
            if state.get(nxt) is None:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for c in constructs:
        if state.get(c) is None:
            visit(c, [c])
    return out


def check_pairs(pairs: Any, names: Sequence[Hashable], arg: str) -> list[tuple[Hashable, Hashable]]:
    """Validate a list of ``(name, name)`` pairs (residual covariances)."""
    if pairs is None:
        return []
    if isinstance(pairs, str | Mapping) or not isinstance(pairs, Sequence):
        raise ArgumentTypeError(f"{arg} must be a list of (name, name) pairs; got {type(pairs).__name__}.")
    out: list[tuple[Hashable, Hashable]] = []
    for pair in pairs:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ArgumentTypeError(f"each entry of {arg} must be a (name, name) pair; got {pair!r}.")
        a, b = pair
        unknown = [x for x in (a, b) if x not in names]
        if unknown:
            raise ModelSpecificationError(
                f"{arg} entry {pair!r} names unknown item(s) or construct(s) {unknown}."
            )
        if a == b:
            raise ModelSpecificationError(f"{arg} entry {pair!r} pairs a variable with itself.")
        if (a, b) in out or (b, a) in out:
            raise ModelSpecificationError(f"{arg} entry {pair!r} is given twice.")
        out.append((a, b))
    return out


# matrix codes
LAMBDA, BETA, PSI, THETA, NU, ALPHA = range(6)
_OPS = {LAMBDA: "=~", BETA: "~", PSI: "~~", THETA: "~~", NU: "~1", ALPHA: "~1"}


class Model:
    """Parameter table plus fast construction of implied moments and their derivatives."""

    def __init__(self, spec: Spec, table: pd.DataFrame, n_groups: int, meanstructure: bool):
        self.spec = spec
        self.table = table.reset_index(drop=True)
        self.n_groups = n_groups
        self.meanstructure = meanstructure
        self.lv = spec.constructs
        self.ov = spec.items
        self.p, self.m = len(self.ov), len(self.lv)
        self.q = int(self.table["free"].max()) + 1 if (self.table["free"] >= 0).any() else 0
        t = self.table
        self._mat = t["mat"].to_numpy()
        self._row = t["row"].to_numpy()
        self._col = t["col"].to_numpy()
        self._grp = t["group"].to_numpy()
        self._free = t["free"].to_numpy()
        self._fixed = t["value"].to_numpy(dtype=float)
        self.free_rows = np.flatnonzero(self._free >= 0)
        # first table row of each free parameter (for naming)
        first: dict[int, int] = {}
        for r in self.free_rows:
            first.setdefault(int(self._free[r]), int(r))
        self.param_row = np.array([first[k] for k in range(self.q)], dtype=int)
        # parameters on which Sigma and mu depend linearly (no curvature): residual (co)variances, intercepts
        self.linear = np.isin(self._mat[self.param_row], [THETA, NU])

    # ------------------------------------------------------------------ matrices
    def values(self, theta: np.ndarray) -> np.ndarray:
        """Value of every table row."""
        v = self._fixed.copy()
        v[self.free_rows] = theta[self._free[self.free_rows]]
        return v

    def _index(self) -> list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        cached = getattr(self, "_idx_cache", None)
        if cached is None:
            cached = []
            for g in range(self.n_groups):
                per = []
                for code in range(6):
                    s = np.flatnonzero((self._grp == g) & (self._mat == code))
                    per.append((s, self._row[s], self._col[s]))
                cached.append(per)
            self._idx_cache = cached
        return cached

    def matrices(self, theta: np.ndarray) -> list[dict[str, np.ndarray]]:
        return self._assemble(self.values(theta))

    def _assemble(self, v: np.ndarray) -> list[dict[str, np.ndarray]]:
        """The model matrices of every group from the values ``v`` of the table rows."""
        p, m = self.p, self.m
        out = []
        for per in self._index():
            mats = [np.zeros((p, m)), np.zeros((m, m)), np.zeros((m, m)), np.zeros((p, p)), np.zeros(p),
                    np.zeros(m)]
            for code, (s, r, c) in enumerate(per):
                val = v[s]
                if code in (NU, ALPHA):
                    mats[code][r] = val
                else:
                    mats[code][r, c] = val
                    if code in (PSI, THETA):
                        mats[code][c, r] = val
            lam, beta, psi, th, nu, alpha = mats
            a = np.linalg.inv(np.eye(m) - beta) if beta.any() else np.eye(m)
            out.append({"lambda": lam, "beta": beta, "psi": psi, "theta": th, "nu": nu, "alpha": alpha, "a": a})
        return out

    def implied(self, theta: np.ndarray, mats: list | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        res = []
        for mat in self.matrices(theta) if mats is None else mats:
            la = mat["lambda"] @ mat["a"]
            sigma = la @ mat["psi"] @ la.T + mat["theta"]
            mu = mat["nu"] + la @ mat["alpha"]
            res.append((sigma, mu))
        return res

    def chain_gradient(self, mats: list, grads: list[tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
        """Gradient w.r.t. the free parameters from the gradient w.r.t. (Sigma, mu) of every group.

        Closed form per matrix (no derivative matrices): with ``G`` the (symmetric)
        gradient in Sigma and ``g`` in mu, a loading gives ``2 (G Lambda A Psi A')_{ij}``,
        a regression ``2 ((Lambda A)' G Lambda A Psi A')_{ij}``, a latent (co)variance
        ``((Lambda A)' G Lambda A)_{ij}`` (twice off the diagonal), a residual
        (co)variance ``G_ij`` (twice off the diagonal), an intercept ``g_i`` and a latent
        mean ``((Lambda A)' g)_i``.
        """
        out = np.zeros(self.q)
        for per, mat, (gs, gm) in zip(self._index(), mats, grads, strict=True):
            lam, a, psi = mat["lambda"], mat["a"], mat["psi"]
            la = lam @ a
            lapa = la @ psi @ a.T
            aal = a @ mat["alpha"]
            gla = gs @ la
            vals = [None] * 6
            vals[LAMBDA] = 2 * (gs @ lapa)
            vals[BETA] = 2 * (la.T @ gs @ lapa)
            lgl = la.T @ gla
            vals[PSI] = lgl
            vals[THETA] = gs
            for code, (rows, _r, _c) in enumerate(per):
                sel = rows[self._free[rows] >= 0]
                if sel.size == 0:
                    continue
                k, i, j = self._free[sel], self._row[sel], self._col[sel]
                if code in (LAMBDA, BETA):
                    v = vals[code][i, j]
                    if gm is not None:
                        v = v + (gm[i] * aal[j] if code == LAMBDA else (la.T @ gm)[i] * aal[j])
                elif code in (PSI, THETA):
                    v = np.where(i == j, 1.0, 2.0) * vals[code][i, j]
                elif code == NU:
                    v = gm[i] if gm is not None else np.zeros(len(i))
                else:
                    v = (la.T @ gm)[i] if gm is not None else np.zeros(len(i))
                np.add.at(out, k, v)
        return out

    def implied_and_delta(self, theta: np.ndarray) -> tuple[list, list]:
        """:meth:`implied` and :meth:`delta` from one construction of the matrices."""
        mats = self.matrices(theta)
        return self.implied(theta, mats), self.delta(theta, mats)

    def delta(self, theta: np.ndarray, mats: list | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per group: ``dSigma`` (q x p x p) and ``dmu`` (q x p), derivatives w.r.t. the free parameters.

        Vectorised over the table rows of each matrix; a free parameter appears at
        most once per group (equality constraints only tie parameters across groups).
        """
        p = self.p
        out = []
        for g, mat in enumerate(self.matrices(theta) if mats is None else mats):
            ds = np.zeros((self.q, p, p))
            dm = np.zeros((self.q, p))
            lam, a, psi = mat["lambda"], mat["a"], mat["psi"]
            la = lam @ a  # p x m
            apa = a @ psi @ a.T  # latent covariance
            lapa = lam @ apa  # p x m
            aal = a @ mat["alpha"]  # latent means
            sel = self.free_rows[self._grp[self.free_rows] == g]
            code = self._mat[sel]
            k, i, j = self._free[sel], self._row[sel], self._col[sel]
            s = code == LAMBDA
            if s.any():
                kk, ii, jj = k[s], i[s], j[s]
                ds[kk, ii] += lapa[:, jj].T  # a parameter appears at most once per group
                ds[kk, :, ii] += lapa[:, jj].T
                dm[kk, ii] += aal[jj]
            s = code == BETA
            if s.any():
                kk, ii, jj = k[s], i[s], j[s]
                u, w = la[:, ii].T, (lam @ apa[:, jj]).T  # (r, p)
                o = u[:, :, None] * w[:, None, :]
                ds[kk] += o + np.swapaxes(o, 1, 2)
                dm[kk] += la[:, ii].T * aal[jj][:, None]
            s = code == PSI
            if s.any():
                kk, ii, jj = k[s], i[s], j[s]
                o = la[:, ii].T[:, :, None] * la[:, jj].T[:, None, :]
                o = np.where((ii == jj)[:, None, None], o, o + np.swapaxes(o, 1, 2))
                ds[kk] += o
            s = code == THETA
            if s.any():
                kk, ii, jj = k[s], i[s], j[s]
                ds[kk, ii, jj] += 1.0
                off = ii != jj
                ds[kk[off], jj[off], ii[off]] += 1.0
            s = code == NU
            if s.any():
                dm[k[s], i[s]] += 1.0
            s = code == ALPHA
            if s.any():
                dm[k[s]] += la[:, i[s]].T
            out.append((ds, dm))
        return out

    # ------------------------------------------------------------------ naming
    def param_labels(self) -> list[str]:
        t = self.table
        return [
            f"{t.at[r, 'lhs']} {t.at[r, 'op']} {t.at[r, 'rhs']}"
            + (f" (group {t.at[r, 'group'] + 1})" if self.n_groups > 1 else "")
            for r in self.param_row
        ]


def build_model(
    spec: Spec,
    *,
    std_lv: bool = False,
    meanstructure: bool = False,
    n_groups: int = 1,
    group_equal: Sequence[str] = (),
    free: Sequence[tuple[str, str, str]] = (),
) -> Model:
    """Build the parameter table (lavaan's defaults for ``sem()``/``cfa()``).

    ``group_equal`` may hold ``"loadings"``, ``"intercepts"``, ``"residuals"``;
    ``free`` lists ``(lhs, op, rhs)`` rows exempt from those equalities
    (lavaan's ``group.partial``). In multi-group models with equal intercepts
    the latent means are free in every group but the first (lavaan).
    """
    lv, ov = spec.constructs, spec.items
    lv_pos = {c: j for j, c in enumerate(lv)}
    ov_pos = {it: i for i, it in enumerate(ov)}
    endo = set(spec.endogenous)
    rows: list[dict[str, Any]] = []
    free_set = {tuple(f) for f in free}
    shared: dict[tuple, int] = {}
    counter = [0]

    def add(
        g: int,
        lhs: Any,
        op: str,
        rhs: Any,
        mat: int,
        r: int,
        c: int,
        *,
        is_free: bool,
        value: float,
        equal_key: tuple | None = None,
    ) -> None:
        if is_free:
            if equal_key is not None and (lhs, op, rhs) not in free_set:
                if equal_key not in shared:
                    shared[equal_key] = counter[0]
                    counter[0] += 1
                idx = shared[equal_key]
            else:
                idx = counter[0]
                counter[0] += 1
        else:
            idx = -1
        rows.append(
            {
                "lhs": lhs,
                "op": op,
                "rhs": rhs,
                "group": g,
                "mat": mat,
                "row": r,
                "col": c,
                "free": idx,
                "value": value,
            }
        )

    eq_load = "loadings" in group_equal
    eq_int = "intercepts" in group_equal
    eq_res = "residuals" in group_equal
    for g in range(n_groups):
        single = set()
        for c, items in spec.measurement.items():
            j = lv_pos[c]
            for k, it in enumerate(items):
                if len(items) == 1:
                    single.add(it)
                    add(g, c, "=~", it, LAMBDA, ov_pos[it], j, is_free=False, value=1.0)
                else:
                    fixed = k == 0 and not std_lv
                    add(
                        g,
                        c,
                        "=~",
                        it,
                        LAMBDA,
                        ov_pos[it],
                        j,
                        is_free=not fixed,
                        value=1.0,
                        equal_key=("=~", c, it) if eq_load else None,
                    )
        for a, b in spec.structural:
            add(g, b, "~", a, BETA, lv_pos[b], lv_pos[a], is_free=True, value=0.0)
        for it in ov:
            i = ov_pos[it]
            if it in single:
                add(g, it, "~~", it, THETA, i, i, is_free=False, value=0.0)
            else:
                add(
                    g,
                    it,
                    "~~",
                    it,
                    THETA,
                    i,
                    i,
                    is_free=True,
                    value=1.0,
                    equal_key=("~~", it, it) if eq_res else None,
                )
        exo = [c for c in lv if c not in endo]
        for c in lv:
            j = lv_pos[c]
            add(g, c, "~~", c, PSI, j, j, is_free=not std_lv, value=1.0)
        for x in range(len(exo)):
            for y in range(x + 1, len(exo)):
                add(g, exo[x], "~~", exo[y], PSI, lv_pos[exo[y]], lv_pos[exo[x]], is_free=True, value=0.0)
        for a, b in spec.residual_covariances:
            if a in lv_pos and b in lv_pos:
                add(g, a, "~~", b, PSI, lv_pos[b], lv_pos[a], is_free=True, value=0.0)
            elif a in ov_pos and b in ov_pos:
                add(g, a, "~~", b, THETA, ov_pos[b], ov_pos[a], is_free=True, value=0.0)
            else:
                raise ModelSpecificationError(
                    f"residual covariance {(a, b)!r} mixes an item and a construct; pair two items or two "
                    "constructs."
                )
        if meanstructure:
            for it in ov:
                add(
                    g,
                    it,
                    "~1",
                    "",
                    NU,
                    ov_pos[it],
                    0,
                    is_free=True,
                    value=0.0,
                    equal_key=("~1", it, "") if eq_int else None,
                )
            for c in lv:
                add(g, c, "~1", "", ALPHA, lv_pos[c], 0, is_free=eq_int and g > 0, value=0.0)
    table = pd.DataFrame(rows)
    return Model(spec, table, n_groups, meanstructure)
