"""villagers' side of disclosures: the approver's name on a version (审核人), the asker's optional real
name on a public question (实名) and their list, and the subscribe message telling the asker their
question was answered (the notification outbox takes question rows too)

Revision ID: 0018_question_answer_notice
Revises: 0017_version_returned_content
Create Date: 2026-12-08 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0018_question_answer_notice"
down_revision = "0017_version_returned_content"
branch_labels = None
depends_on = None

SUBJECT = (
    "(complaint_id IS NOT NULL AND event_id IS NOT NULL AND question_id IS NULL)"
    " OR (complaint_id IS NULL AND event_id IS NULL AND question_id IS NOT NULL)"
)


def upgrade():
    with op.batch_alter_table("disclosure_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewer_name", sa.String(length=64), nullable=True))

    with op.batch_alter_table("disclosure_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asker_name", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_disclosure_question_asked_by_user_id"), ["asked_by_user_id"], unique=False)

    with op.batch_alter_table("complaint_notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_id", sa.Integer(), nullable=True))
        batch_op.alter_column("complaint_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("event_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_notification_question_id_disclosure_question"),
            "disclosure_question",
            ["question_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_complaint_notification_question_id_recipient_user_id"), ["question_id", "recipient_user_id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_complaint_notification_subject"), SUBJECT)


def downgrade():
    op.execute("DELETE FROM complaint_notification WHERE question_id IS NOT NULL")
    with op.batch_alter_table("complaint_notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_complaint_notification_subject"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_complaint_notification_question_id_recipient_user_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_complaint_notification_question_id_disclosure_question"), type_="foreignkey"
        )
        batch_op.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("complaint_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("question_id")

    with op.batch_alter_table("disclosure_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_question_asked_by_user_id"))
        batch_op.drop_column("asker_name")

    with op.batch_alter_table("disclosure_version", schema=None) as batch_op:
        batch_op.drop_column("reviewer_name")
