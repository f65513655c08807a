"""What the operator arranges on the admin pages for a test: a shift nobody may take, a secretary's mobile number.
State is read back with `manage.py shell` (the deployment's own env), never by importing the project's models."""

import datetime as dt
import re

from .no_show import ZONE, admin_save


def nobody_may_take(deployment, admin, shift_id: int, code: str = "deployed-harbour-pilot",
                    skill_name: str = "引航员证", duty_name: str = "引航") -> None:
    """The operator makes the shift a duty that needs a skill nobody holds: a new skill (`code`) and a new duty
    (`code` + "-duty") on the admin pages, and the shift's duty changed on its admin page."""
    admin_save(admin, "/admin/volunteers/skill/add/", "code", code=code, name=skill_name)
    skill = deployment.shell_json("import json; from volunteers.models import Skill; "
                                  f"print(json.dumps(Skill.objects.get(code='{code}').pk))")
    admin_save(admin, "/admin/shifts/duty/add/", "code", code=f"{code}-duty", name=duty_name,
               required_skills=str(skill))
    duty = deployment.shell_json("import json; from shifts.models import Duty; "
                                 f"print(json.dumps(Duty.objects.get(code='{code}-duty').pk))")
    admin_save(admin, f"/admin/shifts/shift/{shift_id}/change/", "start_0", duty=str(duty))


def duty_add(deployment, admin, code: str, name: str) -> int:
    """The operator adds a duty anyone may take (no skill, no lead) on the admin's duty page; its id."""
    # required_skills given empty: the page parser would keep the multiple select's first option
    admin_save(admin, "/admin/shifts/duty/add/", "code", code=code, name=name, required_skills=[])
    return deployment.shell_json("import json; from shifts.models import Duty; "
                                 f"print(json.dumps(Duty.objects.get(code='{code}').pk))")


def shift_add(deployment, admin, community: int, duty: int, start: dt.datetime, minutes: int, name: str,
              needed: int = 1) -> int:
    """The operator adds a shift for at most one person, `needed` of them, nobody on it yet, on the admin's shift
    page; its id. `name` must be new: it finds the shift again."""
    local_start, local_end = start.astimezone(ZONE), (start + dt.timedelta(minutes=minutes)).astimezone(ZONE)
    admin_save(admin, "/admin/shifts/shift/add/", "start_0", community=str(community), duty=str(duty),
               start_0=local_start.strftime("%Y-%m-%d"), start_1=local_start.strftime("%H:%M:%S"),
               end_0=local_end.strftime("%Y-%m-%d"), end_1=local_end.strftime("%H:%M:%S"),
               min_staff=str(needed), max_staff="1", location="居委会门口", name=name)
    return deployment.shell_json("import json; from shifts.models import Shift; "
                                 f"print(json.dumps(Shift.objects.get(name='{name}').pk))")


def secretary_phone(deployment, admin, username: str, phone: str) -> None:
    """The operator gives a secretary a mobile number on their staff profile's admin page (the demo's have none),
    so what the service tells the secretary goes by text and shows on their outbox."""
    profile = deployment.shell_json("import json; from volunteers.models import StaffProfile; "
                                    f"print(json.dumps(StaffProfile.objects.get(user__username='{username}').pk))")
    admin_save(admin, f"/admin/volunteers/staffprofile/{profile}/change/", "phone", phone=phone)


def _selected(page_html: str, name: str) -> list[str]:
    """The chosen options of a multiple select (the page parser keeps one value per field)."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page_html, flags=re.S)
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected', select.group(1)) if select else []


def member_skill_add(deployment, admin, member_id: int, code: str) -> None:
    """The operator gives a member the skill `code` on the member's admin page (keeping their other skills and
    the communities they also serve)."""
    skill = deployment.shell_json("import json; from volunteers.models import Skill; "
                                  f"print(json.dumps(Skill.objects.get(code='{code}').pk))")
    page = admin.get(f"/admin/volunteers/member/{member_id}/change/")
    saved = admin.submit(page, "", has="name", _save="Save", skills=[*_selected(page.html, "skills"), str(skill)],
                         extra_communities=_selected(page.html, "extra_communities"))
    assert "/change/" not in saved.path, f"the admin did not save member {member_id}: {saved.text[:800]}"


def cover_candidates(deployment, shift_id: int, community: int) -> list[dict]:
    """The members of `community` a call-down on the shift could ask now, best first, who get texts
    ([{"id", "name"}, …])."""
    code = f"""
import json
from shifts.models import Shift
from shifts.rostering.cover.calldown import published_roster
from shifts.rostering.cover.ranking import cover_rank
shift = Shift.objects.get(pk={shift_id})
ok = [r.member for r in cover_rank(roster=published_roster(shift), shift=shift)
      if r.member.community_id == {community} and r.member.contact_channel == 'sms' and r.member.phone]
print(json.dumps([{{"id": m.pk, "name": m.name}} for m in ok]))
"""
    return deployment.shell_json(code)
