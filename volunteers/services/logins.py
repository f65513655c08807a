"""One-time login links and codes for members.

A secretary issues a link (for a phone message) together with a short code (to read out on the telephone).
Only hashes are stored: the link token is 32 random bytes, so a plain SHA-256 suffices; the 8-digit code is
guessable offline from a plain hash, so it is an HMAC keyed with SECRET_KEY. Either one logs the member in
once, before it expires; issuing a new link revokes the member's older unused ones.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler_site.addresses import address_range
from volunteers.models import CodeLoginFailure, Member, MemberLoginToken, MemberProxy
from volunteers.selectors import can_see_sensitive_in

from .audit import audit_log

logger = logging.getLogger(__name__)

CODE_DIGITS = 8


def _lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.MEMBER_LOGIN_LINK_HOURS)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def code_digits(code: str) -> str:
    """The ASCII digits of a typed code: full-width digits from a Chinese input method (１２３) count as digits."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code or "") if ch in "0123456789")


def code_hash(code: str) -> str:
    digits = code_digits(code)
    return hmac.new(settings.SECRET_KEY.encode(), f"member-login-code:{digits}".encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def login_token_issue(*, member: Member, by=None, lifetime: dt.timedelta | None = None,
                      proxy: MemberProxy | None = None) -> tuple[str, str]:
    """Issue a one-time login for `member` (or for `proxy`, a relative acting for the member); returns
    (token for the link, code to read out).

    Older unused tokens of the same person are revoked, so only the newest message works. A login `by` someone
    must be staff of the member's own community: the link opens the member's own details (health, caregiving).
    Without `by` (the manage.py command, run by the operator) there is no such check."""
    if by is not None and not can_see_sensitive_in(by, member.community):
        raise ValidationError({"member": _("Only the secretary of the member's own community can issue a login "
                                           "link.")})
    if not member.active or member.anonymised_at is not None:
        raise ValidationError({"member": _("This member is not active; a login link cannot be issued.")})
    if proxy is not None and (proxy.member_id != member.pk or not proxy.is_active):
        raise ValidationError({"proxy": _("This relative may no longer act for the member.")})
    now = timezone.now()
    with transaction.atomic():
        MemberLoginToken.objects.filter(member=member, proxy=proxy, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now)
        CodeLoginFailure.objects.filter(target=member).delete()  # a new code unlocks the member's logins
        token = secrets.token_urlsafe(32)
        code = _new_code()
        # Codes are short: avoid two live tokens sharing one, which would make the code ambiguous.
        while MemberLoginToken.objects.filter(code_hash=code_hash(code), used_at__isnull=True,
                                              expires_at__gt=now).exists():
            code = _new_code()
        row = MemberLoginToken(member=member, token_hash=token_hash(token), code_hash=code_hash(code),
                               expires_at=now + (lifetime or _lifetime()), created_by=by, proxy=proxy)
        row.full_clean()
        row.save()
        audit_log(action="volunteers.member.login_link_issued", actor=by, community=member.community, obj=member,
                  data={"expires_at": row.expires_at.isoformat()})
    return token, code


def login_token_peek(*, token: str) -> Member | None:
    """The member a link is for, if it is still usable; does not use it up (for the confirmation page)."""
    row = _usable(MemberLoginToken.objects.filter(token_hash=token_hash(token)))
    return row.member if row else None


def login_token_redeem(*, token: str = "", code: str = "") -> Member | None:
    """Use a link token or a code once. Returns the member, or None when it is unknown, used or expired."""
    redeemed = login_redeem(token=token, code=code)
    return redeemed[0] if redeemed else None


def login_redeem(*, token: str = "", code: str = ""):
    """Use a link token or a code once: (member, user to log in, relative or None), or None when it is unknown,
    used or expired. A relative's code logs in the relative's own user, never the member's.

    The row is locked and marked used in one transaction, so two simultaneous clicks log in only once."""
    if token:
        rows = MemberLoginToken.objects.filter(token_hash=token_hash(token))
    elif code and len(code_digits(code)) == CODE_DIGITS:
        rows = MemberLoginToken.objects.filter(code_hash=code_hash(code))
    else:
        return None
    with transaction.atomic():
        row = _usable(rows.select_for_update(of=("self",)))
        if row is None:
            return None
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        member, proxy = row.member, row.proxy
        user = _login_user_for(member) if proxy is None else _login_user_for_proxy(proxy)
        audit_log(action="volunteers.member.logged_in_with_link" if proxy is None else "volunteers.proxy.logged_in",
                  actor=user, community=member.community, obj=member,
                  data={"by": "link" if token else "code", **({"proxy": proxy.pk} if proxy else {})})
    return member, user, proxy


def code_owner(code: str) -> Member | None:
    """Whose code this is, even if used or expired: the target a wrong or stale code counts against."""
    if len(code_digits(code)) != CODE_DIGITS:
        return None
    row = (MemberLoginToken.objects.filter(code_hash=code_hash(code)).select_related("member")
           .order_by("-created_at").first())
    return row.member if row else None


def _failures_since():
    return CodeLoginFailure.objects.filter(
        created_at__gt=timezone.now() - dt.timedelta(minutes=settings.CODE_LOGIN_COOLOFF_MINUTES))


def code_login_blocked(*, address: str, member: Member | None = None) -> bool:
    """Whether a code whose owner is `member` (None: a code that was never anyone's) is refused from `address`.

    The device limit is bound to what the client cannot shed: its address range and the code's owner. Wrong or
    stale codes of one member from one range refuse that member's codes there, a correct one too, until the
    cool-off ends or the secretary issues a new code; nobody elsewhere can lock the member out. With member=None
    it tells whether as many codes that were never anyone's came from the range (the page then says to check the
    code, and keeps the form). Neither touches other members' correct codes from the same range: many elders
    share one address (community Wi-Fi, a proxy)."""
    failures = _failures_since().filter(address_range=address_range(address), target=member)
    return failures.count() >= settings.CODE_LOGIN_DEVICE_LIMIT


def code_login_address_busy(*, address: str) -> bool:
    """Many wrong codes from this address range, whoever they were for. It only counts failures: a wrong code
    from a busy range is answered 429 with a plea to check the code, a correct code still logs in."""
    return _failures_since().filter(address_range=address_range(address)).count() >= settings.CODE_LOGIN_ADDRESS_LIMIT


def code_login_failed(*, address: str, code: str) -> Member | None:
    """Record a wrong code against the address range and, when the code was once real, its owner (returned)."""
    owner = code_owner(code)
    CodeLoginFailure.objects.create(address_range=address_range(address), target=owner)
    logger.info("wrong login code from %s (known owner: %s)", address_range(address), bool(owner))
    return owner


def code_login_failures_purge() -> int:
    """Forget failures older than a day (the limits look back CODE_LOGIN_COOLOFF_MINUTES); housekeeping."""
    deleted, _by_model = CodeLoginFailure.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    return deleted


def _usable(rows) -> MemberLoginToken | None:
    row = rows.select_related("member", "proxy").order_by("-created_at").first()
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        return None
    if not row.member.active or row.member.anonymised_at is not None:
        return None
    if row.proxy is not None and not row.proxy.is_active:
        return None
    return row


def _passwordless_user(prefix: str, name: str):
    """A login that only one-time links and codes open: an unguessable username and no usable password."""
    user = get_user_model()(username=f"{prefix}-{secrets.token_hex(4)}", first_name=name[:150])
    user.set_unusable_password()
    user.save()
    return user


def _login_user_for(member: Member):
    """The member's own login, created on first use; it has no usable password (links only)."""
    if member.user_id:
        return member.user
    user = _passwordless_user(f"member-{member.pk}", member.name)
    member.user = user
    member.save(update_fields=["user"])
    logger.info("created login user %s for member %s", user.pk, member.pk)
    return user


def _login_user_for_proxy(proxy: MemberProxy):
    """The relative's own login (no password), created on first use and re-activated after a new code."""
    if proxy.user_id:
        if not proxy.user.is_active:
            proxy.user.is_active = True
            proxy.user.save(update_fields=["is_active"])
        return proxy.user
    user = _passwordless_user(f"proxy-{proxy.pk}", proxy.name)
    proxy.user = user
    proxy.save(update_fields=["user"])
    return user


def login_tokens_purge(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Delete used or expired tokens older than `older_than`; idempotent housekeeping."""
    cutoff = timezone.now() - older_than
    deleted, _by_model = MemberLoginToken.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def lockout_username(request, credentials=None) -> str:
    """The username django-axes counts failures under (settings.AXES_USERNAME_CALLABLE): what was typed,
    cut to the longest username a login can have."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        raw = getattr(request, "POST", {}).get(field) if request is not None else None
    if raw is None:
        return None
    return str(raw)[:get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length]
