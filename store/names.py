"""
Text a user gives the workspace: refused when no database can keep it, names kept one way.

- :func:`check_text` refuses a NUL byte (PostgreSQL cannot store one) and an unpaired
  surrogate (UTF-8 cannot encode one), with one message, before any database sees them:
  login names and passwords, dataset, account and file names, notes.
- :func:`normalise_name` is the one rule for dataset and account names: NFKC, invisible
  format characters (zero-width spaces and joiners, BOM, bidirectional marks) removed,
  white space at either end removed, control characters refused. So ``jz`` followed by a
  zero-width space, or a full-width ``ｊｚ``, names the dataset ``jz``, never a look-alike.
- :func:`parse_ref` reads ``NAME@VERSION`` once, for the pages, the CLI and the workspace;
  :func:`version_number` checks a version number from anywhere.
- :func:`normalise_password` is what a password is hashed and checked as (NFKC, no
  invisible characters), as NIST SP 800-63B asks.
"""

from __future__ import annotations

import re
import unicodedata

from store.errors import DatasetError, StoreError, TextError

__all__ = [
    "MAX_NAME",
    "MAX_VERSION",
    "check_text",
    "normalise_name",
    "normalise_password",
    "parse_ref",
    "version_number",
]

#: Longest dataset or account name, in characters after normalisation.
MAX_NAME = 100
#: Highest version number a reference may name (a 32-bit column on every back end).
MAX_VERSION = 2**31 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters a name never holds: they would read as a path, a reference or a login address.
_RESERVED = "@/\\"
# Control characters and line or paragraph separators: a name is one line of visible text.
_REFUSED = ("Cc", "Zl", "Zp")
_VERSION = re.compile(r"[1-9][0-9]{0,9}")


def check_text(value: str, what: str) -> str:
    """
    ``value`` unchanged, or :class:`~store.errors.TextError` if no database can keep it.

    ``what`` names the field in the message (``"dataset name"``, ``"note"``).
    """
    if not isinstance(value, str):
        raise TextError(
            f"Expected text for the {what}; got {type(value).__name__}.", code="text_unstorable"
        )
    if "\x00" in value or _SURROGATE.search(value):
        # A document's text can be megabytes: its start is enough to recognise it.
        shown = (
            repr(value) if len(value) <= 120 else f"{value[:120]!r}… ({len(value):,} characters)"
        )
        raise TextError(
            f"Expected the {what} as text without NUL bytes or unpaired surrogates (which no "
            f"database can keep); got {shown}. Type it again, or copy it from another source.",
            code="text_unstorable",
        )
    return value


def _visible(value: str, what: str) -> str:
    """``value`` checked, in NFKC, without invisible format characters (Unicode Cf)."""
    text = unicodedata.normalize("NFKC", check_text(value, what))
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def normalise_name(
    value: str, what: str = "dataset name", *, error: type[StoreError] = DatasetError
) -> str:
    """
    A dataset or account name as the workspace keeps it, or ``error`` saying why not.

    NFKC, without invisible format characters; refused if any character is ``@``, ``/``,
    ``\\``, a control character (a tab, a line feed too) or a line separator; then without
    spaces at either end, 1–100 characters.
    """
    text = _visible(value, what)
    bad = sorted({c for c in text if c in _RESERVED or unicodedata.category(c) in _REFUSED})
    name = text.strip()
    if not name or len(name) > MAX_NAME or bad:
        found = f" (holds {', '.join(map(repr, bad))})" if bad else ""
        raise error(
            f"Expected a {what} of 1–{MAX_NAME} characters without @, / or \\ and without "
            f"control characters (e.g. xinxiang-2026); got {value!r}{found}. Choose another.",
            code="name_refused",
            details={"value": value[:120], "cap": MAX_NAME},
        )
    return name


def normalise_password(value: str) -> str:
    """A password as it is hashed and checked: NFKC, without invisible format characters."""
    return _visible(value, "password")


def version_number(value: str | int) -> int:
    """
    A version number (1, 2, …), from text of ASCII digits or an int; else DatasetError.

    ``"²"`` and ``"٣"`` are digits to Python but not to a planner typing a link, and a
    number past :data:`MAX_VERSION` names no version any workspace holds.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_VERSION:
        return value
    if isinstance(value, str) and _VERSION.fullmatch(value) and int(value) <= MAX_VERSION:
        return int(value)
    # A huge int has no str() past 4,300 digits: say how long it is instead.
    if isinstance(value, int) and abs(value) > MAX_VERSION:
        shown = f"a number of {value.bit_length()} bits"
    else:
        shown = repr(value[:40] if isinstance(value, str) else value)
    raise DatasetError(
        f"Expected a version number from 1 to {MAX_VERSION} in ASCII digits; got {shown}. "
        "See the dataset's versions with `atlas history NAME`.",
        code="version_refused",
        details={"value": shown, "cap": MAX_VERSION},
    )


def parse_ref(text: str) -> tuple[str, int | None]:
    """
    ``"name@3"`` → ``("name", 3)``; ``"name"`` → ``("name", None)`` (the current state).

    The name is normalised as :func:`normalise_name` does; anything else after the last
    ``@`` than a version number is refused with the form expected.
    """
    check_text(text, "dataset reference")
    name, at, number = text.rpartition("@") if "@" in text else (text, "", "")
    try:
        version = version_number(number) if at else None
        return normalise_name(name), version
    except DatasetError:
        raise DatasetError(
            f"Expected NAME or NAME@VERSION (e.g. xinxiang@3, a version from 1 to "
            f"{MAX_VERSION}), got {text[:120]!r}.",
            code="ref_refused",
            details={"ref": text[:120], "cap": MAX_VERSION},
        ) from None
