"""Feed and login-link tokens stay out of the logs, Django's DEBUG request log included (issue 16)."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.log import configure_logging

pytestmark = pytest.mark.django_db

FEED_TOKEN = "SecretFeedToken0123456789abcdef"
LINK_TOKEN = "SecretLinkToken0123456789abcdef"


@pytest.fixture
def debug_logging(capsys):
    """Logging configured as manage.py runserver does with DEBUG=1 (handlers write to the captured stderr)."""
    with override_settings(DEBUG=True):
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        yield
    with capsys.disabled():  # the handlers must hold the real stderr, not this test's capture, which closes
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def test_debug_request_log_redacts_feed_and_login_link_tokens(client, debug_logging, capsys):
    with override_settings(DEBUG=True):
        client.get(f"/feeds/{FEED_TOKEN}.ics")
        client.get(f"/accounts/login/link/{LINK_TOKEN}/")
        client.get("/no/such/page/")
    err = capsys.readouterr().err
    assert "/no/such/page/" in err  # the request log itself still works
    assert FEED_TOKEN not in err and LINK_TOKEN not in err
    assert "[redacted]" in err
