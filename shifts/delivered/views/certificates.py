"""Service certificates: the secretary issues and prints one per member and period; anyone holding the paper
can check it on the public verification page its QR code leads to."""

import datetime as dt

import segno
from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduler_site.access import staff_required
from scheduler_site.forms import errors_to_form, validate_day_in_range
from shifts.delivered.certificates import certificate_issue, certificate_public
from shifts.models import Certificate
from volunteers.selectors import communities_for, community_for, member_for


class CertificateForm(forms.Form):
    # type=date inputs take only ISO dates (2026-01-01); the locale's 2026/01/01 would show as an empty box.
    start = forms.DateField(label=gettext_lazy("Service from"), validators=[validate_day_in_range],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=gettext_lazy("Service until"), validators=[validate_day_in_range],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    handled_by = forms.CharField(label=gettext_lazy("Handled by"), max_length=60, required=False,
                                 help_text=gettext_lazy("Your name as it should appear; your login name if empty."))


@staff_required
def certificate_new(request, community_id, member_id):
    community = community_for(request.user, community_id)
    member = member_for(request.user, member_id)
    today = timezone.localdate()
    form = CertificateForm(request.POST or None, initial={"start": dt.date(today.year, 1, 1), "end": today})
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificate_issue(member=member, community=community, by=request.user,
                                            **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("certificate_print", certificate.pk)
    issued = Certificate.objects.filter(member=member, community=community).order_by("-issued_on", "-serial")
    return render(request, "shifts/certificates/new.html", {
        "community": community, "member": member, "form": form, "issued": issued,
    }, status=400 if form.errors else 200)


@staff_required
def certificate_print(request, certificate_id):
    try:
        certificate = Certificate.objects.get(pk=certificate_id, community__in=communities_for(request.user))
    except (Certificate.DoesNotExist, ValueError):
        from django.http import Http404
        raise Http404
    url = request.build_absolute_uri(reverse("certificate_verify", args=[certificate.verify_token]))
    qr = segno.make(url, error="m").svg_inline(scale=4, svgclass="qr",
                                               title=_("QR code to verify certificate %(number)s")
                                               % {"number": certificate.number})
    return render(request, "shifts/print/certificate.html", {"certificate": certificate, "qr": qr,
                                                             "verify_url": url})


def certificate_verify(request, token):
    """Public: confirms a certificate by its QR code, showing nothing but what the paper itself shows."""
    found = certificate_public(token)
    response = render(request, "shifts/certificates/verify.html", {"found": found}, status=200 if found else 404)
    response["X-Robots-Tag"] = "noindex"
    return response
