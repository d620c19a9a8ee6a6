"""The general conditional process engine (private).

:class:`ProcessModel` turns a PROCESS template (:mod:`csl_stats._process_templates`)
and the analysis variables into

- one data matrix whose columns are the intercept, the codes of X, the mediators,
  the codes of W, Z, every product term the template needs, the covariates and Y
  (each column is identified by the *set* of base variables it multiplies, so a
  product needed by two equations exists once);
- the regression equations of the system (one per mediator, holding X, the mediators
  linked into it by the template's structure and the moderators of the paths that end in
  it; the outcome; and the total-effect equation of an unmoderated mediation model),
  fitted by :mod:`csl_stats._bootstrap`;
- the *path algebra*: the conditional slope of every path (X code -> M, M -> M,
  M -> Y, X code -> Y) as a polynomial in the moderator values whose coefficients
  are regression coefficients. Products of slopes give (conditional) indirect
  effects, derivatives with respect to a moderator give indices of (moderated)
  moderated mediation. A moderator may be X itself (model 74: the slope of M -> Y is
  a polynomial in X). The indirect routes follow the mediator links of the structure
  (parallel, serial, or the hybrids of models 80-82). The polynomials are evaluated on arrays of coefficient
  draws, so the same formulas serve the point estimates, the vectorised bootstrap
  and the Monte Carlo draws.

:func:`csl_stats.mediation`, :func:`csl_stats.moderated_mediation` and
:func:`csl_stats.process` are front ends that choose the effects to report.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _validation as v
from ._bootstrap import Equation, FullFit, fit_full
from ._process_templates import Template, structure_edges

__all__ = ["Coding", "code_matrix", "ProcessModel", "Poly", "MCX_SCHEMES"]

#: PROCESS codes of the coding systems of a multicategorical variable.
MCX_SCHEMES = {1: "indicator", 2: "sequential", 3: "helmert", 4: "effect"}

Key = tuple[str, ...]  # sorted base-variable names of a data column; () is the intercept
Factor = tuple[int, int]  # (equation index, position of the coefficient in that equation)


@dataclass(frozen=True)
class Term:
    factors: tuple[Factor, ...]
    mono: Key  # moderator bases multiplying the coefficient product (sorted, may repeat)


Poly = list[Term]


def code_matrix(scheme: str, g: int) -> np.ndarray:
    """``(g, g - 1)`` code values of each of ``g`` ordered groups (PROCESS's coding systems).

    indicator: group 1 is the reference (all 0), group ``j + 1`` has 1 on code ``j``;
    sequential: code ``j`` is 1 for the groups after group ``j`` (adjacent contrasts);
    helmert: code ``j`` contrasts group ``j`` (``-(g - j) / (g - j + 1)``) with the mean of
    the later groups (``1 / (g - j + 1)``), earlier groups 0; effect: as indicator, with the
    first group coded -1 on every code (deviations from the unweighted mean of the group means).
    """
    C = np.zeros((g, g - 1))
    for j in range(g - 1):  # code j (0-based) concerns group j + 1 (0-based)
        if scheme in ("indicator", "effect"):
            C[j + 1, j] = 1.0
        elif scheme == "sequential":
            C[j + 1 :, j] = 1.0
        elif scheme == "helmert":
            rest = g - j  # groups j, j + 1, ..., g - 1
            C[j, j] = -(rest - 1) / rest
            C[j + 1 :, j] = 1.0 / rest
    if scheme == "effect":
        C[0, :] = -1.0
    return C


@dataclass(frozen=True)
class Coding:
    """The codes of a multicategorical variable."""

    column: str
    scheme: str
    categories: tuple[Hashable, ...]
    matrix: np.ndarray  # (g, g - 1)
    names: tuple[str, ...]  # display names of the codes
    contrasts: tuple[str, ...]  # what each code's coefficient compares

    def frame(self) -> pd.DataFrame:
        """Categories x codes table."""
        return pd.DataFrame(self.matrix, index=pd.Index(list(self.categories), name=self.column),
                            columns=list(self.names))


def make_coding(column: str, values: pd.Series, scheme: str) -> tuple[Coding, np.ndarray]:
    """Coding of a categorical column and the ``(n, g - 1)`` code matrix of its rows.

    Categories are those of a pandas Categorical in their order, else the sorted
    distinct values; the first is the reference group.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = [c for c in values.cat.categories if (values == c).any()]
    else:
        cats = sorted(pd.unique(values), key=lambda c: (str(type(c)), c))
    g = len(cats)
    C = code_matrix(scheme, g)
    if scheme in ("indicator", "effect"):
        names = tuple(f"{column}[{cats[j + 1]}]" for j in range(g - 1))
    else:
        names = tuple(f"{column}.D{j + 1}" for j in range(g - 1))
    if scheme == "indicator":
        contrasts = tuple(f"{cats[j + 1]} vs {cats[0]}" for j in range(g - 1))
    elif scheme == "sequential":
        contrasts = tuple(f"{cats[j + 1]} vs {cats[j]}" for j in range(g - 1))
    elif scheme == "helmert":
        contrasts = tuple(
            f"{'+'.join(map(str, cats[j + 1:]))} vs {cats[j]}" if g - j > 2 else f"{cats[j + 1]} vs {cats[j]}"
            for j in range(g - 1)
        )
    else:
        contrasts = tuple(f"{cats[j + 1]} vs mean of groups" for j in range(g - 1))
    index = {c: i for i, c in enumerate(cats)}
    rows = C[np.array([index[c] for c in values.tolist()])]
    return Coding(column, scheme, tuple(cats), C, names, contrasts), rows


def _expand(term: tuple[str, ...], bases: dict[str, list[str]]) -> list[Key]:
    """Products of moderator codes for one moderation term, e.g. ("w", "z") -> [(w0, z0), (w1, z0)]."""
    return [tuple(p) for p in itertools.product(*(bases[r] for r in term))]


class ProcessModel:
    """Design, equations, fits and path algebra of one conditional process model.

    Parameters
    ----------
    base : mapping base name -> (n,) array, with names ``x0..`` (codes of X), ``m0..``
        (mediators), ``w0..`` (codes of W), ``z0``, ``c0..`` (covariates) and ``y``.
    display : mapping base name -> display name.
    template : the PROCESS template.
    y_family : ``"gaussian"`` or ``"binomial"``.
    total : add the total-effect equation (Y on X codes and covariates).
    """

    def __init__(
        self,
        base: dict[str, np.ndarray],
        display: dict[str, str],
        template: Template,
        *,
        y_family: str = "gaussian",
        total: bool = False,
    ) -> None:
        self.template = template
        self.y_family = y_family
        self.x = sorted((b for b in base if b.startswith("x")), key=lambda s: int(s[1:]))
        self.m = sorted((b for b in base if b.startswith("m")), key=lambda s: int(s[1:]))
        self.c = sorted((b for b in base if b.startswith("c")), key=lambda s: int(s[1:]))
        self.roles = {"w": sorted((b for b in base if b.startswith("w")), key=lambda s: int(s[1:])),
                      "z": [b for b in base if b == "z0"], "x": list(self.x)}
        k = len(self.m)
        self.edges = structure_edges(template.mediators, k)
        self.serial = bool(self.edges)
        self._base, self._display = base, display
        self.keys: list[Key] = [()]
        self.names: list[str] = ["(intercept)"]
        self.columns: list[np.ndarray] = [np.ones(len(base["y"]))]
        self.equations: list[Equation] = []
        for b in (*self.x, *self.m):
            self._col((b,))
        self.slopes: dict[tuple[str, int], list[tuple[int, Key, Key]]] = {}  # (focal, eq) -> (eq, key, mono)
        # mediator equations
        for j in range(k):
            into = [self.m[i] for i, jj in self.edges if jj == j]
            amod, dmod = template.a_moderated(j), template.d if into else ()
            preds: list[Key] = [(xb,) for xb in self.x] + [(mb,) for mb in into]
            preds += self._mains(amod + dmod)
            preds += self._products(amod, self.x, j)
            preds += self._products(dmod, into, j)
            for xb in self.x:
                self._slope(xb, j, (xb,), ())
            for mb in into:
                self._slope(mb, j, (mb,), ())
            preds += [(cb,) for cb in self.c]
            self._equation(display[self.m[j]], f"m{j}", preds)
        # outcome equation
        iy = k
        bmods = [template.b_moderated(j) for j in range(k)]
        preds = [(xb,) for xb in self.x] + [(mb,) for mb in self.m]
        preds += self._mains(tuple(t for bm in bmods for t in bm) + template.c)
        preds += self._products(template.c, self.x, iy)
        for j in range(k):
            preds += self._products(bmods[j], [self.m[j]], iy)
        for xb in self.x:
            self._slope(xb, iy, (xb,), ())
        for mb in self.m:
            self._slope(mb, iy, (mb,), ())
        preds += [(cb,) for cb in self.c]
        self._equation(display["y"], "y", preds, y_family)
        self.iy = iy
        self.itotal: int | None = None
        if total:
            self._equation(f"{display['y']} (total)", "y", [(xb,) for xb in self.x] + [(cb,) for cb in self.c])
            self.itotal = iy + 1
            for xb in self.x:
                self._slope(xb, self.itotal, (xb,), ())
        self.Z = np.column_stack(self.columns)
        self.fits: list[FullFit] = []

    # -- construction ----------------------------------------------------------------------------
    def _col(self, key: Key, order: Sequence[str] | None = None) -> Key:
        key = tuple(sorted(key))
        if key not in self.keys:
            parts = list(order) if order is not None else list(key)
            self.keys.append(key)
            self.names.append("*".join(self._display[b] for b in parts))
            self.columns.append(np.prod([self._base[b] for b in key], axis=0))
        return key

    def _mains(self, mod: tuple[tuple[str, ...], ...]) -> list[Key]:
        out: list[Key] = []
        for size in (1, 2):
            for term in mod:
                for sub in itertools.combinations(term, size):
                    for mono in _expand(sub, self.roles):
                        key = self._col(mono)
                        if key not in out:
                            out.append(key)
        return out

    def _products(self, mod: tuple[tuple[str, ...], ...], focal: list[str], eq: int) -> list[Key]:
        out: list[Key] = []
        for f in focal:
            for term in mod:
                for mono in _expand(term, self.roles):
                    key = self._col((f, *mono), order=(f, *mono))
                    out.append(key)
                    self._slope(f, eq, key, tuple(sorted(mono)))
        return out

    def _slope(self, focal: str, eq: int, key: Key, mono: Key) -> None:
        self.slopes.setdefault((focal, eq), []).append((eq, tuple(sorted(key)), mono))

    def _equation(self, name: str, outcome: str, preds: list[Key], family: str = "gaussian") -> None:
        cols = [0]
        for p in preds:
            i = self.keys.index(self._col(p))
            if i not in cols:
                cols.append(i)
        self.equations.append(Equation(name, self.keys.index(self._col((outcome,))), tuple(cols), family))

    # -- fitting ---------------------------------------------------------------------------------
    def fit(self) -> list[FullFit]:
        """Full-rank checks and full-sample fits of every equation."""
        for eq in self.equations:
            v.check_full_rank(self.Z[:, list(eq.predictors)], [self.names[i] for i in eq.predictors])
        self.fits = [fit_full(self.Z, eq) for eq in self.equations]
        return self.fits

    def col(self, base: str) -> int:
        """Column index of a base variable."""
        return self.keys.index((base,))

    def position(self, eq: int, key: Key) -> int:
        return self.equations[eq].predictors.index(self.keys.index(tuple(sorted(key))))

    def label_of(self, eq: int, pos: int) -> Key:
        return self.keys[self.equations[eq].predictors[pos]]

    # -- path algebra ----------------------------------------------------------------------------
    def slope(self, focal: str, eq: int) -> Poly:
        """Conditional slope of ``focal`` in equation ``eq`` as a polynomial in the moderators."""
        return [Term(((e, self.position(e, key)),), mono) for e, key, mono in self.slopes[(focal, eq)]]

    def chains(self) -> list[tuple[int, ...]]:
        """Indirect routes through the mediators: single mediators, plus the chains along the links."""
        k = len(self.m)
        links = set(self.edges)
        top = k if self.serial else 1
        return [c for r in range(1, top + 1) for c in itertools.combinations(range(k), r)
                if all(pair in links for pair in itertools.pairwise(c))]

    def indirect(self, xcode: int, chain: tuple[int, ...]) -> Poly:
        """Polynomial of the indirect effect of X code ``xcode`` along ``chain``."""
        poly = self.slope(self.x[xcode], chain[0])
        for prev, nxt in itertools.pairwise(chain):
            poly = multiply(poly, self.slope(self.m[prev], nxt))
        return multiply(poly, self.slope(self.m[chain[-1]], self.iy))

    def direct(self, xcode: int) -> Poly:
        return self.slope(self.x[xcode], self.iy)

    def total_effect(self, xcode: int) -> Poly:
        assert self.itotal is not None
        return self.slope(self.x[xcode], self.itotal)


# ----------------------------------------------------------------------------------------------
# polynomials in the moderators with products of coefficients as coefficients
# ----------------------------------------------------------------------------------------------
def multiply(p: Poly, q: Poly) -> Poly:
    return [Term(a.factors + b.factors, tuple(sorted(a.mono + b.mono))) for a in p for b in q]


def derivative(p: Poly, base: str) -> Poly | None:
    """d p / d base, or None when ``p`` is not linear in ``base``."""
    out = []
    for t in p:
        n = t.mono.count(base)
        if n > 1:
            return None
        if n == 1:
            mono = list(t.mono)
            mono.remove(base)
            out.append(Term(t.factors, tuple(mono)))
    return out


def bases_of(p: Poly) -> set[str]:
    return {b for t in p for b in t.mono}


def degree(p: Poly, bases: Sequence[str]) -> int:
    return max((sum(t.mono.count(b) for b in bases) for t in p), default=0)


def evaluate(p: Poly, coefs: Sequence[np.ndarray], points: dict[str, np.ndarray], n_points: int) -> np.ndarray:
    """``(draws, n_points)`` values of ``p`` for coefficient arrays ``coefs[eq]`` of shape ``(draws, p_eq)``.

    ``points`` maps each moderator base to its ``(n_points,)`` values.
    """
    draws = coefs[0].shape[0]
    out = np.zeros((draws, n_points))
    for t in p:
        val = np.ones(draws)
        for eq, pos in t.factors:
            val = val * coefs[eq][:, pos]
        mono = np.ones(n_points)
        for b in t.mono:
            mono = mono * points[b]
        out += val[:, None] * mono[None, :]
    return out


def linear_weights(p: Poly, size: int, points: dict[str, np.ndarray], n_points: int) -> np.ndarray:
    """``(n_points, size)`` weights L with ``p = L @ beta`` for a polynomial linear in one equation's coefficients."""
    L = np.zeros((n_points, size))
    for t in p:
        ((_, pos),) = t.factors
        mono = np.ones(n_points)
        for b in t.mono:
            mono = mono * points[b]
        L[:, pos] += mono
    return L


def build_model(
    frame: pd.DataFrame,
    template: Template,
    *,
    x: Hashable,
    y: Hashable,
    ms: Sequence[Hashable] = (),
    covs: Sequence[Hashable] = (),
    w: Hashable | None = None,
    z: Hashable | None = None,
    x_coding: tuple[Coding, np.ndarray] | None = None,
    w_coding: tuple[Coding, np.ndarray] | None = None,
    y_family: str = "gaussian",
    total: bool = False,
) -> tuple[ProcessModel, dict[str, np.ndarray], dict[str, str]]:
    """Base variables of a (complete-case) frame and the :class:`ProcessModel` built on them.

    Numeric roles are read from ``frame``; a multicategorical X or W comes as its
    coding and ``(n, g - 1)`` code matrix.
    """
    base: dict[str, np.ndarray] = {}
    display: dict[str, str] = {}

    def add(name: str, values: np.ndarray, label: str) -> None:
        base[name] = np.asarray(values, dtype=float)
        display[name] = label

    if x_coding is None:
        add("x0", frame[x].to_numpy(dtype=float), str(x))
    else:
        for j, nm in enumerate(x_coding[0].names):
            add(f"x{j}", x_coding[1][:, j], nm)
    for j, mc in enumerate(ms):
        add(f"m{j}", frame[mc].to_numpy(dtype=float), str(mc))
    if w is not None:
        if w_coding is None:
            add("w0", frame[w].to_numpy(dtype=float), str(w))
        else:
            for j, nm in enumerate(w_coding[0].names):
                add(f"w{j}", w_coding[1][:, j], nm)
    if z is not None:
        add("z0", frame[z].to_numpy(dtype=float), str(z))
    for j, cc in enumerate(covs):
        add(f"c{j}", frame[cc].to_numpy(dtype=float), str(cc))
    add("y", frame[y].to_numpy(dtype=float), str(y))
    return ProcessModel(base, display, template, y_family=y_family, total=total), base, display
