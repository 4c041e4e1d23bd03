"""
Bulk rows in and out of a table, the fast way each back end offers.

Everything runs inside the caller's transaction.

PostgreSQL takes rows by ``COPY … FROM STDIN`` (psycopg's copy, typed per value, so an empty
text stays distinct from NULL); geometry goes in as hex EWKB with SRID 4326. SQLite takes one
``executemany`` of the insert SQLAlchemy compiles; geometry is WKB in a BLOB. Reads select
geometry as WKB on both (``ST_AsBinary`` on PostGIS), so :mod:`store._columns` decodes one form.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import psycopg
import shapely
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Insert, Table, Text, cast, func, insert, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from store.errors import StoreError
from store.schema import SRID

__all__ = ["Values", "insert_one", "read_rows", "write_rows"]

#: One column's values, all of one length.
Values = Sequence[Any] | np.ndarray


def _json_text(values: Values) -> list:
    return [
        v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values
    ]


def insert_one(connection: Connection, statement: Insert) -> int:
    """Run ``statement``, an insert of one row, and return the id the database gave it."""
    key = connection.execute(statement).inserted_primary_key
    if key is None:
        raise StoreError(
            f"Expected the id of the row inserted into {statement.table}, got none; nothing "
            "was saved."
        )
    return int(key[0])


def write_rows(connection: Connection, table: Table, given: Mapping[str, Values]) -> int:
    """
    Append rows given as SQL column → values (all of one length); returns the row count.

    ``geom`` holds shapely geometries (or None), ``extra`` JSON text or dicts; columns not
    given are NULL.
    """
    columns = dict(given)
    rows = len(next(iter(columns.values()))) if columns else 0
    if not rows:
        return 0
    postgres = connection.dialect.name == "postgresql"
    if "geom" in columns:
        shapes = np.asarray(columns["geom"], dtype=object)
        if postgres:
            shapes = shapely.set_srid(shapes, SRID)
        columns["geom"] = shapely.to_wkb(shapes, hex=postgres, include_srid=postgres).tolist()
    if "extra" in columns:
        columns["extra"] = _json_text(columns["extra"])
    if postgres:
        _copy(connection, table, columns)
    else:
        compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(columns))
        if compiled.positiontup is None:
            raise StoreError(
                f"Expected SQLite's driver to take positional parameters, got the paramstyle "
                f"{connection.dialect.paramstyle!r}; nothing was written."
            )
        order = [columns[name] for name in compiled.positiontup]
        connection.exec_driver_sql(compiled.string, list(zip(*order, strict=True)))
    return rows


def _copy(connection: Connection, table: Table, columns: dict[str, Values]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # PostgreSQL is reached through psycopg 3 only (store._engine), whose connection this is.
    raw = typing.cast(psycopg.Connection, connection.connection.driver_connection)
    cursor = raw.cursor()
    # A writer thread sends each block while the next rows are formatted.
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for row in zip(*columns.values(), strict=True):
            copy.write_row(row)


def read_rows(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    where: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any]],
) -> dict[str, list]:
    """SQL column → values of the rows ``where`` selects; ``geom`` as WKB, ``extra`` as text."""
    selected = []
    for name in names:
        column: ColumnElement[Any] = table.c[name]
        if name == "geom" and connection.dialect.name == "postgresql":
            column = type_coerce(func.ST_AsBinary(column), NullType()).label("geom")
        elif name == "geom":
            column = type_coerce(column, NullType()).label("geom")  # bytes as the driver gives
        elif name == "extra":
            # JSON as text, parsed by the caller in one go rather than one call per row.
            column = type_coerce(cast(column, Text), NullType()).label("extra")
        selected.append(column)
    result = connection.execute(select(*selected).where(where).order_by(*order_by))
    rows = result.all()
    if not rows:
        return {name: [] for name in names}
    return {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}
