"""Files of long work through the storage API (STORAGES["default"]: the file system or an S3 bucket).

Web and workers may run on different machines: a worker never assumes that a stored file is on its disk
(FieldFile.path exists only for the file system). A reader that needs a real path (calamine, zipfile's
seeks) gets a private local copy for the time it reads; what a worker produces is saved back through
the storage.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

CHUNK = 1024 * 1024


@contextmanager
def local_copy(storage: Storage, name: str) -> Iterator[Path]:
    """A local file with the stored file's bytes, removed afterwards; its suffix is the stored name's."""
    with tempfile.TemporaryDirectory(prefix="jiandang-") as folder:
        target = Path(folder) / f"copy{Path(name).suffix}"
        with storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        yield target


def save_local(storage: Storage, name: str, path: Path) -> str:
    """Store a local file under `name` (or the free name the storage picks); returns the stored name."""
    with path.open("rb") as handle:
        return storage.save(name, File(handle, name=Path(name).name))


def delete_folder(storage: Storage, folder: str) -> None:
    """Every file under `folder` (a prefix in a bucket), and the folder itself on a file system."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for sub in folders:
        delete_folder(storage, f"{folder}/{sub}")
    for file in files:
        storage.delete(f"{folder}/{file}")
    with suppress(NotImplementedError, OSError):  # a bucket has no folders to remove
        Path(storage.path(folder)).rmdir()
