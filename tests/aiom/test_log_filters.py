import logging

from aiom.log_filters import RedactApprovalTokens


def _record(message, *args):
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, message, args, None)


def test_access_log_lines_lose_the_token():
    record = _record('"%s" %s %s', "GET /approvals/email/eyJhIjoxfQ:1vN:abc/ HTTP/1.1", "200", "512")
    assert RedactApprovalTokens().filter(record)
    assert record.getMessage() == '"GET /approvals/email/[redacted]/ HTTP/1.1" 200 512'


def test_url_encoded_paths_are_redacted_too():
    record = _record("Not Found: /approvals%2Femail%2Fsecret-token")
    RedactApprovalTokens().filter(record)
    assert "secret-token" not in record.getMessage()


def test_other_lines_are_untouched():
    record = _record("GET /dashboard/approvals/ %s", 200)
    RedactApprovalTokens().filter(record)
    assert record.getMessage() == "GET /dashboard/approvals/ 200" and record.args == (200,)


def test_the_request_loggers_use_the_filter():
    for name in ("django.server", "django.request"):
        assert any(isinstance(f, RedactApprovalTokens) for f in logging.getLogger(name).filters)
