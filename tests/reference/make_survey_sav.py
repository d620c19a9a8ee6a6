"""Write tests/reference/survey_small.sav, the SPSS file that survey_io.R reads with R's foreign package.

Run from the repository root: python tests/reference/make_survey_sav.py
(pyreadstat stamps the creation time into the file, so rerunning changes its bytes but not its content).
"""

import pandas as pd
import pyreadstat


def main() -> None:
    AGREE = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neutral", 4.0: "Agree", 5.0: "Strongly agree"}

    df = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "sat": [5.0, 4.0, -99.0, 1.0, 9.0, 2.0, 3.0, 5.0],
        "trust": [4.0, -8.0, 3.0, -1.0, 5.0, 5.0, 2.0, -9.0],
        "comment": ["ok", "", "late", "", "fine", "slow", "ok", "good"],
        "spend": [10.5, 3.25, 0.0, 7.0, 8.75, 1.0, 2.5, 4.125],
    })
    pyreadstat.write_sav(
        df, "tests/reference/survey_small.sav",
        column_labels={"sat": "Overall satisfaction", "trust": "We trust them", "comment": "Comments",
                       "spend": "Spend (kEUR)"},
        variable_value_labels={"sat": {**AGREE, 9.0: "Don't know", -99.0: "Refused"}, "trust": AGREE},
        missing_ranges={"sat": [-99.0, 9.0], "trust": [{"lo": -9.0, "hi": -1.0}]},
        variable_format={"sat": "F8.0", "trust": "F8.0", "spend": "F8.3"},
    )


if __name__ == "__main__":  # not at import: pytest --doctest-modules imports this file
    main()
