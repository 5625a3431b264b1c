"""One base error with a stable ``code`` slug per subclass; the HTTP layer maps them in one handler."""

from __future__ import annotations


class QingquanError(Exception):
    code = "error"
    http_status = 500

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message or self.code


class InvalidInput(QingquanError):
    code = "invalid_input"
    http_status = 422


class NotFound(QingquanError):
    code = "not_found"
    http_status = 404


class Unauthorized(QingquanError):
    code = "unauthorized"
    http_status = 401


class Forbidden(QingquanError):
    code = "forbidden"
    http_status = 403


class Conflict(QingquanError):
    code = "conflict"
    http_status = 409


class Unavailable(QingquanError):
    code = "unavailable"
    http_status = 503


class DatabaseUnavailable(Unavailable):
    """The database cannot be reached for now (down, restarting, no free connection): nothing was written, and
    the same request may be sent again after ``retry_after`` seconds (sent as the Retry-After header)."""

    code = "database_unavailable"

    def __init__(self, retry_after: int) -> None:
        super().__init__("database unavailable, retry")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class RateLimited(QingquanError):
    """Too many attempts: try again after ``retry_after`` seconds (sent as the Retry-After header)."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
