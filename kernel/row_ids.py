"""The id of a database row as the API takes it: a positive integer that fits the column.

Ids are INTEGER columns (32 bits on PostgreSQL, 64 on SQLite); a larger number in a path or a body would fail in
the database driver (a 500), so the API refuses it first with a 422."""

from typing import Annotated

from annotated_types import Ge, Le

MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Ge(1), Le(MAX_ROW_ID)]
