"""Writing an output file so that a failure never leaves a truncated one behind."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from balance_tui.domain.errors import BalanceError


class OutputError(BalanceError):
    """The output file could not be written (the disk is full, no permission...)."""


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or type(exc).__name__


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A text handle whose content replaces ``path`` only when everything was written.

    Regular files are written to a temporary file beside them and renamed into place;
    devices and pipes (``/dev/stdout``) are written directly.
    """
    if path.exists() and not path.is_file():
        try:
            with path.open("w", newline="", encoding="utf-8") as handle:
                yield handle
        except OSError as exc:
            raise OutputError(f"Cannot write {path}: {_reason(exc)}.") from None
        return
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write in {path.parent}: {_reason(exc)}.") from None
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise OutputError(f"Cannot write {path}: {_reason(exc)}; nothing was written.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
