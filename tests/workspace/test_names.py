"""
Text at the workspace's edge (store/names.py), on both back ends: NUL bytes and unpaired
surrogates refused with one message, dataset and account names normalised one way, version
references parsed once, and a name that never tells another city it exists.
"""

from __future__ import annotations

import re

import argon2
import pytest

from geo import records
from layers.wording import error_text
from store import (
    AccessError,
    AccountError,
    DatasetError,
    LoginError,
    TextError,
    UnknownDatasetError,
    parse_ref,
)
from store.names import MAX_VERSION, normalise_name, version_number

from .conftest import LEDGER

PASSWORD = "correct horse battery"
JIAOZUO = "小区名称,所属城市,所属区县,户数\n焦作甲小区,焦作市,解放区,100\n"
NUL_OR_SURROGATE = ["a\x00b", "a\ud800b", "\udfff"]
REFUSED_TEXT = "as text without NUL bytes or unpaired surrogates (which no database can keep)"


@pytest.fixture
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def _save(workspace, ledger, name="xx", *, user="clerk", file_name=LEDGER.name, note=None):
    return workspace.save_ledger(
        ledger, name=name, user=user, data=LEDGER.read_bytes(), file_name=file_name, note=note
    )


# --- references and names, without a database ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xinxiang", ("xinxiang", None)),
        ("新乡-2026@3", ("新乡-2026", 3)),
        ("a@b@12", ("a@b", 12)),  # the last @ starts the version: refused below as a name
        (f"xx@{MAX_VERSION}", ("xx", MAX_VERSION)),
        ("jz\u200b@1", ("jz", 1)),  # a zero-width space is no part of a name
        ("ｊｚ@1", ("jz", 1)),  # full-width letters read as the letters
    ],
)
def test_a_reference_is_parsed_once(text, expected):
    if "@" in expected[0]:
        with pytest.raises(DatasetError, match="Expected NAME or NAME@VERSION"):
            parse_ref(text)
        return
    assert parse_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "xx@99999999999999999999",  # OverflowError in the database before
        "xx@²",  # ValueError in int() before: a digit to str.isdigit, not a number
        "xx@٣",
        "xx@0",
        "xx@-1",
        "xx@01",
        "xx@",
        "x@latest",
        "@1",
        f"xx@{MAX_VERSION + 1}",
        " @1",
    ],
)
def test_a_malformed_reference_is_refused_with_the_form_expected(text):
    with pytest.raises(DatasetError) as caught:
        parse_ref(text)
    assert str(caught.value).startswith(
        f"Expected NAME or NAME@VERSION (e.g. xinxiang@3, a version from 1 to {MAX_VERSION}), "
        f"got {text!r}."
    )
    assert caught.value.code == "ref_refused"
    assert error_text(caught.value, "zh") == (
        f"数据引用应写作“名称”或“名称@版本”（如 xinxiang@3，版本为 1 到 {MAX_VERSION}），"
        f"收到的是“{text}”。"
    )


@pytest.mark.parametrize("value", [0, -3, 10**30, "2²", True, 1.0, None])
def test_a_version_number_is_checked_wherever_it_comes_from(value):
    with pytest.raises(DatasetError, match="Expected a version number from 1 to 2147483647") as no:
        version_number(value)
    assert no.value.code == "version_refused"
    assert error_text(no.value, "en").startswith("A version number is from 1 to 2147483647, in ")
    assert version_number(7) == version_number("7") == 7


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("jz", "jz"),
        ("jz\u200b", "jz"),
        ("\ufeffjz\u200d", "jz"),
        ("j\u200cz", "jz"),
        ("ｊｚ", "jz"),
        ("  卫滨区 台账  ", "卫滨区 台账"),
        ("\u3000jz\u3000", "jz"),  # the ideographic space
        ("a\u202eb", "ab"),  # a right-to-left override, invisible and misleading
    ],
)
def test_names_are_normalised_one_way(name, kept):
    assert normalise_name(name) == kept


@pytest.mark.parametrize(
    "name", ["\x01jz", "jz\x1f", "jz\x7f", "\x85jz", "j\tz", "j\nz", "jz\u2028", "", "\u200b"]
)
def test_control_characters_anywhere_in_a_name_are_refused(name):
    with pytest.raises(DatasetError, match="without control characters") as refused:
        normalise_name(name)
    # On a page, in its language: the fix without the English message.
    assert refused.value.code == "name_refused"
    assert error_text(refused.value, "zh") == (
        f"名称“{name}”不可用：名称须为 1–100 个字符，不含 @、/、\\ 和控制字符"
        "（如 xinxiang-2026）。请换一个名称。"
    )


# --- the workspace, on both back ends -------------------------------------------------------


@pytest.mark.parametrize("bad", NUL_OR_SURROGATE)
@pytest.mark.parametrize("field", ["name", "file_name", "note"])
def test_text_no_database_keeps_is_refused_before_a_save(workspace, example_ledger, field, bad):
    options = {"name": "xx", "file_name": LEDGER.name, "note": None} | {field: bad}
    what = {"name": "dataset name", "file_name": "file name", "note": "note"}[field]
    with pytest.raises(TextError) as caught:
        _save(workspace, example_ledger, **options)
    assert str(caught.value).startswith(f"Expected the {what} {REFUSED_TEXT}; got {bad!r}.")
    assert workspace.list_datasets() == []


@pytest.mark.parametrize("bad", NUL_OR_SURROGATE)
def test_a_login_or_an_account_with_such_text_is_refused_the_same_way(workspace, cheap_hashes, bad):
    workspace.add_account("boss", role="admin", password=PASSWORD)
    with pytest.raises(TextError, match=re.escape(f"Expected the login name {REFUSED_TEXT}")):
        workspace.login(bad, PASSWORD, address="10.0.0.1")
    with pytest.raises(TextError, match=re.escape(f"Expected the password {REFUSED_TEXT}")):
        workspace.login("boss", PASSWORD + bad, address="10.0.0.1")
    boss = workspace.login("boss", PASSWORD).account
    with pytest.raises(TextError, match=re.escape(f"Expected the account name {REFUSED_TEXT}")):
        workspace.add_account(bad, role="admin", password=PASSWORD, user=boss)
    with pytest.raises(TextError, match=re.escape(f"Expected the password {REFUSED_TEXT}")):
        workspace.add_account("x2", role="admin", password=PASSWORD + bad, user=boss)
    with pytest.raises(TextError, match="Expected the dataset name"):
        workspace.load(bad, 1, user=boss)
    assert [a.name for a in workspace.list_accounts(user=boss)] == ["boss"]


def test_a_zero_width_look_alike_is_the_same_dataset(workspace, example_ledger):
    _save(workspace, example_ledger, "jz")
    info = _save(workspace, example_ledger, "jz\u200b")
    also = _save(workspace, example_ledger, "ｊｚ")
    assert (info.ref, also.ref) == ("jz@2", "jz@3")
    assert [d["name"] for d in workspace.list_datasets()] == ["jz"]
    assert workspace.load("jz\u200b", 1).info.ref == "jz@1"
    with pytest.raises(DatasetError, match="without control characters"):
        _save(workspace, example_ledger, "jz\x01")
    with pytest.raises(DatasetError, match="without control characters"):
        _save(workspace, example_ledger, "\x1fjz")
    assert [d["name"] for d in workspace.list_datasets()] == ["jz"]


def test_a_zero_width_look_alike_of_an_account_is_refused(workspace, cheap_hashes):
    workspace.add_account("admin", role="admin", password=PASSWORD)
    boss = workspace.login("admin", PASSWORD).account
    for look_alike in ("admin\u200b", "ａｄｍｉｎ", " admin"):
        with pytest.raises(AccountError, match="An account named 'admin' exists"):
            workspace.add_account(look_alike, role="admin", password=PASSWORD, user=boss)
    with pytest.raises(AccountError, match="without control characters"):
        workspace.add_account("clerk\x7f", role="admin", password=PASSWORD, user=boss)


@pytest.mark.parametrize("version", [99999999999999999999, 2**63, 0, -1])
def test_a_version_out_of_range_is_refused_not_an_internal_error(
    workspace, example_ledger, version
):
    _save(workspace, example_ledger)
    with pytest.raises(DatasetError, match="Expected a version number from 1 to"):
        workspace.load("xx", version)
    with pytest.raises(DatasetError, match="Expected a version number from 1 to"):
        workspace.diff("xx", 1, version)


def test_a_name_never_tells_another_city_it_exists(workspace, cheap_hashes):
    workspace.add_account("admin", role="admin", password=PASSWORD)
    admin = workspace.login("admin", PASSWORD).account
    for name, city in (("jiaozuo", "焦作市"), ("xinxiang", "新乡市")):
        workspace.add_account(name, role="city", city=city, password=PASSWORD, user=admin)
    office = workspace.login("jiaozuo", PASSWORD).account
    xinxiang = workspace.login("xinxiang", PASSWORD).account
    data = JIAOZUO.encode()
    ledger = records.read_ledger(data, name="jiaozuo.csv")
    workspace.save_ledger(ledger, name="jz", user=office, data=data, file_name="jiaozuo.csv")

    def refusal(call):
        with pytest.raises(AccessError) as caught:
            call()
        return str(caught.value)

    def words(call, lang):
        with pytest.raises(AccessError) as caught:
            call()
        return error_text(caught.value, lang)

    for there, missing in (("jz", "nosuchname"), ("jz@1", "nosuchname@1")):
        name, version = parse_ref(there)
        other, _ = parse_ref(missing)
        seen = refusal(lambda n=name, v=version: workspace.load(n, v, user=xinxiang))
        unseen = refusal(lambda n=other, v=version: workspace.load(n, v, user=xinxiang))
        assert seen.replace(there, "NAME") == unseen.replace(missing, "NAME")
        assert seen == (
            f"No access: the account 'xinxiang' may read no {there} (there is none, or "
            "it is another city's data, not published). `atlas datasets` lists what it may read."
        )
        # The app words it in the page's language, and tells no more there either.
        shown = words(lambda n=name, v=version: workspace.load(n, v, user=xinxiang), "zh")
        hidden = words(lambda n=other, v=version: workspace.load(n, v, user=xinxiang), "zh")
        assert shown.replace(there, "NAME") == hidden.replace(missing, "NAME")
        assert shown == (
            f"无权访问：账户 xinxiang 不能读取 {there}（没有这份数据，或它属于其他城市且未发布）。"
            "请在侧栏选择本账户可以读取的数据，或联系管理员。"
        )
    assert refusal(lambda: workspace.history("jz", user=xinxiang)) == refusal(
        lambda: workspace.history("nosuchname", user=xinxiang)
    ).replace("nosuchname", "jz")
    # Its own office, and an admin, still hear which versions there are.
    assert refusal(lambda: workspace.load("jz", 9, user=office)) == (
        "No access: the account 'jiaozuo' may read no jz@9 (there is none, or it is "
        "another city's data, not published). It may read versions 1–1 of jz. `atlas "
        "datasets` lists what it may read."
    )
    assert words(lambda: workspace.load("jz", 9, user=office), "en") == (
        "No access: the account jiaozuo may read no jz@9 (there is no such version, or it is "
        "another city's, not published). It may read these versions of jz: 1."
    )
    with pytest.raises(UnknownDatasetError, match="has no version 9; it has versions 1–1") as no:
        workspace.load("jz", 9, user=admin)
    assert error_text(no.value, "zh") == "数据集 jz 没有第 9 版；现有版本：1。"
    with pytest.raises(UnknownDatasetError, match="No dataset 'nosuchname'"):
        workspace.load("nosuchname", 1, user=admin)


# --- passwords ------------------------------------------------------------------------------


@pytest.fixture
def clerk(workspace, cheap_hashes):
    """An admin and a 卫滨区 clerk: (admin, clerk) accounts."""
    workspace.add_account("admin", role="admin", password=PASSWORD)
    admin = workspace.login("admin", PASSWORD).account
    workspace.add_account(
        "weibin", role="district", city="新乡市", districts=["卫滨区"], password=PASSWORD,
        user=admin,
    )  # fmt: skip
    return admin, workspace.login("weibin", PASSWORD, address="10.0.0.7").account


def test_changing_ones_own_password_needs_the_current_one(workspace, clerk):
    admin, weibin = clerk
    new = "tactile paving reaches the gate"
    with pytest.raises(AccountError, match="Expected the current password of 'weibin'"):
        workspace.set_password("weibin", new, user=weibin)
    with pytest.raises(AccountError, match="The current password given for 'weibin' is wrong"):
        workspace.set_password("weibin", new, current="not the password", user=weibin)
    failed = workspace.audit_log(user=admin, action="login_failed")
    assert failed["actor"].tolist() == ["weibin"] and failed["address"].tolist() == ["10.0.0.7"]
    assert workspace.login("weibin", PASSWORD).account.name == "weibin"  # unchanged
    changed = workspace.set_password("weibin", new, current=PASSWORD, user=weibin)
    assert changed.name == "weibin"
    assert workspace.login("weibin", new).account.name == "weibin"
    # An admin sets another account's password without it, and its own only with it.
    workspace.set_password("weibin", "a ramp at every kerb here", user=admin)
    with pytest.raises(AccountError, match="Expected the current password of 'admin'"):
        workspace.set_password("admin", new, user=admin)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaa", "guessable"),
        ("0000000000", "guessable"),
        (" " * 10, "guessable"),
        ("\u200b" * 10, "short"),  # nothing left once invisible characters go
        ("\u200bab\u200bcd\u200be", "short"),
        ("weibin12345", "guessable"),  # the account's name and digits
        ("weibin2024!", "guessable"),
        ("卫滨区卫滨区卫滨区", "short"),
        ("卫滨区123456789", "guessable"),  # its district and digits
        ("1234567890", "guessable"),
        ("qwertyuiop", "guessable"),
        ("password123", "guessable"),
        ("iloveyou2024", "guessable"),
        ("ｐａｓｓｗｏｒｄ１２３", "guessable"),  # full-width is NFKC's password123
        ("x" * 1025, "long"),
    ],
)
def test_trivial_passwords_are_refused(workspace, clerk, password, reason):
    from store.accounts import PasswordError

    admin, weibin = clerk
    with pytest.raises(PasswordError) as caught:
        workspace.set_password("weibin", password, current=PASSWORD, user=weibin)
    assert caught.value.reason == reason
    if not password.startswith("weibin"):  # the name is weibin's context, not x2's
        with pytest.raises(PasswordError):
            workspace.add_account("x2", role="viewer", password=password, user=admin)
    assert workspace.login("weibin", PASSWORD).account.name == "weibin"  # unchanged


def test_a_password_is_kept_normalised_so_either_form_logs_in(workspace, clerk):
    admin, _ = clerk
    workspace.set_password("weibin", "ｔａｃｔｉｌｅ paving\u200b at the gate", user=admin)
    assert workspace.login("weibin", "tactile paving at the gate").account.name == "weibin"
    with pytest.raises(LoginError):
        workspace.login("weibin", "tactile paving at the gat")


def test_a_document_whose_text_no_database_keeps_is_refused_by_its_name(workspace):
    from geo.figures import load_figures

    documents = {"通报.txt": "新乡市卫滨区" * 2000 + "\x00"}
    with pytest.raises(TextError, match=r"Expected the text of 通报\.txt as text without NUL") as e:
        workspace.save_figures(load_figures().head(2), name="f", user="clerk", documents=documents)
    assert str(e.value).endswith(
        "… (12,001 characters). Type it again, or copy it from another source."
    )
    assert workspace.list_datasets() == []
