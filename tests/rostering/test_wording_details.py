"""Issue #25, "Wording and details": each item through the page or service that shows it, in Chinese first."""

import datetime as dt
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone, translation

from shifts.models import Notification, Roster
from shifts.rostering.absences import absence_report
from tests import factories
from tests.site_week import week_url
from volunteers.models import Unavailability

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def _month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.labels = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.labels.append(attrs["for"])


def _ids(body: bytes) -> _Ids:
    parser = _Ids()
    parser.feed(body.decode())
    return parser


def test_an_away_period_of_whole_days_reads_as_days_on_the_pages_and_in_the_message(
        client, site, django_capture_on_commit_callbacks):
    member = site.members[0]
    first, last = site.week_start + dt.timedelta(days=1), site.week_start + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        absence_report(member=member, start=_midnight(first), end=_midnight(last + dt.timedelta(days=1)),
                       reason=Unavailability.Reason.TRAVEL)
    words = f"{_month_day(first)}至{_month_day(last)}"
    message = Notification.objects.get(member=member, kind="absence_recorded")
    assert words in message.body and "00:00" not in message.body
    client.force_login(site.secretary)
    page = client.get(reverse("member_edit", args=[member.pk]), **ZH).content.decode()
    assert words in page and "00:00 –" not in page
    client.force_login(factories.member_login(member))
    page = client.get(reverse("my_shifts"), **ZH).content.decode()
    assert words in page and "00:00" not in page


def test_an_away_period_with_times_keeps_them():
    from volunteers.periods import period_words

    day = dt.date(2030, 12, 7)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    with translation.override("zh-hans"):
        assert period_words(start, start + dt.timedelta(hours=8)) == "12月7日 09:00至17:00"
        assert period_words(_midnight(day), _midnight(day + dt.timedelta(days=1))) == "12月7日"


def test_the_member_page_has_unique_ids_so_each_label_focuses_its_own_field(staff, site):
    page = _ids(staff.get(reverse("member_edit", args=[site.members[0].pk]), **ZH).content)
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert not duplicates
    assert "id_absence_start" in page.ids and "id_caregiving_start" in page.ids
    assert set(page.labels) <= set(page.ids)


def test_an_odd_preference_weight_is_shown_in_words_not_as_a_number(staff, site):
    member = site.members[0]
    member.duty_preferences = {"patrol": -4}
    member.save()
    page = staff.get(reverse("member_edit", args=[member.pk]), **ZH).content.decode()
    assert "比较喜欢（原有设定）" in page and "（-4）" not in page


def test_a_person_is_asked_for_a_name_as_xingming(staff, site):
    page = staff.get(reverse("setup_member_add", args=[site.community.pk]), **ZH).content.decode()
    assert ">姓名<" in page and ">名称<" not in page


def test_chinese_catalogue_says_nin_not_ni():
    from pathlib import Path

    po = (Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    strings = [line for line in po.splitlines() if line.startswith(("msgstr", '"')) and "你" in line]
    assert not strings


def test_the_calendar_intro_and_school_week_read_as_sentences():
    from volunteers.rule_text import school_week_in_words

    class Week:
        holidays, days_off, make_up = False, ["fri"], []

    with translation.override("zh-hans"):
        assert school_week_in_words(Week()) == ["本周的周五不上学，不用接送孩子"]
        intro = translation.gettext(
            "Rosters follow these dates: on a public holiday each weekly shift runs, is skipped or has its holiday "
            "numbers; a make-up workday has the shifts of the weekday it replaces; school runs stop outside the "
            "school terms and on public holidays.")
    assert intro.startswith("排班按这些日期安排：法定节假日里，每个每周班次照常、停一次或按节假日的人数安排")


def test_secretaries_read_the_calendar_without_its_forms_and_the_administrator_edits(client, site):
    client.force_login(site.secretary)
    response = client.get(reverse("calendar"), **ZH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "这些日期由街道管理员维护" in page
    for action in ("calendar_day_add", "school_term_add", "calendar_year_load"):
        assert reverse(action, args=[timezone.localdate().year]) not in page
    assert client.post(reverse("calendar_year_load", args=[timezone.localdate().year])).status_code == 404
    client.force_login(factories.district_admin("district-admin"))
    page = client.get(reverse("calendar"), **ZH).content.decode()
    assert reverse("calendar_day_add", args=[timezone.localdate().year]) in page


def test_login_link_pages_keep_the_staff_menu(staff, site):
    member = site.members[0]
    page = staff.get(reverse("member_login_link_issue", args=[member.pk]), **ZH).content.decode()
    assert reverse("dashboard") in page and reverse("member_list") in page


def test_the_district_dashboard_names_the_community_of_each_unconfirmed_member(client, site):
    import re

    from shifts.models import WeekConfirmation

    soon = timezone.now() + dt.timedelta(hours=20)
    later_shift = next(shift for shift in site.shifts if shift.start > timezone.now())
    site.roster(Roster.Status.PUBLISHED, [(later_shift, site.members[0])])  # a shift left to confirm
    WeekConfirmation.objects.create(member=site.members[0], community=site.community, week_start=site.week_start,
                                    first_start=soon)
    client.force_login(factories.district_admin("district-admin"))
    page = client.get(reverse("dashboard"), **ZH).content.decode()
    section = re.search(r'id="unconfirmed".*?</section>', page, re.S).group(0)
    assert site.members[0].name in section and "幸福里社区" in section


def _study_session(site):
    study = factories.duty("study", name="学习", name_en="Study")
    start = timezone.make_aware(dt.datetime.combine(site.week_start + dt.timedelta(days=4), dt.time(9, 0)))
    return factories.shift(site.community, study, start, minutes=90, min_staff=0, max_staff=118)


def test_the_study_day_shows_as_a_study_session_with_attendance_not_a_shift_to_fill(staff, site):
    import re

    from shifts.models import Roster

    study = _study_session(site)
    roster = site.roster(Roster.Status.DRAFT)
    page = staff.get(week_url(site), **ZH).content.decode()
    cell = re.search(rf'<div class="slot gathering" id="shift-{study.pk}">.*?</div>\s*</div>|'
                     rf'<div class="slot gathering" id="shift-{study.pk}">.*?</p>\s*</div>', page, re.S).group(0)
    assert "全体参加" in cell and "学习活动" in cell and reverse("attendance_week", args=[
        site.community.pk, site.week]) in cell
    assert "最多 118 人" not in page and reverse("shift_candidates", args=[roster.pk, study.pk]) not in page
    others = [s for s in site.shifts if s.pk != study.pk]
    assert reverse("shift_candidates", args=[roster.pk, others[0].pk]) in page


def test_a_published_shift_has_a_change_this_shift_link_on_the_week_grid(staff, site):
    from shifts.models import Roster

    study = _study_session(site)
    site.roster(Roster.Status.PUBLISHED)
    page = staff.get(week_url(site), **ZH).content.decode()
    for shift in site.shifts:
        assert reverse("setup_shift_edit", args=[site.community.pk, shift.pk]) in page
    assert reverse("setup_shift_edit", args=[site.community.pk, study.pk]) not in page
    assert page.count("修改这个班次") == len(site.shifts)


def test_a_candidate_who_keeps_every_rule_has_one_tick_not_two(staff, site):
    import re

    from shifts.models import Roster

    roster = site.roster(Roster.Status.DRAFT)
    page = staff.get(reverse("shift_candidates", args=[roster.pk, site.shifts[0].pk]), **ZH).content.decode()
    oks = re.findall(r'<span class="ok">([^<]*)</span>', page)
    assert oks and all(not text.startswith(("✓", "✔")) for text in oks)  # the stylesheet adds the one ✔
    assert "✗" not in page
