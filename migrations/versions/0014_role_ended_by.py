"""role terms: which console account ended a term (the grant matrix decides who may)

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-02 06:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_by_console_account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_role_assignment_ended_by_console_account_id_console_account"),
            "console_account",
            ["ended_by_console_account_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_role_assignment_ended_by_console_account_id_console_account"), type_="foreignkey"
        )
        batch_op.drop_column("ended_by_console_account_id")
