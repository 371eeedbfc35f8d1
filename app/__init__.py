"""Entraide: community peer-help chat for online shops. Entry point: app.factory.create_app."""
