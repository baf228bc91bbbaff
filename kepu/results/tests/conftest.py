import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files land in a temporary folder, never in the repository."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
