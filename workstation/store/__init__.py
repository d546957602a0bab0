"""The local cache: SQLAlchemy tables, migrations, repositories, big-list queries, full-text search
and the outbox of offline writes. No Qt; never imports workstation.server.

Modules (import them directly; this package imports nothing at import time):

- ``db``: ``CacheDatabase.open(path)`` (WAL, busy timeout, foreign keys off, migrations at
  open; ``read()`` / ``write()`` — BEGIN IMMEDIATE — context managers), ``CacheCorrupt`` /
  ``CacheIncompatible``, ``salvage_outbox``, ``salvage_state``, ``quarantine``.
- ``tables``: the local tables (one per synced entity: id, seq, indexed columns, ``data``
  JSON), ``sync_state``, ``outbox``, ``unknown_changes``, ``conversation_tags``.
- ``state``: ``sync_state`` keys and get/put inside a transaction.
- ``apply``: ``apply_pull_page`` (a page + its cursor in one transaction), ``apply_changes``,
  ``save_local`` (optimistic local writes by services).
- ``outbox``: ``enqueue`` (in the caller's transaction), ``pending``, ``entries``, ``counts``,
  ``mark_acknowledged``, ``mark_rejected``, ``note_attempt``, ``discard``, ``retry``,
  ``restore``.
- ``queries``: ``conversation_ids``, ``conversation_rows``, ``count_conversations``,
  ``view_counts``, ``message_rows``.
- ``search``: ``search`` (FTS5 trigram for 3+ characters, bounded LIKE for 1–2).

Recovery from a damaged cache (the sync engine's job)::

    try:
        db = CacheDatabase.open(path)
    except CacheCorrupt:
        rows, saved = salvage_outbox(path), salvage_state(path)
        quarantine(path)
        db = CacheDatabase.open(path)
        outbox.restore(db, rows, saved)   # same client id and mutation ids; cursor reset
        # … then a full pull from the beginning
"""
