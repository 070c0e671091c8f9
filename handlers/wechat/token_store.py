"""A TokenStore in the database (CachedAccessToken), so every worker shares one access_token."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from handlers.wechat.access_token import CachedToken
from knowledge.database import is_sqlite
from knowledge.record_models import CachedAccessToken


class DatabaseTokenStore:
    """Keeps access_tokens in the cached_access_token table (one row per target).

    Each call is one short statement run in a thread; a token is read far more often than it is
    written (once in two hours), so no cache in front is needed for correctness, and the read is
    one primary-key lookup.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._table = CachedAccessToken.__table__  # type: ignore[attr-defined]

    async def get(self, key: str) -> CachedToken | None:
        return await asyncio.to_thread(self._get, key)

    async def put(self, key: str, token: CachedToken) -> None:
        await asyncio.to_thread(self._put, key, token)

    async def invalidate(self, key: str, token: str) -> None:
        """Delete the row only while it still holds token (compare-and-delete in one statement)."""
        await asyncio.to_thread(self._invalidate, key, token)

    def _get(self, key: str) -> CachedToken | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(self._table.c.value, self._table.c.expires_at).where(
                    self._table.c.key == key
                )
            ).first()
        if row is None:
            return None
        return CachedToken(value=row.value, expires_at=float(row.expires_at))

    def _put(self, key: str, token: CachedToken) -> None:
        dialect_insert = sqlite.insert if is_sqlite(self._engine) else postgresql.insert
        statement = dialect_insert(self._table).values(
            key=key, value=token.value, expires_at=token.expires_at
        )
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": token.value, "expires_at": token.expires_at},
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def _invalidate(self, key: str, token: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(self._table).where(self._table.c.key == key, self._table.c.value == token)
            )
