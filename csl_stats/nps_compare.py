"""Comparing Net Promoter Scores: a z test between two groups and a table by segment.

:func:`nps_test` tests the difference between two scores (independent
samples with the multinomial variances, or paired answers on the -1/0/+1
recodes); :func:`nps_by` gives the score and its interval for every segment.
The single-sample score and its intervals are in :mod:`csl_stats.net_promoter`.

Examples
--------
>>> res = nps_test([10, 9, 9, 8, 3, 10, 9], [5, 6, 9, 7, 8, 2, 10])
>>> print(f"{res.diff:.1f}")
71.4
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import (
    align_series,
    check_choice,
    check_columns,
    check_dataframe,
    check_flag,
    check_label,
    check_n_boot,
    check_numeric,
    check_probability,
    check_rng,
    check_scale,
    label_index,
)
from .errors import ArgumentError, ConstantError, InsufficientDataError
from .net_promoter import (
    _NAN_POLICIES,
    CI_METHODS,
    _as_vector,
    _category,
    _missing,
    _recommend,
    _trinomial_var,
    nps,
)

__all__ = ["NPSTestResult", "nps_by", "nps_test"]

# --------------------------------------------------------------------------- tests


@result_dataclass
class NPSTestResult(Result):
    """Difference between two Net Promoter Scores, with a z test.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group: ``n``, ``promoters``, ``detractors`` (shares).
        ``to_frame()`` adds each group's ``score``, derived from the shares.
    se : float
        Standard error of the difference, in NPS points.
    ci_level : float
    paired : bool
    """

    table: pd.DataFrame
    se: float
    ci_level: float
    paired: bool
    _title = "NPS difference test"

    @property
    def diff(self) -> float:
        """NPS of the first group minus that of the second, in points."""
        score = self.scores
        return float(score.iloc[0] - score.iloc[1])

    @property
    def scores(self) -> pd.Series:
        """NPS of each group, ``100 * (promoters - detractors)``."""
        return (100.0 * (self.table["promoters"] - self.table["detractors"])).rename("score")

    @property
    def z(self) -> float:
        """z statistic ``diff / se`` (0 when both are 0; +-inf when only se is 0)."""
        if self.se == 0:
            return 0.0 if self.diff == 0 else math.copysign(math.inf, self.diff)
        return self.diff / self.se

    @property
    def p_value(self) -> float:
        """Two-sided p-value from the standard normal distribution."""
        return float(2 * stats.norm.sf(abs(self.z)))

    @property
    def ci(self) -> tuple[float, float]:
        """Wald interval of the difference, in NPS points."""
        h = float(stats.norm.ppf(0.5 + self.ci_level / 2)) * self.se
        return (self.diff - h, self.diff + h)

    def _header(self) -> str:
        lo, hi = self.ci
        return (
            f"diff={self.diff:.4g}, se={self.se:.4g}, z={self.z:.4g}, p_value={self.p_value:.4g}, "
            f"ci=({lo:.4g}, {hi:.4g}), paired={self.paired}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group: n, promoter and detractor shares, and the NPS."""
        return self.table.assign(score=self.scores)

    def summary(self) -> pd.DataFrame:
        """One row: difference, SE, z, p-value and interval."""
        lo, hi = self.ci
        return pd.DataFrame(
            {"diff": [self.diff], "se": [self.se], "z": [self.z], "p_value": [self.p_value],
             "ci_low": [lo], "ci_high": [hi]},
            index=pd.Index([" - ".join(map(str, self.table.index))]),
        )


MIN_GROUP = 5
"""Least number of valid answers per group (complete pairs when paired) for :func:`nps_test`."""


def _check_pair_labels(labels: Any) -> tuple[Hashable, Hashable]:
    if isinstance(labels, str) or not isinstance(labels, list | tuple) or len(labels) != 2:
        raise ArgumentError(f"labels must be a pair such as ('before', 'after'); got {labels!r}.")
    for lab in labels:
        check_label(lab, "labels")
    if labels[0] == labels[1]:
        raise ArgumentError(f"labels must be two different labels (they name the rows of the table); got {labels!r}.")
    return labels[0], labels[1]


def nps_test(
    a: Any,
    b: Any,
    *,
    paired: bool = False,
    ci: float = 0.95,
    labels: tuple[Hashable, Hashable] = ("a", "b"),
    nan_policy: str = "listwise",
) -> NPSTestResult:
    """Test the difference between two Net Promoter Scores.

    Parameters
    ----------
    a, b : Series, 1-D array or list
        0-10 recommend answers of the two groups (independent samples), or of
        the same respondents at two moments (``paired=True``: two Series are
        paired on their index, arrays and lists by position).
    paired : bool, default False
        Paired design (same respondents answered twice). Must be a bool.
    ci : float, default 0.95
        Level of the interval for the difference.
    labels : pair of labels, default ("a", "b")
        Row labels of the per-group table.
    nan_policy : {"listwise", "raise"}
        Missing answers are dropped (a pair is dropped if either is missing).

    Returns
    -------
    NPSTestResult
        ``diff`` (NPS of ``a`` minus NPS of ``b``), ``se``, ``z``,
        ``p_value`` (two-sided), ``ci``, and ``table`` (per group).

    Raises
    ------
    ScaleError, NonNumericError
        As in :func:`nps`.
    InsufficientDataError
        Fewer than ``MIN_GROUP`` = 5 valid answers in a group (complete pairs
        when paired): the normal approximation of the z test needs more (its
        type I error is already 5.8-6.7 % with 30 answers per group, see Notes).
    ConstantError
        The standard error is 0 (every answer of each group in one category):
        the z statistic would be infinite or undefined.
    AlignmentError
        ``paired=True`` with two Series whose index labels differ.
    ArgumentError
        ``paired=True`` with samples of different length.
    ArgumentTypeError
        ``paired`` is not a bool.

    Notes
    -----
    With recodes :math:`r \\in \\{-1, 0, +1\\}`:

    - independent samples: :math:`z = (\\widehat{NPS}_a - \\widehat{NPS}_b) /
      \\sqrt{v_a / n_a + v_b / n_b}` with the multinomial variances
      :math:`v = \\hat p + \\hat d - (\\hat p - \\hat d)^2` (unpooled);
    - paired samples: :math:`\\delta_i = r_{ai} - r_{bi}`,
      :math:`z = \\bar\\delta / (s_\\delta / \\sqrt n)` with the sample SD
      :math:`s_\\delta`.

    The p-value and the Wald interval use the standard normal. Type I error
    at the 5 % level (``benchmarks/sim_nps.py``, 2,000 samples per cell,
    Monte Carlo SE 0.5 points; mixes (0.3, 0.3) and (0.7, 0.1)):
    independent test 6.7 and 5.8 % with n = 30 per group, 5.7 and 5.5 % with
    n = 100, 5.3 and 4.6 % with n = 300 (slightly liberal in small groups);
    paired test 5.8 and 5.0 % (n = 30), 4.2 and 4.6 % (n = 100), 5.2 and
    5.2 % (n = 300).

    Examples
    --------
    >>> res = nps_test([10, 9, 9, 8, 3, 10, 9], [5, 6, 9, 7, 8, 2, 10])
    >>> print(f"{res.diff:.1f} {res.p_value:.3f}")
    71.4 0.088
    """
    check_choice(nan_policy, "nan_policy", _NAN_POLICIES)
    ci = check_probability(ci, "ci")
    paired = check_flag(paired, "paired")
    labels = _check_pair_labels(labels)
    if paired:
        if isinstance(a, pd.Series) and isinstance(b, pd.Series):
            a, b = align_series(a, b, names=["a", "b"])
        sa, sb = _as_vector(a, "a"), _as_vector(b, "b")
        if sa.size != sb.size:
            raise ArgumentError(
                f"paired=True needs one answer per respondent in both samples; got {sa.size} and {sb.size}."
            )
        _missing(sa, "a", nan_policy)
        _missing(sb, "b", nan_policy)
        keep = (sa.notna() & sb.notna()).to_numpy()
        xa = _recommend(sa[keep], "a", nan_policy)
        xb = _recommend(sb[keep], "b", nan_policy)
        if xa.size < MIN_GROUP:
            raise InsufficientDataError(
                f"at least {MIN_GROUP} complete pairs are needed for the z test; found {xa.size}."
            )
        ra, rb = _category(xa), _category(xb)
        delta = ra - rb
        se = float(np.std(delta, ddof=1) / math.sqrt(delta.size))
    else:
        ra = _category(_recommend(a, "a", nan_policy))
        rb = _category(_recommend(b, "b", nan_policy))
        small = {lab: r.size for lab, r in zip(labels, (ra, rb), strict=True) if r.size < MIN_GROUP}
        if small:
            raise InsufficientDataError(
                f"at least {MIN_GROUP} valid answers per group are needed for the z test; "
                + ", ".join(f"group {k!r} has {v}" for k, v in small.items())
                + ". Report the scores with nps() instead."
            )
        va = _trinomial_var(float(np.mean(ra == 1)), float(np.mean(ra == -1)))
        vb = _trinomial_var(float(np.mean(rb == 1)), float(np.mean(rb == -1)))
        se = math.sqrt(va / ra.size + vb / rb.size)
    if se == 0:
        raise ConstantError(
            "every answer of each group falls in one category (promoter, passive or detractor) "
            + ("in both samples, so the paired differences do not vary" if paired else "")
            + "; the standard error is 0 and the z test is undefined. Report the two scores with nps() instead."
        )
    table = pd.DataFrame(
        {
            "n": [ra.size, rb.size],
            "promoters": [float(np.mean(ra == 1)), float(np.mean(rb == 1))],
            "detractors": [float(np.mean(ra == -1)), float(np.mean(rb == -1))],
        },
        index=pd.Index(list(labels), name="group"),
    )
    return NPSTestResult(table=table, se=100.0 * se, ci_level=ci, paired=bool(paired))


def nps_by(
    data: pd.DataFrame,
    score: Hashable,
    by: Hashable | Sequence[Hashable],
    *,
    weights: Hashable | None = None,
    ci: float = 0.95,
    ci_method: str = "adjusted_wald",
    n_boot: int = 2000,
    rng: int | np.random.Generator | None = None,
    nan_policy: str = "listwise",
) -> pd.DataFrame:
    """Net Promoter Score with intervals for every segment.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey data (not modified).
    score : str
        Column with the 0-10 recommend answers.
    by : str or list of str
        Segment column(s), e.g. ``"industry"`` or ``["industry", "size"]``.
        Rows with a missing segment are left out.
    weights : str, optional
        Column of survey weights.
    ci, ci_method, n_boot, rng, nan_policy
        As in :func:`nps` (one generator is shared by the segments).

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``n``, ``promoters``, ``passives``,
        ``detractors``, ``score``, ``se``, ``ci_low``, ``ci_high``.

    Raises
    ------
    ColumnNotFoundError
        ``score``, ``by`` or ``weights`` is not a column.
    ArgumentError
        The same column given as ``score``, a segment or ``weights``.
    ScaleError
        Answers off the 0-10 scale.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"rec": [10, 9, 3, 8, 9, 6, 10, 2], "seg": list("aaaabbbb")})
    >>> nps_by(df, "rec", "seg")["score"].tolist()
    [25.0, 0.0]
    """
    data = check_dataframe(data, unique_columns=False)
    check_choice(ci_method, "ci_method", CI_METHODS)
    check_n_boot(n_boot)
    gen = check_rng(rng)
    (score_col,) = check_columns(data, check_label(score, "score"), arg="score")
    by_cols = check_columns(data, by, arg="by")
    if score_col in by_cols:
        raise ArgumentError(f"score column {score_col!r} cannot also be a segment column.")
    cols = [score_col, *by_cols]
    if weights is not None:
        (wcol,) = check_columns(data, weights, arg="weights")
        if wcol in cols:
            raise ArgumentError(f"weights column {wcol!r} cannot also be the score or a segment column.")
        cols.append(wcol)
    # validate the whole column once so the error names every bad answer
    _missing(_as_vector(data[score_col], score_col), score_col, nan_policy)
    check_scale(check_numeric(data, [score_col], booleans=False, expected="0-10 answers"), (0, 10), integer=True)
    rows = []
    keys = []
    for key, grp in data[cols].groupby(by_cols if len(by_cols) > 1 else by_cols[0], sort=True, dropna=True,
                                       observed=True):
        valid = grp[score_col].notna()
        if not valid.any():
            continue
        res = nps(
            grp[score_col],
            weights=None if weights is None else grp[wcol],
            ci=ci,
            ci_method=ci_method,
            n_boot=n_boot,
            rng=gen,
            nan_policy=nan_policy,
        )
        keys.append(key)
        rows.append(res.summary().iloc[0])
    if not rows:
        raise InsufficientDataError(f"no segment of {by_cols} has a valid {score_col!r} answer.")
    out = pd.DataFrame(rows)
    if len(by_cols) > 1:
        out.index = pd.MultiIndex.from_tuples(keys, names=by_cols)
    else:
        out.index = label_index(keys, name=by_cols[0])
    out["n"] = out["n"].astype(int)
    return out
