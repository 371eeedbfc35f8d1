"""Socket.IO event and room names, in one place (style.md rule 7)."""

from __future__ import annotations

WIDGET_NAMESPACE = "/"
STAFF_NAMESPACE = "/staff"

# server -> client
EVENT = "event"
PRESENCE = "presence"
SEQ = "seq"  # {"room", "seq"}: the room's latest event seq, every few seconds
TYPING = "typing"
NOTIFICATION = "notification"
PRIVATE = "private"  # a message only the asker (and staff) see
CASE_OPENED = "case.opened"
CASE_UPDATED = "case.updated"
STAFF_CHANNEL = "staff"  # every connected console

# Names a client may never emit as ordinary events (python-socketio would dispatch them).
RESERVED = frozenset({"connect", "disconnect", "connect_error", "message"})


def room_channel(room_key: str) -> str:
    return f"room:{room_key}"


def visitor_presence(visitor_id: str) -> str:
    """The presence set of one visitor's sockets (is the asker still here?). "@" cannot
    start a room key, so no room's presence set can pose as a visitor's."""
    return f"@visitor:{visitor_id}"


def visitor_channel(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


def staff_member_channel(staff_id: str) -> str:
    """One staff member's consoles on this process (closed when they sign out)."""
    return f"staff:{staff_id}"
