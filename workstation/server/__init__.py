"""The central ticket API that every workstation syncs with (FastAPI + SQLAlchemy)."""
