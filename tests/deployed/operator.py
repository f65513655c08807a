"""What the operator arranges on the admin pages for a test: a shift nobody may take, a secretary's mobile number.
State is read back with `manage.py shell` (the deployment's own env), never by importing the project's models."""

from .no_show import admin_save


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


def secretary_phone(deployment, admin, username: str, phone: str) -> None:
    """The operator gives a secretary a mobile number on their staff profile's admin page (the demo's have none),
    so what the service tells the secretary goes by text and shows on their outbox."""
    profile = deployment.shell_json("import json; from volunteers.models import StaffProfile; "
                                    f"print(json.dumps(StaffProfile.objects.get(user__username='{username}').pk))")
    admin_save(admin, f"/admin/volunteers/staffprofile/{profile}/change/", "phone", phone=phone)
