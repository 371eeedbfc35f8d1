"""Brand insights, pure: the facts kept per question, the KPIs and their definitions, and
topics with weak signals. No framework, no driver: the services feed it what the store read."""
