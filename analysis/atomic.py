"""Write a folder of outputs so that readers see either the old set or the new, never half."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replace_dir(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; on success it replaces ``target``.

    If the block raises (or the process dies), ``target`` keeps its previous content and the
    staging folder is removed (or left as a ``.staging-*`` folder that the next run ignores).
    """
    target = Path(target)
    old = target.with_name(f".old-{target.name}")
    if old.exists() and not target.exists():  # a run died between the two renames below
        old.rename(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".staging-{target.name}-{uuid.uuid4().hex[:12]}")
    staging.mkdir()  # not tempfile.mkdtemp: its folders are private (0700) once renamed
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
