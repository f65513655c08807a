"""Voice-call gateways: Alibaba Cloud voice (Dyvmsapi 2017-05-25) through its official SDK, and the demo outbox,
chosen by settings.VOICE_PROVIDER. A gateway places one call (an approved TTS template, its parameters and, for a
call that asks something, the keys offered) and returns the provider's call id, or raises VoiceError saying
whether a later retry could help. How the call ended (answered, key pressed, busy, no answer) comes later through
the signed callback (shifts.messaging.voice_callback).
"""

import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings

from shifts.messaging.sms_gateways import SmsError
from shifts.models import VoiceOutboxCall


class VoiceError(SmsError):
    """A provider refused or could not take a call. `transient` ones (timeouts, throttling) are tried again."""


@dataclass
class VoiceCall:
    phone: str  # E.164
    kind: str  # the notification kind
    template: str  # the provider's TTS template code
    params: list[str]
    param_names: tuple[str, ...]
    text: str  # what is read aloud, for the outbox
    keys: dict[str, str] = field(default_factory=dict)  # digit → meaning; empty: a call that only tells
    notification_id: int | None = None


class VoiceGateway:
    name = ""

    def place(self, call: VoiceCall) -> str:
        raise NotImplementedError


class OutboxVoiceGateway(VoiceGateway):
    """The demo provider: keeps each call on the outbox page (with its spoken text and keys) instead of calling."""

    name = "outbox"

    def place(self, call):
        row = VoiceOutboxCall.objects.create(
            notification_id=call.notification_id, call_id=f"outbox-call-{uuid.uuid4().hex[:16]}", phone=call.phone,
            kind=call.kind, template=call.template, params=call.params, text=call.text, keys=call.keys)
        return row.call_id


# Alibaba error codes a retry cannot fix; everything else (throttling, timeouts, 5xx) is tried again later.
_ALIYUN_PERMANENT = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.CALLED_NUMBER_ILLEGAL", "isv.TTS_TEMPLATE_ILLEGAL",
                     "isv.VOICE_FILE_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.PARAM_LENGTH_LIMIT",
                     "isv.BLACK_KEY_CONTROL_LIMIT", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH",
                     "isv.OUT_OF_SERVICE", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL",
                     "isv.DISPLAY_NUMBER_ILLEGAL", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
                     "isp.RAM_PERMISSION_DENY"}


class AliyunVoiceGateway(VoiceGateway):
    """Alibaba Cloud voice service: SingleCallByTts for a call that only tells (the day-before reminder), IvrCall
    with a MenuKeyMap for one that asks (confirm, cover, welfare). Templates take named parameters (${name})."""

    name = "aliyun"

    def _client(self):
        from alibabacloud_dyvmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        config = Config(access_key_id=settings.VOICE_SECRET_ID, access_key_secret=settings.VOICE_SECRET_KEY,
                        endpoint=settings.VOICE_ENDPOINT, protocol=settings.VOICE_ENDPOINT_SCHEME,
                        region_id=settings.VOICE_REGION, read_timeout=settings.VOICE_TIMEOUT * 1000,
                        connect_timeout=settings.VOICE_TIMEOUT * 1000)
        return Client(config)

    def place(self, call):
        from alibabacloud_dyvmsapi20170525 import models
        from darabonba.runtime import RuntimeOptions

        params = json.dumps(dict(zip(call.param_names, call.params, strict=True)), ensure_ascii=False)
        number = _aliyun_number(call.phone)
        out_id = str(call.notification_id or "")
        runtime = RuntimeOptions(autoretry=False, read_timeout=settings.VOICE_TIMEOUT * 1000,
                                 connect_timeout=settings.VOICE_TIMEOUT * 1000)
        client = self._client()
        try:
            if call.keys:
                request = models.IvrCallRequest(
                    called_number=number, called_show_number=settings.VOICE_SHOW_NUMBER, start_code=call.template,
                    start_tts_params=params, play_times=2, timeout=15000, out_id=out_id,
                    menu_key_map=[models.IvrCallRequestMenuKeyMap(key=digit, code=call.template,
                                                                  tts_params=params) for digit in call.keys])
                response = client.ivr_call_with_options(request, runtime)
            else:
                request = models.SingleCallByTtsRequest(
                    called_number=number, called_show_number=settings.VOICE_SHOW_NUMBER, tts_code=call.template,
                    tts_param=params, play_times=2, out_id=out_id)
                response = client.single_call_by_tts_with_options(request, runtime)
        except Exception as exc:  # the SDK raises its own and the HTTP library's errors (a timeout among them)
            code = str(getattr(exc, "code", "") or type(exc).__name__)
            raise VoiceError(f"{code}: {getattr(exc, 'message', '') or exc}", code=code,
                             transient=code not in _ALIYUN_PERMANENT) from exc
        body = response.body
        if body is None or body.code != "OK" or not body.call_id:
            code = getattr(body, "code", "") or "NoBody"
            raise VoiceError(f"{code}: {getattr(body, 'message', '')}", code=code,
                             transient=code not in _ALIYUN_PERMANENT)
        return body.call_id


def _aliyun_number(phone: str) -> str:
    """Mainland numbers without +86, others as country code and number without +."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


GATEWAYS = {"outbox": OutboxVoiceGateway, "aliyun": AliyunVoiceGateway}


def voice_gateway() -> VoiceGateway:
    return GATEWAYS[settings.VOICE_PROVIDER or "outbox"]()
