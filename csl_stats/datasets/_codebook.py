"""The machine-readable codebook (Frictionless Data Package) as a tidy table."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd

from .._validation import check_choice

__all__ = ["codebook", "datapackage"]


def datapackage() -> dict:
    """Return the packaged ``datapackage.json`` (Frictionless Data Package) as a dict."""
    ref = resources.files("csl_stats.datasets").joinpath("data", "datapackage.json")
    with ref.open("r", encoding="utf-8") as fh:
        return json.load(fh)


def codebook(resource: str = "supply_chain_survey") -> pd.DataFrame:
    """Return the codebook of a packaged data set as a tidy DataFrame.

    Parameters
    ----------
    resource : str, default "supply_chain_survey"
        Name of a resource in the packaged ``datapackage.json``.

    Returns
    -------
    pandas.DataFrame
        One row per column of the data set, in file order: ``name``,
        ``construct``, ``title`` (the question wording or a description),
        ``type``, ``minimum``, ``maximum`` (answer scale; NaN when not
        bounded), ``reverse_keyed`` (bool), ``scale`` (answer labels), and
        ``description``.

    Raises
    ------
    ArgumentError
        If ``resource`` is not in the data package.

    Examples
    --------
    >>> from csl_stats.datasets import codebook
    >>> cb = codebook()
    >>> cb.loc[cb["reverse_keyed"], "name"].tolist()
    ['srv4', 'loy4']
    """
    package = datapackage()
    names = [r["name"] for r in package["resources"]]
    check_choice(resource, "resource", names)
    fields = package["resources"][names.index(resource)]["schema"]["fields"]
    rows = []
    for f in fields:
        cons = f.get("constraints", {})
        rows.append({
            "name": f["name"],
            "construct": f.get("construct", ""),
            "title": f.get("title", ""),
            "type": f["type"],
            "minimum": cons.get("minimum", float("nan")),
            "maximum": cons.get("maximum", float("nan")),
            "reverse_keyed": bool(f.get("reverse_keyed", False)),
            "scale": f.get("scale", ""),
            "description": f.get("description", ""),
        })
    out = pd.DataFrame(rows)
    out["minimum"] = out["minimum"].astype("float64")
    out["maximum"] = out["maximum"].astype("float64")
    return out
