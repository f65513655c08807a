"""Fill untranslated (or fuzzy) entries of a gettext .po file from locale-notes/*.tsv (english<TAB>chinese per line).

Usage: python locale/po_fill.py [--list-missing] [PO_FILE]

The helpers who wrote each feature put a Chinese translation of their strings in locale-notes/<topic>.tsv; this
merges them into locale/zh_Hans/LC_MESSAGES/django.po after `makemessages`. In the TSV, "\\n" stands for a newline
and "\\t" for a tab. Entries already translated are kept; a plural entry takes the translation of its singular
text (Chinese has one plural form). --list-missing prints the msgids still untranslated, one per line.
"""

import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def load_notes(folder: pathlib.Path = ROOT / "locale-notes") -> dict[str, str]:
    notes = {}
    for path in sorted(folder.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            english, sep, chinese = line.partition("\t")
            if not sep or not chinese.strip():
                print(f"{path.name}:{number}: expected english<TAB>chinese", file=sys.stderr)
                continue
            unescape = lambda s: s.replace("\\n", "\n").replace("\\t", "\t")  # noqa: E731
            notes.setdefault(unescape(english), unescape(chinese.strip()))
    return notes


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return f'"{escaped}"'


def _entries(text: str):
    """Yield each entry as a list of lines; entries are separated by blank lines."""
    block = []
    for line in text.splitlines():
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _parse(block):
    """The entry's fields as {keyword: text}, e.g. msgid, msgid_plural, msgstr, msgstr[0]; comments aside."""
    fields, current = {}, None
    for line in block:
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            fields[current] += ast.literal_eval(line)
            continue
        keyword, _sep, rest = line.partition(" ")
        current = keyword
        fields[current] = ast.literal_eval(rest)
    return fields


_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _translation(fields: dict, notes: dict[str, str]) -> str | None:
    """The note for this entry. Chinese has one plural form, so it must carry every placeholder of the plural
    text: a plural entry whose singular lacks one (e.g. "the only one" vs "the %(n)d others") needs its own note
    keyed by the plural text."""
    msgid, plural = fields.get("msgid", ""), fields.get("msgid_plural")
    if plural is not None:
        if plural in notes:
            return notes[plural]
        if set(_PLACEHOLDER.findall(plural)) - set(_PLACEHOLDER.findall(msgid)):
            return None
    return notes.get(msgid)


def fill(po_path: pathlib.Path, notes: dict[str, str]) -> tuple[int, list[str]]:
    out, filled, missing = [], 0, []
    for block in _entries(po_path.read_text(encoding="utf-8")):
        fields = _parse(block)
        msgid = fields.get("msgid", "")
        plural = "msgid_plural" in fields
        translated = fields.get("msgstr[0]" if plural else "msgstr", "")
        obsolete = all(line.startswith("#~") for line in block if not line.startswith("# "))
        # makemessages guesses a translation for a new string from a similar old one and flags it fuzzy;
        # msgfmt drops fuzzy entries, so they count as untranslated.
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
        if msgid and not obsolete and (fuzzy or not translated):
            translation = _translation(fields, notes)
            if translation is not None:
                comments = [line for line in block if line.startswith("#") and line != "#, fuzzy"
                            and not line.startswith("#| ")]
                comments = [line.replace(", fuzzy", "") if line.startswith("#,") else line for line in comments]
                body = [f"msgid {_quote(msgid)}"]
                if plural:
                    body += [f"msgid_plural {_quote(fields['msgid_plural'])}", f"msgstr[0] {_quote(translation)}"]
                else:
                    body.append(f"msgstr {_quote(translation)}")
                block = [c for c in comments if c.strip() != "#,"] + body
                filled += 1
            else:
                missing.append(msgid)
        if msgid == "" and fields.get("msgstr", "").startswith("Project-Id-Version"):
            block = [line for line in block if line != "#, fuzzy"]  # a fuzzy header is ignored by msgfmt
        out.append("\n".join(block))
    po_path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return filled, missing


def main(argv):
    list_missing = "--list-missing" in argv
    paths = [a for a in argv if not a.startswith("--")]
    po_path = pathlib.Path(paths[0]) if paths else DEFAULT_PO
    filled, missing = fill(po_path, load_notes())
    if list_missing:
        for msgid in missing:
            print(msgid.replace("\n", "\\n"))
    print(f"filled {filled}, still untranslated {len(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
