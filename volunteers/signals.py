"""Every signal the volunteers app sends. shifts listens; volunteers never imports shifts
(tests/foundation/test_layering.py enforces it), so whatever volunteers must tell the rostering side goes here.

login_code_issued
    When: a secretary asked for a one-time login to be sent by text message (in the request: receivers queue
    the message, they never send it there).
    Arguments: member (Member), proxy (MemberProxy or None: the code is for that relative), link (str),
    code (str, 8 digits), code_page (str, where to type the code).
    Receivers return what they queued (not None) when a message is on its way; the login page says so.

availability_changed
    When: after the transaction commits, once a member's availability changed: their health, limits, skills
    or caregiving were edited (by a secretary, by the member, by an import) or they were made inactive.
    Sent only by volunteers.services.availability.availability_announce; a reported absence does not use it
    (shifts records absences itself and re-plans directly).
    Arguments: member_id (int), start (aware datetime, now), end (aware datetime, start + AVAILABILITY_SPAN),
    reason (str: "profile", "caregiving", "import" or "inactive").
    shifts re-plans the published weeks and re-solves the drafts that book the member in [start, end).

member_history_asked
    When: member_delete is about to delete a member, inside its transaction (not after commit).
    Arguments: member (Member).
    Receivers return True when they keep history that points at the member (assignments, swaps); the member
    is then deactivated and kept, to be anonymised later, instead of deleted.

member_anonymising
    When: member_anonymise is removing what identifies a person, inside its transaction (not after commit),
    after the member row is anonymised.
    Arguments: member (Member).
    Receivers delete or blank what their app holds about the person (messages, free-text notes); a failure
    rolls the anonymisation back, so it is never half done.

my_details_sections
    When: a member's My details page (volunteers/my_data.html) is rendered, in the request.
    Arguments: request (HttpRequest), member (Member, the one whose page it is).
    Receivers return a rendered block of HTML (a SafeString, e.g. from render_to_string) to show under the
    member's details, or "" / None to show nothing; shifts adds the member's service hours and stars. This is
    how a page of volunteers shows what a higher layer knows without its template loading that layer's tags.
"""

from django.dispatch import Signal

login_code_issued = Signal()
availability_changed = Signal()
member_history_asked = Signal()
member_anonymising = Signal()
my_details_sections = Signal()
