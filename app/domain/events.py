"""Case events, published to whoever subscribed: the four-platform connector, subscribe messages,
and whatever else reacts to a step of a case (the warning engine). Subscribers are registered by the
app factory (create_app), explicitly, so cases.py calls none of them by name.

A subscriber runs inside the transaction of the step, with the case as it is after it: it records
rows and intents (app.transaction.intend), it never commits and never calls another service.
"""

from __future__ import annotations

from collections.abc import Callable

from app.models import Complaint, ComplaintEvent

ANY = "*"

Handler = Callable[[Complaint, ComplaintEvent], object]

_subscribers: dict[str, list[Handler]] = {}


def subscribe(kind: str, handler: Handler) -> None:
    """Call `handler(complaint, event)` for every event of `kind` (ANY: every event), in the order
    subscribed. Subscribing the same handler twice changes nothing (create_app runs once per app)."""
    handlers = _subscribers.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(kind: str, handler: Handler) -> None:
    if handler in _subscribers.get(kind, ()):
        _subscribers[kind].remove(handler)


def publish(complaint: Complaint, event: ComplaintEvent) -> None:
    for handler in (*_subscribers.get(event.kind, ()), *_subscribers.get(ANY, ())):
        handler(complaint, event)


def subscribers(kind: str = ANY) -> list[Handler]:
    return list(_subscribers.get(kind, ()))
