"""The local cache: SQLAlchemy tables, migrations, repositories, big-list queries, full-text search
and the outbox of offline writes."""
