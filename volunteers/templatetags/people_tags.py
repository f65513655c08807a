"""Tags for pages about people: the card on the member page where the secretary corrects who a member is."""

from django import template

from volunteers.forms import MemberIdentityForm

register = template.Library()


@register.inclusion_tag("volunteers/partials/member_identity.html", takes_context=True)
def member_identity_card(context, member, form=None):
    """The "Name, phone and birth date" form of the member page; it posts to member_identity. A page that shows it
    after a refused save passes its bound form."""
    return {"member": member, "form": form or MemberIdentityForm(member=member),
            "csrf_token": context.get("csrf_token")}
