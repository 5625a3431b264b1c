"""Which secrets production refuses, and why. Pure: the settings' values in, one line per problem out.

With ``environment = "production"`` (or ``QINGQUAN_ENVIRONMENT=production``) start-up stops, naming every
setting that is empty, shorter than its minimum, or a development default: the console's token-signing key,
the AMI secret, each seat's SIP password, and the passwords inside ``database_url`` and ``redis_url`` (a URL
without a password, e.g. PostgreSQL over a local socket with peer authentication, is accepted). It also refuses
an AMI host that is not loopback unless ``asterisk.ami_allow_remote`` says so: AMI is plain text and can
originate calls."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from config.settings import Settings

DEV_SECRET = "change-me"
# Secrets shipped in this repository or commonly left in place; compared without case.
KNOWN_DEFAULTS = frozenset({DEV_SECRET, "qingquan-demo", "qingquan", "password", "postgres", "secret", "admin",
                            "redis", "asterisk", "amp111"})
MIN_LENGTH = {"auth.secret_key": 32, "asterisk.ami_secret": 12, "seat": 8, "url": 12, "user": 12}


def weakness(value: str, min_length: int) -> str | None:
    """Why ``value`` is not a production secret, or None."""
    if not value:
        return "empty"
    lowered = value.casefold()
    if lowered in KNOWN_DEFAULTS or DEV_SECRET in lowered or "qingquan-demo" in lowered:
        return "a development default"
    if len(value) < min_length:
        return f"shorter than {min_length} characters"
    return None


def url_password(url: str) -> str | None:
    """The password inside a database or Redis URL; None when it has none."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return None if password is None else unquote(password)


def is_loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def production_problems(s: Settings) -> list[str]:
    """Every reason these settings may not run in production (empty: they may)."""
    return list(_problems(s))


def _problems(s: Settings) -> Iterator[str]:
    checks = [("auth.secret_key", s.auth.secret_key, MIN_LENGTH["auth.secret_key"]),
              ("asterisk.ami_secret", s.asterisk.ami_secret, MIN_LENGTH["asterisk.ami_secret"])]
    checks += [(f"asterisk.seats[{seat.name}].password", seat.password, MIN_LENGTH["seat"])
               for seat in s.asterisk.seats]
    for name, url in (("database_url", s.database_url), ("redis_url", s.redis_url)):
        password = url_password(url)
        if password is not None:
            checks.append((f"{name} (its password)", password, MIN_LENGTH["url"]))
    for name, value, min_length in checks:
        reason = weakness(value, min_length)
        if reason is not None:
            yield f"{name} is {reason}"
    if not is_loopback(s.asterisk.ami_host) and not s.asterisk.ami_allow_remote:
        yield (f"asterisk.ami_host {s.asterisk.ami_host} is not loopback (set asterisk.ami_allow_remote = true "
               "only on a private link: AMI is plain text)")
