"""read_survey / write_sav: SPSS, Stata and Qualtrics exports with labels and missing codes."""

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError, ColumnNotFoundError, DataError
from csl_stats.survey_io import parse_scale, read_survey, write_sav

pyreadstat = pytest.importorskip("pyreadstat")

AGREE = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neutral", 4.0: "Agree", 5.0: "Strongly agree"}


def test_package_survey_round_trip_through_sav(tmp_path):
    """The committed survey written as .sav reads back as the same numbers, labels and codebook."""
    df = csl_stats.load_supply_chain_survey()
    cb = csl_stats.codebook()
    before = df.copy()
    f = write_sav(df, tmp_path / "survey.sav", codebook=cb)
    pd.testing.assert_frame_equal(df, before)  # caller's data untouched
    s = read_survey(f)
    pd.testing.assert_frame_equal(s.data, df)  # same values AND dtypes (int64, float64, str)
    # what an SPSS file stores: question wording, type, answer labels, labelled bounds
    for field in ("name", "title", "type", "scale"):
        assert s.codebook[field].tolist() == cb[field].tolist(), field
    labelled = cb["scale"] != ""
    np.testing.assert_array_equal(s.codebook.loc[labelled, "minimum"], cb.loc[labelled, "minimum"])
    np.testing.assert_array_equal(s.codebook.loc[labelled, "maximum"], cb.loc[labelled, "maximum"])
    assert s.codebook.loc[~labelled, "minimum"].isna().all()
    # what SPSS cannot store (constructs, reverse keying, notes, bounds of unlabelled variables)
    # comes from a declared codebook; then the whole codebook is the committed one
    extra = cb[["name", "construct", "reverse_keyed", "description", "minimum", "maximum"]]
    full = read_survey(f, codebook=extra)
    pd.testing.assert_frame_equal(full.codebook, cb)
    assert full.n_recoded_missing == 0 and len(full.missing) == 0
    assert full.summary().loc[full.summary()["name"] == "churn_reason", "n_valid"].item() == 115


def _spss_file(tmp_path):
    df = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "sat": [5.0, 4.0, -99.0, 1.0, 9.0, 2.0],
        "trust": [4.0, -8.0, 3.0, -1.0, 5.0, 5.0],
        "comment": ["ok", "", "late", "", "fine", "slow"],
        "spend": [10.5, 3.25, 0.0, 7.0, 8.75, 1.0],
    })
    f = tmp_path / "s.sav"
    pyreadstat.write_sav(
        df, str(f),
        column_labels={"sat": "Overall satisfaction", "trust": "We trust them", "comment": "Comments"},
        variable_value_labels={"sat": {**AGREE, 9.0: "Don't know", -99.0: "Refused"}, "trust": AGREE},
        missing_ranges={"sat": [-99.0, 9.0], "trust": [{"lo": -9.0, "hi": -1.0}]},
        variable_format={"sat": "F8.0", "trust": "F8.0", "spend": "F8.2"},
    )
    return f


def test_spss_user_missing_values_and_ranges_become_nan_and_are_reported(tmp_path):
    s = read_survey(_spss_file(tmp_path))
    assert s.source == "spss" and s.file == "s.sav"
    np.testing.assert_array_equal(s.data["sat"], [5, 4, np.nan, 1, np.nan, 2])
    np.testing.assert_array_equal(s.data["trust"], [4, np.nan, 3, np.nan, 5, 5])
    rep = s.missing.set_index(["column", "code"])["n"].to_dict()
    assert rep == {("sat", -99): 1, ("sat", 9): 1, ("trust", "-9 thru -1"): 2}
    assert s.missing.set_index(["column", "code"]).loc[("sat", 9), "label"] == "Don't know"
    assert s.n_recoded_missing == 4
    # string variable: text kept, empty answers are missing
    assert s.data["comment"][0] == "ok" and s.data["comment"][2] == "late"
    assert s.data["comment"].isna().sum() == 2
    cb = s.codebook.set_index("name")
    assert cb.loc["sat", "title"] == "Overall satisfaction"
    assert cb.loc["sat", "type"] == "integer" and cb.loc["spend", "type"] == "number"
    assert cb.loc["comment", "type"] == "string" and cb.loc["id", "type"] == "string"
    assert cb.loc["trust", "scale"] == (
        "1 = Strongly disagree, 2 = Disagree, 3 = Neutral, 4 = Agree, 5 = Strongly agree"
    )
    assert (cb.loc["trust", "minimum"], cb.loc["trust", "maximum"]) == (1.0, 5.0)
    # labels of the declared missing codes (-99 refused, 9 don't know) are not part of the answer scale
    assert (cb.loc["sat", "minimum"], cb.loc["sat", "maximum"]) == (1.0, 5.0)
    assert "Refused" not in cb.loc["sat", "scale"] and s.value_labels["sat"][-99.0] == "Refused"
    assert s.value_labels["trust"][5.0] == "Strongly agree"


def test_missing_codes_argument_per_column_and_global(tmp_path):
    f = tmp_path / "x.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0, -99.0, 3.0], "b": [-99.0, 2.0, 98.0]}), str(f))
    s = read_survey(f, missing_codes=-99)
    assert s.data.isna().sum().tolist() == [1, 1]
    s = read_survey(f, missing_codes={"b": [98, -99]})
    assert s.data["a"].tolist() == [1, -99, 3]
    assert s.missing[["column", "code", "n"]].to_dict("records") == [
        {"column": "b", "code": 98, "n": 1}, {"column": "b", "code": -99, "n": 1}]
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        read_survey(f, missing_codes={"zz": [-99]})


def test_stata_file_with_labels_and_strings(tmp_path):
    df = pd.DataFrame({"q1": [1, 2, 5, 4], "region": ["north", "south", "", "east"], "w": [0.5, 1.5, 1.0, 2.0]})
    f = tmp_path / "s.dta"
    pyreadstat.write_dta(df, str(f), column_labels=["Question one", "Region", "Weight"],
                         variable_value_labels={"q1": {1: "Strongly disagree", 5: "Strongly agree"}})
    s = read_survey(f, reverse_keyed="q1")
    assert s.source == "stata"
    assert s.data["q1"].tolist() == [1, 2, 5, 4]
    assert s.data["region"].isna().tolist() == [False, False, True, False]
    cb = s.codebook.set_index("name")
    assert cb.loc["q1", "title"] == "Question one"
    assert cb.loc["q1", "scale"] == "1 = Strongly disagree ... 5 = Strongly agree"
    assert cb.loc["q1", "reverse_keyed"] and not cb.loc["w", "reverse_keyed"]
    assert cb["type"].tolist() == ["integer", "string", "number"]


def _qualtrics(tmp_path):
    """A Qualtrics-format export: names, question text, ImportId JSON, then answers (all cells quoted)."""
    rows = [
        ["StartDate", "ResponseId", "Finished", "Q1_1", "Q1_2", "Q2", "Q3"],
        ["Start Date", "Response ID", "Finished", "Delivery - They deliver on time", "Delivery - Hard to reach",
         "How likely to recommend? (0-10)", "Comments"],
        ['{"ImportId":"startDate","timeZone":"Europe/Berlin"}', '{"ImportId":"_recordId"}',
         '{"ImportId":"finished"}', '{"ImportId":"QID1_1"}', '{"ImportId":"QID1_2"}', '{"ImportId":"QID2"}',
         '{"ImportId":"QID3_TEXT"}'],
        ["2026-11-02 09:00:00", "R_1", "1", "Agree", "Strongly disagree", "9", "fast, friendly"],
        ["2026-11-02 10:00:00", "R_2", "1", "strongly agree ", "Disagree", "-99", ""],
        ["2026-11-03 11:30:00", "R_3", "1", "Don't know", "Agree", "10", "late"],
    ]
    f = tmp_path / "export.csv"
    with f.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows(rows)
    return f


LIKERT = {"Strongly disagree": 1, "Disagree": 2, "Neither": 3, "Agree": 4, "Strongly agree": 5}


def test_qualtrics_export_three_header_rows_text_answers_and_codes(tmp_path):
    s = read_survey(_qualtrics(tmp_path), likert=LIKERT, missing_codes=[-99, "Don't know"],
                    reverse_keyed=["Q1_2"])
    assert s.source == "qualtrics" and s.n_rows == 3
    np.testing.assert_array_equal(s.data["Q1_1"], [4, 5, np.nan])
    np.testing.assert_array_equal(s.data["Q1_2"], [1, 2, 4])
    np.testing.assert_array_equal(s.data["Q2"], [9, np.nan, 10])
    assert s.data["Q3"].tolist()[0] == "fast, friendly"
    rep = s.missing.set_index(["column", "code"])["n"].to_dict()
    assert rep == {("Q2", -99): 1, ("Q1_1", "Don't know"): 1}
    cb = s.codebook.set_index("name")
    assert cb.loc["Q1_1", "title"] == "Delivery - They deliver on time"
    assert cb.loc["Q1_1", "description"] == "Qualtrics ImportId QID1_1"
    assert cb.loc["Q1_1", "scale"].startswith("1 = Strongly disagree, 2 = Disagree")
    assert (cb.loc["Q1_1", "minimum"], cb.loc["Q1_1", "maximum"]) == (1.0, 5.0)
    assert cb.loc["StartDate", "construct"] == "metadata" and cb.loc["Q2", "construct"] == ""
    assert cb.loc["Q1_2", "reverse_keyed"] and not cb.loc["Q1_1", "reverse_keyed"]
    assert cb.loc["Q3", "type"] == "string" and cb.loc["Q2", "type"] == "integer"


def test_text_answers_not_in_the_mapping_are_named(tmp_path):
    with pytest.raises(DataError, match=r"Q1_1.*Don't know"):
        read_survey(_qualtrics(tmp_path), likert=LIKERT, missing_codes=-99)


def test_bad_arguments(tmp_path):
    f = _qualtrics(tmp_path)
    with pytest.raises(ArgumentError, match="not found"):
        read_survey(tmp_path / "nope.sav")
    g = tmp_path / "data.xlsx"
    g.write_text("x")
    with pytest.raises(ArgumentError, match="extension"):
        read_survey(g)
    with pytest.raises(ColumnNotFoundError, match="Q9"):
        read_survey(f, codebook=pd.DataFrame({"name": ["Q9"], "construct": ["dlv"]}))
    with pytest.raises(ColumnNotFoundError, match="Q9"):
        read_survey(f, reverse_keyed=["Q9"])
    plain = tmp_path / "plain.csv"
    pd.DataFrame({"a": [1, 2, 3]}).to_csv(plain, index=False)
    with pytest.raises(DataError, match="ImportId"):
        read_survey(plain, format="qualtrics")
    s = read_survey(plain)
    assert s.source == "csv" and s.codebook["type"].tolist() == ["integer"]


def test_declared_codebook_overrides_file_metadata_and_is_not_mutated(tmp_path):
    cb = pd.DataFrame({"name": ["Q1_1", "Q1_2"], "construct": ["dlv", "srv"], "reverse_keyed": [False, True]})
    before = cb.copy()
    s = read_survey(_qualtrics(tmp_path), codebook=cb, likert=LIKERT, missing_codes="Don't know")
    pd.testing.assert_frame_equal(cb, before)
    got = s.codebook.set_index("name")
    assert got.loc["Q1_1", "construct"] == "dlv" and got.loc["Q1_2", "reverse_keyed"]
    assert got.loc["Q1_1", "title"] == "Delivery - They deliver on time"  # file keeps what cb leaves out


def test_parse_scale_round_trip():
    for text in ["1 = yes, 0 = no", "0 = not at all likely ... 10 = extremely likely", ""]:
        from csl_stats.survey_io import _format_scale

        assert _format_scale(parse_scale(text)) == text
    assert parse_scale("very low to very high") == {}


def test_stata_extended_missing_values(tmp_path):
    """Stata's .a-.z codes declared in the file become NaN, are reported and leave the column numeric."""
    df = pd.DataFrame({"q": pd.Series([1.0, 2.0, "a", 4.0, "b"], dtype=object), "s": list("xyzwv")})
    f = tmp_path / "m.dta"
    pyreadstat.write_dta(df, str(f), missing_user_values={"q": ["a", "b"]},
                         variable_value_labels={"q": {1: "low", 4: "high", "a": "refused"}})
    s = read_survey(f)
    np.testing.assert_array_equal(s.data["q"], [1, 2, np.nan, 4, np.nan])
    assert s.data["q"].dtype == "float64"
    assert s.missing[["column", "code", "label", "n"]].to_dict("records") == [
        {"column": "q", "code": "a", "label": "refused", "n": 1}, {"column": "q", "code": "b", "label": "", "n": 1}]
    cb = s.codebook.set_index("name")
    assert cb.loc["q", "type"] == "integer" and cb.loc["q", "scale"] == "1 = low ... 4 = high"


def test_text_answers_mapped_through_the_codebook_scale(tmp_path):
    """A CSV of choice text is mapped to codes by the declared codebook's answer labels."""
    survey = csl_stats.load_supply_chain_survey().loc[:49, ["customer_id", "img1", "sat1"]]
    labels = parse_scale(csl_stats.codebook().set_index("name").loc["img1", "scale"])
    text = survey.copy()
    text["img1"] = text["img1"].map(lambda v: labels[int(v)].upper() if pd.notna(v) else "")
    f = tmp_path / "text.csv"
    text.to_csv(f, index=False)
    cb = csl_stats.codebook()
    s = read_survey(f, codebook=cb[cb["name"].isin(["customer_id", "img1", "sat1"])])
    np.testing.assert_array_equal(s.data["img1"], survey["img1"])
    np.testing.assert_array_equal(s.data["sat1"], survey["sat1"])


def test_survey_data_summary_and_display(tmp_path):
    s = read_survey(_spss_file(tmp_path))
    summ = s.summary().set_index("name")
    assert summ.loc["sat", "n_valid"] == 4 and summ.loc["sat", "n_missing_coded"] == 2
    assert summ.loc["trust", "n_missing_coded"] == 2 and summ.loc["spend", "n_missing_coded"] == 0
    assert "Survey data" in s._repr_html_() and "n_recoded_missing=4" in repr(s)
    pd.testing.assert_frame_equal(s.to_frame(), s.codebook)
    assert s.to_frame() is not s.codebook  # a copy


REFERENCE = Path(__file__).resolve().parent / "reference"


def test_read_survey_against_R():
    """Values, declared missing values and labels agree with R's foreign package.

    R (tests/reference/survey_io.R): ``foreign::read.spss("tests/reference/survey_small.sav",
    to.data.frame = FALSE, use.value.labels = FALSE, use.missings = TRUE)``.
    """
    ref = json.loads((REFERENCE / "survey_io.json").read_text())
    s = read_survey(REFERENCE / "survey_small.sav")
    for col, values in ref["values"].items():
        got = s.data[col].tolist()
        want = [np.nan if v is None else v for v in values]
        if s.codebook.set_index("name").loc[col, "type"] == "string":
            assert [None if pd.isna(v) else v for v in got] == values, col
        else:
            np.testing.assert_array_equal(np.asarray(got, dtype=float), np.asarray(want, dtype=float), err_msg=col)
    titles = s.codebook.set_index("name")["title"].to_dict()
    assert titles == ref["variable_labels"]
    for col, labels in ref["value_labels"].items():
        assert {float(v): k for k, v in labels.items()} == s.value_labels[col]


@pytest.mark.parametrize("ext", ["sav", "dta"])
def test_date_variables_are_timestamps(tmp_path, ext):
    df = pd.DataFrame({"visit": pd.to_datetime(["2026-01-02 08:30", "2026-03-04 17:00"]), "x": [1.5, 2.0]})
    f = tmp_path / f"d.{ext}"
    (pyreadstat.write_sav if ext == "sav" else pyreadstat.write_dta)(df, str(f))
    s = read_survey(f)
    assert s.codebook["type"].tolist() == ["datetime", "number"]
    assert s.data["visit"].tolist() == df["visit"].tolist()


# --- Qualtrics header layouts: legacy two-row exports, numeric vs choice-text exports, UTF-16 TSV ---

LEGACY_META = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress",
               "Status", "StartDate", "EndDate", "Finished"]


def _write(path, rows, *, encoding="utf-8", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def _legacy_rows(answers):
    """Legacy Qualtrics export: V1-V10 metadata, question IDs, then the question text row, then answers."""
    names = [f"V{i}" for i in range(1, 11)] + ["Q1_1", "Q1_2", "Q2", "LocationLatitude"]
    labels = LEGACY_META + ["Delivery-They deliver on time", "Delivery-Hard to reach",
                            "How likely are you to recommend us?", "LocationLatitude"]
    rows = [names, labels]
    for k, (a1, a2, nps) in enumerate(answers, start=1):
        rows.append([f"R_{k}x9Qa", "Default Response Set", "Anonymous", "", "", "10.0.0.1", "0",
                     f"2014-03-1{k} 09:44:21", f"2014-03-1{k} 09:51:02", "1", a1, a2, nps, "52.5"])
    return rows


ANSWERS = [("Agree", "Strongly disagree", "9"), ("Strongly agree", "Disagree", "-99"), ("Neither", "Agree", "10")]


def test_qualtrics_legacy_export_with_v_columns(tmp_path):
    f = _write(tmp_path / "legacy.csv", _legacy_rows(ANSWERS))
    s = read_survey(f, likert=LIKERT, missing_codes={"Q2": -99})
    assert s.source == "qualtrics" and s.n_rows == 3
    assert list(s.data.columns[:10]) == LEGACY_META  # V1..V10 renamed to their labels
    np.testing.assert_array_equal(s.data["Q1_1"], [4, 5, 3])
    np.testing.assert_array_equal(s.data["Q1_2"], [1, 2, 4])
    np.testing.assert_array_equal(s.data["Q2"], [9, np.nan, 10])
    assert s.data["ResponseID"].tolist() == ["R_1x9Qa", "R_2x9Qa", "R_3x9Qa"]
    assert s.data["StartDate"].tolist() == [pd.Timestamp(f"2014-03-1{k} 09:44:21") for k in (1, 2, 3)]
    cb = s.codebook.set_index("name")
    assert cb.loc["StartDate", "type"] == "datetime"
    assert cb.loc["ResponseID", "construct"] == "metadata" and cb.loc["ResponseID", "description"] == \
        "Qualtrics legacy export column V1"
    assert cb.loc["LocationLatitude", "construct"] == "metadata" and cb.loc["Q1_1", "construct"] == ""
    assert cb.loc["Q1_1", "title"] == "Delivery-They deliver on time" and cb.loc["Q1_1", "description"] == ""
    assert cb.loc["Q1_1", "scale"].startswith("1 = Strongly disagree, 2 = Disagree, 3 = Neither")
    assert s.missing[["column", "code", "n"]].to_dict("records") == [{"column": "Q2", "code": -99, "n": 1}]


def test_qualtrics_two_row_export_with_current_names(tmp_path):
    rows = [["StartDate", "EndDate", "ResponseId", "Q1_1", "Q2"],
            ["Start Date", "End Date", "Response ID", "Delivery - They deliver on time", "Recommend?\n(0-10)"],
            ["2026-11-02 09:00:00", "2026-11-02 09:04:10", "R_1", "Agree", "9"],
            ["2026-11-02 10:00:00", "2026-11-02 10:02:00", "R_2", "Strongly agree", "7"]]
    s = read_survey(_write(tmp_path / "two.csv", rows), likert=LIKERT)
    assert s.source == "qualtrics" and s.n_rows == 2
    np.testing.assert_array_equal(s.data["Q1_1"], [4, 5])
    assert s.data["Q2"].tolist() == [9, 7] and s.data["ResponseId"].tolist() == ["R_1", "R_2"]
    assert s.codebook.set_index("name").loc["ResponseId", "title"] == "Response ID"
    assert s.codebook.set_index("name").loc["Q2", "title"] == "Recommend?\n(0-10)"  # a quoted line break
    assert pd.api.types.is_datetime64_any_dtype(s.data["EndDate"])


def test_qualtrics_numeric_and_choice_text_exports_agree(tmp_path):
    head = [["ResponseId", "Q1_1", "Q1_2"], ["Response ID", "Delivery - On time", "Delivery - Hard to reach"],
            ['{"ImportId":"_recordId"}', '{"ImportId":"QID1_1"}', '{"ImportId":"QID1_2"}']]
    text = _write(tmp_path / "text.csv", head + [["R_1", "Agree", "Neither"], ["R_2", "Strongly agree", ""]])
    codes = _write(tmp_path / "codes.csv", head + [["R_1", "4", "3"], ["R_2", "5", ""]])
    a = read_survey(text, likert=LIKERT)
    b = read_survey(codes)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.codebook.loc[1, "description"] == b.codebook.loc[1, "description"] == "Qualtrics ImportId QID1_1"
    assert a.codebook.loc[1, "type"] == b.codebook.loc[1, "type"] == "integer"
    # the numeric export carries no answer labels; a codebook adds them
    c = read_survey(codes, codebook=pd.DataFrame({"name": ["Q1_1"], "scale": ["1 = Strongly disagree ... 5 = "
                                                                              "Strongly agree"]}))
    assert c.codebook.loc[1, "scale"] == "1 = Strongly disagree ... 5 = Strongly agree"


def test_qualtrics_utf16_tsv_export(tmp_path):
    rows = _legacy_rows(ANSWERS)
    f = _write(tmp_path / "legacy.tsv", rows, encoding="utf-16", delimiter="\t")
    assert f.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    s = read_survey(f, likert=LIKERT, missing_codes={"Q2": -99})
    ref = read_survey(_write(tmp_path / "legacy.csv", rows), likert=LIKERT, missing_codes={"Q2": -99})
    pd.testing.assert_frame_equal(s.data, ref.data)
    pd.testing.assert_frame_equal(s.codebook, ref.codebook)


def test_a_response_id_column_alone_is_not_a_qualtrics_header(tmp_path):
    f = _write(tmp_path / "plain.csv", [["ResponseId", "sat"], ["R_1", "5"], ["R_2", "3"]])
    s = read_survey(f)
    assert s.source == "csv" and s.n_rows == 2 and s.data["sat"].tolist() == [5, 3]
    with pytest.raises(DataError, match=r"not a Qualtrics export.*ImportId.*legacy"):
        read_survey(f, format="qualtrics")


def test_text_missing_codes_match_the_labelled_numeric_codes(tmp_path):
    """missing_codes="Don't know" on a numeric SPSS/Stata column whose code 8 is labelled "Don't know"."""
    df = pd.DataFrame({"q1": [1.0, 5.0, 8.0, 3.0], "q2": [8.0, 2.0, 2.0, 9.0]})
    f = tmp_path / "dk.sav"
    pyreadstat.write_sav(df, str(f), variable_value_labels={
        "q1": {1.0: "Bad", 5.0: "Good", 8.0: "Don't know"}, "q2": {8.0: "don't KNOW ", 9.0: "Refused"}})
    s = read_survey(f, missing_codes=["Don't know", "refused"])
    np.testing.assert_array_equal(s.data["q1"], [1, 5, np.nan, 3])
    np.testing.assert_array_equal(s.data["q2"], [np.nan, 2, 2, np.nan])
    assert s.missing.to_dict("records") == [
        {"column": "q1", "code": 8, "label": "Don't know", "n": 1},
        {"column": "q2", "code": 8, "label": "don't KNOW", "n": 1},  # SPSS strips trailing spaces
        {"column": "q2", "code": 9, "label": "Refused", "n": 1}]
    cb = s.codebook.set_index("name")
    assert cb.loc["q1", "scale"] == "1 = Bad ... 5 = Good" and cb.loc["q1", "maximum"] == 5.0
    g = tmp_path / "dk.dta"
    pyreadstat.write_dta(df, str(g), variable_value_labels={"q1": {1: "Bad", 5: "Good", 8: "Don't know"}})
    t = read_survey(g, missing_codes="Don't know")
    np.testing.assert_array_equal(t.data["q1"], [1, 5, np.nan, 3])
    assert t.data["q2"].tolist() == [8, 2, 2, 9]  # no label 8 = "Don't know" in q2 of this file


def test_text_missing_code_in_a_csv_is_not_mapped_to_its_labelled_code(tmp_path):
    """A CSV of choice text with a codebook labelling 8 = "Don't know": the text becomes NaN, never 8."""
    f = _write(tmp_path / "text.csv", [["q1"], ["Good"], ["Don't know"], ["Bad"]])
    cb = pd.DataFrame({"name": ["q1"], "scale": ["1 = Bad, 2 = Good, 8 = Don't know"]})
    s = read_survey(f, codebook=cb, missing_codes="Don't know")
    np.testing.assert_array_equal(s.data["q1"], [2, np.nan, 1])
    assert s.missing[["column", "code", "n"]].to_dict("records") == [{"column": "q1", "code": "Don't know", "n": 1}]


def test_package_survey_round_trip_through_dta(tmp_path):
    """The committed survey written as Stata .dta (labels from the codebook) reads back as the same numbers."""
    df = csl_stats.load_supply_chain_survey()
    cb = csl_stats.codebook().set_index("name")
    labels = {c: {int(k): v for k, v in parse_scale(cb.loc[c, "scale"]).items()}
              for c in df.columns if parse_scale(cb.loc[c, "scale"]) and pd.api.types.is_numeric_dtype(df[c])}
    f = tmp_path / "survey.dta"
    pyreadstat.write_dta(df, str(f), column_labels=[cb.loc[c, "title"][:80] for c in df.columns],  # Stata: <= 80
                         variable_value_labels=labels)
    s = read_survey(f)
    assert s.source == "stata"
    pd.testing.assert_frame_equal(s.data, df)
    assert s.codebook["name"].tolist() == list(df.columns)
    assert s.codebook["title"].tolist() == [cb.loc[c, "title"][:80].rstrip() for c in df.columns]
    for c, lab in labels.items():
        assert parse_scale(s.codebook.set_index("name").loc[c, "scale"]) == lab, c
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    assert (s.codebook.set_index("name").loc[numeric, "type"] == cb.loc[numeric, "type"]).all()


def test_to_datapackage_writes_the_packaged_form(tmp_path):
    """SPSS file of the package survey -> read_survey -> to_datapackage: the committed data and schema again."""
    df = csl_stats.load_supply_chain_survey()
    cb = csl_stats.codebook()
    export = df.copy()
    export.loc[:9, "sat1"] = -99
    sav = write_sav(export, tmp_path / "s.sav", codebook=cb, missing_codes={"sat1": [-99]})
    s = read_survey(sav, codebook=cb[["name", "construct", "reverse_keyed", "description", "minimum", "maximum"]])
    out = tmp_path / "pkg"
    out.mkdir()
    pkg = s.to_datapackage(out, name="supply_chain_survey", title="Survey")
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8")) == pkg
    back = pd.read_csv(out / "supply_chain_survey.csv")
    expected = df.copy()
    expected.loc[:9, "sat1"] = np.nan
    pd.testing.assert_frame_equal(back, expected)
    res = pkg["resources"][0]
    assert res["path"] == "supply_chain_survey.csv" and res["schema"]["missingValues"] == [""]
    assert "sat1: -99 x 10" in res["description"]
    # every field says what the committed datapackage.json says (which adds enums, units and 'required')
    committed = json.loads((Path(__file__).resolve().parents[1] / "data" / "datapackage.json").read_text())
    ref = {f["name"]: f for f in committed["resources"][0]["schema"]["fields"]}
    assert [f["name"] for f in res["schema"]["fields"]] == list(ref)
    for f in res["schema"]["fields"]:
        for key, value in f.items():
            if key == "constraints":
                assert value.items() <= ref[f["name"]]["constraints"].items(), f["name"]
            else:
                assert ref[f["name"]][key] == value, (f["name"], key)


def test_to_datapackage_dates_and_bad_arguments(tmp_path):
    rows = [["StartDate", "ResponseId", "Q1"], ["Start Date", "Response ID", "Q"],
            ['{"ImportId":"startDate"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}'],
            ["2026-11-02 09:00:00", "R_1", "3"], ["", "R_2", ""]]
    s = read_survey(_write(tmp_path / "q.csv", rows))
    pkg = s.to_datapackage(tmp_path)
    assert (tmp_path / "survey.csv").read_text().splitlines() == ["StartDate,ResponseId,Q1",
                                                                  "2026-11-02T09:00:00,R_1,3", ",R_2,"]
    types = {f["name"]: f["type"] for f in pkg["resources"][0]["schema"]["fields"]}
    assert types == {"StartDate": "datetime", "ResponseId": "string", "Q1": "integer"}
    with pytest.raises(ArgumentError, match="existing directory"):
        s.to_datapackage(tmp_path / "nope")
    with pytest.raises(ArgumentError, match="lower-case"):
        s.to_datapackage(tmp_path, name="My Survey")


# --- Frictionless data packages: read_survey(datapackage.json) ---

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("name", ["supply_chain_survey", "transactions", "suppliers", "prior_behaviour",
                                  "customer_frame", "survey_fieldwork", "survey_wave2"])
def test_the_repository_data_package_reads_back_as_the_loaders_give_it(name):
    s = read_survey(DATA / "datapackage.json", resource=name)
    assert s.source == "datapackage" and s.file == "datapackage.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(csl_stats.datasets, f"load_{name}")()
    pd.testing.assert_frame_equal(s.data, expected)
    pd.testing.assert_frame_equal(s.codebook, csl_stats.datasets.codebook(name))
    assert s.n_recoded_missing == 0


def test_data_package_round_trip_and_declared_missing_values(tmp_path):
    rows = [["ResponseId", "Q1", "Q2", "note"], ["Response ID", "Delivery on time", "Recommend?", "Comment"],
            ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}', '{"ImportId":"QID3"}'],
            ["R_1", "4", "9", "ok"], ["R_2", "", "-99", "n/a"], ["R_3", "2", "10", ""]]
    s = read_survey(_write(tmp_path / "q.csv", rows), missing_codes={"Q2": -99}, reverse_keyed="Q1")
    folder = tmp_path / "pkg"
    folder.mkdir()
    s.to_datapackage(folder, name="pulse")
    back = read_survey(folder / "datapackage.json")  # one resource: no resource= needed
    pd.testing.assert_frame_equal(back.data, s.data)
    pd.testing.assert_frame_equal(back.codebook, s.codebook)
    # a package that declares other missing values: they become NaN and are reported
    pkg = json.loads((folder / "datapackage.json").read_text())
    pkg["resources"][0]["schema"]["missingValues"] = ["", "-99", "n/a"]
    (folder / "pulse.csv").write_text("ResponseId,Q1,Q2,note\nR_1,4,9,ok\nR_2,,-99,n/a\nR_3,2,10,\n")
    (folder / "datapackage.json").write_text(json.dumps(pkg))
    m = read_survey(folder / "datapackage.json")
    assert m.data["Q2"].tolist()[:1] == [9] and np.isnan(m.data["Q2"].tolist()[1])
    assert m.data["note"].isna().tolist() == [False, True, True]
    assert m.missing[["column", "code", "n"]].to_dict("records") == [
        {"column": "Q2", "code": -99, "n": 1}, {"column": "note", "code": "n/a", "n": 1}]


def test_data_package_errors(tmp_path):
    with pytest.raises(ArgumentError, match=r"7 resources.*resource=<name>"):
        read_survey(DATA / "datapackage.json")
    with pytest.raises(ArgumentError, match="resource must be one of"):
        read_survey(DATA / "datapackage.json", resource="nope")
    f = _write(tmp_path / "plain.csv", [["a"], ["1"]])
    with pytest.raises(ArgumentError, match="resource= applies to data packages"):
        read_survey(f, resource="x")
    remote = tmp_path / "remote.json"
    remote.write_text(json.dumps({"resources": [{"name": "r", "path": "https://example.org/r.csv"}]}))
    with pytest.raises(DataError, match="local file"):
        read_survey(remote)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resources": [{"name": "r", "path": "plain.csv",
                                              "schema": {"fields": [{"name": "b", "type": "integer"}]}}]}))
    with pytest.raises(DataError, match="schema lists"):
        read_survey(bad)
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(DataError, match="not a JSON data package"):
        read_survey(tmp_path / "junk.json")


def test_write_sav_missing_codes_are_checked_and_text_codes_written(tmp_path):
    """Regression: write_sav silently ignored missing_codes for a column not in the data (a typo left -9 as a
    valid answer) and crashed with a bare ValueError on a text code for a string variable, which SPSS supports."""
    df = pd.DataFrame({"sat": [1.0, -9, 5], "why": ["late", "NA", "price"]})
    with pytest.raises(ColumnNotFoundError, match="'sta'"):
        write_sav(df, tmp_path / "a.sav", missing_codes={"sta": [-9]})
    with pytest.raises(ArgumentTypeError, match="'sat'.*numeric"):
        write_sav(df, tmp_path / "a.sav", missing_codes={"sat": ["NA"]})
    out = write_sav(df, tmp_path / "a.sav", missing_codes={"sat": [-9], "why": ["NA"]})
    s = read_survey(out)
    assert s.data["sat"].isna().tolist() == [False, True, False]
    assert s.data["why"].isna().tolist() == [False, True, False]
    assert sorted(s.missing["column"]) == ["sat", "why"]


def test_undeclared_codes_outside_the_answer_scale_warn(tmp_path):
    """Regression: a code outside the labelled answer scale that the file does not declare missing (SPSS
    exports where 9 = "no answer" was never set as user-missing, Qualtrics' -99 without missing_codes=) was
    read as a valid answer without a word, so means and regressions silently used 9 or -99 as scores."""
    from csl_stats.errors import InconsistencyWarning

    df = pd.DataFrame({"sat": [1.0, 5, 9, 3, 9, -99], "ok": [1.0, 2, 3, 4, 5, 1]})
    pyreadstat.write_sav(df, tmp_path / "a.sav", variable_value_labels={
        "sat": {1: "very dissatisfied", 5: "very satisfied", 9: "no answer"}, "ok": AGREE})
    with pytest.warns(InconsistencyWarning, match=r"'sat'.*outside its answer scale 1 to 5.*-99 \(1 row\), 9 \(2 rows\)"):
        s = read_survey(tmp_path / "a.sav", codebook=pd.DataFrame({"name": ["sat"], "maximum": [5.0]}))
    assert s.data["sat"].tolist() == [1.0, 5, 9, 3, 9, -99]  # the data are not changed: the reader decides
    with pytest.warns(InconsistencyWarning, match=r"answer scale 1 to 9 .*: -99 \(1 row\)\. "):
        read_survey(tmp_path / "a.sav")  # the file alone labels 9, so only -99 lies outside
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_survey(tmp_path / "a.sav", missing_codes={"sat": [9, -99]})


def test_csv_answers_that_look_like_na_tokens_are_kept_and_numeric_na_reported(tmp_path):
    """Regression: CSV and Qualtrics exports were read with pandas' default NA strings, so the answer "None"
    ("which tools do you use?"), the country code "NA" (Namibia) or "null" silently became NaN, unreported.
    Text answers are now kept; in numeric columns the tokens (an R export's "NA") become NaN and are reported."""
    f = tmp_path / "p.csv"
    f.write_text('id,tools,score,country\n1,None,5,NA\n2,ERP,NA,DE\n3,"ERP, WMS",3,FR\n4,ERP,,null\n')
    s = read_survey(f)
    assert s.data["tools"].tolist() == ["None", "ERP", "ERP, WMS", "ERP"]
    assert s.data["country"].tolist() == ["NA", "DE", "FR", "null"]
    assert s.data["score"].isna().tolist() == [False, True, False, True]
    assert s.missing[["column", "code", "n"]].to_dict("records") == [{"column": "score", "code": "NA", "n": 1}]
    s = read_survey(f, missing_codes={"country": "NA"})  # declared: then it is missing and reported
    assert s.data["country"].isna().tolist() == [True, False, False, False]
