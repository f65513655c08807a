"""Text-message gateways: a small interface, Tencent Cloud and Alibaba Cloud SMS, and the demo outbox, chosen by
settings.SMS_PROVIDER. A gateway sends one message (an approved template code and its parameters) or raises
SmsError, saying whether a retry on the queue could help.
"""

import json
from dataclasses import dataclass

from django.conf import settings

from shifts.models import OutboxMessage


class SmsError(Exception):
    """A provider refused or could not take a message. `transient` errors are retried on the queue."""

    def __init__(self, message: str, *, code: str = "", transient: bool = False):
        super().__init__(message)
        self.code = code
        self.transient = transient


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
