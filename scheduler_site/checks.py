"""Start-up checks for the site as a whole.

The catalogue's compiled .mo files are build output, not in git. A server set up without `compilemessages`
silently shows English to every member although the default language is Chinese; refuse to start instead."""

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils.translation import to_locale


@checks.register(checks.Tags.translation, deploy=False)
def default_language_catalogue(app_configs, **kwargs):
    language = settings.LANGUAGE_CODE.lower()
    if language.startswith("en"):
        return []  # the source strings are English: no catalogue needed
    folder = _locale_folder(language)
    for base in settings.LOCALE_PATHS:
        if (Path(base) / folder / "LC_MESSAGES" / "django.mo").is_file():
            return []
    return [checks.Error(
        f"No compiled translations for LANGUAGE_CODE {settings.LANGUAGE_CODE!r}: run "
        f"`python manage.py compilemessages --ignore=.venv` before starting the server.",
        id="yure.E001")]


def _locale_folder(language: str) -> str:
    """'zh-hans' → 'zh_Hans', the folder name makemessages uses."""
    return to_locale(language)
