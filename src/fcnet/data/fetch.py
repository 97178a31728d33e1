"""Where datasets live, and downloads with SHA-256 checks (through pooch).

The data home is, in order: the `data_home` argument, the environment variable ``FCNET_DATA``, ``~/.cache/fcnet``.
pooch downloads to a temporary file beside the target and moves it into place only after its checksum matched, so
nothing half-written stays in the cache.
"""

from __future__ import annotations

import os
from pathlib import Path


class DatasetError(RuntimeError):
    """A dataset is missing, corrupted or cannot be fetched; the message says which file and what to do."""


def data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The directory that holds fcnet's downloaded datasets and caches (not created here)."""
    if data_home is not None:
        return Path(data_home).expanduser()
    if os.environ.get("FCNET_DATA"):
        return Path(os.environ["FCNET_DATA"]).expanduser()
    return Path.home() / ".cache" / "fcnet"


def sha256_of(path: str | os.PathLike) -> str:
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


def verify(path: Path, sha256: str) -> Path:
    """Check a file against its SHA-256; a mismatch names the file and the fix."""
    actual = sha256_of(path)
    if actual != sha256:
        raise DatasetError(
            f"{path} is corrupted or truncated: its SHA-256 is {actual}, expected {sha256}. "
            f"Delete it and load again to download it anew."
        )
    return path


def fetch(
    url: str, sha256: str, directory: Path, fname: str | None = None, progress: bool = True
) -> Path:
    """Return the path of `url`'s file in `directory`, downloading it if absent; verified by SHA-256."""
    fname = fname or url.rsplit("/", 1)[-1]
    target = directory / fname
    if target.exists():
        return verify(target, sha256)
    try:
        import pooch
    except ImportError:
        raise DatasetError(
            f"downloading {fname} needs pooch: pip install 'fcnet[data]' "
            f"(or put the file in {directory} yourself)"
        ) from None
    directory.mkdir(parents=True, exist_ok=True)
    if progress:
        try:
            import tqdm  # noqa: F401  (pooch draws its progress bar with tqdm)
        except ImportError:
            progress = False
    try:
        return Path(
            pooch.retrieve(
                url,
                known_hash=f"sha256:{sha256}",
                fname=fname,
                path=directory,
                progressbar=progress,
            )
        )
    except ValueError as exc:  # pooch's checksum mismatch; the bad download is not kept
        raise DatasetError(
            f"the download of {url} failed its SHA-256 check and was discarded ({exc}). "
            f"Try again, or put a good copy of {fname} in {directory}."
        ) from None
    except Exception as exc:  # no network, HTTP error, ...
        raise DatasetError(
            f"could not download {url} into {directory}: {exc}. Put {fname} there yourself, "
            "or pass the directory that holds it."
        ) from None
