"""Engine, sessions and the declarative base.

SQLite (through SQLCipher, so the file holds no plaintext) is the embedded default;
PostgreSQL is the scale-out path. Both run the same models and the same Alembic chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator
from sqlcipher3 import dbapi2 as sqlcipher_dbapi

from steward.core import keyfile
from steward.core.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


READ_ONLY = "steward_read_only"
# session.info key: the writes a read-only unit of work has put off until its reads are done.
_WRITES_AFTER_READ = "steward_writes_after_read"
_RAW_CONNECTION = "steward_raw_connection"
# The key file each engine was opened with. Secrets that must stay out of the database but
# that every write needs (the audit chain's key) are found through the engine, the one thing
# every unit of work already carries, rather than passed down through every call.
_KEY_FILES: WeakKeyDictionary[Engine, Path] = WeakKeyDictionary()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use steward.core.clock.now()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def database_url(settings: Settings) -> URL:
    if settings.database_url:
        return make_url(settings.database_url)
    keys = keyfile.load_or_create(settings.resolved_key_file)
    return URL.create(
        "sqlite+pysqlcipher",
        password=keys.sqlcipher_passphrase,
        database=str(settings.embedded_database_path.resolve()),
    )


def key_file_path(engine: Engine) -> Path:
    try:
        return _KEY_FILES[engine]
    except KeyError:
        raise RuntimeError(
            "this engine has no key file: make it with steward.core.db.make_engine"
        ) from None


def make_engine(settings: Settings, *, url: URL | None = None) -> Engine:
    engine = _make_engine(url or database_url(settings))
    _KEY_FILES[engine] = settings.resolved_key_file
    return engine


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            # The database file, and the -wal and -shm files SQLite gives the same mode, are
            # for Steward's user only, in a directory no one else can enter.
            database = Path(url.database)
            keyfile.private_directory(database.parent)
            keyfile.private_file(database)
        # Even an unencrypted SQLite URL (a decrypted export, a scratch copy) is driven by the
        # SQLite bundled with SQLCipher: Steward relies on its FTS5 options (contentless
        # delete, secure-delete), newer than many systems' own SQLite.
        extra: dict[str, Any] = (
            {} if url.get_driver_name() == "pysqlcipher" else {"module": sqlcipher_dbapi}
        )
        if url.database and url.database != ":memory:":
            # The pysqlcipher dialect defaults to one shared connection per thread, so two
            # units of work in one thread would share one transaction. A real pool gives each
            # its own connection; the raw key makes opening one cheap.
            extra["poolclass"] = QueuePool
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **extra
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; take control
    # (SQLAlchemy's documented recipe). BEGIN IMMEDIATE takes the write lock up front, so two
    # requests never deadlock upgrading a read lock, and the audit chain stays strictly ordered.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA foreign_keys = ON",
            "PRAGMA secure_delete = ON",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA busy_timeout = 30000",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-only unit of work (verifying the audit trail, say) takes no write lock, so
        # it never holds up the application; WAL still gives it one consistent snapshot.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def page_cache(db: Session, kib: int, *, schemas: tuple[str, ...] = ("main",)) -> Iterator[None]:
    """On SQLite, a page cache of ``kib`` for this unit of work (per schema: "main", "temp"),
    put back afterwards: the connection returns to the pool, where a web request's few pages
    need no more than the default. For bulk work over large indexes (an import, a sweep, a
    partner's file matched against a million persons): with the default 2 MB, each batch
    decrypts the same index pages again and spills its dirty ones. Elsewhere, nothing."""
    with _sized_cache(db.connection(), kib, schemas):
        yield


@contextmanager
def _sized_cache(connection: Connection, kib: int, schemas: tuple[str, ...]) -> Iterator[None]:
    if connection.dialect.name != "sqlite":
        yield
        return
    before = {s: connection.exec_driver_sql(f"PRAGMA {s}.cache_size").scalar() for s in schemas}
    for schema in schemas:
        connection.exec_driver_sql(f"PRAGMA {schema}.cache_size = -{int(kib)}")
    try:
        yield
    finally:
        for schema, size in before.items():
            connection.exec_driver_sql(f"PRAGMA {schema}.cache_size = {int(size or -2000)}")


@contextmanager
def one_connection(
    factory: sessionmaker[Session], *, cache_kib: int
) -> Iterator[sessionmaker[Session]]:
    """Sessions that all run on one pooled connection, each still its own transaction, with
    a page cache of ``cache_kib`` for the run (see page_cache): a long run of batches then
    keeps the pages it read between them, where a cache per batch would start empty."""
    bind = factory.kw["bind"]
    if isinstance(bind, Connection):  # already one (a test's, in its outer transaction)
        yield factory
        return
    with bind.connect() as connection, _sized_cache(connection, cache_kib, ("main",)):
        connection.commit()  # the settings began a transaction: each session begins its own
        yield sessionmaker(**{**factory.kw, "bind": connection})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_read_only(session: Session) -> None:
    """Make ``session`` a reader: it takes no write lock, so however slow it is, no other
    request waits for it (WAL gives it one consistent snapshot).

    On SQLite the connection is also put in ``query_only`` mode, so a reader that tries to
    change a row fails loudly instead of quietly taking the lock. The few writes a reader
    does make (its audit events, a session's 'last seen' time) go through ``write_after_read``
    and run in a short write transaction of their own once the reads are over."""
    connection = session.connection(execution_options={READ_ONLY: True})
    session.info[_WRITES_AFTER_READ] = []
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None:
            raw.execute("PRAGMA query_only = ON")
            session.info[_RAW_CONNECTION] = raw


def is_read_only(session: Session) -> bool:
    return _WRITES_AFTER_READ in session.info


def write_after_read(session: Session, write: Callable[[Session], object]) -> None:
    """Run ``write`` now, or, in a read-only unit of work, in a short write transaction once
    its reads are done. Only for writes that do not depend on what was read, such as
    recording that it was read."""
    pending: list[Callable[[Session], object]] | None = session.info.get(_WRITES_AFTER_READ)
    if pending is None:
        write(session)
    else:
        pending.append(write)


def _leave_read_only(session: Session) -> list[Callable[[Session], object]]:
    raw = session.info.pop(_RAW_CONNECTION, None)
    if raw is not None:
        # Straight on the driver's connection: it must happen even when the session's
        # transaction has failed, before the connection goes back to the pool.
        raw.execute("PRAGMA query_only = OFF")
    writes: list[Callable[[Session], object]] = session.info.pop(_WRITES_AFTER_READ, [])
    return writes


def commit_unit_of_work(session: Session, factory: sessionmaker[Session]) -> None:
    """Commit; for a reader, end its snapshot first and then make its put-off writes, so a
    read is never answered without its audit record."""
    writes = _leave_read_only(session)
    session.commit()
    if writes:
        with session_scope(factory) as writer:
            for write in writes:
                write(writer)


def rollback_unit_of_work(session: Session) -> None:
    _leave_read_only(session)
    session.rollback()


@contextmanager
def session_scope(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit once at the end, or roll everything back."""
    session = factory()
    if read_only:
        begin_read_only(session)
    try:
        yield session
        commit_unit_of_work(session, factory)
    except BaseException:
        rollback_unit_of_work(session)
        raise
    finally:
        session.close()
