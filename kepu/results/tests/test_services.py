"""Services: who may add results, when, and what is stored (files, rows, audit entries)."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone, translation

from kepu.campaigns.models import Phase
from kepu.campaigns.services import reopen_phase
from kepu.core.errors import Conflict, DomainError, Forbidden
from kepu.core.models import AuditEntry
from kepu.results import services
from kepu.results.models import Outcome, ResultItem

from . import media
from .conftest import stored_files


def read(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def photo(name="合影.jpg"):
    return SimpleUploadedFile(name, media.jpeg_with_gps())


def test_a_reporter_adds_a_photo_stored_clean_with_a_thumbnail(tree, published, media_root):
    item = services.add_file_result(
        published, actor=tree.reporter_a, upload=photo(), caption="现场合影"
    )
    item.refresh_from_db()
    assert (item.kind, item.content_type, item.original_name) == ("photo", "image/jpeg", "合影.jpg")
    assert item.file.name.startswith(f"results/{published.pk}/")
    assert "合影" not in item.file.name
    assert b"Secret Camera" not in read(item.file.name)
    assert item.thumbnail.name.endswith(".thumb.webp")
    assert len(stored_files(media_root)) == 2
    assert not item.is_late
    entry = AuditEntry.objects.get(action="results.item.added")
    assert entry.actor == tree.reporter_a
    assert entry.organisation == tree.unit_a
    assert entry.after["caption"] == "现场合影"


def test_a_video_is_stored_with_its_measured_duration(tree, published, media_root):
    upload = SimpleUploadedFile("talk.webm", media.video(3, "webm"))
    item = services.add_file_result(published, actor=tree.reporter_a, upload=upload)
    assert item.kind == "video"
    assert item.duration_seconds == pytest.approx(3, abs=0.1)
    assert read(item.file.name) == media.video(3, "webm")
    assert not item.thumbnail


def test_the_campaigns_video_limit_applies(tree, campaign, published, media_root):
    campaign.max_video_seconds = 60
    campaign.save(update_fields=["max_video_seconds"])
    upload = SimpleUploadedFile("long.mp4", media.video(200))
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.add_file_result(published, actor=tree.reporter_a, upload=upload)
    assert caught.value.code == "video_too_long"
    assert "at most 1:00" in caught.value.message
    assert not ResultItem.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (media.exe_bytes(), "photo.jpg", "unsupported_type"),
        (media.svg_with_script(), "x.svg", "unsupported_type"),
        (media.zip_bomb(), "a.zip", "unsupported_type"),
        (media.video(2)[:1500], "cut.mp4", "damaged_file"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(tree, published, media_root, data, name, code):
    with pytest.raises(DomainError) as caught:
        services.add_file_result(
            published, actor=tree.reporter_a, upload=SimpleUploadedFile(name, data)
        )
    assert caught.value.code == code
    assert not ResultItem.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="results.").exists()
    assert stored_files(media_root) == []


def test_a_failed_database_write_leaves_no_orphan_file(tree, published, media_root, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("the database went away")

    # Fault injection: the audit insert fails after both files were written.
    monkeypatch.setattr(services, "log_action", fail)
    with pytest.raises(IntegrityError):
        services.add_file_result(published, actor=tree.reporter_a, upload=photo())
    assert not ResultItem.objects.exists()
    assert stored_files(media_root) == []


def test_a_sibling_unit_cannot_add_results(tree, published, media_root):
    with pytest.raises(Forbidden):
        services.add_file_result(published, actor=tree.reporter_b, upload=photo())
    with pytest.raises(Forbidden):
        services.set_outcome(
            published, actor=tree.reporter_b, participants_onsite=1, participants_online=0
        )
    assert stored_files(media_root) == []


def test_results_wait_until_the_activity_is_published(tree, make_activity, media_root):
    draft = make_activity(status="draft")
    with translation.override("en"), pytest.raises(Conflict) as caught:
        services.add_link_result(
            draft, actor=tree.reporter_a, url="https://example.org/a", title="报道"
        )
    assert caught.value.code == "not_published"
    assert caught.value.message == "Results can be added only once the activity has been published."


def test_after_the_results_deadline_additions_are_refused(tree, campaign, published, media_root):
    late = campaign.results_by + dt.timedelta(hours=1)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.add_file_result(published, actor=tree.reporter_a, upload=photo(), now=late)
    assert caught.value.code == "deadline_passed"
    assert "Ask the organiser to reopen it" in caught.value.message
    assert stored_files(media_root) == []
    with pytest.raises(DomainError):
        services.set_outcome(
            published, actor=tree.reporter_a, participants_onsite=5, participants_online=0, now=late
        )
    assert not Outcome.objects.exists()


def test_after_a_reopening_late_additions_are_accepted_and_marked_late(
    tree, campaign, published, media_root
):
    late = campaign.results_by + dt.timedelta(days=1)
    reopen_phase(
        campaign,
        actor=tree.admin,
        phase=Phase.RESULTS,
        until=timezone.now() + dt.timedelta(days=60),
        organisation=tree.unit_a,
    )
    item = services.add_link_result(
        published,
        actor=tree.reporter_a,
        url="https://www.nxnews.net/kepu",
        title="沙坡头区开展全国科普日活动",
        outlet="宁夏新闻网",
        now=late,
    )
    assert item.is_late
    outcome = services.set_outcome(
        published,
        actor=tree.reporter_a,
        participants_onsite=120,
        participants_online=3000,
        now=late,
    )
    assert outcome.is_late


def test_a_link_needs_a_web_address_and_a_title(tree, published):
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            services.add_link_result(
                published, actor=tree.reporter_a, url="javascript:alert(1)", title="x"
            )
        assert caught.value.message == "Enter a web address starting with http:// or https://."
        with pytest.raises(DomainError) as caught:
            services.add_link_result(
                published, actor=tree.reporter_a, url="https://example.org", title=" "
            )
        assert caught.value.message == "Give the title of the report."
    assert not ResultItem.objects.exists()


def test_the_outcome_is_one_row_updated_in_place_with_the_change_audited(tree, published):
    services.set_outcome(
        published, actor=tree.reporter_a, participants_onsite=80, participants_online=500
    )
    outcome = services.set_outcome(
        published, actor=tree.admin, participants_onsite=85, participants_online=500
    )
    assert Outcome.objects.get().participants == 585
    assert outcome.updated_by == tree.admin
    last = AuditEntry.objects.filter(action="results.outcome.set").order_by("-id").first()
    assert last.before == {"participants_onsite": 80}
    assert last.after == {"participants_onsite": 85}


def test_negative_numbers_are_refused(tree, published):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.set_outcome(
            published, actor=tree.reporter_a, participants_onsite=-1, participants_online=0
        )
    assert caught.value.message == "Numbers of participants cannot be negative."
    assert not Outcome.objects.exists()


def test_removing_a_result_deletes_its_files(
    tree, published, media_root, django_capture_on_commit_callbacks
):
    item = services.add_file_result(published, actor=tree.reporter_a, upload=photo())
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_result(item, actor=tree.reporter_a)
    assert not ResultItem.objects.exists()
    assert stored_files(media_root) == []
    assert AuditEntry.objects.filter(action="results.item.removed").count() == 1
