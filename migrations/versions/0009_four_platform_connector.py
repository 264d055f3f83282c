"""four-platform connector (基层治理四平台): per-township configuration with history, and the
outbox of deliveries

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 13:47:14.627776

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "platform_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_url", sa.String(length=500), nullable=True),
        sa.Column("secret", sa.String(length=128), nullable=True),
        sa.Column("secret_changed_at", sa.DateTime(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_console_account_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "replaced_at IS NOT NULL OR NOT enabled OR (endpoint_url IS NOT NULL AND secret IS NOT NULL)",
            name=op.f("ck_platform_config_enabled_is_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_console_account_id"],
            ["console_account.id"],
            name=op.f("fk_platform_config_created_by_console_account_id_console_account"),
        ),
        sa.ForeignKeyConstraint(["township_id"], ["township.id"], name=op.f("fk_platform_config_township_id_township")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_config")),
    )
    with op.batch_alter_table("platform_config", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_config_township_id"), ["township_id"], unique=False)
        batch_op.create_index(
            "uq_platform_config_live",
            ["township_id"],
            unique=True,
            postgresql_where=sa.text("replaced_at IS NULL"),
            sqlite_where=sa.text("replaced_at IS NULL"),
        )

    op.create_table(
        "platform_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_kind", sa.String(length=24), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("failure_code", sa.String(length=24), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'acknowledged', 'failed')", name=op.f("ck_platform_delivery_state_known")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaint.id"], name=op.f("fk_platform_delivery_complaint_id_complaint")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["complaint_event.id"], name=op.f("fk_platform_delivery_event_id_complaint_event")
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_platform_delivery_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_platform_delivery_key")),
    )
    with op.batch_alter_table("platform_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_delivery_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index("ix_platform_delivery_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_platform_delivery_township_id"), ["township_id"], unique=False)


def downgrade():
    with op.batch_alter_table("platform_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_delivery_township_id"))
        batch_op.drop_index("ix_platform_delivery_due")
        batch_op.drop_index(batch_op.f("ix_platform_delivery_complaint_id"))

    op.drop_table("platform_delivery")
    with op.batch_alter_table("platform_config", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_platform_config_live",
            postgresql_where=sa.text("replaced_at IS NULL"),
            sqlite_where=sa.text("replaced_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_platform_config_township_id"))

    op.drop_table("platform_config")
