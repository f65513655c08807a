"""The secretary records what the call to a missing member found (from the dashboard's 需要联系 list)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from scheduler_site.access import staff_required
from shifts.delivered.no_show import no_show_outcome
from shifts.models import NoShowCheck
from volunteers.selectors import communities_for

CONFIRMATIONS = {
    NoShowCheck.Outcome.REACHED: gettext_noop("Noted: %(name)s is well."),
    NoShowCheck.Outcome.FORGOT: gettext_noop("Noted: %(name)s forgot."),
    NoShowCheck.Outcome.ILL: gettext_noop("Noted: %(name)s is ill. Their coming shifts are being re-planned."),
    NoShowCheck.Outcome.NO_ANSWER: gettext_noop("Noted: no answer from %(name)s. Try again later."),
}


@require_POST
@staff_required
def no_show_record(request, check_id):
    try:
        check = NoShowCheck.objects.select_related("member").get(
            pk=check_id, shift__community__in=communities_for(request.user))
    except (NoShowCheck.DoesNotExist, ValueError):
        raise Http404
    outcome = request.POST.get("outcome", "")
    try:
        check = no_show_outcome(check=check, outcome=outcome, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dashboard")
    messages.success(request, _(CONFIRMATIONS[outcome]) % {"name": check.member.name})
    if check.escalated_at is not None and outcome == NoShowCheck.Outcome.NO_ANSWER:
        messages.warning(request, _("%(name)s lives alone or is over 80: the welfare contact has been told.")
                         % {"name": check.member.name})
    return redirect("dashboard")
