"""Why customers leave: shares of exit-interview reasons with intervals, by segment.

Lost-customer analysis asks the customers who left *why* they left. With a
few dozen exit interviews split by segment, a share such as "50 % left over
price" may rest on two answers; :func:`churn_reasons` therefore reports
every share with its count, its base and a confidence interval, and tests
whether the mix of reasons differs between groups; :func:`plot_churn_reasons`
draws shares with interval whiskers and prints the counts next to them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_int,
    check_label,
    check_probability,
    check_rng,
    stacklevel,
)
from .csat import _wilson
from .errors import ArgumentError, InsufficientDataError, MissingDataWarning

__all__ = ["ChurnReasonsResult", "churn_reasons", "plot_churn_reasons"]

CI_METHODS = ("wilson", "goodman")


@result_dataclass
class ChurnReasonsResult(Result):
    """Result of :func:`churn_reasons`.

    Attributes
    ----------
    shares : DataFrame
        One row per group (``"all"`` without ``by``) and reason: ``group``,
        ``reason``, ``count``, ``n`` (answers in the group), ``share``,
        ``ci_low``, ``ci_high``.
    test : DataFrame
        Test of association between group and reason (empty without ``by``):
        ``statistic`` (Pearson chi-square), ``df``, ``p`` (asymptotic),
        ``p_monte_carlo`` (permutation p-value, exact in expectation for
        small counts), ``min_expected``, ``share_expected_below_5``,
        ``cramers_v``.
    n_obs : int
        Answers used (rows with a reason and, with ``by``, a group).
    ci : float
    ci_method : str
    by : str or None
    """

    shares: pd.DataFrame
    test: pd.DataFrame
    n_obs: int
    ci: float
    ci_method: str
    by: Hashable | None = None

    _title = "Churn reasons"
    _frame = "shares"

    def counts(self) -> pd.DataFrame:
        """Cross-table of counts (groups as rows, reasons as columns)."""
        return self.shares.pivot(index="group", columns="reason", values="count").loc[
            list(dict.fromkeys(self.shares["group"])), list(dict.fromkeys(self.shares["reason"]))]


def churn_reasons(
    data: pd.DataFrame,
    reason: Hashable = "churn_reason",
    *,
    by: Hashable | None = None,
    ci: float = 0.95,
    ci_method: str = "wilson",
    n_resamples: int = 9999,
    rng: int | np.random.Generator | None = None,
) -> ChurnReasonsResult:
    """Shares of exit reasons with confidence intervals, overall or by group, and a test of association.

    Parameters
    ----------
    data : DataFrame
        One row per customer; rows without a reason (customers who did not
        leave, or did not answer) are ignored.
    reason : column name, default "churn_reason"
        The exit-interview reason (text or categorical).
    by : column name, optional
        Segment or satisfaction band to compare. Rows with a missing group
        are dropped (with a warning if they are more than 20 %).
    ci : float, default 0.95
    ci_method : {"wilson", "goodman"}, default "wilson"
        Wilson score interval for each share separately, or Goodman's
        simultaneous intervals for the whole set of shares of a group
        (Bonferroni-adjusted chi-square, so that all intervals of a group
        hold together with probability ``ci``).
    n_resamples : int, default 9999
        Permutations for the Monte Carlo p-value of the chi-square test (0 to skip).
    rng : int, Generator or None
        Seed of the permutations.

    Returns
    -------
    ChurnReasonsResult

    Raises
    ------
    InsufficientDataError
        No reason given at all, or fewer than two groups with answers.

    Notes
    -----
    Wilson: :math:`\\{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}\\}/(1 + z^2/n)`.
    Goodman (1965): the same form with :math:`z^2` replaced by the
    :math:`1 - (1-\\text{ci})/k` quantile of :math:`\\chi^2_1` for :math:`k`
    reasons. The asymptotic chi-square test is unreliable when expected
    counts are small (the usual rule: fewer than 20 % below 5); the Monte
    Carlo p-value permutes the group labels, keeping both margins, and
    does not need that rule.

    References
    ----------
    Goodman, L. A. (1965). On simultaneous confidence intervals for multinomial
    proportions. Technometrics, 7(2), 247-254.

    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. JASA, 22(158), 209-212.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> res = csl_stats.churn_reasons(survey)
    >>> res.shares[["reason", "count", "n", "share"]].head(2).round(3)
      reason  count    n  share
    0  price     27  115  0.235
    1  relationship     24  115  0.209
    """
    data = check_dataframe(data, unique_columns=False)
    reason = check_label(reason, "reason")
    by = None if by is None else check_label(by, "by")
    check_columns(data, [reason] + ([by] if by is not None else []), arg="columns")
    ci = check_probability(ci, "ci")
    check_choice(ci_method, "ci_method", CI_METHODS)
    n_resamples = check_int(n_resamples, "n_resamples", minimum=0)
    gen = check_rng(rng)  # checked even when no resampling runs (one rng policy)
    frame = data.loc[data[reason].notna(), [reason] + ([by] if by is not None else [])]
    if frame.empty:
        raise InsufficientDataError(f"column {reason!r} holds no reasons (all missing).")
    if by is not None:
        miss = frame[by].isna()
        if miss.mean() > 0.2:
            warnings.warn(f"{int(miss.sum())} of {len(frame)} answers ({miss.mean():.0%}) have no {by!r} and are "
                          "dropped.", MissingDataWarning, stacklevel=stacklevel())
        frame = frame.loc[~miss]
    reasons = frame[reason].value_counts(sort=True)
    order = list(reasons.index)  # most frequent first (ties: first seen)
    groups = ["all"] if by is None else _group_levels(frame[by])
    gcol = pd.Series("all", index=frame.index) if by is None else frame[by]
    k = len(order)
    z2 = stats.chi2.ppf(ci, 1) if ci_method == "wilson" else stats.chi2.ppf(1 - (1 - ci) / k, 1)
    z = math.sqrt(z2)
    rows = []
    for g in groups:
        sub = frame.loc[gcol == g, reason]
        n = len(sub)
        cnt = sub.value_counts()
        for r in order:
            x = int(cnt.get(r, 0))
            lo, hi = _wilson(x, n, z) if n else (float("nan"), float("nan"))
            rows.append({"group": g, "reason": r, "count": x, "n": n, "share": x / n if n else float("nan"),
                         "ci_low": lo, "ci_high": hi})
    shares = pd.DataFrame(rows)
    test = pd.DataFrame(columns=["statistic", "df", "p", "p_monte_carlo", "min_expected",
                                 "share_expected_below_5", "cramers_v"], dtype=float)
    if by is not None:
        if len(groups) < 2:
            raise InsufficientDataError(f"column {by!r} has answers in {len(groups)} group(s); need two to compare.")
        if k < 2:
            raise InsufficientDataError(f"column {reason!r} holds a single reason ({order[0]!r}); the test of "
                                        f"reasons by {by!r} needs at least two.")
        table = shares.pivot(index="group", columns="reason", values="count").loc[groups, order].to_numpy()
        chi2, p, df, expected = stats.chi2_contingency(table, correction=False)
        p_mc = float("nan")
        if n_resamples:
            gcodes = np.repeat(np.arange(len(groups)), table.sum(axis=1))
            rcodes = np.concatenate([np.repeat(np.arange(k), row) for row in table])
            exp_flat = expected
            hits = 0
            for _ in range(n_resamples):
                perm = gen.permutation(gcodes)
                tab = np.zeros_like(table)
                np.add.at(tab, (perm, rcodes), 1)
                hits += np.sum((tab - exp_flat) ** 2 / exp_flat) >= chi2 - 1e-9
            p_mc = (hits + 1) / (n_resamples + 1)
        n = table.sum()
        v = math.sqrt(chi2 / (n * (min(table.shape) - 1)))
        test = pd.DataFrame({"statistic": [chi2], "df": [int(df)], "p": [p], "p_monte_carlo": [p_mc],
                             "min_expected": [expected.min()], "share_expected_below_5": [(expected < 5).mean()],
                             "cramers_v": [v]}, index=pd.Index([f"{reason} x {by}"], name="test"))
    return ChurnReasonsResult(shares=shares, test=test, n_obs=len(frame), ci=ci, ci_method=ci_method, by=by)


def _group_levels(s: pd.Series) -> list[Any]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if (s == c).any()]
    return sorted(s.unique().tolist(), key=str)


def plot_churn_reasons(result: ChurnReasonsResult, *, ax: Any = None):
    """Dot chart of reason shares with interval whiskers, each labelled with its count ``k/n``.

    Groups are drawn side by side within each reason, so small groups show
    their wide intervals and small counts instead of a full-looking bar.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, ChurnReasonsResult):
        raise ArgumentError(f"result must be a ChurnReasonsResult; got {type(result).__name__}.")
    sh = result.shares
    reasons = list(dict.fromkeys(sh["reason"]))
    groups = list(dict.fromkeys(sh["group"]))
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 0.9 + 0.45 * len(reasons) * max(1, len(groups)) ** 0.6))
    else:
        fig = ax.figure
    step = 0.8 / len(groups)
    for j, g in enumerate(groups):
        sub = sh[sh["group"] == g].set_index("reason").loc[reasons]
        y = np.arange(len(reasons)) - 0.4 + step * (j + 0.5)
        err = np.vstack([sub["share"] - sub["ci_low"], sub["ci_high"] - sub["share"]])
        label = f"{g} (n = {int(sub['n'].iloc[0])})"
        ax.errorbar(sub["share"], y, xerr=err, fmt="o", capsize=3, label=label)
        for yy, (_, row) in zip(y, sub.iterrows(), strict=True):
            ax.text(row["ci_high"] + 0.01, yy, f"{int(row['count'])}/{int(row['n'])}", va="center", fontsize=8)
    ax.set_yticks(np.arange(len(reasons)), reasons)
    ax.invert_yaxis()
    ax.set_xlim(0, min(1.0, float(sh["ci_high"].max()) + 0.12))
    ax.set_xlabel(f"share of exit reasons ({result.ci:.0%} {result.ci_method} interval; labels: count/answers)")
    ax.grid(axis="x", alpha=0.3)
    if len(groups) > 1:
        ax.legend(fontsize=8, title=str(result.by), loc="lower right")
    fig.tight_layout()
    return fig
