"""The business rules of after-sales service, in pure Python (no Qt, no database, no network)."""
