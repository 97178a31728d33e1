"""Reading an ``.npz`` archive without trusting it: every member's ``.npy`` header is read and checked before any
array is built, so a file never makes fcnet allocate more than the data it really holds.

A member is refused (with its name) when its header is unreadable, its dtype is not a plain number or text type
(object arrays would need pickle; complex ones have no meaning in a network), its declared shape does not match the
bytes it holds, or it is a compressed member that expands past :data:`MAX_EXPANSION` times its stored size (a
deflate bomb; fcnet writes its members uncompressed). Only the members a caller asks for are read.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

ALLOWED_KINDS = "fiubU"  # floats, integers, booleans, fixed-width text
MAX_EXPANSION = (
    200  # a deflated member may expand this many times (plus SMALL_MEMBER bytes) at most
)
SMALL_MEMBER = 1 << 20


class UnreadableFile(ValueError):
    """A file that is not a readable fcnet archive; the message names it (and the member at fault)."""


@dataclass(frozen=True)
class Member:
    """One ``.npy`` member of an archive, as its header declares it."""

    name: str  # without '.npy'
    shape: tuple[int, ...]
    dtype: np.dtype
    info: zipfile.ZipInfo
    header_bytes: int


def npy_header(f: BinaryIO, where: str) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, header length in bytes) of the .npy stream f, read from its header alone; `where` names the
    file (and member) in the error."""
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unknown .npy version {version}")
        return shape, dtype, f.tell()
    except Exception as exc:  # noqa: BLE001 -- numpy's header parser raises many types on crafted bytes
        raise UnreadableFile(
            f"{where} has no readable array header ({type(exc).__name__}: {exc})"
        ) from None


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> Member:
    name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
    where = f"{path}: member {name!r}"
    try:
        f = archive.open(info)
    except Exception as exc:  # noqa: BLE001 -- zipfile raises many types on crafted bytes
        raise UnreadableFile(f"{where} cannot be opened ({type(exc).__name__}: {exc})") from None
    with f:
        shape, dtype, header_bytes = npy_header(f, where)
    if dtype.hasobject or dtype.kind not in ALLOWED_KINDS or dtype.fields is not None:
        raise UnreadableFile(
            f"{where} has dtype {dtype}; fcnet files hold only real numbers and text"
        )
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise UnreadableFile(f"{where} declares an invalid shape {shape}")
    declared = math.prod(shape) * dtype.itemsize
    held = info.file_size - header_bytes
    if declared != held:
        raise UnreadableFile(
            f"{where} declares shape {shape} of {dtype} ({declared:,} bytes) but holds "
            f"{held:,} bytes"
        )
    if (
        info.compress_type != zipfile.ZIP_STORED
        and info.file_size > MAX_EXPANSION * info.compress_size + SMALL_MEMBER
    ):
        raise UnreadableFile(
            f"{where} expands from {info.compress_size:,} to {info.file_size:,} bytes (a "
            "compression bomb?); fcnet writes its members uncompressed"
        )
    return Member(name, tuple(shape), dtype, info, header_bytes)


def members(path: Path) -> tuple[zipfile.ZipFile, dict[str, Member]]:
    """The open archive and its members' headers, each checked (the caller closes the archive)."""
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # noqa: BLE001 -- zipfile raises many types on crafted bytes
        raise UnreadableFile(
            f"{path} is not a readable fcnet file (truncated or another format): {exc}"
        ) from None
    try:
        found = {}
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise UnreadableFile(f"{path}: member {info.filename!r} is not an array (.npy)")
            member = _header(archive, info, path)
            found[member.name] = member
        return archive, found
    except BaseException:
        archive.close()
        raise


def read_member(archive: zipfile.ZipFile, member: Member, path: Path) -> np.ndarray:
    """The array of `member` (its header already checked, so the allocation is what the file holds)."""
    try:
        with archive.open(member.info) as f:
            return np.lib.format.read_array(f, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 -- zipfile and zlib raise many types on crafted bytes
        raise UnreadableFile(
            f"{path}: member {member.name!r} cannot be read: {type(exc).__name__}: {exc}"
        ) from None


def read_arrays(
    path: Path, wanted: Callable[[str], bool]
) -> tuple[dict[str, np.ndarray], dict[str, Member]]:
    """The arrays of the members whose names `wanted` accepts, and every member's header."""
    archive, found = members(path)
    with archive:
        return {
            name: read_member(archive, m, path) for name, m in found.items() if wanted(name)
        }, found
