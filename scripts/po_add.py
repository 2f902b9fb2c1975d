"""Add or update Khmer translations for given English msgids, then compile the catalogue.

Usage: .venv/bin/python scripts/po_add.py FILE.json [PO]   ({"English msgid": "Khmer", ...})
Only the listed entries change, so several people can add their own strings safely; run
`scripts/i18n.sh check` afterwards.
"""

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "grievance/translations/km/LC_MESSAGES/messages.po"


def main(path: str, po: Path = PO) -> None:
    additions = json.loads(Path(path).read_text(encoding="utf-8"))
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="km")
    for msgid, msgstr in additions.items():
        entry = catalog.get(msgid)
        if entry is None:
            catalog.add(msgid, msgstr)
        else:
            entry.string = msgstr
            entry.flags.discard("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "compile", "-d", str(po.parents[2])], check=True)  # noqa: S603


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else PO)
