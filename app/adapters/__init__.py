"""Adapters to outside services other than the database (Redis): the services see only
their ports; `create_app` wires these in."""
