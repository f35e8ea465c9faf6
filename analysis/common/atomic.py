"""Write a folder of outputs so that readers see either the old set or the new, never half.

A writer holds a lock beside the folder (``.<name>.lock``) while it works, so two runs on
one cohort take turns; the lock file is removed when the writer is done. The new content is written to a staging folder and swapped in by two
renames, with Ctrl-C and termination held back between them. A run killed anyway leaves
``.staging-*`` folders, removed by the next writer, or the previous content as
``.old-<name>`` with no ``<name>``, put back by the next writer or reader.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HELD: set[Path] = set()  # locks this process holds (a writer may nest replace_dir in derive)


class MissingOutput(FileNotFoundError):
    """An output folder that should exist does not (never written, or removed)."""


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the exclusive lock for writing ``target``; waits while another process holds it.

    The lock file is removed on release. A waiter that then gets the lock of the removed
    file sees that the path no longer names it and locks the path anew."""
    lock = Path(target).absolute().with_name(f".{Path(target).name}.lock")
    if lock in _HELD:
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = open(lock, "a")  # noqa: SIM115 (closed on release, after the unlink)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if os.stat(lock).st_ino == os.fstat(handle.fileno()).st_ino:
                break
        except FileNotFoundError:
            pass
        handle.close()
    _HELD.add(lock)
    try:
        yield
    finally:
        _HELD.discard(lock)
        lock.unlink(missing_ok=True)
        handle.close()


def _old(target: Path) -> Path:
    return target.with_name(f".old-{target.name}")


def _recover(target: Path) -> None:
    """Put back the previous content when a run died between the two renames."""
    if _old(target).is_dir() and not target.exists():
        _old(target).rename(target)


def existing(target: Path) -> Path:
    """``target`` (recovered first if a run died mid-swap); MissingOutput if it is absent."""
    target = Path(target)
    if not target.is_dir() and _old(target).is_dir():
        with locked(target):
            _recover(target)
    if not target.is_dir():
        raise MissingOutput(f"{target}: folder not found (derive the cohort first: "
                            "python -m analysis.derive)")
    return target


@contextmanager
def replace_dir(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; on success it replaces ``target``.

    If the block raises (or the process dies), ``target`` keeps its previous content and the
    staging folder is removed (by the next run, if the process died).
    """
    target = Path(target)
    with locked(target):
        _recover(target)
        for stale in target.parent.glob(f".staging-{target.name}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = target.with_name(f".staging-{target.name}-{uuid.uuid4().hex[:12]}")
        staging.mkdir()  # not tempfile.mkdtemp: its folders are private (0700) once renamed
        try:
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(_old(target), ignore_errors=True)
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            if target.exists():
                target.rename(_old(target))
            try:
                staging.rename(target)
            except OSError:
                _recover(target)
                raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        shutil.rmtree(_old(target), ignore_errors=True)
