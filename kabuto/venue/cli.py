"""Command-line pieces the venue's scripts share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def config_option(f: F) -> F:
    """--config FILE: the venue config (default examples/venue.yaml)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=Path("examples/venue.yaml"),
        show_default=True,
        help="the venue config file (docs/venue.md)",
    )(f)
