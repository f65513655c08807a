"""The import pages: upload → preview (with column mapping) → confirm, and the export download."""

import io

from django.urls import reverse

from volunteers.models import AuditEntry, Member

from .test_imports import HEADER, csv_bytes, good_rows, xlsx


def _upload(client, community, data, name="名册.xlsx"):
    """Upload, then follow to the job page: queue tasks run at once in tests, so it shows the preview."""
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("member_import", args=[community.pk]), {"file": upload}, follow=True)


def test_upload_preview_then_confirm_imports(client, world, skills):
    client.force_login(world.a.secretary)
    preview = _upload(client, world.a.community, xlsx([HEADER, *good_rows()]))
    assert preview.status_code == 200
    assert preview.context["created"] == 3 and not Member.objects.filter(name="王秀英").exists()
    assert reverse("member_import_confirm", args=[world.a.community.pk]) in preview.content.decode()
    done = client.post(reverse("member_import_confirm", args=[world.a.community.pk]))
    assert done.status_code == 302 and "/import/" in done["Location"]
    assert client.get(done["Location"])["Location"] == reverse("member_import", args=[world.a.community.pk])
    assert Member.objects.filter(community=world.a.community, name__in=["王秀英", "李建国", "张桂兰"]).count() == 3
    # The stored upload is gone: confirming twice does nothing more.
    again = client.post(reverse("member_import_confirm", args=[world.a.community.pk]))
    assert again.status_code == 302 and Member.objects.filter(name="王秀英").count() == 1


def test_preview_with_errors_has_no_confirm_and_confirm_refuses(client, world, skills):
    client.force_login(world.a.secretary)
    rows = [HEADER, *good_rows()]
    rows[2][2] = "昨天"
    preview = _upload(client, world.a.community, xlsx(rows))
    assert preview.status_code == 400
    assert [(e.row, e.column) for e in preview.context["errors"]] == [(3, "出生日期")]
    assert reverse("member_import_confirm", args=[world.a.community.pk]) not in preview.content.decode()
    refused = client.post(reverse("member_import_confirm", args=[world.a.community.pk]), follow=True)
    assert refused.status_code in (302, 400, 409)
    assert not Member.objects.filter(name="王秀英").exists()


def test_remapping_columns_in_the_preview(client, world, skills):
    client.force_login(world.a.secretary)
    rows = [["名字", "联系电话", "生日", "身体"], ["赵大爷", "13700000000", "1952-01-01", "良好"]]
    first = _upload(client, world.a.community, csv_bytes(rows), "x.csv")
    assert first.status_code == 400 and first.context["plan"].file_error
    remapped = client.post(reverse("member_import", args=[world.a.community.pk]),
                           {"remap": "1", "col_0": "name", "col_1": "phone", "col_2": "birth_date", "col_3": "health"},
                           follow=True)
    assert remapped.status_code == 200 and remapped.context["created"] == 1
    client.post(reverse("member_import_confirm", args=[world.a.community.pk]), follow=True)
    assert Member.objects.filter(name="赵大爷", phone="13700000000").exists()


def test_preview_in_one_community_cannot_be_confirmed_in_another(client, world, skills):
    both = __import__("tests.factories", fromlist=["secretary"]).secretary(world.a.community, world.b.community)
    client.force_login(both)
    _upload(client, world.a.community, xlsx([HEADER, *good_rows()]))
    response = client.post(reverse("member_import_confirm", args=[world.b.community.pk]))
    assert response.status_code == 302 and not Member.objects.filter(name="王秀英").exists()


def test_export_download_is_an_audited_attachment(client, world):
    client.force_login(world.a.secretary)
    response = client.get(reverse("member_export", args=[world.a.community.pk, "csv"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("姓名,手机,出生日期,健康,技能,接送时间,所属社区")
    assert "A成员甲" in text and "B成员甲" not in text
    assert AuditEntry.objects.filter(action="volunteers.member.sensitive_exported", actor=world.a.secretary).exists()
    assert client.get(reverse("member_export", args=[world.a.community.pk, "pdf"])).status_code == 404


def test_members_cannot_use_import_or_export(client, world):
    client.force_login(world.a.member_user)
    assert client.get(reverse("member_import", args=[world.a.community.pk])).status_code == 404
    assert client.get(reverse("member_export", args=[world.a.community.pk, "csv"])).status_code == 404
