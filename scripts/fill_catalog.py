"""Fill catalog entries from a small TOML file of translations: `python scripts/fill_catalog.py
LANG FILE [--replace]`. Each key is a msgid; the value a string, or a list of forms for plurals.
Only empty or fuzzy entries are filled, so hand edits in the .po file are never overwritten;
with --replace (after a proofreading) every entry named in FILE takes the FILE's text."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def fill(lang: str, source: Path, replace: bool = False) -> int:
    po_path = ROOT / "content" / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    table = tomllib.loads(source.read_text(encoding="utf-8"))
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key not in table:
            continue
        empty = not any(message.string) if message.pluralizable else not message.string
        if not (empty or message.fuzzy or replace):
            continue
        value = table[key]
        message.string = tuple(value) if message.pluralizable else value
        message.flags.discard("fuzzy")
        filled += 1
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    return filled


if __name__ == "__main__":
    print(f"filled {fill(sys.argv[1], Path(sys.argv[2]), '--replace' in sys.argv[3:])} entries")
