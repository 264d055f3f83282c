"""complaints: the grid of a grid-scoped handler office (a grid worker works their own grid's cases)

Cases already held by the grid workers of a village go to the worker of the household's own grid
when that grid has one running now; the others stay with a grid worker over the whole village (and
climb to the township by the deadline sweep if the village has none).

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-02 06:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handler_grid_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_handler_grid_id_grid"), "grid", ["handler_grid_id"], ["id"]
        )
    op.execute("""
        UPDATE complaint SET handler_grid_id = (
            SELECT household.grid_id FROM household WHERE household.id = complaint.household_id)
        WHERE handler_kind = 'village_role' AND handler_role = 'grid_worker' AND EXISTS (
            SELECT 1 FROM household JOIN role_assignment ON role_assignment.grid_id = household.grid_id
            WHERE household.id = complaint.household_id AND role_assignment.role = 'grid_worker'
              AND role_assignment.user_id IS NOT NULL AND role_assignment.ends_at IS NULL)
    """)


def downgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_complaint_handler_grid_id_grid"), type_="foreignkey")
        batch_op.drop_column("handler_grid_id")
