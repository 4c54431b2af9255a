"""Reads whose repeated statements PostgreSQL plans once.

Django's psycopg cursors bind parameters on the client, and psycopg never prepares those
statements, so PostgreSQL parses and plans every query again. For a hot read with many candidate
indexes planning costs as much as running it (invoice list: 0.2-0.6 ms of a 1-3 ms query).
`fetch_one` binds on the server, so psycopg prepares a statement it has seen `prepare_threshold`
(5) times on the connection and PostgreSQL reuses the plan.

Give it fixed SQL with parameters when one plan suits every value (a lookup by unique key). Give
it SQL with the values written in (`with_values_written_in`) when the best plan depends on them
(a filter on one organization's rows, a LIKE pattern): then only an identical request reuses the
plan, as it would for a client repeating that query against PostgreSQL directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from django.db import connections

# One cursor of each kind per open connection, made on first use and dropped with the connection:
# making a psycopg cursor (it copies the connection's adapters) for each statement was 4% of the
# instructions of a list request.
_server_binding: WeakKeyDictionary[psycopg.Connection[Any], psycopg.Cursor[Any]] = WeakKeyDictionary()
_client_binding: WeakKeyDictionary[psycopg.Connection[Any], psycopg.ClientCursor[Any]] = WeakKeyDictionary()


def _reused[CursorT: (psycopg.Cursor[Any], psycopg.ClientCursor[Any])](
    cursors: WeakKeyDictionary[psycopg.Connection[Any], CursorT],
    connection: psycopg.Connection[Any],
    make: type[CursorT],
) -> CursorT:
    """The connection's cursor of this kind, made on first use."""
    cursor = cursors.get(connection)
    if cursor is None or cursor.closed:
        cursor = cursors[connection] = make(connection)
    return cursor


def fetch_one(sql: str, params: Sequence[Any] | None = None, using: str = "default") -> tuple[Any, ...] | None:
    """The first row of `sql` (None if it has none), bound on the server so that it can be prepared.

    It runs through a Django cursor wrapper, like `connection.cursor()`: query logging, execute
    wrappers and error translation apply.
    """
    connection = connections[using]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = _reused(_server_binding, connection.connection, psycopg.Cursor)
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(raw)  # type: ignore[attr-defined]  # how connection.cursor() wraps
    cursor.execute(sql, params)
    return cursor.fetchone()  # type: ignore[no-any-return]


def with_values_written_in(sql: str, params: Sequence[Any], using: str = "default") -> str:
    """`sql` with each `%s` replaced by its value, quoted by psycopg as a literal.

    What Django's `connection.ops.compose_sql` returns, without the Django cursor it opens and
    closes around the call (7 µs, 1% of a list request).
    """
    connection = connections[using]
    connection.ensure_connection()
    return _reused(_client_binding, connection.connection, psycopg.ClientCursor).mogrify(sql, params)
