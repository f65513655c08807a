"""Simplified Chinese is the default language, so its catalogue must be complete."""

import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(*flags: str) -> list[str]:
    output = subprocess.run(["msgattrib", *flags, str(PO)], capture_output=True, text=True, check=True).stdout
    return [line for line in output.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs gettext (apt-get install gettext)")
def test_every_string_has_a_chinese_translation_and_none_is_a_guess():
    assert entries("--untranslated") == []
    assert entries("--only-fuzzy") == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext (apt-get install gettext)")
def test_catalogue_compiles_with_matching_placeholders():
    subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(PO)], check=True, capture_output=True)
