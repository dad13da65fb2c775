"""The Lambda deployment package: the handler sources and nothing else."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pulumi

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"

# Folders that may sit inside handlers/ on a developer's machine but are not
# code the functions run.
_EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test", ".venv", "venv", ".mypy_cache", ".pytest_cache"})


def handler_sources(source_dir: Path = HANDLERS_DIR) -> dict[str, Path]:
    """Archive path -> file, for every Python source of the handlers package.

    Paths keep the package folder (`handlers/open_case.py`) so that the Lambda
    handler string `handlers.open_case.handler` imports the same module as the tests do.
    """
    if not (source_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"{source_dir} is not a Python package (no __init__.py); cannot package handlers.")
    sources: dict[str, Path] = {}
    for path in sorted(source_dir.rglob("*.py")):
        relative = path.relative_to(source_dir)
        if any(part in _EXCLUDED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        if relative.name.startswith("test_") or relative.name.endswith("_test.py"):
            continue
        sources[f"{source_dir.name}/{relative.as_posix()}"] = path
    return sources


def handler_archive(source_dir: Path = HANDLERS_DIR) -> pulumi.AssetArchive:
    return pulumi.AssetArchive(
        {archive_path: pulumi.FileAsset(str(path)) for archive_path, path in handler_sources(source_dir).items()}
    )


def archive_zip(archive: pulumi.AssetArchive) -> bytes:
    """The archive as the zip Lambda receives: same paths, same bytes.

    Pulumi builds its own zip at deploy time; this one serves the offline
    rehearsal and the size benchmark. Timestamps are fixed so that equal
    sources give equal bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for archive_path in sorted(archive.assets):
            asset = archive.assets[archive_path]
            if not isinstance(asset, pulumi.FileAsset):
                raise TypeError(f"{archive_path}: only file assets are packaged, got {type(asset).__name__}.")
            info = zipfile.ZipInfo(archive_path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, Path(asset.path).read_bytes())
    return buffer.getvalue()
