"""village public revision (door-code landing copies are kept per revision)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 05:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_revision", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_column("public_revision")
