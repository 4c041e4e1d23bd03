"""
Write synthetic-ledger-xinxiang.csv: a made-up ledger to try the app with. Not real data.

Run from the repository root with `.venv/bin/python data/examples/make_synthetic_ledger.py`.
Points are drawn (seed 2023) inside the WGS84 outlines of four Xinxiang districts, at least
~1 km from their edges, then shifted to GCJ-02 as an Amap-based ledger would hold them. The
last rows carry deliberate problems so the quarantine has something to show, and one row
carries HTML payloads so the escaping can be seen. Every row says it is synthetic.

Started and finished communities get 开工日期 and 完工日期 in their year (the last two columns),
drawn from a second generator (seed 24) so the other columns stay as they were, and written
in the forms ledgers use: 2023年3月15日, 2023.3.15, 2023/03/15, 2023-03-15, and months alone
(2023-04, 2023年5月).
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np
import shapely

from geo import boundaries, crs

OUT = Path(__file__).with_name("synthetic-ledger-xinxiang.csv")
HEADER = [
    "小区名称",
    "所属城市",
    "所属区县",
    "改造年度",
    "户数",
    "楼栋数",
    "建筑面积（万m²）",
    "改造内容",
    "状态",
    "总投资（万元）",
    "经度",
    "纬度",
    "坐标系",
    "数据性质",
    "开工日期",
    "完工日期",
]
SYNTHETIC = "合成示例，非真实台账 (synthetic)"
TAGS = [
    "加装电梯、适老化",
    "管网、外墙",
    "无障碍、停车",
    "充电、停车、适老化",
    "外墙、管网、无障碍",
]
STATUS = ["完工", "完工", "开工", "计划"]
# How each dated row writes its days: a day in four forms, then a month alone in two.
FORMS = ["{y}年{m}月{d}日", "{y}.{m}.{d}", "{y}/{m:02d}/{d:02d}", "{y}-{m:02d}-{d:02d}"]
MONTH_FORMS = ["{y}-{m:02d}", "{y}年{m}月"]


def points_in(outline, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    inner = shapely.buffer(outline, -0.01)
    minx, miny, maxx, maxy = inner.bounds
    points = []
    while len(points) < count:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if inner.contains(shapely.Point(x, y)):
            points.append((x, y))
    return points


#: Rows with deliberate problems (and one with HTML payloads), after the clean ones.
PROBLEMS = [
    "育才北院,新乡市,红旗区,2023,96,3,0.9,适老化,计划,120,,,",
    "高新创业小区,新乡市,高新区,2023,210,6,2.1,管网,开工,300,,,",
    "约数小区,新乡市,卫滨区,2023,约200,5,1.5,外墙,完工,200,,,",
    "<img src=x onerror=alert(1)>,新乡市,牧野区,2023,50,1,0.4,"
    "</script><script>alert(2)</script>,完工,80,,,",
]


def clean_rows(rng: np.random.Generator) -> list[list[str]]:
    """Communities with GCJ-02 points inside four Xinxiang districts."""
    districts = boundaries.load_boundaries("district")
    xinxiang = districts[districts["city"] == "新乡市"].set_index("district")
    names = iter(
        f"{a}{b}小区"
        for a in "幸福和平建设胜利光明友谊团结育才"
        for b in ["", "东", "西", "南", "北"]
    )
    rows = []
    for district, count in {"卫滨区": 9, "红旗区": 6, "牧野区": 6, "凤泉区": 3}.items():
        for lon, lat in points_in(xinxiang.loc[district].geometry, count, rng):
            lon_gcj02, lat_gcj02 = crs.wgs84_to_gcj02(lon, lat)
            rows.append(
                [
                    next(names),
                    "新乡市",
                    district,
                    str(rng.choice(["2022", "2023"])),
                    str(rng.integers(40, 400)),
                    str(rng.integers(2, 12)),
                    f"{rng.integers(30, 300) / 10:.1f}",
                    TAGS[rng.integers(0, 5)],
                    STATUS[rng.integers(0, 4)],
                    str(rng.integers(50, 900)),
                    f"{lon_gcj02:.6f}",
                    f"{lat_gcj02:.6f}",
                    "gcj02",
                ]
            )
    return rows


def problem_rows(first: list[str], second: list[str]) -> list[list[str]]:
    """
    Rows the quarantine should catch, built from the first two clean rows where they need a
    point: swapped lon/lat, and a duplicate of the second with other households.
    """
    fixed = [row.split(",") for row in PROBLEMS]
    swapped = ["经纬颠倒小区", "新乡市", "卫滨区", "2023", "88", "2", "0.8", "管网", "完工", "90"]
    duplicate = [*second[:4], str(int(second[4]) + 30), *second[5:10], "", "", ""]
    return [
        *fixed[:3],
        [*swapped, first[11], first[10], "gcj02"],
        duplicate,
        fixed[3],
        ["合计", *[""] * 12],
    ]


def written(day: datetime.date, form: int) -> str:
    """``day`` in the ``form``-th way ledgers write dates; every sixth and seventh a month."""
    forms = FORMS + MONTH_FORMS
    return forms[form % len(forms)].format(y=day.year, m=day.month, d=day.day)


def dates_of(row: list[str], form: int, rng: np.random.Generator) -> list[str]:
    """开工日期 and 完工日期 of a row as its status needs: none for 计划, a start for 开工."""
    status, year = row[8], int(row[3]) if row[3].isdigit() else 2023
    if status == "计划" or not status:
        return ["", ""]
    # Most starts fall in February to May, a few later: some are late for a start-by of 31 March.
    start = datetime.date(year, 2, 1) + datetime.timedelta(days=int(rng.integers(0, 150)))
    if status == "开工":
        return [written(start, form), ""]
    finish = start + datetime.timedelta(days=int(rng.integers(60, 240)))
    finish = min(finish, datetime.date(year, 12, 20))
    return [written(start, form), written(finish, form + 1)]


def main() -> None:
    rows = clean_rows(np.random.default_rng(2023))
    rows += problem_rows(rows[0], rows[1])
    # A second generator: the dates leave every other column as the first one drew it.
    rng = np.random.default_rng(24)
    # The duplicate of the second row repeats its dates, as a copied row would.
    found = {}
    with OUT.open("w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for i, row in enumerate(rows):
            key = tuple(row[:4])
            days = found.setdefault(key, dates_of(row, i, rng)) if row[0] != "合计" else ["", ""]
            writer.writerow([*row, SYNTHETIC, *days])
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
