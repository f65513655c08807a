"""Wording on every page (issue #13): Chinese pages use full-width punctuation next to Chinese, and no internal
code ("profile", "illness") or template syntax reaches the text. Plain Django test client over the same page list
as the browser tests (tests/browser/pages.py)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation

from .pages import html_pages, seeded_site

pytestmark = pytest.mark.django_db
CJK = "\u4e00-\u9fff"
MIXED = re.compile(rf"[{CJK}][,;:?!]|[{CJK}] ?\((?!\d)|[,;?!(] ?[{CJK}]")
CODES = re.compile(r"\b(profile|illness|hospital|caregiving|unavailable|inactive|give_away|no_address)\b")


class _Text(HTMLParser):
    SKIP = {"script", "style", "svg", "title"}

    def __init__(self):
        super().__init__()
        self.parts, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(body: bytes) -> str:
    parser = _Text()
    parser.feed(body.decode())
    return " ".join(" ".join(parser.parts).split())


def test_chinese_pages_use_full_width_punctuation_and_words_not_codes():
    with translation.override("zh-hans"):
        assert translation.gettext("Log out") != "Log out", "compile the catalogue first (manage.py compilemessages)"
    seeded = seeded_site()
    problems = []
    for name, path, role in html_pages(seeded):
        user = {"secretary": seeded.secretary, "district": seeded.district, "member": seeded.member.user}[role]
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        text = visible_text(client.get(path).content)
        for match in MIXED.finditer(text):
            context = text[max(0, match.start() - 15):match.end() + 15]
            problems.append(f"{name}: half-width punctuation in Chinese: …{context}…")
        for leak in ("{#", "{%", "{{"):
            if leak in text:
                problems.append(f"{name}: template syntax shown: …{text[text.index(leak):text.index(leak) + 40]}…")
        for match in CODES.finditer(text):
            problems.append(f"{name}: internal code: …{text[max(0, match.start() - 20):match.end() + 20]}…")
    assert not problems, "\n".join(problems)


def test_english_pages_use_the_english_duty_names():
    seeded = seeded_site()
    client = Client()
    client.force_login(seeded.secretary)
    client.cookies["django_language"] = "en"
    text = visible_text(client.get(f"/feeds/community/{seeded.community.pk}/").content)
    assert "Patrol" in text and "巡逻" not in text
