"""A reply that cannot be sent (the broker went away while the command ran) is logged and
dropped: nameko would otherwise treat it as fatal to the whole service."""

from __future__ import annotations

from structlog.testing import capture_logs

from shared.rpc import _RpcConsumer


def test_a_reply_that_cannot_be_sent_is_logged_and_dropped(monkeypatch) -> None:
    class Message:
        delivery_info = {"routing_key": "recruitment.register_student"}
        properties = {"content_type": "application/json", "reply_to": "x"}

    acked: list[object] = []

    class Responder:
        def __init__(self, *_args: object, **_kwargs: object) -> None:
            pass

        def send_response(self, *_args: object) -> tuple[object, object]:
            raise OSError("the broker went away")

    consumer = _RpcConsumer()
    consumer.container = type("Container", (), {"config": {"AMQP_URI": "amqp://x/"}})()
    consumer.queue_consumer = type("QC", (), {"ack_message": lambda _self, m: acked.append(m)})()
    monkeypatch.setattr("shared.rpc._UnconfirmedResponder", Responder)
    message = Message()
    with capture_logs() as logs:
        assert consumer.handle_result(message, {"ok": True}, None) == ({"ok": True}, None)
    assert acked == [message]
    [line] = [line for line in logs if line["event"] == "rpc.reply_dropped"]
    assert (line["method"], line["error_type"]) == ("recruitment.register_student", "OSError")
