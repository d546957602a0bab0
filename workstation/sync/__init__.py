"""Sync with the central ticket API: wire schemas (protocol), HTTP client (api), pull/push engine,
live hints (SSE) and credentials (keyring)."""
