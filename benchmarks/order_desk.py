"""A simulated agent who writes work orders through the console API while the database comes and goes, as the
console's outbox does (agent_console/static/js/order_outbox.js): each order is POSTed with its own
Idempotency-Key; an order the server could not store (503 with Retry-After, 429, 502, 504, a network error,
``idempotency_key_in_use``) stays pending and is sent again under the same key until the server writes it;
any other refusal is counted, never dropped in silence. Afterwards the database says how many were written,
and whether any twice."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine, text

RETRYABLE = (429, 502, 503, 504)
DESCRIPTION = "故障演练工单"  # every order's description starts so; the number and key follow
ORDER = {"category": "leak", "priority": "high", "account_number": "10001234"}


@dataclass
class Pending:
    key: str
    description: str
    attempts: int = 0
    next_at: float = 0.0  # time.monotonic()


@dataclass
class DeskCounts:
    sent: int = 0  # distinct orders (keys)
    created: int = 0  # 201
    replayed: int = 0  # 200: a retry of an order already written
    deferred: int = 0  # answers that kept an order pending (503 ...)
    network_errors: int = 0
    refused: list[str] = field(default_factory=list)  # other answers: the order is not written
    max_pending: int = 0
    written_after: list[float] = field(default_factory=list)  # seconds from first send to written, per order


class OrderDesk:
    """``start`` a thread that sends a new order every ``every`` seconds until ``stop_new``; then it goes on
    retrying the pending ones until none is left or ``finish``'s timeout."""

    def __init__(self, base_url: str, username: str, password: str, *, every: float = 0.5,
                 first_retry: float = 1.0) -> None:
        login = httpx.post(f"{base_url}/api/auth/login", json={"username": username, "password": password},
                           timeout=10)
        login.raise_for_status()
        self._client = httpx.Client(base_url=base_url, timeout=5,
                                    headers={"Authorization": f"Bearer {login.json()['access_token']}"})
        self.keys: list[str] = []
        self.counts = DeskCounts()
        self._every, self._first_retry = every, first_retry
        self._pending: list[Pending] = []
        self._first_sent: dict[str, float] = {}
        self._creating = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="order-desk", daemon=True)

    def start(self) -> None:
        self._creating.set()
        self._thread.start()

    def stop_new(self) -> None:
        self._creating.clear()

    def finish(self, timeout: float) -> bool:
        """Waits (up to ``timeout``) for every pending order to be written or refused; True when none is left."""
        self.stop_new()
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.2)
        self._stopping.set()
        self._thread.join(10)
        self._client.close()
        return not self._pending

    def check_written(self, engine: Engine, timeout: float) -> bool:
        """Once the pending orders are written (or ``timeout``): prints what was sent and what the database
        holds; True when every order was written exactly once (one row per order's description) and none was
        refused."""
        left = self.finish(timeout)
        rows: dict[str, list[str]] = {}
        with engine.connect() as connection:
            for description, key in connection.execute(text(
                    "SELECT description, client_key FROM work_order WHERE description LIKE :prefix"),
                    {"prefix": f"{DESCRIPTION}%"}):
                rows.setdefault(str(description), []).append(str(key))
        written = sum(1 for order_keys in rows.values() if set(order_keys) & set(self.keys))
        duplicates = sum(len(order_keys) - 1 for order_keys in rows.values())
        c = self.counts
        print(f"  work orders: sent {c.sent}, written {written} (201 {c.created}, 200 replays {c.replayed}), "
              f"duplicates {duplicates}, refused {len(c.refused)} {c.refused[:3]}, still pending {self.pending}; "
              f"answers that kept an order pending (503...) {c.deferred}, network errors {c.network_errors}, "
              f"most pending at once {c.max_pending}, slowest written "
              f"{max(c.written_after, default=0.0):.1f} s after first sent")
        return left and written == c.sent and duplicates == 0 and not c.refused

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _run(self) -> None:
        next_new = time.monotonic()
        while not self._stopping.is_set():
            now = time.monotonic()
            if self._creating.is_set() and now >= next_new:
                key = str(uuid.uuid4())
                self.keys.append(key)
                self.counts.sent += 1
                self._first_sent[key] = now
                self._pending.append(Pending(key, f"{DESCRIPTION} {len(self.keys)} ({key[:8]})"))
                next_new = now + self._every
            self.counts.max_pending = max(self.counts.max_pending, len(self._pending))
            for order in [o for o in self._pending if o.next_at <= now]:
                self._send(order)
            time.sleep(0.05)

    def _send(self, order: Pending) -> None:
        order.attempts += 1
        retry_after = self._first_retry
        try:
            response = self._client.post("/api/work-orders", json={**ORDER, "description": order.description},
                                         headers={"Idempotency-Key": order.key})
        except httpx.HTTPError:
            self.counts.network_errors += 1
        else:
            if response.status_code in (200, 201):
                self.counts.created += response.status_code == 201
                self.counts.replayed += response.status_code == 200
                self.counts.written_after.append(time.monotonic() - self._first_sent[order.key])
                self._pending.remove(order)
                return
            code = _error_code(response)
            if response.status_code not in RETRYABLE and code != "idempotency_key_in_use":
                self.counts.refused.append(f"HTTP {response.status_code} {code}")
                self._pending.remove(order)
                return
            self.counts.deferred += 1
            retry_after = max(retry_after, float(response.headers.get("Retry-After") or 0))
        order.next_at = time.monotonic() + min(retry_after, 5.0)


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""
