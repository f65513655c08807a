"""Service certificates (志愿服务记录证明) as the 2021 办法 requires: the volunteer's name and number, the hours
and content of the service, the issuing organisation with its person in charge, the handler and a contact,
and the certificate's number and date. Numbers run per community and year; a QR code leads to a public page
that confirms only the number, the masked name, the hours and the issuer.
"""

import datetime as dt
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.delivered.hours import local_bounds, organisation_name, served
from shifts.models import Certificate
from volunteers.models import Community, Member
from volunteers.services.audit import audit_log


def certificate_number(community: Community, year: int, serial: int) -> str:
    return f"YR{community.pk:04d}-{year}-{serial:04d}"


def mask_name(name: str) -> str:
    """王建国 → 王*国, 欧阳建国 → 欧**国, 王明 → 王*: the middle hidden, the ends kept."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def service_summary(member: Member, community: Community, start: dt.date, end: dt.date) -> tuple[int, str]:
    """(served minutes, content such as "巡逻 12 次、调解 3 次") for the member in the community's shifts."""
    begin, finish = local_bounds(start, end)
    rows = (served([member.pk], [community]).filter(shift__start__gte=begin, shift__start__lt=finish)
            .values("shift__duty__name").annotate(m=Sum("served_minutes"), n=Count("pk")).order_by("-m"))
    minutes = sum(r["m"] for r in rows)
    content = "、".join(_("%(duty)s %(count)d times") % {"duty": r["shift__duty__name"], "count": r["n"]}
                       for r in rows)
    return minutes, content[:300]


def certificate_issue(*, member: Member, community: Community, start: dt.date, end: dt.date, by,
                      handled_by: str = "") -> Certificate:
    """Issue the next-numbered certificate for the member's served hours in the community in [start, end]."""
    errors = {}
    if end < start:
        errors["end"] = _("The end of the period is before its start.")
    if not community.person_in_charge:
        errors["community"] = _("Enter the community's person in charge first (community settings).")
    elif not community.contact_phone:
        errors["community"] = _("Enter the community's contact phone first (community settings).")
    if errors:
        raise ValidationError(errors)
    minutes, content = service_summary(member, community, start, end)
    if not minutes:
        raise ValidationError({"start": _("No served hours in this period.")})
    handler = handled_by or (by.get_full_name() or by.get_username() if by is not None else "")
    today = timezone.localdate()
    for _attempt in range(3):  # two secretaries issuing at once: the unique constraint decides, retry once
        try:
            with transaction.atomic():
                serial = (Certificate.objects.filter(community=community, year=today.year)
                          .aggregate(n=Max("serial"))["n"] or 0) + 1
                certificate = Certificate(
                    community=community, member=member, year=today.year, serial=serial,
                    number=certificate_number(community, today.year, serial), period_start=start, period_end=end,
                    served_minutes=minutes, content=content, member_name=member.name,
                    volunteer_number=member.volunteer_number, issuer=organisation_name(community),
                    person_in_charge=community.person_in_charge, handled_by=handler[:60] or "—",
                    contact=community.contact_phone, verify_token=secrets.token_urlsafe(16), issued_on=today,
                    issued_by=by)
                certificate.full_clean()
                certificate.save()
                audit_log(action="shifts.certificate.issued", actor=by, community=community, obj=certificate,
                          data={"member": member.pk, "number": certificate.number})
                return certificate
        except IntegrityError:
            continue
    raise ValidationError(_("Could not number the certificate; please try again."))


_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def certificate_public(token: str) -> dict | None:
    """What the verification page may show: number, masked name, period, hours, issuer and date. Nothing else."""
    if not _TOKEN.fullmatch(token or ""):  # not a token we issue; PostgreSQL cannot even compare a NUL
        return None
    certificate = Certificate.objects.filter(verify_token=token).first()
    if certificate is None:
        return None
    return {"number": certificate.number, "name": mask_name(certificate.member_name), "hours": certificate.hours,
            "period_start": certificate.period_start, "period_end": certificate.period_end,
            "issuer": certificate.issuer, "issued_on": certificate.issued_on}
