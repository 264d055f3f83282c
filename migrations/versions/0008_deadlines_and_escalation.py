"""deadlines and escalation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:42:16.873210

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deadline_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("sign_amount", sa.Integer(), nullable=False),
        sa.Column("sign_unit", sa.String(length=16), nullable=False),
        sa.Column("handle_amount", sa.Integer(), nullable=False),
        sa.Column("handle_unit", sa.String(length=16), nullable=False),
        sa.Column("follow_up_amount", sa.Integer(), nullable=False),
        sa.Column("follow_up_unit", sa.String(length=16), nullable=False),
        sa.Column("remind_working_days", sa.Integer(), nullable=False),
        sa.Column("escalate_working_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_console_account_id", sa.Integer(), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(), nullable=True),
        sa.Column("deactivated_by_console_account_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "follow_up_unit IN ('working_days', 'days', 'hours')", name=op.f("ck_deadline_policy_follow_up_unit_known")
        ),
        sa.CheckConstraint(
            "handle_unit IN ('working_days', 'days', 'hours')", name=op.f("ck_deadline_policy_handle_unit_known")
        ),
        sa.CheckConstraint(
            "sign_unit IN ('working_days', 'days', 'hours')", name=op.f("ck_deadline_policy_sign_unit_known")
        ),
        sa.CheckConstraint(
            "sign_amount > 0 AND handle_amount > 0 AND follow_up_amount > 0",
            name=op.f("ck_deadline_policy_amounts_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_console_account_id"],
            ["console_account.id"],
            name=op.f("fk_deadline_policy_created_by_console_account_id_console_account"),
        ),
        sa.ForeignKeyConstraint(
            ["deactivated_by_console_account_id"],
            ["console_account.id"],
            name=op.f("fk_deadline_policy_deactivated_by_console_account_id_console_account"),
        ),
        sa.ForeignKeyConstraint(["township_id"], ["township.id"], name=op.f("fk_deadline_policy_township_id_township")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_policy")),
    )
    with op.batch_alter_table("deadline_policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_policy_township_id"), ["township_id"], unique=False)
        batch_op.create_index(
            "uq_deadline_policy_live",
            ["township_id", "lane"],
            unique=True,
            postgresql_where=sa.text("deactivated_at IS NULL"),
            sqlite_where=sa.text("deactivated_at IS NULL"),
        )

    op.create_table(
        "question_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["disclosure_question.id"],
            name=op.f("fk_question_escalation_question_id_disclosure_question"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_escalation")),
        sa.UniqueConstraint("question_id", "level", name=op.f("uq_question_escalation_question_id_level")),
    )
    with op.batch_alter_table("question_escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_escalation_question_id"), ["question_id"], unique=False)

    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_step", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("clock_started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("remind_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("next_check_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("overdue_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("was_late", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("deadline_outcome", sa.String(length=8), nullable=True))
        batch_op.create_index(
            "ix_complaint_next_check",
            ["next_check_at"],
            unique=False,
            postgresql_where=sa.text("next_check_at IS NOT NULL"),
            sqlite_where=sa.text("next_check_at IS NOT NULL"),
        )

    with op.batch_alter_table("disclosure_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_check_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_disclosure_question_next_check_at"), ["next_check_at"], unique=False)
    # Unanswered questions join the sweep at their due time.
    op.execute("UPDATE disclosure_question SET next_check_at = due_at WHERE answered_at IS NULL")


def downgrade():
    with op.batch_alter_table("disclosure_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_question_next_check_at"))
        batch_op.drop_column("next_check_at")
        batch_op.drop_column("escalation_level")

    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_complaint_next_check",
            postgresql_where=sa.text("next_check_at IS NOT NULL"),
            sqlite_where=sa.text("next_check_at IS NOT NULL"),
        )
        batch_op.drop_column("deadline_outcome")
        batch_op.drop_column("was_late")
        batch_op.drop_column("overdue_since")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("next_check_at")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("remind_at")
        batch_op.drop_column("due_at")
        batch_op.drop_column("clock_started_at")
        batch_op.drop_column("clock_step")

    with op.batch_alter_table("question_escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_escalation_question_id"))

    op.drop_table("question_escalation")
    with op.batch_alter_table("deadline_policy", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deadline_policy_live",
            postgresql_where=sa.text("deactivated_at IS NULL"),
            sqlite_where=sa.text("deactivated_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_deadline_policy_township_id"))

    op.drop_table("deadline_policy")
