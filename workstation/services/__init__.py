"""Use cases the UI calls. Each writes the local cache and the outbox in one transaction and
returns what it changed."""
