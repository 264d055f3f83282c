"""complaint public summary: what the village's public list of resolved cases shows, written by the
handling office for publication (never the villager's or the reply's own words), and who wrote it

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-02 06:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_summary", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("public_summary_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("public_summary_by_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("public_summary_by_console_account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_public_summary_by_user_id_wx_user"),
            "wx_user",
            ["public_summary_by_user_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_public_summary_by_console_account_id_console_account"),
            "console_account",
            ["public_summary_by_console_account_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_complaint_public_summary_by_console_account_id_console_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_complaint_public_summary_by_user_id_wx_user"), type_="foreignkey")
        batch_op.drop_column("public_summary_by_console_account_id")
        batch_op.drop_column("public_summary_by_user_id")
        batch_op.drop_column("public_summary_at")
        batch_op.drop_column("public_summary")
