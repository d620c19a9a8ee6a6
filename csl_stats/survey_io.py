"""Read survey exports (SPSS, Stata, Qualtrics CSV) with their labels, and write SPSS files.

:func:`read_survey` turns a raw export into analysis-ready data and a codebook
in the same form as :func:`csl_stats.codebook` (Frictionless-compatible:
``name``, ``construct``, ``title``, ``type``, ``minimum``, ``maximum``,
``reverse_keyed``, ``scale``, ``description``). Codes declared missing (SPSS
user-missing values and ranges, or ``missing_codes=``) become NaN and are
counted in :attr:`SurveyData.missing`, never silently dropped. Answers exported
as text (``"Strongly agree"``) are mapped to numbers through the file's value
labels or a ``likert=`` mapping; text that matches part of the mapping only is
refused, naming the column and the values.

:func:`write_sav` is the inverse for SPSS: it writes a DataFrame and its
codebook (question wording as variable labels, the ``scale`` text as value
labels, integer vs decimal formats) so that ``read_survey`` gives both back.

pyreadstat is needed for ``.sav``/``.dta`` files (``pip install "csl-stats[io]"``);
Qualtrics and plain CSV files need nothing beyond pandas.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import check_choice, check_dataframe, check_labels, preview, warn
from .errors import ArgumentError, ArgumentTypeError, ColumnNotFoundError, DataError, InconsistencyWarning

__all__ = ["SurveyData", "read_survey", "write_sav"]

CODEBOOK_COLUMNS = (
    "name", "construct", "title", "type", "minimum", "maximum", "reverse_keyed", "scale", "description",
)
#: Columns Qualtrics adds to every export (they describe the response, not the respondent's answers).
QUALTRICS_METADATA = (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
)
#: pandas' default NA spellings other than the empty cell: text answers in a CSV export, missing values only in
#: an otherwise numeric column.
CSV_NA_TOKENS = frozenset(["#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                           "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"])
_SCALE_ITEM = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*=\s*(.+?)\s*$")


@result_dataclass
class SurveyData(Result):
    """Survey data read from an export, with its codebook and missing-value report.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per respondent; declared missing codes are NaN, answers given
        as text are numbers, string variables stay strings.
    codebook : pandas.DataFrame
        One row per column of ``data``, in the form of :func:`csl_stats.codebook`.
    missing : pandas.DataFrame
        One row per (column, code) turned into NaN: ``column``, ``code``,
        ``label`` (the value label, if any) and ``n`` (how many values).
    value_labels : dict
        ``{column: {code: label}}`` as read from the file or the mapping.
    source : str
        ``"spss"``, ``"stata"``, ``"qualtrics"``, ``"csv"`` or ``"datapackage"``.
    file : str
        The file name (without its directory).
    n_rows, n_columns : int
        Size of ``data``.
    n_recoded_missing : int
        Number of values turned into NaN because they were declared missing.
    """

    data: pd.DataFrame = dataclasses.field(repr=False)
    codebook: pd.DataFrame = dataclasses.field(repr=False)
    missing: pd.DataFrame = dataclasses.field(repr=False)
    value_labels: dict = dataclasses.field(repr=False)
    source: str
    file: str
    n_rows: int
    n_columns: int
    n_recoded_missing: int

    _title = "Survey data"
    _frame = "codebook"

    def to_datapackage(self, folder: str | Path, *, name: str = "survey", title: str = "") -> dict:
        """Write the data and the codebook as a Frictionless Tabular Data Package.

        ``folder/<name>.csv`` holds the data (missing values as empty cells,
        timestamps in ISO 8601) and ``folder/datapackage.json`` the codebook as
        a Table Schema, in the form of the package's own ``datapackage.json``:
        each field has ``name``, ``type``, ``title``, ``construct``,
        ``reverse_keyed``, ``scale``, ``description`` (when not empty) and
        ``constraints`` (``minimum``/``maximum`` when known). The missing
        codes that were turned into NaN are listed in the resource's
        ``description``. Packages written from the supply-chain survey (via
        SPSS) and from a Qualtrics export pass ``frictionless.validate``
        (frictionless 5.21, checked by hand; it is not a dependency).

        Parameters
        ----------
        folder : str or pathlib.Path
            An existing directory.
        name : str, default "survey"
            Resource name (lower-case letters, digits, ``-``, ``_``, ``.``) and CSV file stem.
        title : str, optional
            Resource title.

        Returns
        -------
        dict
            The data package descriptor written to ``datapackage.json``.

        Examples
        --------
        >>> import json, pathlib, tempfile
        >>> import pandas as pd
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = write_sav(pd.DataFrame({"sat": [1, 7, -99]}), pathlib.Path(tmp, "s.sav"),
        ...                   missing_codes={"sat": [-99]})
        ...     pkg = read_survey(f).to_datapackage(tmp)
        ...     on_disk = json.loads(pathlib.Path(tmp, "datapackage.json").read_text())
        >>> on_disk == pkg, pkg["resources"][0]["schema"]["fields"][0]["type"]
        (True, 'integer')
        """
        folder = Path(folder) if isinstance(folder, str | Path) else folder
        if not isinstance(folder, Path):
            raise ArgumentTypeError(f"folder must be a str or pathlib.Path; got {type(folder).__name__}.")
        if not folder.is_dir():
            raise ArgumentError(f"folder must be an existing directory; {str(folder)!r} is not.")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9._-]+", name):
            raise ArgumentError(f"name must use lower-case letters, digits, '-', '_' or '.' (Frictionless); got {name!r}.")
        fields = []
        for _, row in self.codebook.iterrows():
            f: dict[str, Any] = {"name": str(row["name"]), "type": row["type"], "title": row["title"],
                                 "construct": row["construct"], "reverse_keyed": bool(row["reverse_keyed"]),
                                 "scale": row["scale"], "description": row["description"]}
            f = {k: v for k, v in f.items() if k in ("name", "type", "reverse_keyed") or v}
            cons = {k: _plain(float(row[k])) for k in ("minimum", "maximum") if np.isfinite(row[k])}
            if cons:
                f["constraints"] = cons
            fields.append(f)
        codes = "; ".join(f"{x['column']}: {x['code']}" + (f" ({x['label']})" if x["label"] else "") + f" x {x['n']}"
                          for _, x in self.missing.iterrows())
        desc = f"Read from {self.file} ({self.source}) by csl_stats.read_survey."
        if codes:
            desc += f" Declared missing codes turned into empty cells: {codes}."
        resource = {"profile": "tabular-data-resource", "name": name, "path": f"{name}.csv",
                    **({"title": title} if title else {}), "description": desc, "format": "csv",
                    "mediatype": "text/csv", "encoding": "utf-8",
                    "schema": {"fields": fields, "missingValues": [""]}}
        package = {"profile": "tabular-data-package", "name": name, "resources": [resource]}
        out = self.data.copy()
        types = dict(zip(self.codebook["name"], self.codebook["type"], strict=True))
        for col in out.columns:
            if types.get(col) == "integer" and pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].astype("Int64")  # whole numbers with gaps: "4", not "4.0"
            elif pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].map(lambda t: t.isoformat() if pd.notna(t) else None)
        out.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        (folder / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
        return package

    def summary(self) -> pd.DataFrame:
        """Codebook with the number of valid answers and of values declared missing per column."""
        out = self.codebook[["name", "construct", "title", "type", "minimum", "maximum", "reverse_keyed"]].copy()
        out["n_valid"] = [int(self.data[c].notna().sum()) for c in out["name"]]
        coded = self.missing.groupby("column")["n"].sum() if len(self.missing) else pd.Series(dtype="int64")
        out["n_missing_coded"] = [int(coded.get(c, 0)) for c in out["name"]]
        return out


# ---------------------------------------------------------------------------
# helpers


def parse_scale(text: str) -> dict[float, str]:
    """Parse a codebook ``scale`` string (``"1 = strongly disagree, 2 = disagree"``) into labels.

    Pairs are separated by ``", "`` or, for end-point labels, ``" ... "``.
    Returns an empty dict when the text does not list ``code = label`` pairs.

    Examples
    --------
    >>> parse_scale("1 = yes (churned), 0 = no")
    {1: 'yes (churned)', 0: 'no'}
    >>> parse_scale("0 = not at all likely ... 10 = extremely likely")
    {0: 'not at all likely', 10: 'extremely likely'}
    >>> parse_scale("")
    {}
    """
    if not isinstance(text, str) or "=" not in text:
        return {}
    out: dict[float, str] = {}
    for part in re.split(r"(?:,|\s\.\.\.)\s*(?=-?\d+(?:\.\d+)?\s*=)", text):
        m = _SCALE_ITEM.match(part)
        if m is None:
            return {}
        code = float(m.group(1))
        out[int(code) if code.is_integer() else code] = m.group(2)
    return out


def _format_scale(labels: Mapping[Any, str]) -> str:
    """Inverse of :func:`parse_scale`: ``{1: "no", 2: "yes"}`` -> ``"1 = no, 2 = yes"``.

    Neighbouring codes are joined by ``", "``, codes with unlabelled codes between
    them (end-point labels) by ``" ... "``.
    """
    parts: list[str] = []
    prev: Any = None
    for k, v in labels.items():
        if parts:
            num = all(isinstance(c, int | float | np.number) for c in (k, prev))
            parts.append(" ... " if num and abs(float(k) - float(prev)) > 1 else ", ")
        parts.append(f"{_fmt_code(k)} = {v}")
        prev = k
    return "".join(parts)


def _fmt_code(k: Any) -> str:
    if isinstance(k, float | np.floating) and float(k).is_integer():
        return str(int(k))
    return str(k)


def _pyreadstat() -> Any:
    try:
        import pyreadstat
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'Reading and writing SPSS/Stata files needs pyreadstat: pip install "csl-stats[io]"'
        ) from exc
    return pyreadstat


def _check_path(path: Any) -> Path:
    if not isinstance(path, str | Path):
        raise ArgumentTypeError(f"path must be a str or pathlib.Path; got {type(path).__name__}.")
    p = Path(path)
    if not p.is_file():
        raise ArgumentError(f"path must be an existing file; {str(p)!r} was not found.")
    return p


def _is_whole(values: pd.Series) -> bool:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(v) == 0 or np.all(np.isfinite(v)) and np.all(v == np.round(v)))


def _codes_for(missing_codes: Any, columns: list[Hashable]) -> dict[Hashable, list[Any]]:
    """Normalise ``missing_codes`` to ``{column: [codes]}``."""
    if missing_codes is None:
        return {}
    if isinstance(missing_codes, Mapping):
        out = {}
        for col, codes in missing_codes.items():
            if col not in columns:
                raise ColumnNotFoundError(
                    f"missing_codes names column {col!r}, which is not in the file; columns are {preview(columns)}."
                )
            out[col] = _code_list(codes, f"missing_codes[{col!r}]")
        return out
    codes = _code_list(missing_codes, "missing_codes")
    return {c: codes for c in columns}


def _code_list(codes: Any, name: str) -> list[Any]:
    if isinstance(codes, str | int | float | np.number) and not isinstance(codes, bool):
        return [codes]
    if isinstance(codes, list | tuple | np.ndarray | pd.Index):
        out = list(codes)
        for c in out:
            if isinstance(c, bool) or not isinstance(c, str | int | float | np.number):
                raise ArgumentTypeError(f"{name} must hold numbers or strings; got {type(c).__name__} {c!r}.")
        return out
    raise ArgumentTypeError(
        f"{name} must be a code, a list of codes or a dict {{column: codes}}; got {type(codes).__name__}."
    )


def _matches(values: pd.Series, code: Any) -> pd.Series:
    """Element-wise ``values == code`` that compares numbers to numbers and text to text (stripped)."""
    if isinstance(code, str):  # compare the (few) distinct answers, then select their rows
        target = code.strip().casefold()
        hits = [u for u in pd.unique(values.dropna()) if isinstance(u, str) and u.strip().casefold() == target]
        return values.isin(hits)
    num = pd.to_numeric(values, errors="coerce")
    return num == float(code)


# ---------------------------------------------------------------------------
# readers: each returns (frame, titles, value_labels, missing_rules, types, source)


def _read_spss_or_stata(path: Path, kind: str) -> tuple[pd.DataFrame, dict, dict, dict, dict]:
    prs = _pyreadstat()
    if kind == "spss":
        frame, meta = prs.read_sav(str(path), user_missing=True, dates_as_pandas_datetime=True)
    else:
        frame, meta = prs.read_dta(str(path), user_missing=True, dates_as_pandas_datetime=True)
    titles = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names), strict=True))
    labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    rules: dict[Hashable, list[Any]] = {}
    for col, ranges in (meta.missing_ranges or {}).items():
        rules[col] = [(r["lo"], r["hi"]) for r in ranges]
    for col, codes in (getattr(meta, "missing_user_values", None) or {}).items():
        rules.setdefault(col, []).extend((c, c) for c in codes)
    types: dict[Hashable, str] = {}
    for col in meta.column_names:
        rtype = meta.readstat_variable_types.get(col, "double")
        fmt = str(meta.original_variable_types.get(col, ""))
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            types[col] = "datetime"  # SPSS DATE/DATETIME and Stata %td/%tc formats
        elif rtype == "string":
            types[col] = "string"
            # SPSS and Stata have no missing value for text: an empty string is "no answer".
            blank = frame[col].astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
            if blank.any():
                frame.loc[blank, col] = np.nan
        elif kind == "spss":
            m = re.match(r"^[A-Z]+\d+\.(\d+)$", fmt)
            decimals = int(m.group(1)) if m else None
            types[col] = "integer" if decimals == 0 or (decimals is None and _is_whole(frame[col])) else "number"
        else:
            whole = rtype in ("int8", "int16", "int32") or _is_whole(frame[col])
            types[col] = "integer" if whole else "number"
    return frame, titles, labels, rules, types


#: Metadata fields of Qualtrics' legacy exports, whose first header row names them V1, V2, ...
QUALTRICS_LEGACY_METADATA = (
    "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
    "StartDate", "EndDate", "Finished", "LocationAccuracy",
)
_QUALTRICS_DATES = ("StartDate", "EndDate", "RecordedDate")


def _squash(text: Any) -> str:
    """``"Response ID"``, ``"ResponseId"``, ``"response_id"`` -> ``"responseid"``."""
    return re.sub(r"[\s_]", "", str(text)).casefold()


def _sniff(path: Path) -> tuple[str, str]:
    """Encoding and delimiter of a CSV/TSV export (Qualtrics' TSV exports are UTF-16 with tabs)."""
    with path.open("rb") as fh:
        start = fh.read(4)
    encoding = "utf-16" if start.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            first = fh.readline()
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name} is neither UTF-8 nor UTF-16 text: {exc}. Re-export it as UTF-8 CSV.") from None
    tabs = path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",")
    return encoding, "\t" if tabs else ","


def _qualtrics_layout(head: pd.DataFrame) -> str:
    """Which Qualtrics header a CSV has: ``"importid"`` (three rows), ``"two_rows"`` (legacy) or ``""`` (none).

    Three rows: names, question text, ``{"ImportId": ...}`` JSON (exports since 2016). Two rows: names
    (``V1``, ``V2``, ... for the metadata of the legacy format, or the current names with the "legacy
    export" option), then question text, recognised by the response-ID column whose second row is its
    label (``ResponseID``/``Response ID``) instead of an ID such as ``R_1a2B``.
    """
    if len(head) >= 3 and any(str(v).lstrip().startswith('{"ImportId"') for v in head.iloc[2]):
        return "importid"
    if len(head) >= 2:
        for name, label in zip(head.iloc[0], head.iloc[1], strict=True):
            if _squash(name) in ("responseid", "v1") and _squash(label) == "responseid":
                return "two_rows"
    return ""


def _read_csv(path: Path, kind: str) -> tuple[pd.DataFrame, dict, dict[Hashable, str], str]:
    """Read a plain or Qualtrics CSV. Returns (frame, titles, descriptions, source)."""
    encoding, sep = _sniff(path)
    head = pd.read_csv(path, header=None, nrows=3, dtype=str, keep_default_na=False, encoding=encoding, sep=sep)
    layout = _qualtrics_layout(head)
    if kind == "qualtrics" and not layout:
        found = ", ".join(repr(str(v))[:40] for v in head.iloc[min(2, len(head) - 1), :3]) if len(head) else "no rows"
        raise DataError(
            f"{path.name} is not a Qualtrics export: expected a third header row of ImportId JSON such as "
            '{"ImportId":"QID1"} (current exports) or a second header row labelling the response-ID column '
            f"'ResponseID' (legacy exports); found {found}."
        )
    if kind == "qualtrics" or (kind == "auto" and layout):
        names = [str(v) for v in head.iloc[0]]
        labels = [str(v) for v in head.iloc[1]]
        descriptions: dict[Hashable, str] = {}
        if layout == "importid":
            for name, cell in zip(names, head.iloc[2], strict=True):
                try:
                    import_id = str(json.loads(cell).get("ImportId", ""))
                except (json.JSONDecodeError, AttributeError) as exc:
                    raise DataError(
                        f"{path.name}: the ImportId row of column {name!r} is not JSON: {cell!r}."
                    ) from exc
                if import_id:
                    descriptions[name] = f"Qualtrics ImportId {import_id}"
        frame = pd.read_csv(path, skiprows=[1, 2] if layout == "importid" else [1], encoding=encoding, sep=sep,
                            low_memory=False, keep_default_na=False, na_values=[""])
        titles = dict(zip(names, labels, strict=True))
        if layout == "two_rows":  # legacy V1..V10: named by their label (V1 -> ResponseID)
            rename = {n: lab.strip() for n, lab in zip(names, labels, strict=True)
                      if re.fullmatch(r"V\d+", n) and lab.strip() in QUALTRICS_LEGACY_METADATA
                      and lab.strip() not in names}
            if len(set(rename.values())) == len(rename):
                frame = frame.rename(columns=rename)
                for old, new in rename.items():
                    titles[new] = titles.pop(old)
                    descriptions[new] = f"Qualtrics legacy export column {old}"
        for col in _QUALTRICS_DATES:
            if col in frame.columns and (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
                stamps = pd.to_datetime(frame[col], errors="coerce", format="mixed")
                if stamps.notna().sum() == frame[col].notna().sum():
                    frame[col] = stamps
        return frame, titles, descriptions, "qualtrics"
    frame = pd.read_csv(path, encoding=encoding, sep=sep, low_memory=False, keep_default_na=False, na_values=[""])
    return frame, {}, {}, "csv"


def _read_datapackage(path: Path, resource: str | None) -> tuple[pd.DataFrame, dict, dict, dict, dict, pd.DataFrame]:
    """Read one tabular resource of a Frictionless Data Package (``datapackage.json``) and its Table Schema."""
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path.name} is not a JSON data package descriptor: {exc}.") from None
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list) or not resources:
        raise DataError(f"{path.name} has no 'resources' list; expected a Frictionless Data Package descriptor.")
    names = [str(r.get("name", "")) for r in resources]
    if resource is None:
        if len(resources) > 1:
            raise ArgumentError(f"{path.name} holds {len(resources)} resources {names}; pass resource=<name>.")
        res = resources[0]
    else:
        if resource not in names:
            raise ArgumentError(f"resource must be one of {names} (the resources of {path.name}); got {resource!r}.")
        res = resources[names.index(resource)]
    rel = res.get("path")
    if not isinstance(rel, str) or "://" in rel:
        raise DataError(f"resource {res.get('name')!r} of {path.name} must have a local file 'path'; got {rel!r}.")
    schema = res.get("schema", {})
    fields = schema.get("fields", []) if isinstance(schema, dict) else []
    mvs = [str(v) for v in schema.get("missingValues", [""])] if isinstance(schema, dict) else [""]
    text = [f["name"] for f in fields if f.get("type", "string") not in ("integer", "number", "boolean")]
    frame = pd.read_csv(path.parent / rel, encoding=res.get("encoding", "utf-8"), keep_default_na=False,
                        na_values=[""] if "" in mvs else [], dtype={c: "str" for c in text}, low_memory=False)
    known = [f["name"] for f in fields]
    if known and list(frame.columns) != known:
        raise DataError(f"{rel} has columns {preview(list(frame.columns))}, but its schema lists {preview(known)}.")
    titles, labels, rules, types, rows = {}, {}, {}, {}, []
    for f in fields:
        name, ftype = f["name"], f.get("type", "string")
        if ftype in ("datetime", "date"):
            frame[name] = pd.to_datetime(frame[name], errors="raise")
        types[name] = "datetime" if ftype == "date" else ftype if ftype in ("integer", "number", "datetime") else "string"
        titles[name] = f.get("title", "")
        scale = parse_scale(f.get("scale", ""))
        if scale and types[name] in ("integer", "number"):
            labels[name] = {float(k): v for k, v in scale.items()}
        codes = []
        for mv in mvs:
            if mv == "":
                continue
            try:
                num = float(mv)
            except ValueError:
                num = None
            if types[name] in ("integer", "number") and num is not None:
                codes.append((num, num))
            elif types[name] == "string":
                codes.append((mv, mv))
        if codes:
            rules[name] = codes
        cons = f.get("constraints", {}) or {}
        rows.append({"name": name, "construct": f.get("construct", ""), "title": f.get("title", ""),
                     "type": ftype, "minimum": cons.get("minimum", math.nan),
                     "maximum": cons.get("maximum", math.nan), "reverse_keyed": bool(f.get("reverse_keyed", False)),
                     "scale": f.get("scale", ""), "description": f.get("description", "")})
    return frame, titles, labels, rules, types, pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


# ---------------------------------------------------------------------------


def read_survey(
    path: str | Path,
    *,
    codebook: pd.DataFrame | None = None,
    missing_codes: Any = None,
    likert: Mapping[str, float] | None = None,
    reverse_keyed: Any = None,
    format: str = "auto",
    resource: str | None = None,
) -> SurveyData:
    """Read a survey export with its labels: SPSS ``.sav``, Stata ``.dta``, Qualtrics or plain CSV, data package.

    Parameters
    ----------
    path : str or pathlib.Path
        The file. The format follows the extension (``.sav``/``.zsav``,
        ``.dta``, ``.csv``/``.tsv``) unless ``format`` is given. A CSV (or
        Qualtrics' UTF-16 TSV) with a Qualtrics header is read as a Qualtrics
        export: three header rows (names, question text, ``{"ImportId": ...}``
        JSON) or the two rows of legacy exports (names, question text), see
        Notes.
    codebook : DataFrame, optional
        A codebook in the form of :func:`csl_stats.codebook` (at least a
        ``name`` column). Its non-empty entries (construct, question wording,
        scale, reverse keying, description, bounds) take precedence over what
        the file says; columns it does not list keep the file's metadata.
        Names it lists that the file lacks raise
        :class:`~csl_stats.errors.ColumnNotFoundError`. Its ``scale`` labels
        (``"1 = strongly disagree, ..."``) also map text answers of columns
        the file gives no value labels (a CSV export of choice text).
    missing_codes : code, list of codes or dict {column: codes}, optional
        Values that mean "no answer" (``-99``, ``"Don't know"``), for every
        column or per column. Numbers match numbers, text matches text
        (case and surrounding spaces ignored); a text code also matches the
        numeric codes that carry it as value label in a column (``8 = "Don't
        know"``), reported under the number. SPSS user-missing values and
        ranges and Stata extended missing values (``.a``-``.z``) declared in
        the file are always applied.
    likert : dict {text: number}, optional
        Mapping for answers exported as text (``{"Strongly disagree": 1, ...}``),
        matched ignoring case and surrounding spaces. It is applied to every
        text column whose answers it covers completely; a text column with
        some answers in the mapping and others not raises
        :class:`~csl_stats.errors.DataError` naming them. Without it, text
        columns whose answers are all value labels of that column are mapped
        back to the labels' codes.
    reverse_keyed : label or list of labels, optional
        Items that are reverse-keyed (agreement means less of the construct).
        They are marked in the codebook; the data keep the raw answers
        (reverse-code before scoring, as with the packaged survey).
    format : {"auto", "spss", "stata", "qualtrics", "csv", "datapackage"}
        Force a reader instead of guessing from the extension (``.json``:
        a Frictionless Data Package descriptor, ``datapackage.json``).
    resource : str, optional
        For a data package with several resources: the name of the one to
        read (the package's Table Schema is its codebook: types, question
        wording, constructs, bounds, reverse keying, answer labels; its
        ``missingValues`` other than the empty cell are applied like
        ``missing_codes`` and reported). :meth:`SurveyData.to_datapackage`
        writes such a package.

    Returns
    -------
    SurveyData
        ``data`` (missing codes as NaN), ``codebook``, ``missing`` (what was
        turned into NaN, per column and code), ``value_labels``.

    Raises
    ------
    ArgumentError, ArgumentTypeError
        Bad arguments (unknown format, a file that does not exist).
    ColumnNotFoundError
        ``codebook``, ``missing_codes`` or ``reverse_keyed`` name a column the
        file lacks.
    DataError
        A text column only partly covered by ``likert``; a malformed
        Qualtrics header.

    Warns
    -----
    InconsistencyWarning
        Numeric answers outside a column's answer scale (the codebook's
        ``minimum`` to ``maximum``, from the value labels or the given
        codebook) that were not declared missing, e.g. an undeclared
        ``9 = "no answer"`` or ``-99``: they would be analysed as scores.
        The data are left as read; declare them in ``missing_codes=``.

    Notes
    -----
    The codebook's ``type`` is ``"string"`` for text, ``"datetime"`` for SPSS
    date/time formats and Stata ``%td``/``%tc`` variables (read as pandas
    timestamps), ``"integer"`` for numeric
    variables whose SPSS format has no decimals (Stata: byte/int/long, or
    whole numbers only in float/double variables; CSV: whole numbers only) and ``"number"`` otherwise. ``minimum``/``maximum`` are
    the smallest and largest labelled codes (the answer scale), NaN for
    unlabelled variables; ``scale`` lists the value labels as
    ``"1 = strongly disagree, 2 = disagree, ..."``. Labels of codes declared
    missing (``-99 = refused``) are left out of ``scale``, ``minimum`` and
    ``maximum``; they stay in ``value_labels`` and label the rows of ``missing``. Qualtrics' own metadata
    columns (``StartDate``, ``ResponseId``, ...) get the construct
    ``"metadata"``; the ImportId of each question is kept in ``description``.

    Qualtrics header layouts: current exports have three header rows (the
    third holds ImportId JSON), whether the answers are exported as choice
    text (map them with ``likert=`` or ``codebook=``) or as numeric values.
    Legacy exports, and current ones with the "legacy export" option, have
    two: names and question text; they are recognised by the response-ID
    column (``ResponseID``, ``ResponseId`` or the legacy ``V1``) whose second
    row is its label rather than an ID. The legacy format names its metadata
    ``V1``-``V10``; those columns are renamed to their labels (``V1`` ->
    ``ResponseID``, ``V8`` -> ``StartDate``; the old name is kept in
    ``description``). ``StartDate``, ``EndDate`` and ``RecordedDate`` are
    read as timestamps. TSV exports (UTF-16, tab-separated) are read like CSV.
    In CSV files only empty cells are missing: the spellings pandas would read
    as missing (``"NA"``, ``"None"``, ``"null"``, ...) stay text answers (a
    "None" choice, the country code NA), except in an otherwise numeric
    column, where they become NaN and are reported in ``missing``.
    SPSS and Stata store no missing value for text: empty strings in string
    variables are read as NaN.

    References
    ----------
    Frictionless Data. Table Schema. https://specs.frictionlessdata.io/table-schema/

    IBM SPSS Statistics: defining missing values (discrete values and ranges).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> rows = ["Q1,Q2", "How satisfied?,Comment", '{"ImportId":"QID1"},{"ImportId":"QID2_TEXT"}',
    ...         "Agree,fine", "Strongly agree,", "-99,late"]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp, "export.csv")
    ...     _ = f.write_text("\\n".join(rows))
    ...     s = read_survey(f, missing_codes=-99, likert={"Agree": 4, "Strongly agree": 5})
    >>> s.data["Q1"].tolist()
    [4.0, 5.0, nan]
    >>> s.missing[["column", "code", "n"]].to_dict("records")
    [{'column': 'Q1', 'code': -99, 'n': 1}]
    """
    p = _check_path(path)
    check_choice(format, "format", ["auto", "spss", "stata", "qualtrics", "csv", "datapackage"])
    if resource is not None and not isinstance(resource, str):
        raise ArgumentTypeError(f"resource must be a resource name (str); got {type(resource).__name__}.")
    kind = format
    if kind == "auto":
        ext = p.suffix.lower()
        kind = {".sav": "spss", ".zsav": "spss", ".dta": "stata", ".csv": "auto", ".tsv": "auto",
                ".txt": "auto", ".json": "datapackage"}.get(ext, "")
        if not kind:
            raise ArgumentError(
                f"cannot tell the format of {p.name!r} from its extension; expected .sav, .zsav, .dta, .csv, .tsv or "
                "datapackage.json, or pass format='spss', 'stata', 'qualtrics', 'csv' or 'datapackage'."
            )
    descriptions: dict[Hashable, str] = {}
    package_cb = None
    if resource is not None and kind != "datapackage":
        raise ArgumentError(f"resource= applies to data packages (datapackage.json); {p.name} is read as {kind}.")
    if kind in ("spss", "stata"):
        frame, titles, labels, rules, types = _read_spss_or_stata(p, kind)
        source = kind
    elif kind == "datapackage":
        frame, titles, labels, rules, types, package_cb = _read_datapackage(p, resource)
        source = "datapackage"
    else:
        frame, titles, descriptions, source = _read_csv(p, kind)
        labels, rules, types = {}, {}, {}
    frame = frame.copy()
    columns = list(frame.columns)
    check_dataframe(frame, name=p.name, unique_columns=True)

    # 0. a declared codebook's answer labels serve to map text answers (CSV exports of choice text)
    if codebook is not None and isinstance(codebook, pd.DataFrame) and {"name", "scale"} <= set(codebook.columns):
        for name, scale in zip(codebook["name"], codebook["scale"], strict=True):
            if name in frame.columns and not labels.get(name) and parse_scale(scale):
                labels[name] = {float(k): v for k, v in parse_scale(scale).items()}

    # 1. declared missing codes -> NaN (counted)
    missing_rows: list[dict[str, Any]] = []
    is_missing_code: dict[Hashable, list[tuple[Any, Any]]] = {c: list(r) for c, r in rules.items()}
    declared = _codes_for(missing_codes, columns)
    for col, codes in declared.items():
        # a text code ("Don't know") also names the numeric codes it labels in this column (8 = "Don't know")
        texts = {c.strip().casefold() for c in codes if isinstance(c, str)}
        labelled = [k for k, v in labels.get(col, {}).items()
                    if not isinstance(k, str) and isinstance(v, str) and v.strip().casefold() in texts]
        declared[col] = list(codes) + [k for k in labelled if k not in codes]
        is_missing_code.setdefault(col, []).extend((c, c) for c in declared[col])
    for col, ranges in rules.items():
        num = pd.to_numeric(frame[col], errors="coerce") if types.get(col) != "string" else None
        for lo, hi in ranges:
            if num is not None and not isinstance(lo, str):
                hit = (num >= lo) & (num <= hi)
            else:
                hit = frame[col].astype("object") == lo
            code: Any = _plain(lo) if lo == hi else f"{_fmt_code(lo)} thru {_fmt_code(hi)}"
            _record(frame, col, hit, code, labels.get(col, {}).get(lo, ""), missing_rows)
    for col, codes in declared.items():
        for code in codes:
            hit = _matches(frame[col], code)
            _record(frame, col, hit, _plain(code), labels.get(col, {}).get(code, ""), missing_rows)
    if source in ("spss", "stata"):
        for col in columns:  # Stata's .a-.z codes leave numeric columns as objects until replaced
            if types[col] in ("integer", "number") and frame[col].dtype == object:
                frame[col] = pd.to_numeric(frame[col], errors="raise").astype("float64")
                if source == "stata":
                    types[col] = "integer" if _is_whole(frame[col]) else "number"

    # 2. answers exported as text -> numbers
    mapping = _check_likert(likert)
    for col in columns:
        if not (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            continue
        present = frame[col].dropna()
        if len(present) == 0:
            continue
        if not mapping and not labels.get(col) and source not in ("qualtrics", "csv"):
            continue  # a string variable of an SPSS/Stata file without labels stays text
        # normalise each distinct answer once (case, surrounding spaces), then map the rows through it
        norm = {u: str(u).strip().casefold() for u in pd.unique(present)}
        keys = present.map(norm).astype(object)
        if mapping:
            known = keys.isin(list(mapping))
            if known.all():
                frame[col] = frame[col].map({u: mapping[k] for u, k in norm.items()}).astype("float64")
                labels.setdefault(col, {float(v): k for k, v in _likert_labels(likert).items()})
                types[col] = "integer" if _is_whole(frame[col]) else "number"
                continue
            if known.any():
                raise DataError(
                    f"column {col!r} has answers in the likert mapping and answers that are not: "
                    f"{preview(present[~known.to_numpy()])}; add them to likert= or declare them in "
                    "missing_codes=."
                )
        if col in labels and labels[col]:
            back = {str(v).strip().casefold(): k for k, v in labels[col].items()}
            if keys.isin(list(back)).all():
                frame[col] = frame[col].map({u: back[k] for u, k in norm.items()}).astype("float64")
                types[col] = "integer" if _is_whole(frame[col]) else "number"
                continue
        if source in ("qualtrics", "csv"):
            # only empty cells are read as missing (an answer "None", the country "NA" stay text); in an
            # otherwise numeric column the usual NA spellings (an R export's "NA") are missing, and reported
            token = present.map(lambda u: isinstance(u, str) and u.strip() in CSV_NA_TOKENS).astype(bool)
            rest = present[~token.to_numpy()]
            if token.any() and len(rest) and pd.to_numeric(rest, errors="coerce").notna().all():
                for tok in sorted({u.strip() for u in present[token.to_numpy()]}):
                    hit = frame[col].map(lambda u, tok=tok: isinstance(u, str) and u.strip() == tok).astype(bool)
                    _record(frame, col, hit, tok, "not a number in a numeric column", missing_rows)
                present = frame[col].dropna()
            num = pd.to_numeric(present, errors="coerce")
            if num.notna().all():
                frame[col] = pd.to_numeric(frame[col])

    for col in columns:
        if col not in types:
            s = frame[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                types[col] = "datetime"
            elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                types[col] = "integer" if _is_whole(s) else "number"
            else:
                types[col] = "string"

    # 3. codebook from the file, then the caller's codebook on top
    rows = []
    for col in columns:
        # the answer scale: value labels except those of codes declared missing (reported in .missing)
        lab = {k: v for k, v in labels.get(col, {}).items() if not _declared(k, is_missing_code.get(col, []))}
        codes = [k for k in lab if isinstance(k, int | float | np.number) and not isinstance(k, bool)]
        meta = col in QUALTRICS_METADATA or col in QUALTRICS_LEGACY_METADATA
        construct = "metadata" if source == "qualtrics" and meta else ""
        desc = descriptions.get(col, "")
        rows.append({
            "name": col,
            "construct": construct,
            "title": titles.get(col) or "",
            "type": types[col],
            "minimum": float(min(codes)) if codes else math.nan,
            "maximum": float(max(codes)) if codes else math.nan,
            "reverse_keyed": False,
            "scale": _format_scale(lab) if lab else "",
            "description": desc,
        })
    cb = pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))
    if package_cb is not None:  # the Table Schema is the codebook (constructs, bounds, reverse keying, notes)
        cb = _overlay(cb, package_cb)
    if codebook is not None:
        cb = _overlay(cb, codebook)
    if reverse_keyed is not None:
        rk = check_labels(reverse_keyed, "reverse_keyed", columns=columns)
        absent = [c for c in rk if c not in columns]
        if absent:
            raise ColumnNotFoundError(
                f"reverse_keyed names {preview(absent)}, not in the file; columns are {preview(columns)}."
            )
        cb.loc[cb["name"].isin(rk), "reverse_keyed"] = True
    cb["minimum"] = cb["minimum"].astype("float64")
    cb["maximum"] = cb["maximum"].astype("float64")
    cb["reverse_keyed"] = cb["reverse_keyed"].astype(bool)
    for col in columns:
        if types[col] == "integer" and frame[col].notna().all() and pd.api.types.is_float_dtype(frame[col]):
            frame[col] = frame[col].astype("int64")

    _warn_outside_scale(frame, cb)
    missing = pd.DataFrame(missing_rows, columns=["column", "code", "label", "n"])
    missing["n"] = missing["n"].astype("int64")
    return SurveyData(
        data=frame,
        codebook=cb,
        missing=missing,
        value_labels={k: dict(v) for k, v in labels.items() if v},
        source=source,
        file=p.name,
        n_rows=len(frame),
        n_columns=frame.shape[1],
        n_recoded_missing=int(missing["n"].sum()),
    )


def _warn_outside_scale(frame: pd.DataFrame, cb: pd.DataFrame) -> None:
    """Warn about numeric answers outside a column's answer scale (codebook minimum to maximum) that were not
    declared missing: undeclared codes such as 9 = "no answer" or -99 would otherwise be analysed as scores."""
    for _, row in cb.iterrows():
        col, lo, hi = row["name"], row["minimum"], row["maximum"]
        s = frame[col]
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) or not pd.api.types.is_numeric_dtype(s) \
                or pd.api.types.is_bool_dtype(s):
            continue
        out = s[(s < lo) | (s > hi)]
        if len(out):
            counts = out.value_counts().sort_index()
            listed = ", ".join(f"{_fmt_code(k)} ({n} {'row' if n == 1 else 'rows'})" for k, n in counts.items())
            codes = ", ".join(_fmt_code(k) for k in counts.index)
            warn(
                f"column {col!r} holds values outside its answer scale {_fmt_code(lo)} to {_fmt_code(hi)} that are "
                f"not declared missing: {listed}. If they are missing-value codes, pass "
                f"missing_codes={{{col!r}: [{codes}]}}; otherwise correct the codebook's minimum/maximum.",
                InconsistencyWarning,
            )


def _declared(code: Any, ranges: list[tuple[Any, Any]]) -> bool:
    """Whether a labelled code is one of the declared missing codes or inside a declared range."""
    for lo, hi in ranges:
        if isinstance(code, str) or isinstance(lo, str):
            if str(code).strip().casefold() == str(lo).strip().casefold():
                return True
        elif lo <= code <= hi:
            return True
    return False


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _record(frame: pd.DataFrame, col: Hashable, hit: pd.Series, code: Any, label: str, rows: list) -> None:
    hit = hit.fillna(False).astype(bool)
    n = int(hit.sum())
    if n:
        frame.loc[hit, col] = np.nan
        rows.append({"column": col, "code": code, "label": label, "n": n})


def _check_likert(likert: Any) -> dict[str, float]:
    if likert is None:
        return {}
    if not isinstance(likert, Mapping):
        raise ArgumentTypeError(f"likert must be a dict {{answer text: number}}; got {type(likert).__name__}.")
    out: dict[str, float] = {}
    for k, v in likert.items():
        if not isinstance(k, str):
            raise ArgumentTypeError(f"likert keys must be answer texts (str); got {type(k).__name__} {k!r}.")
        if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not np.isfinite(v):
            raise ArgumentTypeError(f"likert[{k!r}] must be a finite number; got {v!r}.")
        out[k.strip().casefold()] = float(v)
    return out


def _likert_labels(likert: Mapping[str, float]) -> dict[str, float]:
    return dict(sorted(likert.items(), key=lambda kv: kv[1]))


def _overlay(cb: pd.DataFrame, given: Any) -> pd.DataFrame:
    given = check_dataframe(given, name="codebook")
    if "name" not in given.columns:
        raise ColumnNotFoundError(f"codebook must have a 'name' column; found {preview(given.columns)}.")
    unknown = [c for c in given.columns if c not in CODEBOOK_COLUMNS]
    if unknown:
        raise ArgumentError(
            f"codebook has columns {preview(unknown)} that are not codebook fields {list(CODEBOOK_COLUMNS)}."
        )
    absent = [n for n in given["name"] if n not in set(cb["name"])]
    if absent:
        raise ColumnNotFoundError(f"codebook lists {preview(absent)}, which are not columns of the file.")
    out = cb.set_index("name")
    for _, row in given.iterrows():
        for field in given.columns:
            if field == "name":
                continue
            v = row[field]
            empty = v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v == "")
            if not empty:
                out.loc[row["name"], field] = v
    return out.reset_index()


def write_sav(data: pd.DataFrame, path: str | Path, *, codebook: pd.DataFrame | None = None,
              missing_codes: Mapping[Hashable, Iterable[float]] | None = None) -> Path:
    """Write a DataFrame to an SPSS ``.sav`` file with the codebook's labels.

    Parameters
    ----------
    data : DataFrame
        The data (not modified).
    path : str or pathlib.Path
        Where to write (``.sav``).
    codebook : DataFrame, optional
        In the form of :func:`csl_stats.codebook`: ``title`` becomes the
        variable label, a ``scale`` text listing ``code = label`` pairs the
        value labels, ``type`` "integer" an ``F8.0`` format.
    missing_codes : dict {column: codes}, optional
        Codes SPSS should treat as user-missing in each column (the values
        must already be in the data, e.g. -99): numbers for numeric columns,
        text (``"NA"``) for string columns; at most three per column (an
        SPSS limit).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ColumnNotFoundError
        ``missing_codes`` names a column the data lack.
    ArgumentTypeError
        A text code for a numeric column or a number for a string column.
    DataError
        Names or values SPSS cannot store (reported by pyreadstat).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> df = pd.DataFrame({"sat": [1, 7, -99]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = write_sav(df, pathlib.Path(tmp, "s.sav"), missing_codes={"sat": [-99]})
    ...     read_survey(f).data["sat"].tolist()
    [1.0, 7.0, nan]
    """
    prs = _pyreadstat()
    data = check_dataframe(data)
    if not isinstance(path, str | Path):
        raise ArgumentTypeError(f"path must be a str or pathlib.Path; got {type(path).__name__}.")
    not_text = [c for c in data.columns if not isinstance(c, str)]
    if not_text:
        raise DataError(
            f"SPSS variable names must be text; column label(s) {preview(not_text)} are not. Rename them first, "
            "e.g. data.columns = ['_'.join(map(str, c)) for c in data.columns] for two-level labels."
        )
    labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    formats: dict[str, str] = {}
    if codebook is not None:
        codebook = check_dataframe(codebook, name="codebook")
        for _, row in codebook.iterrows():
            name = row["name"]
            if name not in data.columns:
                continue
            if isinstance(row.get("title"), str) and row["title"]:
                labels[name] = row["title"]
            scale = parse_scale(row.get("scale", ""))
            if scale and pd.api.types.is_numeric_dtype(data[name]):
                value_labels[name] = {float(k): v for k, v in scale.items()}
            if row.get("type") == "integer" and pd.api.types.is_numeric_dtype(data[name]):
                formats[name] = "F8.0"
            elif row.get("type") == "number":
                formats[name] = "F12.4"
    ranges = None
    if missing_codes is not None:
        if not isinstance(missing_codes, Mapping):
            raise ArgumentTypeError(f"missing_codes must map column names to lists of codes, e.g. "
                                    f"{{'sat1': [-99]}}; got {type(missing_codes).__name__} {missing_codes!r}.")
        ranges = {}
        for c, codes in missing_codes.items():
            if c not in data.columns:
                raise ColumnNotFoundError(
                    f"missing_codes names column {c!r}, which is not in the data; columns are {preview(data.columns)}."
                )
            codes = _code_list(codes if isinstance(codes, str) else list(codes), f"missing_codes[{c!r}]")
            numeric = pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])
            wrong = [v for v in codes if isinstance(v, str) == numeric]
            if wrong:
                kind = "numeric" if numeric else "text"
                raise ArgumentTypeError(
                    f"missing_codes[{c!r}] must hold {'numbers' if numeric else 'text codes'} for the {kind} column "
                    f"{c!r}; got {preview(wrong)}."
                )
            # SPSS: discrete user-missing values, numbers for numeric variables and text for string variables
            ranges[c] = [float(v) for v in codes] if numeric else [str(v) for v in codes]
    frame = data.copy()
    for col in frame.columns:
        if pd.api.types.is_integer_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("float64")
            formats.setdefault(col, "F8.0")
    try:
        prs.write_sav(
            frame, str(path),
            column_labels={c: labels[c] for c in frame.columns if c in labels} or None,
            variable_value_labels=value_labels or None,
            missing_ranges=ranges,
            variable_format=formats or None,
        )
    except prs.PyreadstatError as exc:  # e.g. a name SPSS does not allow ('1st item', 'q 1')
        raise DataError(f"cannot write {str(path)!r} as SPSS: {exc}") from None
    return Path(path)
