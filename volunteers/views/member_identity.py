"""The secretary corrects who a member is (name, phone, birth date). The card sits on the member page (shifts'
member_edit, volunteers/member_edit.html); a refused save is shown on this view's own page with its errors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scheduler_site.access import staff_required
from scheduler_site.forms import errors_to_form
from volunteers.forms import MemberIdentityForm
from volunteers.selectors import member_for
from volunteers.services.members import member_update_identity


@staff_required
@require_http_methods(["GET", "POST"])
def member_identity(request, member_id):
    member = member_for(request.user, member_id)
    form = MemberIdentityForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            member_update_identity(member=member, by=request.user, **form.changes())
        except ValidationError as exc:
            errors_to_form(form, exc)
            member.refresh_from_db()
        else:
            messages.success(request, _("Saved. Login codes and messages now go to the number shown."))
            return redirect("member_edit", member.pk)
    return render(request, "volunteers/member_identity.html", {"member": member, "form": form},
                  status=400 if form.is_bound and form.errors else 200)
