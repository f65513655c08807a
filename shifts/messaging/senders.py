"""The interface every message channel implements (e-mail in shifts.messaging.notify, text messages in
shifts.messaging.sms); notify picks the channels from settings.NOTIFICATION_SENDERS."""

from volunteers.models import Member, MemberProxy


class Sender:
    """One channel: how to address a member, a staff login or a relative, and how to send."""

    channel: str = ""

    def address_for_member(self, member: Member) -> str:
        raise NotImplementedError

    def address_for_user(self, user) -> str:
        raise NotImplementedError

    def address_for_proxy(self, proxy: MemberProxy) -> str:
        return ""

    def send(self, *, address: str, subject: str, body: str, urgent: bool = False) -> None:
        raise NotImplementedError
