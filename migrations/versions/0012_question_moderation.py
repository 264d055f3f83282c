"""question moderation: who released or rejected a held question, when, and why

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 14:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("disclosure_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("moderated_by_console_account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("moderation_note", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_disclosure_question_moderated_by_console_account_id_console_account"),
            "console_account",
            ["moderated_by_console_account_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("disclosure_question", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_disclosure_question_moderated_by_console_account_id_console_account"), type_="foreignkey"
        )
        batch_op.drop_column("moderation_note")
        batch_op.drop_column("moderated_by_console_account_id")
        batch_op.drop_column("moderated_at")
