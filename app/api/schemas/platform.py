"""The four-platform connector (基层治理四平台): configuration, deliveries, signed updates."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.common import In, ShanghaiDateTime, _text


class PlatformConfigIn(In):
    endpoint_url = fields.String(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "http(s) address the township's platform receives cases at"},
    )
    enabled = fields.Boolean(required=True)
    secret = fields.String(
        allow_none=True,
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "new shared secret (16–128 visible ASCII); omitted: keep the current one"},
    )


class PlatformConfigVersionOut(Schema):
    """One configuration; the secret itself is never shown, only whether one is set and since when."""

    endpoint_url = fields.String(allow_none=True)
    enabled = fields.Boolean()
    secret_set = fields.Function(lambda c: c.secret is not None)
    secret_changed_at = ShanghaiDateTime(allow_none=True)
    created_at = ShanghaiDateTime()
    created_by_console_account_id = fields.Integer(allow_none=True)
    replaced_at = ShanghaiDateTime(allow_none=True)


class PlatformConfigOut(Schema):
    township_id = fields.Integer()
    inbound_url = fields.String(metadata={"description": "where the platform posts signed status updates"})
    current = fields.Nested(PlatformConfigVersionOut, allow_none=True)
    history = fields.List(fields.Nested(PlatformConfigVersionOut))


class PlatformDeliveryListIn(In):
    state = fields.String(validate=validate.OneOf(["pending", "sent", "acknowledged", "failed"]))


class PlatformDeliveryOut(Schema):
    id = fields.Integer()
    key = fields.String()
    reference = fields.Function(lambda d: d.complaint.reference)
    event_kind = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = ShanghaiDateTime(allow_none=True)
    last_attempt_at = ShanghaiDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    failure_code = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()
    sent_at = ShanghaiDateTime(allow_none=True)
    acknowledged_at = ShanghaiDateTime(allow_none=True)
    failed_at = ShanghaiDateTime(allow_none=True)


class PlatformUpdateIn(In):
    case = fields.String(
        required=True, validate=validate.Length(min=1, max=24), metadata={"description": "case reference"}
    )
    status = fields.String(required=True, validate=validate.OneOf(["acknowledged", "signed", "replied", "returned"]))
    text = _text(
        500, multiline=True, allow_none=True, metadata={"description": "replied: the reply the villager reads"}
    )
    reason = _text(500, multiline=True, allow_none=True, metadata={"description": "returned (退单): why"})
    delivery = fields.String(
        allow_none=True,
        validate=validate.Length(max=32),
        metadata={"description": "acknowledged: the delivery's Idempotency-Key (default: the latest)"},
    )


class PlatformDeliveryStateOut(Schema):
    key = fields.String()
    state = fields.String()


class PlatformUpdateOut(Schema):
    case = fields.String()
    status = fields.String(metadata={"description": "the case's state after the update"})
    delivery = fields.Nested(PlatformDeliveryStateOut, allow_none=True)
