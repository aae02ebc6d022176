"""survey totals

Revision ID: 0007
Revises: 0010
Create Date: 2026-11-30 21:00:00

Running totals of the survey's public results (survey_total): /results reads them instead of
every answer; a small index of the open answers gives /results the newest published ones; the
responses' index by city and time ends with the id, so that an export walks a city's answers
in its order (submitted_at, id) without sorting them. Responses submitted before this revision
are counted here, with the same query as sparcs_engage.surveys.totals.contributions (written
out, so the migration does not change when the app's code does).
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007"
down_revision = "0010"
branch_labels = None
depends_on = None

KEY = "city, survey_id, is_demo, kind, question_id, item, value"


def upgrade() -> None:
    op.create_table(
        "survey_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("survey_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_total")),
        sa.UniqueConstraint(
            "city",
            "survey_id",
            "is_demo",
            "kind",
            "question_id",
            "item",
            "value",
            name="uq_survey_total_key",
        ),
    )
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answer_open",
            ["question_id", "moderation", "id"],
            unique=False,
            sqlite_where=sa.text("text IS NOT NULL"),
            postgresql_where=sa.text("text IS NOT NULL"),
        )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_city_submitted_at")
        batch_op.create_index(
            "ix_survey_response_city_submitted_at", ["city", "submitted_at", "id"], unique=False
        )
    head = "r.city, r.survey_id, r.is_demo"
    joined = "FROM survey_response r JOIN survey_answer a ON a.response_id = r.id"
    submitted = "r.status = 'submitted'"
    item = "COALESCE(a.item, '')"
    value = "CAST(COALESCE(a.value, 0) AS INTEGER)"
    op.execute(
        f"INSERT INTO survey_total ({KEY}, n, total) "
        f"SELECT {head}, 'respondents', '', '', 0, count(*), 0.0 FROM survey_response r "
        f"WHERE {submitted} GROUP BY {head} "
        f"UNION ALL SELECT {head}, 'question', a.question_id, '', 0, "
        f"count(DISTINCT a.response_id), 0.0 {joined} WHERE {submitted} AND a.text IS NULL "
        f"GROUP BY {head}, a.question_id "
        f"UNION ALL SELECT {head}, 'answer', a.question_id, {item}, {value}, count(*), "
        f"COALESCE(sum(a.value), 0.0) {joined} WHERE {submitted} AND a.text IS NULL "
        f"GROUP BY {head}, a.question_id, {item}, {value} "
        f"UNION ALL SELECT {head}, 'approved', a.question_id, '', 0, count(*), 0.0 {joined} "
        f"WHERE {submitted} AND a.text IS NOT NULL AND a.moderation = 'approved' "
        f"GROUP BY {head}, a.question_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_city_submitted_at")
        batch_op.create_index(
            "ix_survey_response_city_submitted_at", ["city", "submitted_at"], unique=False
        )
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_answer_open")
    op.drop_table("survey_total")
