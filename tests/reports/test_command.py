"""manage.py report: the district's month as CSV or PDF for cron, and clear errors naming the option."""

import pytest
from django.core.management import CommandError, call_command

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def test_the_district_report_as_csv(month, tmp_path):
    out = tmp_path / "report.csv"
    call_command("report", "--district", "示范街道", "--month", MONTH, "--format", "csv", "--output", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("示范街道：2026年11月工作月报")
    assert "服务时长（小时）,10.0" in text  # A 8 h and B 2 h
    assert "和平社区,1,1,2.0,100%" in text  # the communities side by side
    assert "赵桂兰" not in text


def test_the_district_report_as_pdf(month, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("report", "--district", "示范街道", "--month", MONTH, "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 10_000


@pytest.mark.parametrize("args, field", [
    (["--district", "示范街道", "--month", "2026-13"], "--month"),
    (["--district", "无此街道", "--month", MONTH], "--district"),
    (["--district", "示范街道", "--month", MONTH, "--community", "无此社区"], "--community"),
])
def test_bad_options_are_named(month, args, field):
    with pytest.raises(CommandError, match=field):
        call_command("report", *args, "--format", "csv")
