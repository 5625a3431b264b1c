"""What every console route depends on: the collaborators the composition root hands over, a database
transaction per request, and the caller's identity from the bearer token."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from acd.node import AcdNode
from agent_console.account_history import AccountLookup
from agent_console.auth import Principal, read_token
from agent_console.hub import ConsoleHub
from agent_console.users import token_still_valid
from config.settings import Settings
from kernel.clock import Clock
from kernel.errors import Unauthorized
from kernel.events import plain


@dataclass
class ConsoleContext:
    settings: Settings
    factory: sessionmaker[Session]
    acd: AcdNode
    hub: ConsoleHub
    clock: Clock
    health: Callable[[], dict[str, Any]]
    accounts: AccountLookup | None = None  # None: no /api/accounts (an app built without a billing gateway)


_bearer = HTTPBearer(auto_error=False)


class Deps:
    """FastAPI dependencies bound to one console: ``Annotated[Principal, Depends(deps.principal)]`` and
    ``Annotated[Session, Depends(deps.session, scope="function")]``. The session needs ``scope="function"``:
    by default FastAPI runs the code after ``yield`` (here: the commit) only after the response is sent, so a
    client that reads right after its own write could miss it (the console re-reads its lists at once)."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self._ctx = ctx

    def session(self) -> Iterator[Session]:
        with self._ctx.factory() as s, s.begin():
            yield s

    def principal(self, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
        """The caller from a valid token of a user still active with the token's role (one primary-key read:
        a deactivated or demoted user is refused at once, not when the token expires)."""
        if creds is None:
            raise Unauthorized("log in first")
        return self.current(read_token(creds.credentials, self._ctx.settings.auth.secret_key))

    def current(self, who: Principal) -> Principal:
        with self._ctx.factory() as session:
            if not token_still_valid(session, who):
                raise Unauthorized("this user is deactivated or their role has changed: log in again")
        return who


def plain_dict(values: dict[str, Any]) -> dict[str, Any]:
    """A dataclass's ``vars()`` as JSON-ready values."""
    return {k: plain(v) for k, v in values.items()}
