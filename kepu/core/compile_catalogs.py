"""Compile every locale/*/LC_MESSAGES/*.po into .mo with polib (no system gettext needed)."""

import sys
from pathlib import Path

import polib


def main(root: Path) -> int:
    count = 0
    for po_path in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        catalog = polib.pofile(str(po_path))
        catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"compiled {count} catalogs")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parents[2]))
