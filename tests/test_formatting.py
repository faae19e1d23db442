"""The formatting module and the coefficient-table builder: R's printed strings as expected
values, the missing-value conventions, and the docstrings' examples."""

import doctest
import json
import math

import numpy as np
import pandas as pd
import pytest

import multilevel.coefficients as C
import multilevel.formatting as F
from multilevel.classical import pooled_ols
from multilevel.distributions import t_sf
from multilevel.report.tables import format_frame, format_value


@pytest.mark.parametrize("module", [F, C])
def test_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# R 4.x: format.pval(x, digits = 3) with eps = .Machine$double.eps printed as by summary.lm's
# F line ("p-value: < 2.2e-16"); printCoefmat's column ("< 2e-16", "5.60e-07").
@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (1e-20, "< 2.2e-16"),  # format.pval(1e-20) in summary.lm's F line
        (0.000123, "0.000123"),  # signif(0.000123, 3): R prints it in fixed notation
        (1.2345e-5, "1.23e-05"),  # format(signif(1.2345e-5, 3)): exponent form is shorter
        (0.04567, "0.0457"),
        (0.5, "0.5"),
        (1.0, "1"),
        (float("nan"), "NA"),
    ],
)
def test_p_summary_lm_prints_what_r_prints(p, expected):
    assert F.p_summary_lm(p) == expected


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (1e-300, "< 2e-16"),
        (5.6012e-7, "5.60e-07"),  # hs pooled fit, SectorPublic: R prints 5.60e-07
        (3.1234e-5, "3.12e-05"),  # hs pooled fit, ses:SectorPublic: R prints 3.12e-05
        (0.01234, "0.0123"),
        (None, "NA"),
    ],
)
def test_p_coef_column_prints_what_printcoefmat_prints(p, expected):
    assert F.p_coef_column(p) == expected


@pytest.mark.parametrize(
    ("p", "decimals", "expected"),
    [
        (1e-12, 4, "<.0001"),  # anova.lme: "<.0001"
        (0.00009, 4, "<.0001"),
        (0.00012, 4, "0.0001"),
        (0.0456, 4, "0.0456"),
        (0.5, 4, "0.5000"),
        (2e-6, 5, "<.00001"),
        (np.inf, 4, "NA"),
    ],
)
def test_p_nlme(p, decimals, expected):
    assert F.p_nlme(p, decimals=decimals) == expected


def test_p_report_and_its_missing_dash():
    assert F.p_report(3e-5) == "<0.0001"
    assert F.p_report(0.0001) == "0.0001"
    assert F.p_report(0.12345) == "0.1235"
    assert F.p_report(float("nan")) == F.MISSING == "—"


def test_df_whole_and_fractional():
    assert F.df_text(1937.0) == "1937"
    assert F.df_text(np.int64(38)) == "38"
    assert F.df_text(37.8553) == "37.86"
    assert F.df_text(37.8553, decimals=3) == "37.855"
    assert F.df_text(None) == "—"
    assert F.df_text(None, missing="NA") == "NA"


def test_numbers_and_the_two_missing_conventions():
    assert F.fixed(2.0, 4) == "2.0000"
    assert F.fixed(-0.00004, 4) == "-0.0000"  # Python, like R's formatC, keeps the sign
    assert F.fixed(float("nan"), 4) == "—"
    assert F.fixed(float("nan"), 4, missing=F.R_MISSING) == "NA"
    assert F.signif(0.000123456, 3) == "0.000123"  # R: signif(0.000123456, 3)
    assert F.signif(107.3989, 4) == "107.4"  # R's F statistic of the hs pooled fit
    assert F.signif(None, 3) == "—"
    assert F.is_missing(np.float32("nan")) and not F.is_missing("text")


def test_json_clean_gives_strict_json():
    obj = {
        "nan": float("nan"),
        "inf": -np.inf,
        "ints": np.arange(3),
        "nested": [(np.float64(1.5), np.bool_(False))],
        2: np.int32(7),
    }
    obj["ints"] = list(obj["ints"])
    cleaned = F.json_clean(obj)
    text = json.dumps(cleaned, allow_nan=False)
    assert json.loads(text) == {
        "nan": None,
        "inf": None,
        "ints": [0, 1, 2],
        "nested": [[1.5, False]],
        "2": 7,
    }
    assert type(cleaned["ints"][0]) is int


def test_plain_turns_numpy_scalars_and_other_objects_into_json_scalars():
    assert F.plain(np.int64(4)) == 4 and type(F.plain(np.int64(4))) is int
    assert type(F.plain(np.float64(0.25))) is float
    assert F.plain(np.bool_(True)) is True
    assert F.plain(pd.Timestamp("2020-01-02")) == "2020-01-02 00:00:00"
    assert F.plain(None) is None


# ------------------------------------------------------------------ coefficient tables


def test_coef_table_computes_t_and_p_with_scalar_or_per_term_df():
    est, se = np.array([1.0, -3.0]), np.array([0.5, 1.0])
    one = C.coef_table(est, se, 12, index=["a", "b"])
    assert list(one.columns) == list(C.COLUMNS)
    assert one["t"].tolist() == [2.0, -3.0]
    assert one["p"].tolist() == pytest.approx([2 * t_sf(2.0, 12), 2 * t_sf(3.0, 12)])
    per = C.coef_table(est, se, [5, 40])
    assert per["df"].tolist() == [5.0, 40.0]
    assert per.loc[1, "p"] == pytest.approx(2 * t_sf(3.0, 40))
    normal = C.coef_table(est, se, None)
    assert normal["p"].iloc[0] == pytest.approx(math.erfc(2.0 / math.sqrt(2)))


def test_coef_table_keeps_a_series_index_and_given_t_and_p():
    est = pd.Series([2.0, 4.0], index=["(Intercept)", "x"])
    table = C.coef_table(est, [1.0, 1.0], 3, t=[9.0, 9.0], p=[0.1, 0.2])
    assert list(table.index) == ["(Intercept)", "x"]
    assert table["t"].tolist() == [9.0, 9.0] and table["p"].tolist() == [0.1, 0.2]


def test_coef_table_with_zero_se_is_missing_not_an_error():
    table = C.coef_table([1.0, 0.0], [0.0, 0.0], 10)
    assert np.isinf(table.loc[0, "t"]) and np.isnan(table.loc[1, "t"])
    shown = C.format_coef_table(table, C.R_COEF_LAYOUT)
    assert shown.loc["1"].tolist()[2:] == ["—", "—"]
    assert C.format_coef_table(table, C.R_COEF_LAYOUT, missing="NA").loc["1", "t value"] == "NA"


def test_the_r_layout_reproduces_r_on_the_hs_pooled_fit(hs_raw):
    # R's summary(lm(mathach ~ ses * Sector)) as the document prints it (page 46)
    fit = pooled_ols(hs_raw, "mathach", "ses", "Sector", "Catholic")
    shown = C.format_coef_table(fit.table, C.R_COEF_LAYOUT)
    assert shown.loc["(Intercept)"].tolist() == ["13.5579", "0.1881", "72.067", "< 2e-16"]
    assert shown.loc["SectorPublic"].tolist() == ["-1.4666", "0.2921", "-5.021", "5.60e-07"]
    assert shown.loc["ses:SectorPublic"].tolist() == ["1.6051", "0.3845", "4.174", "3.12e-05"]
    text = fit.summary()
    assert "< 2e-16" in text and "p-value: < 2.2e-16" in text


def test_columnwise_styles_see_the_whole_column():
    table = C.coef_table([1.0, 2.0], [1.0, 1.0], 4)
    widest = C.Columnwise(lambda values: [f"{v:.{len(values)}f}" for v in values])
    shown = C.format_coef_table(table, [("estimate", "b", widest)], index_name=None)
    assert shown["b"].tolist() == ["1.00", "2.00"]


def test_report_tables_write_a_missing_cell_as_a_dash():
    frame = pd.DataFrame({"x": [1.5, np.nan], "n": [3, 4], "ok": [True, False]})
    shown = format_frame(frame, {"x": 2})
    assert shown["x"].tolist() == ["1.50", "—"]
    assert shown["n"].tolist() == ["3", "4"] and shown["ok"].tolist() == ["True", "False"]
    assert format_value(None) == "—" and format_value(1 / 3) == "0.3333333333"
    assert format_value(float("nan"), missing="NA") == "NA"
