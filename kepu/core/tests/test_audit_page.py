"""The audit log page: only auditors, only their subtree, filters, values escaped and masked."""

from django.urls import reverse
from django.utils import translation

from kepu.activities import services
from kepu.core.audit import log_action


def url(query=""):
    with translation.override("en"):
        path = reverse("core:audit-list")
    return f"{path}?{query}" if query else path


def test_only_people_with_core_audit_see_the_log(client, tree):
    assert client.get(url()).status_code == 302
    client.force_login(tree.public)
    assert client.get(url()).status_code == 403
    client.force_login(tree.reporter_a)
    assert client.get(url()).status_code == 403
    client.force_login(tree.reviewer)
    assert client.get(url()).status_code == 200


def test_the_log_is_limited_to_the_auditors_subtree(client, tree, make_activity):
    make_activity(status="draft", title="县里的活动")
    log_action(
        "organisations.test.province",
        tree.province,
        actor=tree.admin,
        organisation=tree.province,
        after={"title": "省里的事"},
    )
    client.force_login(tree.reviewer)
    page = client.get(url())
    actions = {entry.action for entry in page.context["page"]}
    assert "activities.activity.created" in actions
    assert "organisations.test.province" not in actions
    assert "省里的事" not in page.content.decode()


def test_filters_by_action_actor_and_date(client, tree, make_activity):
    activity = make_activity(status="submitted")
    services.approve_activity(activity, actor=tree.reviewer)
    client.force_login(tree.admin)
    by_action = client.get(url("action=approved"))
    assert [e.action for e in by_action.context["page"]] == ["activities.activity.approved"]
    by_actor = client.get(url("actor=审核员"))
    assert {e.actor for e in by_actor.context["page"]} == {tree.reviewer}
    future = client.get(url("date_from=2999-01-01"))
    assert list(future.context["page"]) == []
    bad = client.get(url("date_from=not-a-date&date_to=2000-01-01&page=zz"))
    assert bad.status_code == 200


def test_before_and_after_are_escaped_and_phones_masked(client, tree, make_activity):
    make_activity(status="draft", title="<script>alert(1)</script>", contact_phone="13912345678")
    client.force_login(tree.reviewer)
    html = client.get(url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "139****5678" in html
    assert "13912345678" not in html
