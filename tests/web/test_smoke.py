import pytest


@pytest.mark.django_db
def test_pages_render(client, site):
    client.force_login(site.secretary)
    site.roster(pairs=[(site.shifts[0], site.members[0])])
    for url in ["/dashboard/", f"/communities/{site.community.pk}/weeks/{site.week}/",
                f"/communities/{site.community.pk}/weeks/{site.week}/print/?members=1",
                f"/communities/{site.community.pk}/weeks/{site.week}/export.csv",
                f"/communities/{site.community.pk}/weeks/{site.week}/export.xlsx",
                f"/communities/{site.community.pk}/fairness/", "/members/", f"/members/{site.members[0].pk}/",
                f"/communities/{site.community.pk}/weeks/{site.week}/publish/"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:3000])
