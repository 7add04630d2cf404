"""Idempotency keys remember a recovery point and the data of work in phases.

Every service's key table has the same shape (`dataservices.common.idempotency.idempotency_table`);
work in several phases resumes from the last point it reached. Existing keys are at `started`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08 02:00:00

"""

from typing import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recovery_point", sa.String(length=64), server_default="started", nullable=False))
        batch_op.add_column(sa.Column("progress", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("progress")
        batch_op.drop_column("recovery_point")
