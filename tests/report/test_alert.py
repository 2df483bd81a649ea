"""Alerts through Apprise to real local receivers: an HTTP server (webhook JSON) and an SMTP server."""

import json
import socket

import pytest

from tasks.report import alert
SUMMARY = {
    "run_id": "20990101T020000Z-abc123", "flow_run_id": "f-1", "status": "failed", "db_path": "wh.duckdb",
    "docs_path": "/data/docs/index.html", "error": None, "docs_seen": 3, "articles_new": 1,
    "articles_duplicate": 0, "quarantined": 2, "quarantined_by_stage": {"clean": 1, "validate": 1},
    "rows_loaded": {"articles": 1},
    "validation": [
        {"suite": "articles", "failures": [
            {"suite": "articles", "expectation": "expect_column_values_to_be_between", "column": "published_at",
             "severity": "critical", "unexpected_count": 1, "sample": ["2099-01-01 00:00:00+00:00"]}]},
        {"suite": "articles", "failures": [
            {"suite": "articles", "expectation": "expect_column_values_to_be_between", "column": "published_at",
             "severity": "critical", "unexpected_count": 2, "sample": ["2098-05-01 00:00:00+00:00"]},
            {"suite": "articles", "expectation": "expect_column_value_lengths_to_be_between", "column": "title",
             "severity": "warning", "unexpected_count": 1, "sample": [""]}]},
    ],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, sink
    controller.stop()


def smtp_env(controller) -> dict:
    return {"NEWSFLOW_ALERT_EMAIL_TO": "ops@example.org", "NEWSFLOW_SMTP_HOST": "127.0.0.1",
            "NEWSFLOW_SMTP_PORT": str(controller.port), "NEWSFLOW_SMTP_SECURE": "none",
            "NEWSFLOW_ALERT_EMAIL_FROM": "newsflow@example.org"}


def test_alert_content_merges_batches():
    a = alert.build_alert(SUMMARY)
    assert a["failed_suites"] == ["articles"]
    first = a["failed_expectations"][0]
    assert (first["severity"], first["column"], first["unexpected_count"]) == ("critical", "published_at", 3)
    assert first["sample"] == ["2099-01-01 00:00:00+00:00", "2098-05-01 00:00:00+00:00"]
    assert a["counts"]["quarantined_by_stage"] == {"clean": 1, "validate": 1}
    text = alert.render_text(a)
    assert SUMMARY["run_id"] in text and "/data/docs/index.html" in text and "2099" in text


def test_when_to_alert():
    assert alert.should_alert({"status": "failed"}, "failed")
    assert not alert.should_alert({"status": "warning"}, "failed")
    assert alert.should_alert({"status": "warning"}, "warning")
    assert alert.should_alert({"status": "running"}, "failed")  # a run that did not finish
    assert alert.should_alert({"status": "success", "unfinished": ["r0"]}, "failed")  # an earlier run was killed
    assert not alert.should_alert({"status": "failed"}, "never")
    with pytest.raises(ValueError):
        alert.should_alert({"status": "failed"}, "sometimes")


def test_destinations_come_from_the_environment_only():
    env = {"NEWSFLOW_ALERT_WEBHOOK": "https://hooks.example.org/x?token=s3cret",
           "NEWSFLOW_ALERT_SLACK": "https://hooks.slack.com/services/T0/B0/XYZ",
           "NEWSFLOW_ALERT_EMAIL_TO": "ops@example.org", "NEWSFLOW_SMTP_HOST": "smtp.example.org",
           "NEWSFLOW_SMTP_USER": "bot", "NEWSFLOW_SMTP_PASSWORD": "p@ss word"}
    d = alert.destinations(env)
    assert d["webhook"] == ("jsons://hooks.example.org/x?token=s3cret", "json")
    assert d["slack"][0].startswith("https://hooks.slack.com/")
    assert d["email"][0].startswith("mailtos://bot:p%40ss%20word@smtp.example.org:587?")
    assert alert.destinations({}) == {}
    assert alert.send_alert(alert.build_alert(SUMMARY), {}) == "not sent: no destination configured"


def test_webhook_and_email_receive_the_alert(httpserver, smtp_server):
    controller, sink = smtp_server
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    env = {"NEWSFLOW_ALERT_WEBHOOK": httpserver.url_for("/hook"), **smtp_env(controller)}
    status = alert.send_alert(alert.build_alert(SUMMARY), env)
    assert status == "sent: webhook, email"
    (request, _), = httpserver.log
    body = json.loads(request.get_data())
    payload = json.loads(body["message"])
    assert payload["run_id"] == SUMMARY["run_id"] and payload["data_docs"] == "/data/docs/index.html"
    assert payload["failed_expectations"][0]["unexpected_count"] == 3
    (mail,) = sink.messages
    assert mail.rcpt_tos == ["ops@example.org"]
    content = mail.content.decode("utf-8", "replace")
    assert SUMMARY["run_id"] in content and "published_at" in content


def test_a_failing_destination_is_recorded_not_raised(httpserver, caplog):
    httpserver.expect_request("/hook", method="POST").respond_with_data("boom", status=500)
    closed = f"http://127.0.0.1:{_free_port()}/hook"
    env = {"NEWSFLOW_ALERT_WEBHOOK": httpserver.url_for("/hook"), "NEWSFLOW_ALERT_URLS": "json://" + closed[7:]}
    status = alert.send_alert(alert.build_alert(SUMMARY), env)
    assert status.startswith("failed: webhook, json-1")
    assert "s3cret" not in caplog.text
