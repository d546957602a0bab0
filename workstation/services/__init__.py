"""Use cases the UI calls. Each writes the local cache and the outbox in one transaction and
returns what it changed. No Qt here; never imports workstation.server.

Modules (import them directly):

- ``changes``: `OpChanges` (what a use case changed, so the UI refreshes just that) and
  `ServiceError` (bad input, naming the field; nothing was written).
- ``effects``: the optimistic effect of each mutation on the cached rows — plain functions
  keyed by the mutation's wire name, used when a use case runs, when pending mutations are
  re-applied after a pull, and when a rejected one is retried. Keeps the server's version of
  each row it touches (``data["_server"]``) so a discarded change can be undone.
- ``pending``: the Pending Changes list (`PendingChange`), its one-line summaries, retry,
  discard (undoing the local effect) and re-applying pending effects after a pull.
- ``desk``: `DeskServices`, the façade the desk UI calls.
"""
