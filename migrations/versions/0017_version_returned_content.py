"""disclosure versions keep what the supervision committee last returned (for the re-review's diff)

Revision ID: 0017_version_returned_content
Revises: 0014
Create Date: 2026-12-10 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0017_version_returned_content"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("disclosure_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_content", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("disclosure_version", schema=None) as batch_op:
        batch_op.drop_column("returned_content")
