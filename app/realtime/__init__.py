"""Socket.IO gateway: authentication, rooms, events, presence, replay on reconnect."""
