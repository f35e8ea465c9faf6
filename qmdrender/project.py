"""The Quarto project file ``_quarto.yml``: where rendered documents go (``project:
output-dir``), read the same way by the built-in engine, the compendium and Quarto itself."""

from __future__ import annotations

from pathlib import Path

import yaml


def output_dir(folder: Path) -> Path | None:
    """``project: output-dir`` of ``folder/_quarto.yml`` as a path, if the file sets it."""
    config = Path(folder) / "_quarto.yml"
    if not config.is_file():
        return None
    project = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("project") or {}
    return Path(folder) / project["output-dir"] if project.get("output-dir") else None
