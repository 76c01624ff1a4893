"""Learners, enrolments, completions and path feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gyanpath.progress.models import ID_LENGTH, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("key", sa.String(ID_LENGTH), nullable=False),
        sa.Column("learner_id", sa.String(ID_LENGTH), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("role_id", sa.String(ID_LENGTH), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_learners")),
    )
    op.create_index(op.f("ix_learners_department_learner_id"), "learners", ["department", "learner_id"])
    op.create_table(
        "enrolments",
        sa.Column("learner_key", sa.String(ID_LENGTH), nullable=False),
        sa.Column("course_id", sa.String(ID_LENGTH), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_key"], ["learners.key"], name=op.f("fk_enrolments_learner_key_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("learner_key", "course_id", name=op.f("pk_enrolments")),
    )
    op.create_table(
        "completions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_key", sa.String(ID_LENGTH), nullable=False),
        sa.Column("course_id", sa.String(ID_LENGTH), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_key"], ["learners.key"], name=op.f("fk_completions_learner_key_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completions")),
        sa.UniqueConstraint(
            "learner_key", "course_id", "completed_at", name=op.f("uq_completions_learner_key_course_id_completed_at")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_completions_completed_at"), "completions", ["completed_at"])
    op.create_table(
        "path_feedback",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("learner_key", sa.String(ID_LENGTH), nullable=False),
        sa.Column("course_id", sa.String(ID_LENGTH), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_key"], ["learners.key"], name=op.f("fk_path_feedback_learner_key_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_path_feedback")),
    )
    op.create_index(op.f("ix_path_feedback_learner_key_course_id"), "path_feedback", ["learner_key", "course_id"])


def downgrade() -> None:
    op.drop_table("path_feedback")
    op.drop_table("completions")
    op.drop_table("enrolments")
    op.drop_table("learners")
