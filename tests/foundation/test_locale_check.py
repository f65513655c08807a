"""The start-up check that refuses a Chinese default language without its compiled catalogue."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from scheduler_site.checks import default_language_catalogue


def test_missing_catalogue_for_zh_hans_fails_the_checks_with_one_clear_line(settings, tmp_path):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.LOCALE_PATHS = [tmp_path]
    errors = default_language_catalogue(None)
    assert [e.id for e in errors] == ["yure.E001"]
    assert "compilemessages" in errors[0].msg and "\n" not in errors[0].msg
    with pytest.raises(SystemCheckError, match="yure.E001"):
        call_command("check")


def test_compiled_catalogue_passes(settings, tmp_path):
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.mo").write_bytes(b"")
    settings.LANGUAGE_CODE = "zh-hans"
    settings.LOCALE_PATHS = [tmp_path]
    assert default_language_catalogue(None) == []


def test_english_default_needs_no_catalogue(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.LOCALE_PATHS = [tmp_path]
    assert default_language_catalogue(None) == []
