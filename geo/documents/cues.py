"""
The words around a figure that say what it counts, when, and whether it is planned or done.

Three vocabularies, all matched on folded text (:func:`geo.documents.quantities.fold_text`):

- **metric cues** (:data:`METRIC_CUES`): the nouns that name what a number counts, each with
  the units it can be counted in (老旧小区 counts in 个, 居民 in 户 for households and in 人
  for residents, 盲道 in km), and the nouns that count something that is no metric
  (:data:`NOT_METRIC_CUES`: 街道, 党员, 路灯, 停车位 …). :func:`metric_of` picks the cue that
  names the number: the noun right after its unit (1172个老旧小区), else the nearest cue before
  it that can count in its unit (改造楼栋 1203 个), then refines it (盲道 as stock or as new
  work, 小区 of all ages or old ones, money for elderly homes);
- **status cues** (:data:`STATUS_CUES`): 拟/计划 (plan), 正在 (in progress), 已/以来/累计
  (completed), 共有/截至/总长 (stock), strong and weak;
- **periods** (:func:`find_periods`): 2019-2023年, 2019年至2022年, 2021年以来, 截至目前, 今年.

Every decision comes with its basis in words (``cue 老旧小区 after``), so a reviewer sees why.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re

from geo.documents.quantities import Brackets, Quantity

__all__ = [
    "METRIC_CUES",
    "NOT_METRIC_CUES",
    "STATUS_CUES",
    "Period",
    "find_periods",
    "heading_status",
    "metric_of",
    "refine",
    "status_of",
]

_COUNTS = frozenset("个处座栋幢套间部台家条项辆所")
_ALL = frozenset({*_COUNTS, "户", "人", "名", "m2", "km", "percent", "cny"})

#: Metric → (cue words, units it is counted in: unit words for counts, canonical otherwise).
METRIC_CUES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "communities": (
        ("城镇老旧小区", "老旧住宅小区", "老旧小区", "旧小区", "住宅小区", "小区", "院落"),
        frozenset("个处"),
    ),
    "projects": (("改造项目", "项目"), frozenset("个")),
    "buildings": (("楼栋", "栋楼", "楼房", "房屋", "住宅楼", "单元楼"), frozenset("栋幢个座")),
    "households": (("居民", "住户", "户数", "家庭"), frozenset("户")),
    "residents": (("居民", "人口", "群众", "惠及"), frozenset("人名")),
    "floor_area_m2": (("建筑面积", "改造面积", "面积"), frozenset({"m2"})),
    "investment_cny": (("总投资", "投资", "投入", "资金", "概算"), frozenset({"cny"})),
    "subsidy_cny": (
        ("上级补助资金", "中央补助资金", "补助资金", "补助", "补贴", "奖补"),
        frozenset({"cny"}),
    ),
    "elderly_homes_retrofitted": (
        ("老年人家庭", "困难老年人", "老年人", "适老化改造", "适老化"),
        frozenset("户"),
    ),
    "tactile_paving_new_km": (("盲道",), frozenset({"km"})),
    "sidewalk_km": (("人行道",), frozenset({"km"})),
    "tactile_paving_rate": (
        ("盲道铺设率", "盲道覆盖率", "盲道设置率", "盲道率"),
        frozenset({"percent"}),
    ),
    "accessible_bus_stops": (
        ("无障碍公交站台", "无障碍公交车站", "无障碍公交站", "无障碍站台"),
        frozenset("个座处"),
    ),
    "curb_ramps": (("路缘石坡道", "缘石坡道", "路缘坡道", "缘石坡"), frozenset("处个座")),
    "accessible_toilets": (
        ("无障碍卫生间", "无障碍厕所", "无障碍公厕", "第三卫生间"),
        frozenset("个座处间"),
    ),
    "elevators_added": (("加装电梯", "无障碍电梯", "电梯"), frozenset("部台个处座")),
    "illegal_structures_removed": (
        ("拆除违法建设", "拆除违建", "违章建筑", "违法建设", "拆违", "违建"),
        frozenset("处个"),
    ),
    "illegal_structures_removed_m2": (
        ("拆除违法建设", "拆除违建", "违章建筑", "违法建设", "拆违", "违建"),
        frozenset({"m2"}),
    ),
    "self_demolition_rate": (("自拆率",), frozenset({"percent"})),
    "community_rooms_built": (
        ("党群活动室", "居家养老服务站", "养老服务站", "活动室"),
        frozenset("座个处间"),
    ),
    "service_outlets_built": (("代办点", "示范店"), frozenset("处个")),
    "convenience_facilities_added": (("便民服务设施",), frozenset("个处")),
}

#: Nouns that count something that is no metric, and the units they count in.
NOT_METRIC_CUES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (
        (
            "县（市、区）", "县", "乡镇", "街道", "社区", "村", "部门", "单位", "专班",
            "党组织", "党支部", "组织", "网格", "路灯", "灯", "停车位", "车位", "充电桩",
            "充电设施", "广场", "游园", "公园", "公厕", "厕所", "卫生间", "座椅", "垃圾",
            "监控", "摄像头", "健身器材", "宣传", "标语", "媒体", "会议", "企业", "物业",
            "养老服务设施", "服务设施", "设施", "提升", "低位服务台", "低位柜台", "服务台",
            "柜台", "窗口", "扶手", "井盖", "车棚", "门禁", "先锋岗", "城区", "问题", "隐患",
            "工作组", "小组", "城市", "省", "批次", "示范", "试点", "样板", "案例", "无障碍坡道",
            "坡道",
        ),
        _ALL - {"cny", "percent", "户"},
    ),
    (
        (
            "党员", "干部", "代表", "志愿者", "老年人", "老人", "入网", "用户", "工人",
            "人员", "监督员", "委员", "职工", "残疾人", "专家", "人次",
        ),
        frozenset("人名"),
    ),
    (
        (
            "管网", "管线", "管道", "道路", "雨污", "燃气", "供水", "排水", "供热", "电力",
            "光纤", "线路", "围墙", "绿化", "绿地", "路面", "外墙", "屋面", "防水", "保温",
            "硬化", "停车场", "墙面", "楼道",
        ),
        frozenset({"km", "m2"}),
    ),
)  # fmt: skip

#: Status → (strong cues, weak cues); :func:`status_of` says which decides when.
# fmt: off
STATUS_CUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "plan": (
        (
            "拟", "计划", "预计", "力争", "将完成", "将改造", "将实施", "将新建", "将建设",
            "年度计划", "确保完成",
        ),
        ("列支", "安排", "目标", "任务", "规划"),
    ),
    "in_progress": (
        (
            "正在", "在建", "推进中", "实施中", "施工中", "已开工", "已全部开工", "全部开工",
            "全面开工",
        ),
        ("开工",),
    ),
    "completed": (
        ("已", "以来", "累计", "共计完成", "完成了", "建成了", "改造了", "完工", "竣工"),
        (
            "完成", "建成", "改造", "实施", "新建", "新增", "惠及", "投入",
            "争取", "拆违", "帮助", "获得", "下达", "整治", "拆除", "加装", "铺设",
        ),
    ),
    "stock": (("截至", "共有", "现有", "总长", "总量", "存量", "范围内", "底数"), ("共", "占")),
}
# fmt: on
_HEADING_STATUS = {
    "plan": ("目标任务", "计划", "任务", "安排", "目标"),
    "completed": ("完成情况", "进展情况", "工作开展情况", "实施情况", "取得成效", "成效"),
    "stock": ("基本情况", "现状"),
}


@dataclasses.dataclass(frozen=True)
class Period:
    """A period written in the text: years (``None`` where open) and the words as written."""

    start: int
    end: int
    first: int | None
    last: int | None
    label: str
    kind: str  # range, since, until, now, year, this_year, last_year, next_year


@functools.lru_cache(maxsize=1)
def _cue_pattern() -> tuple[re.Pattern[str], dict[str, list[tuple[str | None, frozenset[str]]]]]:
    """One regex of every cue word (longest first) and each word's (metric, units) entries."""
    entries: dict[str, list[tuple[str | None, frozenset[str]]]] = {}
    for metric, (words, units) in METRIC_CUES.items():
        for word in words:
            entries.setdefault(word, []).append((metric, units))
    for words, units in NOT_METRIC_CUES:
        for word in words:
            entries.setdefault(word, []).append((None, units))
    pattern = re.compile("|".join(map(re.escape, sorted(entries, key=len, reverse=True))))
    return pattern, entries


def _fits(units: frozenset[str], quantity: Quantity) -> bool:
    return quantity.unit_word in units or quantity.unit in units


def _cue_for(word: str, quantity: Quantity) -> tuple[str | None, bool]:
    """(metric or None, whether the word can count this quantity's unit at all)."""
    for metric, units in _cue_pattern()[1][word]:
        if _fits(units, quantity):
            return metric, True
    return None, False


def metric_of(
    quantity: Quantity,
    window: str,
    after: str,
    before: str,
    sentence: str,
    *,
    status: str,
) -> tuple[str | None, str, str]:
    """
    The metric a quantity counts, the cue word and where it was found.

    ``window`` is the text a noun naming the quantity may stand in: from the figure before it
    in its sentence (or a list of figures sharing one noun, 居民 4.2 万余户、11.5 万多人) up to
    it, with place names blanked so 原阳县 is not the noun 县. ``after`` is the clause after
    its unit, ``before`` the whole sentence up to it and ``sentence`` all of it. Returns
    ``(metric, cue, where)``: ``where`` is ``after``, ``before``, ``rate``, ``share`` or ""
    when no cue fits (then ``metric`` is None and ``cue`` ""). A cue of something that is no
    metric (街道, 路灯) gives metric ``"other"``.
    """
    if quantity.unit == "percent":
        return _percent_metric(before)
    pattern, _ = _cue_pattern()
    for match in pattern.finditer(after[:12]):
        metric, fits = _cue_for(match.group(), quantity)
        if fits:
            word = match.group()
            return (
                refine(metric or "other", word, quantity, before, sentence, status),
                word,
                ("after"),
            )
    for match in reversed(list(pattern.finditer(window))):
        metric, fits = _cue_for(match.group(), quantity)
        if fits:
            word = match.group()
            context = before[: len(before) - len(window) + match.start()]
            return (
                refine(metric or "other", word, quantity, context, sentence, status),
                word,
                ("before"),
            )
    return None, "", ""


_RATE = re.compile(r"([\u4e00-\u9fff]{1,8}率)(?:达到|达|为|是|提高到|提升至)?\s*$")
_SHARE = re.compile(r"占([^，。；,;%]{1,18}?)(?:的)?(?:比例|比重)?(?:为|达|达到)?\s*$")
_RATES = {
    "盲道铺设率": "tactile_paving_rate",
    "盲道覆盖率": "tactile_paving_rate",
    "盲道设置率": "tactile_paving_rate",
    "盲道率": "tactile_paving_rate",
    "自拆率": "self_demolition_rate",
}


def _percent_metric(before: str) -> tuple[str, str, str]:
    """A percentage: a named rate (盲道铺设率), a share (占全区小区总量的), else other."""
    if match := _RATE.search(before):
        word = match.group(1)
        metric = next((m for k, m in _RATES.items() if word.endswith(k)), "other")
        return metric, word, "rate"
    if match := _SHARE.search(before):
        whole = match.group(1)
        if "户" in whole and re.search("城市|全市|市", whole):
            return "share_of_city_households", f"占{whole}", "share"
        if "小区" in whole and "老旧" in whole and "市" in whole:
            return "share_of_city_old_communities", f"占{whole}", "share"
        if "小区" in whole and "区" in whole.replace("小区", ""):
            return "share_of_district_communities", f"占{whole}", "share"
        return "other", f"占{whole}", "share"
    return "other", "", ""


_BUILT_BEFORE = re.compile(r"(\d{4})\s*年(?:以)?前建成(?:的)?$")


def refine(
    metric: str, word: str, quantity: Quantity, before: str, sentence: str, status: str
) -> str:
    """
    Turn a cue's metric into the precise one.

    Paving as stock or as new work, communities of all ages or built before 2005, money for
    elderly homes or property management.

    ``before`` is the sentence up to the cue word, ``sentence`` all of it.
    """
    if metric == "tactile_paving_new_km" and status == "stock":
        return "tactile_paving_km"
    if metric == "communities" and word == "小区":
        built = _BUILT_BEFORE.search(before)
        if built:
            return "communities_pre2005" if built.group(1) == "2005" else "other"
        if not re.search("改造|旧改|老旧|整治|提升", before) and status == "stock":
            return "communities_total"
    if metric in ("investment_cny", "subsidy_cny") and "适老化" in sentence:
        return "elderly_retrofit_investment_cny"
    if metric == "subsidy_cny" and word == "奖补" and "物业" in sentence:
        return "property_management_award_cny"
    if metric == "households" and word == "家庭" and "老年人" in before[-4:]:
        return "elderly_homes_retrofitted"
    return metric


def status_of(
    window: str, before: str, after: str, heading: str | None, default: str
) -> tuple[str, str]:
    """
    The status of a figure and its basis.

    From the first of: a strong cue (拟, 已, 正在,
    截至 …) in its ``window`` (since the figure before it), in the clause ``after`` it
    (62个小区已全部开工), or anywhere ``before`` it in its sentence; a plan's section heading
    (目标任务); a weak cue (完成, 改造, 共 …) before it, then after it; any other heading;
    ``default`` (the document's).
    """
    for text, strength, where in (
        (window, 0, "before"),
        (after, 0, "after"),
        (before, 0, "before"),
    ):
        found = _first(text, strength) if where == "after" else _nearest(text, strength)
        if found is not None:
            return found[0], f"{found[1]} ({where})"
    # A plan's heading (二、目标任务) outweighs the verbs of its targets (完成改造 22149 户).
    heading = heading or ""
    section = heading_status(heading) if heading else None
    if section == "plan":
        return section, f"heading {heading[-16:]}"
    weak = _nearest(before, 1)
    if weak is not None:
        return weak[0], f"{weak[1]} (before)"
    weak = _first(after, 1)
    if weak is not None:
        return weak[0], f"{weak[1]} (after)"
    if section is not None:
        return section, f"heading {heading[-16:]}"
    return default, "document"


@functools.lru_cache(maxsize=2)
def _status_pattern(strength: int) -> tuple[re.Pattern[str], dict[str, str]]:
    words = {w: status for status, cues in STATUS_CUES.items() for w in cues[strength]}
    return re.compile("|".join(sorted(words, key=len, reverse=True))), words


def _nearest(text: str, strength: int) -> tuple[str, str] | None:
    pattern, words = _status_pattern(strength)
    matches = list(pattern.finditer(text))
    return (words[matches[-1].group()], matches[-1].group()) if matches else None


def _first(text: str, strength: int) -> tuple[str, str] | None:
    pattern, words = _status_pattern(strength)
    match = pattern.search(text)
    return (words[match.group()], match.group()) if match else None


def heading_status(heading: str) -> str | None:
    """The status a section heading implies (二、目标任务 → plan), or None."""
    for status, words in _HEADING_STATUS.items():
        if any(w in heading for w in words):
            return status
    return None


# Gaps are possessive (\s*+) and a pattern never starts with one, so a run of spaces is read
# once: "(?:从|自)?\s*" began a scan of the rest at each of 64,000 spaces.
_PERIODS = (
    (
        "range",
        re.compile(
            r"(?P<a>(?:19|20)\d{2})\s*+年?\s*+(?:-|—|–|~|～|至|到)\s*+(?P<b>(?:19|20)\d{2})\s*+年"
        ),
    ),
    (
        "since",
        re.compile(r"(?:(?:从|自)\s*+)?(?P<a>(?:19|20)\d{2})\s*+年\s*+(?:以来|起|开始|至今)"),
    ),
    ("until", re.compile(r"截至\s*+(?P<a>(?:19|20)\d{2})\s*+年")),
    ("now", re.compile(r"截至(?:目前|今年|现在|当前|目前为止)")),
    ("year", re.compile(r"(?P<a>(?:19|20)\d{2})\s*+年(?:度)?(?!\s*+(?:以前|前|底前))")),
    ("this_year", re.compile(r"今年|本年度|本年|当年")),
    ("last_year", re.compile(r"去年|上年")),
    ("next_year", re.compile(r"明年|下一年")),
)


def find_periods(text: str, *, year: int | None) -> list[Period]:
    """
    Every period written in ``text``, in order.

    Years are resolved against the document's ``year`` (2021年以来 runs to it; 今年 is it;
    None leaves those ends open). A period inside 《…》 or 〔…〕 (a title, a document number)
    is none. Linear in the text: titles and periods already taken are found by binary search.
    """
    found: list[Period] = []
    taken: list[tuple[int, int]] = []  # disjoint, sorted: by start and by end alike
    titles, numbers = Brackets(text, "《》"), Brackets(text, "〔〕")
    for kind, pattern in _PERIODS:
        for match in pattern.finditer(text):
            start, end = match.span()
            at = bisect.bisect_left(taken, (end, -1))
            if at and taken[at - 1][1] > start:
                continue
            if titles.inside(start) or numbers.inside(start):
                continue
            first, last = _years(kind, match, year)
            label = re.sub(r"\s+", "", match.group())
            found.append(Period(start, end, first, last, label, kind))
            taken.insert(at, (start, end))
    return sorted(found, key=lambda p: p.start)


def _years(kind: str, match: re.Match[str], year: int | None) -> tuple[int | None, int | None]:
    if kind == "range":
        return int(match["a"]), int(match["b"])
    if kind == "since":
        return int(match["a"]), year
    if kind in ("until", "year"):
        return int(match["a"]), int(match["a"])
    if kind in ("now", "this_year"):
        return year, year
    if year is None:
        return None, None
    return (year + 1, year + 1) if kind == "next_year" else (year - 1, year - 1)
