"""PROCESS model templates as data (private).

A template says which paths of the conditional process model each moderator
touches; :mod:`csl_stats._process_engine` turns any template into equations,
product terms and effect formulas, so adding a model is one table entry.

Paths: ``a`` (X -> each mediator), ``b`` (each mediator -> Y), ``c`` (the direct
path X -> Y). A moderation is a tuple of *terms*, each term a tuple of
moderator roles: ``(("w",),)`` is moderation by W, ``(("w",), ("z",))`` additive
moderation by W and Z, and ``(("w",), ("z",), ("w", "z"))`` the three-way
interaction (moderated moderation) with all its lower-order terms. Every
equation also holds the moderators' lower-order terms (W, Z, W x Z) of the
paths that end in it, as PROCESS does.

Model numbers and roles are those of PROCESS v4 (Hayes 2022, appendix A): the
moderators are called W and Z (PROCESS 2 and pyprocessmacro call some of them
M, V or Q; see :data:`PROCESS2_ROLES`). Templates that PROCESS v4 offers but
that are not in this table (models 74 and 80-92: X as its own moderator,
serial-parallel hybrids and moderated serial chains) are rejected with an
error naming the models that are available.
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


@dataclass(frozen=True)
class Template:
    """One PROCESS model: mediator structure and the moderation of each path."""

    number: int
    mediators: str  # "none", "parallel" or "serial"
    a: Mod = _NONE
    b: Mod = _NONE
    c: Mod = _NONE
    description: str = ""

    @property
    def roles(self) -> frozenset[str]:
        """Moderator roles the template uses (subset of {"w", "z"})."""
        return frozenset(r for mod in (self.a, self.b, self.c) for term in mod for r in term)

    @property
    def moderated(self) -> bool:
        return bool(self.roles)

    def path(self, name: str) -> Mod:
        return {"a": self.a, "b": self.b, "c": self.c}[name]


def _t(number: int, mediators: str, a: Mod = _NONE, b: Mod = _NONE, c: Mod = _NONE, d: str = "") -> Template:
    return Template(number, mediators, a, b, c, d)


_P, _S, _N = "parallel", "serial", "none"

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
        _t(75, _P, a=_WZ, b=_WZ, d="both stages moderated by W and Z (additive)"),
        _t(76, _P, a=_WZ, b=_WZ, c=_WZ, d="both stages and direct effect moderated by W and Z (additive)"),
    ]
}

#: Model numbers that exist in PROCESS v4 (some are not in :data:`TEMPLATES`).
V4_MODELS = frozenset([*range(1, 23), 28, 29, *range(58, 77), *range(80, 93)])

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
        have = sorted(TEMPLATES)
        known = "is not a PROCESS v4 model" if model not in V4_MODELS else "is not available here"
        raise ArgumentError(
            f"model {model} {known}; available PROCESS models are {have} "
            "(PROCESS v4's models 74 and 80-92 are not implemented)."
        )
    return TEMPLATES[model]
