"""``python -m kabuto.service``: the service's command line (kabuto.service.cli)."""

from kabuto.service.cli import main

main()
