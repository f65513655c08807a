"""Signals the volunteers app sends; shifts listens (volunteers never imports shifts).

login_code_issued: a secretary asked for a one-time login to be sent by text message.
    Arguments: member (Member), proxy (MemberProxy or None: the code is for that relative), link (str),
    code (str, 8 digits), code_page (str, where to type the code). Receivers return the Notification.
"""

from django.dispatch import Signal

login_code_issued = Signal()
