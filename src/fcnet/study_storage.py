"""The database side of a study: Optuna's storages (a journal file on one machine, an RDB such as PostgreSQL for
many), storage URLs shown with their password masked, and database failures turned into one line that says what to
do; and the few places where fcnet needs Optuna's private API (a trial's storage id, the heartbeat settings), so
that an Optuna upgrade that moves them is mended here. Nothing here knows about searches."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path


def _optuna():
    try:
        import optuna
    except ImportError:
        raise ImportError(
            "fcnet search runs on Optuna: pip install 'fcnet[search]' (or 'optuna')"
        ) from None
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


JOURNAL = "journal://"


def local_storage(out: Path) -> str:
    """One machine's study: an Optuna journal file in the search directory. (Its file lock makes popping a
    waiting trial atomic between local processes, which SQLite's storage does not; PostgreSQL's does.)"""
    return JOURNAL + str(Path(out).resolve() / "study.journal")


MAX_STUDY_NAME = 512  # Optuna's studies.study_name column
MAX_HEARTBEAT = 3600


def masked_url(url: str) -> str:
    """A storage URL with its password (in the user part or a password= query parameter) shown as ***: every
    message and log line that holds a storage URL goes through here."""
    url = re.sub(r"(//[^:/@]*):[^@/]*@", r"\1:***@", str(url))
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)


class StorageError(RuntimeError):
    """The study's database cannot be used; the message says why and what to do, with the password masked."""


def storage_error(exc: BaseException, url: str) -> StorageError:
    """One line for a database failure: its first line of cause (the driver's, not SQLAlchemy's wrapping)."""
    cause = getattr(exc, "orig", None) or exc.__cause__ or exc
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0].strip()
    reason = reason.replace(str(url), masked_url(url))
    return StorageError(
        f"the study's database at {masked_url(url)} failed: {reason}. Check the URL (user, "
        "password, database) and that the server is running, then run the same command again to "
        "resume"
    )


def database_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a study's database raises when it fails (server down, connection lost)."""
    optuna = _optuna()
    import sqlalchemy.exc

    return (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError)


def _rdb_storage(storage_url: str, heartbeat: int):
    optuna = _optuna()
    import sqlalchemy.exc
    from sqlalchemy.engine import make_url

    try:
        url = make_url(storage_url)
    except sqlalchemy.exc.ArgumentError:
        raise ValueError(
            f"--storage {masked_url(storage_url)!r} is not a database URL; expected e.g. "
            "postgresql://user:password@host/database or sqlite:///file.db"
        ) from None
    try:
        url.get_dialect().import_dbapi()
    except (sqlalchemy.exc.NoSuchModuleError, ImportError) as exc:
        raise ValueError(
            f"--storage {masked_url(storage_url)}: no database driver for {url.drivername!r} "
            f"({exc}); fcnet installs psycopg for postgresql://, other databases need their own "
            "driver (e.g. pip install pymysql for mysql+pymysql://)"
        ) from None
    engine = (
        {"connect_args": {"timeout": 60}}
        if storage_url.startswith("sqlite")
        else {"pool_pre_ping": True}
    )
    for attempt in range(5):
        try:
            return optuna.storages.RDBStorage(
                storage_url,
                engine_kwargs=engine,
                heartbeat_interval=int(heartbeat),
                grace_period=3 * int(heartbeat),
                heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(),
            )
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError) as exc:
            # workers started together on an empty database race to create Optuna's tables; the loser retries
            if attempt == 4:
                raise storage_error(exc, storage_url) from None
            time.sleep(0.5 * (attempt + 1))
        except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
            raise storage_error(exc, storage_url) from None


def _storage(storage_url: str, heartbeat: int):
    optuna = _optuna()
    if storage_url.startswith(JOURNAL):
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(storage_url[len(JOURNAL) :]))
    return _rdb_storage(storage_url, heartbeat)


def check_study_options(study_name: str | None, heartbeat: int) -> None:
    """--study and --heartbeat within what Optuna's storage and Python's clock take."""
    if study_name is not None and not 1 <= len(study_name) <= MAX_STUDY_NAME:
        raise ValueError(
            f"--study must be 1 to {MAX_STUDY_NAME} characters (Optuna's limit), got "
            f"{len(study_name)}"
        )
    if not 1 <= int(heartbeat) <= MAX_HEARTBEAT:
        raise ValueError(f"--heartbeat must be 1 to {MAX_HEARTBEAT} seconds, got {heartbeat}")


# ---- Optuna's private API, in one place --------------------------------------------------------------------------
def orphan_limit(study) -> float | None:
    """Seconds after which a running trial that no worker claimed is an orphan (two grace periods), or None when
    the study's storage sends no heartbeat (a journal file)."""
    optuna = _optuna()
    storage = study._storage
    if not optuna.storages._heartbeat.is_heartbeat_enabled(storage):
        return None
    backend = getattr(storage, "_backend", storage)  # Optuna wraps an RDB storage in a cache
    return 2 * (backend.grace_period or 2 * backend.heartbeat_interval)


def fail_trial(study, trial) -> bool:
    """Mark `trial` failed in the study's storage; False when another worker had already ended it."""
    optuna = _optuna()
    try:
        study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
    except (RuntimeError, optuna.exceptions.UpdateFinishedTrialError):
        return False
    return True


def stored_trial(study, trial):
    """The trial as the storage holds it now (a FrozenTrial)."""
    return study._storage.get_trial(trial._trial_id)
