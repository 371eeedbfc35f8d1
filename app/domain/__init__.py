"""Pure domain: entities, rules and errors. No I/O, no framework imports."""
