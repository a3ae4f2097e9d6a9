"""The Kabuto service: an indexer that follows every platform contract's events into a
relational database (SQLAlchemy 2, Alembic; SQLite by default, PostgreSQL by one setting) and
an HTTP API (FastAPI) over it for the issuer's and agents' own systems, with role-bound API
tokens and operator jobs that reuse kabuto.ops (docs/service.md).

Entry points: :func:`kabuto.service.app.create_app`, :mod:`kabuto.service.auth`
(``require_role``), :mod:`kabuto.service.db` (models and sessions).
"""
