"""lots kept in holdings

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 11:20:00

Each holding of a security keeps its acquisition lots (JSON), maintained by the indexer as
transfers arrive: the register at the head is read from them instead of replaying every
transfer. Rows indexed before this revision have none (NULL): the register replays the
transfers for such a token, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("holdings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lots", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("holdings", schema=None) as batch_op:
        batch_op.drop_column("lots")
