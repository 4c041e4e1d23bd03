"""Tests for layers/_html.py's escaping functions: HTML (esc) and Markdown (esc_md)."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest

from layers._html import esc, esc_md, md_lines
from tests.conftest import unescaped


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("[请点此重新登录](https:evil.example)", r"\[请点此重新登录\]\(https\:evil\.example\)"),
        ("![t](https:evil.example)", r"\!\[t\]\(https\:evil\.example\)"),
        ("**bold**_it_", r"\*\*bold\*\*\_it\_"),
        ("<https:evil.example>", r"\<https\:evil\.example\>"),
        ("www.evil.example", r"www\.evil\.example"),
        ("a@evil.example", r"a\@evil\.example"),
        (":red[x] $x$ `c` ~~s~~", r"\:red\[x\] \$x\$ \`c\` \~\~s\~\~"),
        ("# h\n- li\r\n1. x", r"\# h \- li  1\. x"),  # one line: no heading, no list
        ("卫滨区 台账", "卫滨区 台账"),
        ("a\\b", r"a\\b"),
        (3, "3"),
        (None, ""),
        (np.nan, ""),
        (pd.NA, ""),
    ],
)
def test_a_user_value_is_literal_markdown(value, escaped):
    assert esc_md(value) == escaped


def test_every_ascii_punctuation_mark_is_escaped_and_reads_back_as_itself():
    text = string.punctuation + " 卫滨区 ａ"
    assert unescaped(esc_md(text)) == text
    assert esc_md(string.punctuation) == "".join("\\" + c for c in string.punctuation)


def test_lines_are_escaped_each_and_broken_as_markdown_lines():
    assert md_lines(["2 项更多数据", "新百城提质办〔2023〕2号 [链接](x)"]) == (
        "2 项更多数据  \n新百城提质办〔2023〕2号 \\[链接\\]\\(x\\)"
    )


def test_html_escaping_keeps_its_braces_as_entities():
    assert esc("<b>{{ x }}</b>") == "&lt;b&gt;&#123;&#123; x &#125;&#125;&lt;/b&gt;"
