"""
Seeded synthetic ledgers and accessibility infrastructure for the benchmarks. Not real data.

Run ``python -m bench.synthetic [--full]`` from the repository root (it needs the outline cache
of ``atlas build``), or let ``python -m bench`` call it. Files go to ``bench/data/`` (git
ignored), never into the repository, and are rebuilt only when missing:

- ``synthetic-ledger-<region>-<size>.csv``: a 台账 with the columns of the shipped example
  plus 地址, UTF-8 with BOM, GCJ-02 (高德) or WGS84 (GPS) per row in 坐标系, and a 数据性质
  column saying ``合成基准数据，非真实台账 (synthetic)``. About 1% of rows carry a deliberate
  problem (an approximate or unreadable figure, swapped coordinates, a missing name, a
  repeated row), so the quarantine path is timed too.
- ``synthetic-ledger-<region>-<size>-distinct.csv``: the same columns with the cardinality of
  a real ledger: every 小区名称 and every 地址 distinct (names from a syllable list, some with
  full-width brackets, addresses by road, number and building), no 数据性质 value repeated
  beyond the label. The plain ledgers repeat addresses (997 roads) and names share one
  pattern, which flatters every per-distinct-value cache.
- ``synthetic-infra-<region>-<size>.parquet``: GeoParquet, WGS84, one feature per row:
  short lines (tactile paving, sidewalks; 10-200 m, 2-4 vertices) and points (curb ramps,
  bus stops, accessible stops, toilets, elevators), with ``synthetic = True`` and the same
  数据性质 label.

Sizes: ledgers of 10k and 100k rows over the five seed cities and 1M over all of China;
infrastructure of 100k features over the seed cities and 1M over all of China. The national
job adds a 300k-row distinct ledger and a 500k-feature survey, both over all of China. Every point
lies inside a real county-level outline: a district is drawn with equal odds (so small urban
districts are dense, as real ledgers are), then one of its parts by area, then a point
uniformly inside by rejection. Everything is drawn from ``numpy.random.default_rng([seed, kind])``
with the seed fixed per file, so every run writes the same bytes.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, crs

__all__ = [
    "DATA",
    "DISTINCT_LEDGER_SPECS",
    "INFRA_SPECS",
    "LEDGER_SPECS",
    "NATIONAL_INFRA_SPEC",
    "NATIONAL_LEDGER_SPEC",
    "Spec",
    "infra_path",
    "ledger_path",
    "region_districts",
    "sample_points",
    "synthetic_infra",
    "synthetic_ledger",
    "write_all",
]

DATA = Path(__file__).resolve().parent / "data"
LABEL_LEDGER = "合成基准数据，非真实台账 (synthetic)"
LABEL_INFRA = "合成基准数据，非真实调查 (synthetic)"
#: Every region's seed is this plus the size, so files never share a random stream.
BASE_SEED = 20261122


@dataclass(frozen=True)
class Spec:
    """One synthetic file: its region (``seed`` or ``china``), size, cardinality and name tag."""

    region: str
    size: int
    distinct: bool = False

    @property
    def tag(self) -> str:
        size = f"{self.size // 1_000_000}m" if self.size >= 1_000_000 else f"{self.size // 1000}k"
        return f"{self.region}-{size}" + ("-distinct" if self.distinct else "")

    @property
    def seed(self) -> int:
        return BASE_SEED + self.size + (7 if self.region == "china" else 0) + 13 * self.distinct


LEDGER_SPECS = (Spec("seed", 10_000), Spec("seed", 100_000), Spec("china", 1_000_000))
#: Ledgers with a real ledger's cardinality (every name and address distinct): ledger job only.
DISTINCT_LEDGER_SPECS = (Spec("seed", 100_000, distinct=True), Spec("china", 1_000_000, True))
INFRA_SPECS = (Spec("seed", 100_000), Spec("china", 1_000_000))
#: The national job's inputs (``--full``): a ministry-sized ledger, ~307k communities renovated
#: 2019–2025 with a real ledger's cardinality, and a survey of all China.
NATIONAL_LEDGER_SPEC = Spec("china", 300_000, distinct=True)
NATIONAL_INFRA_SPEC = Spec("china", 500_000)


def ledger_path(spec: Spec, folder: Path = DATA) -> Path:
    return folder / f"synthetic-ledger-{spec.tag}.csv"


def infra_path(spec: Spec, folder: Path = DATA) -> Path:
    return folder / f"synthetic-infra-{spec.tag}.parquet"


def region_districts(region: str) -> gpd.GeoDataFrame:
    """The full outlines of the five seed cities (``seed``) or of all of China (``china``)."""
    districts = boundaries.load_boundaries("district").sort_values("adcode", ignore_index=True)
    if region == "seed":
        districts = districts[districts["city"].isin(boundaries.SEED_CITIES)]
    elif region != "china":
        raise ValueError(f"Expected region 'seed' or 'china', got {region!r}.")
    return districts.reset_index(drop=True)


def sample_points(
    districts: gpd.GeoDataFrame, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """
    ``n`` WGS84 points inside ``districts``: lon, lat and the row of the district drawn.

    A district with equal odds, then one of its parts by area (Sansha's reefs are parts of a
    huge, mostly empty bounding box), then rejection sampling in the part's bounding box.
    """
    parts, owner = shapely.get_parts(districts.geometry.to_numpy(), return_index=True)
    shapely.prepare(parts)
    area = shapely.area(parts)
    cumulative = np.cumsum(area)
    first = np.searchsorted(owner, np.arange(len(districts)))
    before = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
    total = np.bincount(owner, weights=area, minlength=len(districts))
    district = rng.integers(0, len(districts), n)
    target = before[district] + rng.random(n) * total[district]
    part = np.minimum(np.searchsorted(cumulative, target, side="right"), len(parts) - 1)
    bounds = shapely.bounds(parts)
    lon, lat = np.empty(n), np.empty(n)
    todo = np.arange(n)
    while todo.size:
        box = bounds[part[todo]]
        x, y = rng.uniform(box[:, 0], box[:, 2]), rng.uniform(box[:, 1], box[:, 3])
        inside = shapely.intersects_xy(parts[part[todo]], x, y)
        lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
        todo = todo[~inside]
    return lon, lat, owner[part]


_TAGS = ["加装电梯、适老化", "管网、外墙", "无障碍、停车", "充电、停车、适老化", "外墙、管网"]
_STATUS = ["完工", "完工", "开工", "计划", "已竣工", "施工中"]
_PROBLEMS = ("approximate", "bad_number", "swapped", "no_name", "repeat")


def synthetic_ledger(spec: Spec) -> pd.DataFrame:
    """The rows of one synthetic ledger, every cell text, as ``write_all`` saves them."""
    rng = np.random.default_rng([spec.seed, 0])
    districts = region_districts(spec.region)
    lon, lat, row = sample_points(districts, spec.size, rng)
    gps = rng.random(spec.size) < 0.2  # a fifth of rows surveyed by GPS, the rest from Amap
    lon_gcj02, lat_gcj02 = crs.wgs84_to_gcj02(lon, lat)
    lon_out, lat_out = np.where(gps, lon, lon_gcj02), np.where(gps, lat, lat_gcj02)
    city = districts["city"].to_numpy(dtype=object)[row]
    district = districts["district"].to_numpy(dtype=object)[row]
    if spec.distinct:
        names, addresses = _distinct_names(spec.size, rng)
    else:
        number = pd.Series(np.arange(1, spec.size + 1)).map("{:07d}".format).to_numpy(object)
        names = district + "合成" + number + "号小区"
        addresses = "合成路" + (np.arange(spec.size) % 997).astype(str) + "号"
    ledger = pd.DataFrame(
        {
            "小区名称": names,
            "所属城市": city,
            "所属区县": district,
            "地址": city + district + addresses,
            "改造年度": rng.integers(2019, 2025, spec.size).astype(str),
            "户数": rng.integers(20, 1200, spec.size).astype(str),
            "楼栋数": rng.integers(1, 40, spec.size).astype(str),
            "建筑面积（万m²）": (rng.integers(5, 900, spec.size) / 10).astype(str),
            "改造内容": np.array(_TAGS, dtype=object)[rng.integers(0, len(_TAGS), spec.size)],
            "状态": np.array(_STATUS, dtype=object)[rng.integers(0, len(_STATUS), spec.size)],
            "总投资（万元）": rng.integers(50, 5000, spec.size).astype(str),
            "经度": np.char.mod("%.6f", lon_out),
            "纬度": np.char.mod("%.6f", lat_out),
            "坐标系": np.where(gps, "wgs84", "高德"),
            "数据性质": LABEL_LEDGER,
        }
    )
    return _add_problems(ledger, rng)


_SYLLABLES = list(
    "幸福和平建设人民胜利解放光明朝阳新华红旗东风团结友谊文化育才春晴秋实锦绣金水银河"
    "翠竹梧桐丹桂兰亭松柏御景华庭嘉园雅苑盛世康乐安居富民永安长青"
)
_PLACE_WORDS = ("小区", "家属院", "花园", "苑", "里", "公寓", "新村", "社区", "院")
_ROAD_WORDS = ("路", "街", "大道", "巷", "胡同")
_WINGS = ("", "", "", "", "（东区）", "（西区）", "（一期）", "（二期）", "·北院", "(南院)")


def _distinct_names(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` community names and ``n`` addresses, each distinct, as a real ledger has them."""
    syllables = np.array(_SYLLABLES, dtype=object)

    def words(count: int, low: int, high: int) -> np.ndarray:
        length = rng.integers(low, high + 1, count)
        picks = syllables[rng.integers(0, len(syllables), (count, high))]
        return np.array(["".join(p[:k]) for p, k in zip(picks, length, strict=True)], object)

    place = np.array(_PLACE_WORDS, dtype=object)[rng.integers(0, len(_PLACE_WORDS), n)]
    wing = np.array(_WINGS, dtype=object)[rng.integers(0, len(_WINGS), n)]
    names = pd.Series(words(n, 2, 4) + place + wing)
    # A repeated name gets the number real ledgers give it: 幸福小区 and 幸福小区2.
    repeat = names.groupby(names).cumcount().to_numpy()
    names = np.where(repeat > 0, names + (repeat + 1).astype(str), names).astype(object)
    road = words(n, 2, 3) + np.array(_ROAD_WORDS, dtype=object)[rng.integers(0, 5, n)]
    number = rng.integers(1, 400, n).astype(str)
    # Position in the file makes each address distinct, as 号 and 栋 do in a real one.
    building = (np.arange(n) % 97 + 1).astype(str)
    unit = (np.arange(n) // 97 + 1).astype(str)
    addresses = road + number + "号" + unit + "栋" + building + "单元"
    return names, addresses.astype(object)


def _add_problems(ledger: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """About 1% of rows get one deliberate problem each, the kinds in turn."""
    bad = np.flatnonzero(rng.random(len(ledger)) < 0.01)
    kinds = np.array(_PROBLEMS)[np.arange(len(bad)) % len(_PROBLEMS)]
    at = {kind: bad[kinds == kind] for kind in _PROBLEMS}
    ledger.loc[at["approximate"], "户数"] = "约" + ledger.loc[at["approximate"], "户数"]
    ledger.loc[at["bad_number"], "楼栋数"] = "若干"
    swapped = at["swapped"]
    ledger.loc[swapped, ["经度", "纬度"]] = ledger.loc[swapped, ["纬度", "经度"]].to_numpy()
    ledger.loc[at["no_name"], "小区名称"] = ""
    repeat = at["repeat"][at["repeat"] > 0]
    ledger.iloc[repeat] = ledger.iloc[repeat - 1].to_numpy()
    return ledger


# Share of each feature type: short lines first, then points.
_INFRA_SHARES = {
    "tactile_paving": 0.30,
    "sidewalk": 0.30,
    "curb_ramp": 0.20,
    "bus_stop": 0.10,
    "accessible_bus_stop": 0.05,
    "accessible_toilet": 0.03,
    "elevator": 0.02,
}
_LINES = ("tactile_paving", "sidewalk")
_M_PER_DEG = 111_320.0


def synthetic_infra(spec: Spec) -> gpd.GeoDataFrame:
    """Features in the shape :class:`geo.infra.Infra` holds, plus the synthetic labels."""
    rng = np.random.default_rng([spec.seed, 1])
    districts = region_districts(spec.region)
    lon, lat, _ = sample_points(districts, spec.size, rng)
    kinds = np.array(list(_INFRA_SHARES), dtype=object)
    kind = kinds[rng.choice(len(kinds), spec.size, p=list(_INFRA_SHARES.values()))]
    geometry = shapely.points(lon, lat)
    is_line = np.isin(kind, _LINES)
    geometry[is_line] = _short_lines(lon[is_line], lat[is_line], rng)
    return gpd.GeoDataFrame(
        {
            "type": kind,
            "source": f"synthetic-infra-{spec.tag}",
            "source_id": pd.Series(np.arange(spec.size)).map("synthetic/{}".format).to_numpy(),
            "name": None,
            "synthetic": True,
            "数据性质": LABEL_INFRA,
        },
        geometry=geometry,
        crs="EPSG:4326",
    )


def _short_lines(lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A line of 2-4 vertices and 10-200 m from each point, gently bending."""
    n = len(lon)
    vertices = rng.integers(2, 5, n)
    step_m = rng.uniform(10, 200, n) / (vertices - 1)
    heading = rng.uniform(0, 2 * np.pi, n)
    line = np.repeat(np.arange(n), vertices)
    rank = np.arange(vertices.sum()) - np.repeat(np.cumsum(vertices) - vertices, vertices)
    turn = np.repeat(heading, vertices) + rng.normal(0, 0.2, len(line)) * (rank > 0)
    # Each vertex walks one step from the previous one; the first stays at the point.
    dx = np.where(rank > 0, np.cos(turn) * np.repeat(step_m, vertices), 0.0)
    dy = np.where(rank > 0, np.sin(turn) * np.repeat(step_m, vertices), 0.0)
    x = pd.Series(dx).groupby(line).cumsum().to_numpy()
    y = pd.Series(dy).groupby(line).cumsum().to_numpy()
    lat_v = np.repeat(lat, vertices) + y / _M_PER_DEG
    lon_v = np.repeat(lon, vertices) + x / (_M_PER_DEG * np.cos(np.radians(lat_v)))
    return shapely.linestrings(lon_v, lat_v, indices=line)


def write_all(*, full: bool, folder: Path = DATA) -> list[Path]:
    """Write the files a run needs (all-China ones only when ``full``); existing ones are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in (*LEDGER_SPECS, *DISTINCT_LEDGER_SPECS, NATIONAL_LEDGER_SPEC):
        path = ledger_path(spec, folder)
        if (full or spec.region != "china") and not path.exists():
            _atomic(path, lambda tmp, s=spec: _write_csv(synthetic_ledger(s), tmp))
            written.append(path)
    for spec in (*INFRA_SPECS, NATIONAL_INFRA_SPEC):
        path = infra_path(spec, folder)
        if (full or spec.region != "china") and not path.exists():
            _atomic(path, lambda tmp, s=spec: synthetic_infra(s).to_parquet(tmp, index=False))
            written.append(path)
    return written


def _write_csv(ledger: pd.DataFrame, path: Path) -> None:
    ledger.to_csv(path, index=False, encoding="utf-8-sig")


def _atomic(path: Path, write) -> None:
    tmp = path.with_suffix(".tmp")
    write(tmp)
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--full", action="store_true", help="also the 1M-row files")
    args = parser.parse_args()
    for path in write_all(full=args.full):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
