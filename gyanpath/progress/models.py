"""The progress schema as typed SQLAlchemy 2 ORM models. Migrations (gyanpath/progress/migrations) create exactly
this; a test compares the two."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID_LENGTH = 200


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which keeps naive text) as on PostgreSQL (timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: progress times must carry a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Learner(Base):
    __tablename__ = "learners"

    key: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    department: Mapped[str] = mapped_column(String(64))
    role_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "department", "learner_id"),)


class Enrolment(Base):
    __tablename__ = "enrolments"

    learner_key: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("learners.key", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Completion(Base):
    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_key: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("learners.key", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    hours: Mapped[float] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("learner_key", "course_id", "completed_at"),
        Index(None, "completed_at"),
        {"sqlite_autoincrement": True},  # ids never reused: the recommender counts changes by them
    )


class PathFeedback(Base):
    __tablename__ = "path_feedback"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    learner_key: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("learners.key", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    relevant: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "learner_key", "course_id"),)
