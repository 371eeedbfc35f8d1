"""Use cases: what visitors and staff do. Transports call these and shape the answers."""
