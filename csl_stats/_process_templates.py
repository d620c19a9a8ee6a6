"""PROCESS model templates as data (private).

A template says which paths of the conditional process model each moderator
touches; :mod:`csl_stats._process_engine` turns any template into equations,
product terms and effect formulas, so adding a model is one table entry.

Paths: ``a`` (X -> each mediator), ``b`` (each mediator -> Y), ``c`` (the direct
path X -> Y) and ``d`` (mediator -> mediator, the links of a serial or hybrid structure).
``a_at`` and ``b_at`` restrict the moderation of ``a`` and ``b`` to some mediators (0-based
positions in ``m``; model 83 moderates X -> M1 only, model 87 M2 -> Y only).
A moderation is a tuple of *terms*, each term a tuple of moderator roles: ``(("w",),)`` is moderation by W, ``(("w",), ("z",))`` additive
moderation by W and Z, and ``(("w",), ("z",), ("w", "z"))`` the three-way
interaction (moderated moderation) with all its lower-order terms; ``(("x",),)``
is moderation by X itself (model 74). Every equation also holds the moderators'
lower-order terms (W, Z, W x Z) of the paths that end in it, as PROCESS does.

Mediator structures: ``"parallel"``, ``"serial"`` (every earlier mediator feeds
every later one), ``"parallel-serial"`` (model 80: M1..Mk-1 in parallel, each
feeding Mk), ``"serial-parallel"`` (model 81: M1 feeding each of M2..Mk) and
``"two-chains"`` (model 82: M1 -> M2 and M3 -> M4 side by side).

Model numbers and roles are those of PROCESS v4 (Hayes 2022, appendix A): the
moderators are called W and Z (PROCESS 2 and pyprocessmacro call some of them
M, V or Q; see :data:`PROCESS2_ROLES`). PROCESS 2 numbered 76 templates; PROCESS
v3 dropped those with three or four moderators (23-27 and 30-57: W and Z on the
first stage, V and Q on the second) and added the moderated serial and hybrid
models 80-92; 77-79 were never used. Model 74 (X moderating its own M -> Y path)
is kept as PROCESS 3 defined it; PROCESS 4 replaced it by the ``xmint`` option of
model 4, whose regressions are the same. Numbers outside this table raise an
error saying which of these cases applies.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Template", "TEMPLATES", "PROCESS2_ROLES", "get_template"]

Mod = tuple[tuple[str, ...], ...]

_NONE: Mod = ()
_W: Mod = (("w",),)
_Z: Mod = (("z",),)
_WZ: Mod = (("w",), ("z",))
_W3Z: Mod = (("w",), ("z",), ("w", "z"))


#: Mediator structures -> (minimum, maximum) number of mediators (None: no maximum).
STRUCTURES: dict[str, tuple[int, int | None]] = {
    "none": (0, 0), "parallel": (1, None), "serial": (2, 6), "parallel-serial": (3, 6),
    "serial-parallel": (3, 6), "two-chains": (4, 4),
}


def structure_edges(structure: str, k: int) -> list[tuple[int, int]]:
    """Mediator -> mediator links ``(i, j)`` (0-based, ``i < j``) of a structure with ``k`` mediators."""
    if structure == "serial":
        return [(i, j) for j in range(k) for i in range(j)]
    if structure == "parallel-serial":
        return [(i, k - 1) for i in range(k - 1)]
    if structure == "serial-parallel":
        return [(0, j) for j in range(1, k)]
    if structure == "two-chains":
        return [(0, 1), (2, 3)]
    return []


@dataclass(frozen=True)
class Template:
    """One PROCESS model: mediator structure and the moderation of each path."""

    number: int
    mediators: str  # a key of STRUCTURES
    a: Mod = _NONE
    b: Mod = _NONE
    c: Mod = _NONE
    description: str = ""
    d: Mod = _NONE
    a_at: tuple[int, ...] | None = None  # mediators whose X -> M path is moderated (None: all)
    b_at: tuple[int, ...] | None = None  # mediators whose M -> Y path is moderated (None: all)
    n_mediators: tuple[int, int | None] | None = None  # overrides the structure's range

    @property
    def roles(self) -> frozenset[str]:
        """Moderator roles the template uses (subset of {"w", "z", "x"})."""
        return frozenset(r for mod in (self.a, self.b, self.c, self.d) for term in mod for r in term)

    @property
    def moderated(self) -> bool:
        return bool(self.roles)

    @property
    def mediator_range(self) -> tuple[int, int | None]:
        return self.n_mediators if self.n_mediators is not None else STRUCTURES[self.mediators]

    def path(self, name: str) -> Mod:
        return {"a": self.a, "b": self.b, "c": self.c, "d": self.d}[name]

    def generic_mediators(self) -> list[str]:
        """Generic mediator names for a diagram of the template: ``["M"]``, or ``M1..Mk`` for the
        smallest number of mediators the structure takes."""
        lo = self.mediator_range[0]
        return [] if lo == 0 else ["M"] if lo == 1 and self.mediators == "parallel" else [f"M{j + 1}" for j in
                                                                                              range(lo)]

    def arrows(self, k: int) -> list[tuple[str, str, str, Mod]]:
        """Every path of the model with ``k`` mediators as ``(path, source, target, moderation)``;
        sources and targets are ``"x"``, ``"y"`` and ``"m0"``..``"m{k-1}"`` (positions in ``m``),
        ``path`` is ``"a"``, ``"d"`` (mediator -> mediator), ``"b"`` or ``"c"``. The single source
        for drawing a template (:func:`csl_stats.plot_template` and conceptual DOT diagrams)."""
        out = [("a", "x", f"m{j}", self.a_moderated(j)) for j in range(k)]
        out += [("d", f"m{i}", f"m{j}", self.d) for i, j in structure_edges(self.mediators, k)]
        out += [("b", f"m{j}", "y", self.b_moderated(j)) for j in range(k)]
        out.append(("c", "x", "y", self.c))
        return out

    def a_moderated(self, j: int) -> Mod:
        """Moderation of X -> M_j."""
        return self.a if self.a_at is None or j in self.a_at else _NONE

    def b_moderated(self, j: int) -> Mod:
        """Moderation of M_j -> Y."""
        return self.b if self.b_at is None or j in self.b_at else _NONE


def _t(number: int, mediators: str, a: Mod = _NONE, b: Mod = _NONE, c: Mod = _NONE, d: str = "",
       d_mod: Mod = _NONE, **kw) -> Template:
    return Template(number, mediators, a, b, c, d, d=d_mod, **kw)


_P, _S, _N = "parallel", "serial", "none"
_X: Mod = (("x",),)
_S2 = {"n_mediators": (2, 2)}  # models 83-92: two mediators in series

#: PROCESS v4 model number -> template.
TEMPLATES: dict[int, Template] = {
    t.number: t
    for t in [
        _t(1, _N, c=_W, d="moderation of X -> Y by W"),
        _t(2, _N, c=_WZ, d="additive moderation of X -> Y by W and Z"),
        _t(3, _N, c=_W3Z, d="moderated moderation: X x W x Z on Y"),
        _t(4, _P, d="parallel mediation"),
        _t(5, _P, c=_W, d="parallel mediation, direct effect moderated by W"),
        _t(6, _S, d="serial mediation"),
        _t(7, _P, a=_W, d="first stage (a) moderated by W"),
        _t(8, _P, a=_W, c=_W, d="first stage and direct effect moderated by W"),
        _t(9, _P, a=_WZ, d="first stage moderated by W and Z (additive)"),
        _t(10, _P, a=_WZ, c=_WZ, d="first stage and direct effect moderated by W and Z (additive)"),
        _t(11, _P, a=_W3Z, d="first stage moderated by W x Z (three-way)"),
        _t(12, _P, a=_W3Z, c=_W3Z, d="first stage and direct effect moderated by W x Z (three-way)"),
        _t(13, _P, a=_W3Z, c=_W, d="first stage moderated by W x Z, direct effect by W"),
        _t(14, _P, b=_W, d="second stage (b) moderated by W"),
        _t(15, _P, b=_W, c=_W, d="second stage and direct effect moderated by W"),
        _t(16, _P, b=_WZ, d="second stage moderated by W and Z (additive)"),
        _t(17, _P, b=_WZ, c=_WZ, d="second stage and direct effect moderated by W and Z (additive)"),
        _t(18, _P, b=_W3Z, d="second stage moderated by W x Z (three-way)"),
        _t(19, _P, b=_W3Z, c=_W3Z, d="second stage and direct effect moderated by W x Z (three-way)"),
        _t(20, _P, b=_W3Z, c=_W, d="second stage moderated by W x Z, direct effect by W"),
        _t(21, _P, a=_W, b=_Z, d="first stage moderated by W, second stage by Z"),
        _t(22, _P, a=_W, b=_Z, c=_W, d="first stage and direct effect by W, second stage by Z"),
        _t(28, _P, a=_W, b=_Z, c=_Z, d="first stage by W, second stage and direct effect by Z"),
        _t(29, _P, a=_W, b=_Z, c=_WZ, d="first stage by W, second stage by Z, direct effect by both"),
        _t(58, _P, a=_W, b=_W, d="both stages moderated by W"),
        _t(59, _P, a=_W, b=_W, c=_W, d="both stages and direct effect moderated by W"),
        _t(60, _P, a=_WZ, b=_W, d="first stage by W and Z, second stage by W"),
        _t(61, _P, a=_WZ, b=_W, c=_W, d="first stage by W and Z, second stage and direct effect by W"),
        _t(62, _P, a=_WZ, b=_W, c=_Z, d="first stage by W and Z, second stage by W, direct effect by Z"),
        _t(63, _P, a=_WZ, b=_W, c=_WZ, d="first stage by W and Z, second stage by W, direct effect by both"),
        _t(64, _P, a=_W, b=_WZ, d="first stage by W, second stage by W and Z"),
        _t(65, _P, a=_W, b=_WZ, c=_W, d="first stage by W, second stage by W and Z, direct effect by W"),
        _t(66, _P, a=_W, b=_WZ, c=_Z, d="first stage by W, second stage by W and Z, direct effect by Z"),
        _t(67, _P, a=_W, b=_WZ, c=_WZ, d="first stage by W, second stage by W and Z, direct effect by both"),
        _t(68, _P, a=_W3Z, b=_W, d="first stage by W x Z (three-way), second stage by W"),
        _t(69, _P, a=_W3Z, b=_W, c=_W3Z, d="first stage and direct effect by W x Z, second stage by W"),
        _t(70, _P, a=_W, b=_W3Z, d="first stage by W, second stage by W x Z (three-way)"),
        _t(71, _P, a=_W, b=_W3Z, c=_W3Z, d="first stage by W, second stage and direct effect by W x Z"),
        _t(72, _P, a=_W3Z, b=_W3Z, d="both stages moderated by W x Z (three-way)"),
        _t(73, _P, a=_W3Z, b=_W3Z, c=_W3Z, d="both stages and direct effect moderated by W x Z"),
        _t(74, _P, b=_X, d="X moderates its own M -> Y path (PROCESS 3)"),
        _t(75, _P, a=_WZ, b=_WZ, d="both stages moderated by W and Z (additive)"),
        _t(76, _P, a=_WZ, b=_WZ, c=_WZ, d="both stages and direct effect moderated by W and Z (additive)"),
        _t(80, "parallel-serial", d="M1..Mk-1 in parallel, each feeding Mk (serial-parallel hybrid)"),
        _t(81, "serial-parallel", d="M1 feeding M2..Mk in parallel (serial-parallel hybrid)"),
        _t(82, "two-chains", d="two serial chains side by side: M1 -> M2 and M3 -> M4"),
        _t(83, _S, a=_W, a_at=(0,), **_S2, d="serial mediation, X -> M1 moderated by W"),
        _t(84, _S, a=_W, **_S2, d="serial mediation, X -> M1 and X -> M2 moderated by W"),
        _t(85, _S, a=_W, c=_W, **_S2, d="serial mediation, X -> M1, X -> M2 and X -> Y moderated by W"),
        _t(86, _S, a=_W, a_at=(0,), c=_W, **_S2, d="serial mediation, X -> M1 and X -> Y moderated by W"),
        _t(87, _S, b=_W, b_at=(1,), **_S2, d="serial mediation, M2 -> Y moderated by W"),
        _t(88, _S, b=_W, **_S2, d="serial mediation, M1 -> Y and M2 -> Y moderated by W"),
        _t(89, _S, b=_W, c=_W, **_S2, d="serial mediation, M1 -> Y, M2 -> Y and X -> Y moderated by W"),
        _t(90, _S, b=_W, b_at=(1,), c=_W, **_S2, d="serial mediation, M2 -> Y and X -> Y moderated by W"),
        _t(91, _S, d_mod=_W, **_S2, d="serial mediation, M1 -> M2 moderated by W"),
        _t(92, _S, a=_W, b=_W, c=_W, d_mod=_W, **_S2, d="serial mediation, every path moderated by W"),
    ]
}

#: Model numbers of PROCESS v3 and v4 (v4 retired 74, kept here as PROCESS 3 defined it).
V4_MODELS = frozenset([*range(1, 23), 28, 29, *range(58, 77), *range(80, 93)])
#: PROCESS 2 numbers dropped from PROCESS v3 on: three or four moderators (W, Z, V, Q).
PROCESS2_ONLY = frozenset([*range(23, 28), *range(30, 58)])

#: PROCESS 2 / pyprocessmacro name of each PROCESS v4 moderator role, where it differs.
PROCESS2_ROLES: dict[int, dict[str, str]] = {
    1: {"w": "m"},
    2: {"w": "m", "z": "w"},
    3: {"w": "m", "z": "w"},
    **{k: {"w": "v", "z": "q"} for k in range(14, 21)},
    **{k: {"z": "v"} for k in (21, 22, 28, 29, 64, 65, 66, 67, 70, 71)},
}


def get_template(model: int) -> Template:
    """The template of a PROCESS v4 model number (raises for unknown numbers)."""
    from .errors import ArgumentError, ArgumentTypeError

    if isinstance(model, bool) or not isinstance(model, int):
        raise ArgumentTypeError(f"model must be a PROCESS model number (int); got {type(model).__name__} {model!r}.")
    if model not in TEMPLATES:
        have = _ranges(sorted(TEMPLATES))
        if model in PROCESS2_ONLY:
            why = ("is a PROCESS 2 template with three or four moderators (W and Z on the first stage, "
                   "V and Q on the second) that PROCESS v3 and v4 dropped: they take at most two "
                   "moderators, W and Z")
        elif 1 <= model <= 92:
            why = "is not a PROCESS v4 model number (PROCESS never used 77-79)"
        else:
            why = "is not a PROCESS v4 model number (PROCESS v4 numbers its templates 1-92)"
        raise ArgumentError(f"model {model} {why}; available models are {have}.")
    return TEMPLATES[model]


def _ranges(nums: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    out, start = [], nums[0]
    for a, b in zip(nums, [*nums[1:], None], strict=True):
        if b != a + 1:
            out.append(f"{start}-{a}" if a != start else f"{a}")
            start = b
    return ", ".join(out)
