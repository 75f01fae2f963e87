"""The evidence store: where handed-over footage lives on disk, and the one owner of its layout.

    <root>/staging/<request>/...        partial uploads, written by the HTTP side (relay/intake.py)
    <root>/files/<request>/<file>_<sha256[:12]><ext>        accepted footage, read-only (0o440)
    <root>/quarantine/<request>/<file>_<sha256[:12]><ext>   refused files, kept read-only, never deleted
    <root>/quarantine/unrecorded/...    a file moved in by a transaction that then rolled back

Directories are 0o750. A file enters by a hard link and an unlink of the staged copy (atomic on one
filesystem, and never over an existing file); across filesystems it is copied to a new file and
the copy's hash checked. Nothing here touches the database.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import shutil
import unicodedata
from pathlib import Path, PurePosixPath

DIR_MODE = 0o750
FILE_MODE = 0o440
STAGED_MODE = 0o640
BLOCK = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024**3
MAX_NAME = 255
_EXT = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_log = logging.getLogger(__name__)


class EvidenceStoreError(OSError):
    """The store cannot take or give a file (outside the root, already there, unreadable)."""


def clean_name(raw: str | None) -> str:
    """The owner's file name as it may be shown and stored: no directories, no control characters,
    NFC, at most 255 characters (the extension kept); 'unnamed' when nothing is left."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip().lstrip(".").strip()
    if not name:
        return "unnamed"
    if len(name) > MAX_NAME:
        ext = _EXT.search(name)
        tail = ext.group(0) if ext else ""
        name = name[:MAX_NAME - len(tail)] + tail
    return name


def extension(name: str) -> str:
    """The lower-case extension kept on the stored copy ('.mp4'), or '' for none or an odd one."""
    found = _EXT.search(name)
    return found.group(0).lower() if found else ""


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size, read in 1 MiB blocks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class EvidenceStore:
    """The directory layout under ``root``; ``max_bytes`` is the largest file an owner may hand over."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
        self.root = Path(root).expanduser().resolve()
        self.max_bytes = max_bytes

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def files(self) -> Path:
        return self.root / "files"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    def ensure(self) -> None:
        """Create the root and its three directories (0o750) if missing."""
        for folder in (self.root, self.staging, self.files, self.quarantine):
            _mkdir(folder)

    def new_staging_file(self, request_id: int) -> Path:
        """A new, empty file under staging/<request>/ for an upload in progress (0o640)."""
        folder = self.staging / str(int(request_id))
        self.ensure()
        _mkdir(folder)
        path = folder / f"{secrets.token_hex(16)}.part"
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, STAGED_MODE))
        return path

    def relative_path(self, request_id: int, file_id: int, sha256: str, ext: str, accepted: bool) -> str:
        """Where a received file goes, relative to the root (POSIX separators, as stored in the row)."""
        area = "files" if accepted else "quarantine"
        return f"{area}/{int(request_id)}/{int(file_id)}_{sha256[:12]}{ext}"

    def path_of(self, relative: str) -> Path:
        """The absolute path of a stored file; refuses anything that would leave the root."""
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise EvidenceStoreError(f"stored path {relative!r} is not inside the evidence store")
        return self.root.joinpath(*parts)

    def admit(self, staged: Path, relative: str, sha256: str) -> Path:
        """Move ``staged`` to ``relative`` (read-only, never over an existing file) and return its path."""
        target = self.path_of(relative)
        self.ensure()
        _mkdir(target.parent)
        try:
            os.link(staged, target)
            os.unlink(staged)
        except FileExistsError:
            raise EvidenceStoreError(f"{relative} is already in the evidence store") from None
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                raise
            _copy_new(staged, target, sha256)
            os.unlink(staged)
        os.chmod(target, FILE_MODE)
        return target

    def set_aside(self, path: Path) -> Path:
        """Move a file whose database row was rolled back to quarantine/unrecorded/ (kept, logged)."""
        folder = self.quarantine / "unrecorded"
        _mkdir(folder)
        target = folder / f"{secrets.token_hex(4)}_{path.name}"
        os.replace(path, target)
        _log.error("evidence file %s had no database row after a rollback; kept as %s", path, target)
        return target


def _mkdir(folder: Path) -> None:
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(folder, DIR_MODE)


def _copy_new(source: Path, target: Path, sha256: str) -> None:
    """Copy across filesystems into a new file, then check the copy's hash."""
    with open(source, "rb") as src, open(target, "xb") as dst:
        shutil.copyfileobj(src, dst, BLOCK)
        dst.flush()
        os.fsync(dst.fileno())
    if sha256_of(target)[0] != sha256:
        target.unlink()        # a broken copy is no evidence; the staged original stays where it was
        raise EvidenceStoreError(f"the copy of {source.name} does not match its hash; the staged file is kept")


__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "EvidenceStore", "EvidenceStoreError", "clean_name", "extension",
           "sha256_of"]
