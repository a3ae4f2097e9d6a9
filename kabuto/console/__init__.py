"""The issuer's console: server-rendered pages on the service's index (docs/console.md).

The service (kabuto.service.app.create_app) mounts :func:`build_router` under ``/console``.
"""
