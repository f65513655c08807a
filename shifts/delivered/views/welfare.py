"""The secretary answers a welfare ladder from the dashboard (what their call found), or has its next call go out
now because nobody answered theirs."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from scheduler_site.access import staff_required
from shifts.delivered.welfare_ladder import welfare_answer, welfare_ladder_hurry
from shifts.models import WelfareLadder
from volunteers.selectors import communities_for

HURRY = "no_answer"
CONFIRMATIONS = {
    WelfareLadder.Outcome.ON_WAY: gettext_noop("Noted: %(name)s is on the way or well."),
    WelfareLadder.Outcome.SAFE_HOME: gettext_noop("Noted: %(name)s is safe at home."),
    WelfareLadder.Outcome.ILL: gettext_noop("Noted: %(name)s is ill. Their coming shifts are being re-planned."),
}


@require_POST
@staff_required
def welfare_record(request, ladder_id):
    try:
        ladder = WelfareLadder.objects.select_related("member").get(
            pk=ladder_id, shift__community__in=communities_for(request.user))
    except (WelfareLadder.DoesNotExist, ValueError):
        raise Http404
    outcome = request.POST.get("outcome", "")
    name = ladder.member.name
    if outcome == HURRY:
        ladder = welfare_ladder_hurry(ladder=ladder, by=request.user)
        if ladder.is_open:
            messages.warning(request, _("Noted: no answer from %(name)s. The next call goes out within a minute.")
                             % {"name": name})
        else:
            messages.info(request, _("%(name)s has already been answered for.") % {"name": name})
        return redirect("dashboard")
    try:
        ladder, recorded = welfare_answer(ladder=ladder, outcome=outcome, via=WelfareLadder.Via.DASHBOARD,
                                          by=request.user,
                                          answered_by=request.user.get_full_name() or request.user.get_username())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dashboard")
    if recorded:
        messages.success(request, _(CONFIRMATIONS[outcome]) % {"name": name})
    else:
        messages.info(request, _("%(name)s has already been answered for: %(outcome)s.")
                      % {"name": name, "outcome": ladder.get_outcome_display()})
    return redirect("dashboard")
