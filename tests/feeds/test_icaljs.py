"""Mozilla's ical.js (Thunderbird's parser) through Node: checks 7, 17 and 18 of the feed spec.

Needs `npm ci --prefix tests/js` once; without tests/js/node_modules the test is skipped with that reason.
"""

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from tests.feeds.conftest import fetch

JS_DIR = Path(__file__).resolve().parent.parent / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (JS_DIR / "node_modules" / "ical.js").is_dir(),
    reason="ical.js is not installed: run `npm ci --prefix tests/js` (needs node)")


def icaljs(body: bytes, tmp_path) -> dict:
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    done = subprocess.run([NODE, str(JS_DIR / "parse_ics.mjs"), str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_icaljs_parses_every_feed_with_start_end_uid_and_summary(world, client, tmp_path,
                                                                 django_capture_on_commit_callbacks):
    member = world.members["王秀英"]
    member.reminders = True
    member.save()
    # A removed shift too, so a cancelled event goes through ical.js as well.
    world.publish({"patrol": ["王秀英"], "mediation": ["张桂兰"], "visit": ["王秀英"]})
    tokens = [world.token(name) for name in world.members] + [world.community_token(), world.duty_token("patrol")]
    seen_cancelled = seen_alarm = 0
    for token in tokens:
        parsed = icaljs(fetch(client, token).content, tmp_path)
        assert parsed["calendars"] == "vcalendar"
        for event in parsed["events"]:
            assert event["uid"] and event["summary"] and event["start_utc"] and event["end_utc"]
            assert event["end_utc"] > event["start_utc"]
            seen_cancelled += event["status"] == "CANCELLED"
            for alarm in event["alarms"]:  # check 18 as Thunderbird reads it
                assert alarm["action"] == "DISPLAY" and alarm["description"] and alarm["trigger_seconds"] < 0
                seen_alarm += 1
    assert seen_cancelled >= 1 and seen_alarm >= 2


def test_nine_oclock_shanghai_reads_as_one_oclock_utc_in_icaljs(world, client, tmp_path):  # check 7
    patrol = world.shifts["patrol"]
    assert timezone.localtime(patrol.start).hour == 9
    parsed = icaljs(fetch(client, world.token("王秀英")).content, tmp_path)
    (event,) = [e for e in parsed["events"] if e["uid"] == f"yure-shift-{patrol.pk}@yure"]
    expected = dt.datetime.combine(timezone.localtime(patrol.start).date(), dt.time(1, 0))
    assert event["start_utc"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
