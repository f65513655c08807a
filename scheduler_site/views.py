"""The front door: send each login to the page for its role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .access import people


@login_required
def home(request):
    who = people()
    if who.is_staff_member(request.user):
        return redirect("dashboard")
    if who.member_of(request.user) is not None or who.acting_for(request.user)[0] is not None:
        # 长辈模式 opens on the simplified home (three big buttons); the other sizes on My shifts.
        return redirect("member_home" if request.text_size == "xlarge" else "my_shifts")
    return render(request, "no_role.html", status=403)
