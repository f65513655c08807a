"""Text messages: a small gateway interface, Tencent Cloud and Alibaba Cloud SMS gateways, the demo outbox, and
the sender that notify.py uses for the SMS channel.

Chinese SMS is template-based: a message is an approved sign name, a template code and a list of parameters.
Each notification kind maps to one of settings.SMS_MESSAGE_KINDS; SMS_TEMPLATE_PARAMS says which parameters
that kind's template takes (in order, as {1}, {2}, … in the template approved at the provider). The full
rendered text (subject and body) is still kept on the Notification and shown in the demo outbox.

Provider limits (per number per day, per number and template per day, per template per day) are checked here
before calling the provider, so a message over the limit is refused with a clear error instead of disappearing.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shifts.messaging.senders import Sender
from shifts.models import Notification, OutboxMessage
from shifts.weeks import local_zone

logger = logging.getLogger(__name__)

# Notification kind (the mail template name) → SMS message kind (one approved template each).
SMS_KIND_OF = {
    "shift_reminder": "reminder",
    "roster_changed": "roster_change",
    "swaps/offered": "swap_offer",
    "swaps/applied": "swap_outcome",
    "swaps/declined": "swap_outcome",
    "swaps/refused": "swap_outcome",
    "swaps/expired": "swap_outcome",
    "swaps/withdrawn": "swap_outcome",
    "swaps/awaiting_approval": "swap_outcome",
    "absence_recorded": "replan",
    "repair_proposal": "replan",
    "unfilled_alert": "replan",
    "solve_failed": "replan",
    "login_code": "login_code",
    "confirm_request": "confirm_request",
    "confirm_reminder": "confirm_request",
    "welfare_check": "welfare_check",
    "no_show": "welfare_check",  # someone did not turn up: the secretary, the team leader, the welfare contact
    "no_show_leader": "welfare_check",
    "no_show_welfare": "welfare_check",
}

# The parameters of each kind's template, in order. Documented in the README for whoever files the templates.
SMS_TEMPLATE_PARAMS = {
    "reminder": ("name", "when", "duty"),
    "roster_change": ("name", "week", "link"),
    "swap_offer": ("requester", "shift", "link"),
    "swap_outcome": ("shift", "outcome", "link"),
    "replan": ("name", "what", "link"),
    "login_code": ("code", "link"),
    "confirm_request": ("name", "week", "link"),
    "welfare_check": ("name", "when"),
}
PARAM_MAX = 30  # characters per parameter (links: LINK_MAX), short enough for one message
LINK_MAX = 120


class SmsError(Exception):
    """A provider refused or could not take a message. `transient` errors are retried on the queue."""

    def __init__(self, message: str, *, code: str = "", transient: bool = False):
        super().__init__(message)
        self.code = code
        self.transient = transient


class SmsLimitReached(SmsError):
    pass


@dataclass
class SmsMessage:
    phone: str  # E.164
    template: str  # the provider's template code
    params: list[str]
    text: str  # the readable text, for the outbox
    notification_id: int | None = None
    param_names: tuple[str, ...] = ()  # for providers with named template parameters


class SmsGateway:
    """One text-message provider. send() returns the provider's message id or raises SmsError."""

    name = ""

    def send(self, message: SmsMessage) -> str:
        raise NotImplementedError


class OutboxGateway(SmsGateway):
    """The demo provider: keeps each message in the outbox (staff page /sms/outbox/) instead of sending it."""

    name = "outbox"

    def send(self, message):
        row = OutboxMessage.objects.create(
            notification_id=message.notification_id, phone=message.phone, sign_name=settings.SMS_SIGN_NAME,
            template=message.template, params=message.params, text=message.text)
        return f"outbox-{row.pk}"


# Tencent error codes we must not retry: the number or the template is wrong, or today's quota is used up.
_TENCENT_PERMANENT = ("InvalidParameterValue", "FailedOperation.PhoneNumberInBlacklist", "UnauthorizedOperation",
                      "AuthFailure", "LimitExceeded.PhoneNumberDailyLimit", "LimitExceeded.DailyLimit",
                      "FailedOperation.TemplateIncorrectOrUnapproved", "FailedOperation.SignatureIncorrectOrUnapproved",
                      "InvalidParameter", "MissingParameter", "FailedOperation.InsufficientBalanceInSmsPackage")


class TencentSmsGateway(SmsGateway):
    """Tencent Cloud SMS (API 2021-01-11) through the official SDK."""

    name = "tencent"

    def _client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        http = HttpProfile(endpoint=settings.SMS_ENDPOINT, reqTimeout=settings.SMS_TIMEOUT,
                           protocol=settings.SMS_ENDPOINT_SCHEME)
        cred = credential.Credential(settings.SMS_SECRET_ID, settings.SMS_SECRET_KEY)
        return sms_client.SmsClient(cred, settings.SMS_REGION, ClientProfile(httpProfile=http))

    def send(self, message):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = message.template
        request.TemplateParamSet = message.params
        request.PhoneNumberSet = [message.phone]
        request.SessionContext = str(message.notification_id or "")
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            raise SmsError(f"{code}: {exc.get_message()}", code=code, transient=not _permanent(code)) from exc
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            raise SmsError("the provider answered without a send status", transient=True)
        if status.Code != "Ok":
            raise SmsError(f"{status.Code}: {status.Message}", code=status.Code, transient=not _permanent(status.Code))
        return status.SerialNo


def _permanent(code: str) -> bool:
    return any(code == prefix or code.startswith(prefix + ".") for prefix in _TENCENT_PERMANENT)


# Alibaba error codes that a retry cannot fix; every other failure (throttling, timeouts, 5xx) is retried.
_ALIYUN_PERMANENT = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.SMS_TEMPLATE_ILLEGAL",
                     "isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.INVALID_PARAMETERS",
                     "isv.BLACK_KEY_CONTROL_LIMIT", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH",
                     "isv.OUT_OF_SERVICE", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL",
                     "isv.PARAM_LENGTH_LIMIT", "isv.INVALID_JSON_PARAM", "InvalidAccessKeyId.NotFound",
                     "SignatureDoesNotMatch", "isp.RAM_PERMISSION_DENY"}


class AliyunSmsGateway(SmsGateway):
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25) through the official SDK. Its templates take named parameters
    (${name}); the names are those of SMS_TEMPLATE_PARAMS."""

    name = "aliyun"

    def _client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        config = Config(access_key_id=settings.SMS_SECRET_ID, access_key_secret=settings.SMS_SECRET_KEY,
                        endpoint=settings.SMS_ENDPOINT, protocol=settings.SMS_ENDPOINT_SCHEME,
                        region_id=settings.SMS_REGION, read_timeout=settings.SMS_TIMEOUT * 1000,
                        connect_timeout=settings.SMS_TIMEOUT * 1000)
        return Client(config)

    def send(self, message):

        from alibabacloud_dysmsapi20170525 import models
        from darabonba.runtime import RuntimeOptions

        request = models.SendSmsRequest(
            phone_numbers=_aliyun_number(message.phone), sign_name=settings.SMS_SIGN_NAME,
            template_code=message.template, out_id=str(message.notification_id or ""),
            template_param=json.dumps(dict(zip(message.param_names, message.params, strict=True)),
                                      ensure_ascii=False))
        runtime = RuntimeOptions(autoretry=False, read_timeout=settings.SMS_TIMEOUT * 1000,
                                 connect_timeout=settings.SMS_TIMEOUT * 1000)
        try:
            response = self._client().send_sms_with_options(request, runtime)
        except Exception as exc:  # the SDK raises its own and the HTTP library's errors
            code = str(getattr(exc, "code", "") or type(exc).__name__)
            raise SmsError(f"{code}: {getattr(exc, 'message', '') or exc}", code=code,
                           transient=code not in _ALIYUN_PERMANENT) from exc
        body = response.body
        if body is None or body.code != "OK":
            code = getattr(body, "code", "") or "NoBody"
            raise SmsError(f"{code}: {getattr(body, 'message', '')}", code=code,
                           transient=code not in _ALIYUN_PERMANENT)
        return body.biz_id


def _aliyun_number(phone: str) -> str:
    """Alibaba takes mainland numbers without +86 and others as country code and number, without +."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


GATEWAYS = {"outbox": OutboxGateway, "tencent": TencentSmsGateway, "aliyun": AliyunSmsGateway}


def gateway() -> SmsGateway:
    return GATEWAYS[settings.SMS_PROVIDER or "outbox"]()


def e164(phone) -> str:
    """The number to text, or "" when there is none or it is not a valid number (so it counts as no address)."""
    if not phone or not getattr(phone, "is_valid", lambda: False)():
        return ""
    return phone.as_e164


class SmsSender(Sender):
    """The SMS channel of notify.py: template, parameters and limits, then the configured gateway."""

    channel = Notification.Channel.SMS

    def address_for_member(self, member):
        return e164(member.phone)

    def address_for_user(self, user):
        return e164(getattr(getattr(user, "staff_profile", None), "phone", None))

    def address_for_proxy(self, proxy):
        return e164(proxy.phone)

    def send(self, *, address, subject, body, urgent=False):
        raise SmsError("text messages are sent per notification (send_notification)")

    def send_notification(self, *, notification: Notification, address: str) -> str:
        sms_kind = SMS_KIND_OF.get(notification.kind)
        if sms_kind is None:
            raise SmsError(f"no text-message template for {notification.kind}")
        template = settings.SMS_TEMPLATES.get(sms_kind) or f"yure-{sms_kind}"
        sms_limits_check(phone=address, sms_kind=sms_kind)
        gate = gateway()
        notification.provider = gate.name
        return gate.send(SmsMessage(phone=address, template=template, params=list(notification.sms_params),
                                    text=f"【{settings.SMS_SIGN_NAME}】{notification.subject}\n{notification.body}",
                                    notification_id=notification.pk, param_names=SMS_TEMPLATE_PARAMS[sms_kind]))


def sms_limits_check(*, phone: str, sms_kind: str) -> None:
    """Refuse a message that would break the provider's per-number, per-template or per-day limit."""
    day_start = dt.datetime.combine(timezone.now().astimezone(local_zone()).date(), dt.time(0), tzinfo=local_zone())
    sent = Notification.objects.filter(channel=Notification.Channel.SMS, status=Notification.Status.SENT,
                                       sent_at__gte=day_start)
    same_kind = [kind for kind, target in SMS_KIND_OF.items() if target == sms_kind]
    if sent.filter(address=phone).count() >= settings.SMS_LIMIT_PER_NUMBER_DAY:
        raise SmsLimitReached(f"daily limit of {settings.SMS_LIMIT_PER_NUMBER_DAY} texts to this number reached",
                              code="limit.number_day")
    if sent.filter(address=phone, kind__in=same_kind).count() >= settings.SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY:
        raise SmsLimitReached(f"daily limit of {settings.SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY} '{sms_kind}' texts to "
                              "this number reached", code="limit.number_template_day")
    if sent.filter(kind__in=same_kind).count() >= settings.SMS_LIMIT_PER_TEMPLATE_DAY:
        raise SmsLimitReached(f"daily limit of {settings.SMS_LIMIT_PER_TEMPLATE_DAY} '{sms_kind}' texts reached",
                              code="limit.template_day")


def sms_params(*, kind: str, context: dict, language: str) -> list[str]:
    """The template parameters for a notification, in the recipient's language, from its message context."""
    sms_kind = SMS_KIND_OF.get(kind)
    if sms_kind is None:
        return []
    with translation.override(language):
        values = _param_values(kind, sms_kind, context)
    return [str(values.get(name, "") or "-")[:LINK_MAX if name == "link" else PARAM_MAX]
            for name in SMS_TEMPLATE_PARAMS[sms_kind]]


def _when(moment) -> str:
    if not moment:
        return ""
    local = timezone.localtime(moment) if isinstance(moment, dt.datetime) else moment
    return local.strftime("%m-%d %H:%M") if isinstance(local, dt.datetime) else local.strftime("%m-%d")


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else settings.SITE_URL


def _param_values(kind: str, sms_kind: str, context: dict) -> dict:
    name = context.get("member_name") or context.get("staff_name") or ""
    shift = context.get("shift")
    if sms_kind == "reminder":
        duty = shift["duty_en"] if translation.get_language() == "en" else shift["duty"]
        return {"name": name, "when": _when(shift["start"]), "duty": duty}
    if sms_kind == "roster_change":
        return {"name": name, "week": _when(context.get("week_start")), "link": _site("/me/")}
    if sms_kind == "swap_offer":
        return {"requester": context.get("requester"), "shift": context.get("shift"),
                "link": _site(context.get("swap_path", ""))}
    if sms_kind == "swap_outcome":
        return {"shift": context.get("shift"), "outcome": _swap_outcome(kind),
                "link": _site(context.get("swap_path", ""))}
    if sms_kind == "replan":
        return {"name": name or context.get("community_name", ""), "what": _replan_what(kind),
                "link": _site(context.get("path", "/me/"))}
    if sms_kind == "login_code":
        # Providers check a code variable as digits only.
        return {"code": str(context.get("code", "")).replace(" ", ""), "link": context.get("link")}
    if sms_kind == "confirm_request":
        return {"name": name, "week": _when(context.get("week_start")), "link": context.get("link")}
    if sms_kind == "welfare_check":  # who did not turn up, and for which shift
        return {"name": context.get("missing_name") or name, "when": _when(context.get("when")) or
                context.get("shift", "")}
    return {}


def _swap_outcome(kind: str) -> str:
    return {"swaps/applied": _("done"), "swaps/declined": _("declined"), "swaps/refused": _("not approved"),
            "swaps/expired": _("expired"), "swaps/withdrawn": _("withdrawn"),
            "swaps/awaiting_approval": _("waiting for approval")}.get(kind, "")


def _replan_what(kind: str) -> str:
    return {"absence_recorded": _("your absence is noted"), "repair_proposal": _("a re-plan waits"),
            "unfilled_alert": _("shifts are short"), "solve_failed": _("a roster could not be made")}.get(kind, "")
