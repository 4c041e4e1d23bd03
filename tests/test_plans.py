"""Plans (geo/plans.py): from the seed figures, from the template, bad rows quarantined."""

from __future__ import annotations

import datetime
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from geo import figures, plans
from geo.errors import InputError
from layers.wording import error_text


@pytest.fixture(scope="module")
def seed_plan() -> plans.Plan:
    """新百城提质办〔2023〕2号 as a plan: the seed's 2023 district table, its deadlines."""
    return plans.plan_from_figures(
        figures.load_figures(),
        city="新乡",
        year=2023,
        start_by="2023-03-31",
        finish_by="2023-10-31",
        checks=("2023-06-30", "2023-11-30"),
        source="新百城提质办〔2023〕2号 第27行",
    )


def test_the_seed_plan_holds_every_district_with_its_source(seed_plan):
    planned = seed_plan.planned().set_index("place")
    assert (seed_plan.city, seed_plan.adcode, seed_plan.year) == ("新乡市", "410700", 2023)
    assert planned.loc["全市", ["communities", "households"]].tolist() == [138, 22149]
    assert planned.loc["卫滨区", ["communities", "households", "buildings"]].tolist() == [
        27,
        3279,
        87,
    ]
    assert planned.loc["高新区", "level"] == "zone"
    assert len(planned) == 12  # the city and its 11 districts and zones
    weibin = seed_plan.targets.set_index(["adcode", "metric"]).loc[("410703", "households")]
    assert (weibin["doc_number"], weibin["seed_line"], weibin["as_written"]) == (
        "新百城提质办〔2023〕2号",
        31,
        "3279 户",
    )
    deadline = seed_plan.deadline("410703")  # no row of its own: the city's
    assert deadline["start_by"] == datetime.date(2023, 3, 31)
    assert deadline["finish_by"] == datetime.date(2023, 10, 31)
    assert deadline["checks"] == [datetime.date(2023, 6, 30), datetime.date(2023, 11, 30)]
    assert deadline["source"] == "新百城提质办〔2023〕2号 第27行"


def test_no_plan_figures_is_a_coded_refusal_naming_what_there_is():
    with pytest.raises(InputError) as refused:
        plans.plan_from_figures(figures.load_figures(), city="新乡市", year=2025)
    assert refused.value.code == "no_plan_figures"
    assert refused.value.details["city"] == "新乡市"
    assert "新乡市 2023" in refused.value.details["found"]


def _filled_template(rows: list[list[str]]) -> bytes:
    """The shipped template with ``rows`` below its two example rows."""
    book = load_workbook(io.BytesIO(plans.template_bytes()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in rows:
        sheet.append(row + [""] * (len(header) - len(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_filled_in_reads_back_and_its_bad_rows_are_quarantined():
    # place, city, adcode, year, communities, households, buildings, floor area (万m²),
    # investment (万元), start by, finish by, self-checks, report day, programme start, doc
    data = _filled_template(
        [
            ["全市", "新乡市", "", "2023", "30", "4000", "", "", "", "2023年3月底", "2023年10月底",
             "6月底、11月底", "5", "", "某文号", "", "", "第3行"],
            ["卫滨区", "新乡市", "", "2023", "10", "1200", "", "12.5", "3000", "", "", "", "", "",
             "某文号", "", "", "第4行"],
            ["红旗区", "新乡市", "", "2023", "约20", "800"],
            ["不存在区", "新乡市", "", "2023", "5", "100"],
            ["牧野区", "新乡市", "", "2023", "", "", "", "", "", "2023-04-15"],
            ["凤泉区", "新乡市", "", "2023"],
        ]
    )  # fmt: skip
    plan = plans.read_plan(data, name="plan.xlsx")
    # The two example rows, an approximate target, an unknown place and an empty row refused.
    assert plan.summary() == {
        "city": "新乡市",
        "year": 2023,
        "places": 2,
        "targets": 6,
        "rows": 8,
        "clean": 3,
        "quarantined": 5,
        "by_reason": {
            "approximate_number": 1,
            "example_row": 2,
            "missing_required": 1,
            "no_district": 1,
        },
    }
    values = plan.targets.set_index(["place", "metric"])["value"]
    assert values[("卫滨区", "floor_area_m2")] == 125_000
    assert values[("卫滨区", "investment_cny")] == 30_000_000
    assert values[("全市", "households")] == 4000
    muye = plan.deadline("410711")
    assert muye["start_by"] == datetime.date(2023, 4, 15)  # its own
    assert muye["finish_by"] == datetime.date(2023, 10, 31)  # the city's: the month's last day
    assert muye["report_day"] == 5
    assert (
        plan.targets.set_index(["place", "metric"]).loc[("卫滨区", "households"), "seed_line"] == 4
    )


def test_a_plan_from_figures_has_the_quarantine_columns_of_a_plan_read(seed_plan):
    # Every quarantine frame has the same detail columns, empty or not (issue 28).
    rows = [["卫滨区", "新乡市", "", "2023", "10", "1200"], ["不存在区", "新乡市", "", "2023"]]
    data = _filled_template(rows)
    read = plans.read_plan(data, name="plan.xlsx").quarantine
    details = ["row", "reason", "column", "detail_zh", "detail_en", "detail_params"]
    assert list(read.columns[:6]) == details
    assert list(seed_plan.quarantine.columns) == details


def test_a_plan_of_two_cities_or_years_is_refused_whole():
    data = _filled_template(
        [["卫滨区", "新乡市", "", "2023", "1"], ["解放区", "焦作市", "", "2023", "1"]]
    )
    with pytest.raises(InputError, match="one city's plan") as refused:
        plans.read_plan(data, name="plan.xlsx")
    assert (refused.value.code, refused.value.details) == (
        "plan_cities",
        {"cities": "新乡市/焦作市"},
    )
    assert error_text(refused.value, "zh") == (
        "计划表的行属于多个城市：新乡市、焦作市。一份计划只属于一个城市：请每个城市上传一个文件，"
        "或在“城市”列填写同一个城市。"
    )
    assert error_text(refused.value, "en") == (
        "The plan's rows belong to several cities: 新乡市, 焦作市. A plan is one city's: upload "
        "a file per city, or give one city in the 城市 (city) column."
    )
    data = _filled_template(
        [["卫滨区", "新乡市", "", "2023", "1"], ["红旗区", "新乡市", "", "2024", "1"]]
    )
    with pytest.raises(InputError, match="one year's plan") as refused:
        plans.read_plan(data, name="plan.xlsx")
    assert (refused.value.code, refused.value.details) == ("plan_years", {"years": "2023/2024"})
    assert error_text(refused.value, "en").startswith(
        "The plan's rows belong to several years: 2023, 2024. A plan is one year's"
    )


@pytest.mark.parametrize(
    ("rows", "city", "code", "english"),
    [
        # The one row's place is no district, so no row gives a city; none is given.
        (
            [["不存在区", "", "", "2023", "1"]],
            None,
            "plan_no_city",
            "No city can be read from the plan. Give the plan's city in its 城市 (city) column "
            "(e.g. 新乡市).",
        ),
        # The 年度 cell empty and no year given.
        (
            [["卫滨区", "新乡市", "", "", "1"]],
            None,
            "plan_no_year",
            "No year can be read from the plan. Give the plan's year in its 年度 (year) column "
            "(e.g. 2023).",
        ),
        (
            [["卫滨区", "", "", "2023", "1"]],
            "新想市",
            "plan_city_unknown",
            "No city is named “新想市” (close names: 新乡市, 新余市, 阜新市). Give the city's full "
            "name in the 城市 (city) column, e.g. 新乡市.",
        ),
    ],
)
def test_a_plan_without_one_city_or_year_is_refused_with_the_fix(rows, city, code, english):
    with pytest.raises(InputError) as refused:
        plans.read_plan(_filled_template(rows), name="plan.xlsx", city=city)
    assert refused.value.code == code
    assert error_text(refused.value, "en") == english
    assert "{" not in error_text(refused.value, "zh")
    assert re.search(r"[\u4e00-\u9fff]", error_text(refused.value, "zh"))


def test_a_plan_without_a_place_column_or_an_investment_unit_is_refused_with_the_fix():
    with pytest.raises(InputError) as refused:
        plans.read_plan("城市,年度,户数\n新乡市,2023,1\n".encode(), name="p.csv")
    assert refused.value.code == "plan_place_column"
    assert error_text(refused.value, "zh") == (
        "计划表缺少“地区”或“行政区划代码”列。文件表头为：城市、年度、户数。"
        "请下载空白计划模板，按模板的表头填写。"
    )
    with pytest.raises(InputError) as refused:
        plans.read_plan("地区,城市,年度,投资\n卫滨区,新乡市,2023,1\n".encode(), name="p.csv")
    assert (refused.value.code, refused.value.details) == (
        "plan_investment_unit",
        {"header": "投资"},
    )
    assert error_text(refused.value, "en") == (
        "The investment column 投资 states no unit. Rename it 投资（万元） or 投资（元）."
    )


def test_a_plan_keeps_itself_through_its_saved_form(seed_plan):
    again = plans.Plan.from_meta(seed_plan.targets, seed_plan.quarantine, seed_plan.to_meta())
    assert again.deadline("410702") == seed_plan.deadline("410702")
    assert again.planned().equals(seed_plan.planned())


@pytest.fixture(scope="module")
def document_figures(seeds_dir) -> pd.DataFrame:
    """新百城提质办〔2023〕2号 through the figures extractor and a planner's review."""
    from geo.documents.extract import extract_figures
    from geo.documents.read import read_document
    from geo.documents.review import accept_extraction, suggest_decisions

    extraction = extract_figures(read_document(seeds_dir / "002_b03d685b680bd4c7.txt"))
    review = extraction.figures.assign(decision=suggest_decisions(extraction.figures))
    # The planner rejects what counts nothing a plan targets, and accepts the rest as proposed.
    review.loc[review["metric"] == "other", "decision"] = "reject"
    accepted, problems = accept_extraction(extraction, review)
    assert problems.empty, problems
    return accepted


def test_a_plan_from_a_document_read_and_reviewed_matches_the_seed_table(
    document_figures, seed_plan
):
    # Document → figures extractor → review → plan: every district's targets as the seed's
    # hand-kept table has them, each from the document's own line.
    plan = plans.plan_from_figures(
        document_figures, city="新乡市", year=2023, start_by="2023-03-31", finish_by="2023-10-31"
    )
    keys = ["adcode", "communities", "households", "buildings", "floor_area_m2"]
    mine = plan.planned()[keys].astype(object).set_index("adcode").to_dict("index")
    seeds = seed_plan.planned()[keys].astype(object).set_index("adcode").to_dict("index")
    assert mine == seeds and len(mine) == 12
    weibin = plan.targets.set_index(["adcode", "metric"]).loc[("410703", "households")]
    assert (weibin["doc_number"], weibin["seed_line"], weibin["as_written"]) == (
        "新百城提质办〔2023〕2号",
        31,
        "3279 户",
    )
    assert weibin["doc_id"].startswith("doc-") and len(weibin["doc_sha256"]) == 64
    # The reviewed document and the seed plan the same places: a plan takes one of them.
    both = figures.combine_figures(figures.load_figures(), document_figures)
    with pytest.raises(InputError, match="Expected one document to plan each place") as refused:
        plans.plan_from_figures(both, city="新乡市", year=2023)
    assert refused.value.code == "plan_documents"
    assert refused.value.details["documents"] == f"{weibin['doc_id']}/xinxiang-2023-2"
    assert error_text(refused.value, "en").startswith(
        f"Several documents ({weibin['doc_id']}, xinxiang-2023-2) plan "
    )
    assert "{" not in error_text(refused.value, "zh")
    chosen = plans.plan_from_figures(both, city="新乡市", year=2023, document=weibin["doc_id"])
    assert set(chosen.targets["doc_id"]) == {weibin["doc_id"]}
    offered = plans.plannable(both)
    assert offered.loc[offered["reason"].isna(), "document"].tolist() == [
        weibin["doc_id"],
        "xinxiang-2023-2",
    ]


def test_plannable_offers_what_makes_a_plan_and_says_why_the_rest_does_not():
    seed = figures.load_figures()
    offered = plans.plannable(seed)
    assert offered[["city", "year", "document", "places", "targets"]].iloc[0].tolist() == [
        "新乡市",
        2023,
        "xinxiang-2023-2",
        12,
        48,
    ]
    # 邯郸 2017 plans an award's money: a plan figure, but no target a plan takes.
    handan = offered.set_index("city").loc["邯郸市"]
    assert (handan["year"], handan["reason"]) == (2017, "no_plan_metric")
    with pytest.raises(InputError) as refused:
        plans.plan_from_figures(seed, city="邯郸市", year=2017)
    assert refused.value.details["found"] == "新乡市 2023"  # only what can be planned
    # Targets over 2023-2025 are not the year's: a flow of three years, not 2023's own.
    xinxiang = seed[(seed["status"] == "plan") & (seed["city"] == "新乡市")]
    spread = xinxiang.assign(period_end=2025, doc_id="multi")
    found = plans.plannable(spread).set_index("city").loc["新乡市"]
    assert (found["year"], found["reason"]) == (2023, "not_one_year")
    # A standing stock (截至, 共有) is no target, whatever its year.
    stock = xinxiang.assign(status="stock")
    assert plans.plannable(stock).empty
    twice = pd.concat([xinxiang, xinxiang.head(1)], ignore_index=True)
    assert plans.plannable(twice)["reason"].tolist() == ["duplicate_target"]
    assert set(offered["reason"].dropna()) <= set(plans.UNPLANNABLE)
