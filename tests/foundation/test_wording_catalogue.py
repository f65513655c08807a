"""The Chinese catalogue's punctuation (issue #25: a half-width "?" in a heading): every Chinese msgstr uses
full-width ？！，；： — a half-width mark is allowed only inside an example of what to type (09:00, 100,300,600,
{"sun": 8}, mon,tue)."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
HALF_WIDTH = re.compile(r"[?!]|[,;:](?![0-9\"/ ]|[a-z]{3}\b)")
EXAMPLE = re.compile(r"\d:\d|\d,\d|[a-z],[a-z]|\{.*\}|https?:")


def _entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        msgid = re.search(r"^msgid ((?:\".*\"\n?)+)", block, re.M)
        for msgstr in re.findall(r"^msgstr(?:\[\d\])? ((?:\".*\"\n?)+)", block, re.M):
            yield ("".join(re.findall(r'"(.*)"', msgid.group(1))) if msgid else "",
                   "".join(re.findall(r'"(.*)"', msgstr)))


def test_chinese_translations_use_full_width_punctuation():
    problems = []
    for msgid, msgstr in _entries():
        if not CJK.search(msgstr):
            continue
        for match in HALF_WIDTH.finditer(msgstr):
            around = msgstr[max(0, match.start() - 6):match.end() + 6]
            if not EXAMPLE.search(around):
                problems.append(f"{msgid[:40]!r}: …{around}…")
    assert problems == []


def test_the_check_finds_a_half_width_question_mark():
    assert HALF_WIDTH.search("谁能接 %(duty)s %(start)s?")
    assert not HALF_WIDTH.search("谁能接 %(duty)s %(start)s？")
