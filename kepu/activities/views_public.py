"""Public pages of activities: search, detail, calendar file, sign-up, tickets, check-in, feedback.

Anonymous reads go through the shared page cache (kepu.core.cache.public_page); every change of
state is one service call whose DomainError is shown to the person, never a 500.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.core import ratelimit
from kepu.core.cache import limit_freshness, public_page
from kepu.core.errors import DomainError
from kepu.core.qr import qr_svg

from . import pages, services
from .forms_public import ActivitySearchForm, FeedbackForm, RegistrationForm, SelfCheckInForm
from .models import Activity, CheckIn, Feedback, Registration
from .selectors import (
    for_cards,
    public_activities,
    public_activity,
    search_public_activities,
    tickets_of,
)

PAGE_SIZE = 20
# Public lists page through at most this many pages (1,000 activities): enough for a person, and
# it bounds the rows a deep OFFSET skips. Narrowing the search is the way further.
MAX_PAGES = 50
FEEDBACK_SHOWN = 50
# The self check-in form appears a little before the start, for people who arrive early.
CHECKIN_OPENS_BEFORE = pages.CHECKIN_OPENS_BEFORE
# Attempts at the rotating code per address and activity; generous because a whole venue may
# share one address (Wi-Fi, carrier NAT), small enough to make guessing the code hopeless.
CHECKIN_LIMIT = (300, 900)


def absolute_url(request, path: str) -> str:
    base = settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
    return base + path


def _public_or_404(pk: int) -> Activity:
    activity = public_activity(pk)
    if activity is None:
        raise Http404
    return activity


def waitlist_position(registration: Registration) -> int:
    """1 for the head of the waiting list."""
    ahead = Registration.objects.filter(
        activity_id=registration.activity_id, status=Registration.Status.WAITLISTED
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, id__lt=registration.id)
    )
    return ahead.count() + 1


# --- Pages without a total -------------------------------------------------------------------


@dataclass
class PageWindow:
    """One page of a public list, found without counting the whole list.

    The page fetches one row more than it shows to know whether a next page exists; the total
    is known only on the last page (``total``), otherwise the list has "more than
    ``end_index``". Its cost is that of one page, whatever the number of matches.
    """

    number: int
    object_list: Sequence
    per_page: int
    has_next: bool
    max_pages: int = MAX_PAGES

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def total(self) -> int | None:
        """The number of items in the list when this page shows its end, else None."""
        return None if self.has_next or self.at_limit else self.end_index()

    @property
    def at_limit(self) -> bool:
        """The last page that may be shown, with more items after it."""
        return self.number >= self.max_pages and len(self.object_list) == self.per_page


def page_number(value, *, max_pages: int = MAX_PAGES) -> int:
    """The ?page= number: anything unreadable is page 1, anything beyond the last allowed page
    is that page."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 6:
        return max_pages if text.isdigit() else 1
    return min(max(int(text), 1), max_pages)


def page_window(
    queryset,
    number_text,
    *,
    per_page: int = PAGE_SIZE,
    load: Callable[[list[int]], Sequence] | None = None,
    max_pages: int = MAX_PAGES,
) -> PageWindow:
    """One page of ``queryset`` (ordered) without COUNT over it.

    With ``load``, only the primary keys are selected in list order (a narrow query the
    database can answer from an index and stop early), and ``load(ids)`` fetches the page's
    objects with what they show; they are returned in list order.

    A page past the end shows the last page, as Django's ``Paginator.get_page`` does; finding
    it counts at most ``max_pages × per_page`` rows.
    """
    number = page_number(number_text, max_pages=max_pages)
    rows_qs = queryset.values_list("pk", flat=True) if load else queryset

    def fetch(n: int) -> list:
        start = (n - 1) * per_page
        return list(rows_qs[start : start + per_page + 1])

    rows = fetch(number)
    if not rows and number > 1:
        before = rows_qs[: (number - 1) * per_page].count()
        number = max((before + per_page - 1) // per_page, 1)
        rows = fetch(number)
    has_next = len(rows) > per_page and number < max_pages
    rows = rows[:per_page]
    if load is not None:
        by_pk = {obj.pk: obj for obj in load(rows)} if rows else {}
        rows = [by_pk[pk] for pk in rows if pk in by_pk]
    return PageWindow(
        number=number, object_list=rows, per_page=per_page, has_next=has_next, max_pages=max_pages
    )


def load_cards(ids: list[int]):
    """The public activities ``ids`` with what a result card shows."""
    return for_cards(public_activities().filter(pk__in=ids))


def canonical_url(request, params: dict) -> str:
    """The page's address with only the parameters the page understands (for its QR code)."""
    path = request.path
    query = urlencode([(k, v) for k, v in params.items() if v not in ("", None, [])], doseq=True)
    return absolute_url(request, path + (f"?{query}" if query else ""))


def page_qr(url: str) -> str:
    """The footer QR code of a page (base.html), drawn from a canonical address, so that the
    memoised code serves every visit of the page whatever else is in its query string."""
    from kepu.core.context_processors import PAGE_QR_MAX_URL

    return qr_svg(url, scale=3, page=True) if len(url) <= PAGE_QR_MAX_URL else ""


# --- Search -----------------------------------------------------------------------------------

SEARCH_PARAMS = (
    "q",
    "region",
    "kind",
    "audience",
    "topic",
    "format",
    "date_from",
    "date_to",
    "campaign",
    "past",
)


@public_page(topics=pages.listing_topics, listing=True)
def activity_list(request):
    form = ActivitySearchForm(request.GET)
    if form.is_valid():
        page = page_window(
            search_public_activities(form.to_search()), request.GET.get("page"), load=load_cards
        )
    else:
        page = PageWindow(number=1, object_list=[], per_page=PAGE_SIZE, has_next=False)
    filters_open = bool(form.errors) or any(
        request.GET.get(name) for name in form.fields if name not in ("q", "campaign")
    )
    params = {name: request.GET.getlist(name) for name in SEARCH_PARAMS}
    if page.number > 1:
        params["page"] = [str(page.number)]
    qr_url = canonical_url(request, params)
    return render(
        request,
        "activities/public/activity_list.html",
        {
            "form": form,
            "page_obj": page,
            "activities": page.object_list,
            "filters_open": filters_open,
            "page_qr": lambda: page_qr(qr_url),
        },
    )


# --- Detail -----------------------------------------------------------------------------------


@public_page(topics=pages.detail_topics)
def activity_detail(request, pk: int):
    activity = _public_or_404(pk)
    response = _render_detail(request, activity)
    # Sign-up closes, check-in opens and the activity ends without any service call.
    limit_freshness(response, pages.next_change(activity))
    return response


def _personal_state(user, activity: Activity) -> dict:
    if not user.is_authenticated:
        return {
            "my_registration": None,
            "my_position": None,
            "my_checkin": None,
            "my_feedback": None,
        }
    registration = Registration.objects.active().filter(activity=activity, user=user).first()
    position = None
    if registration and registration.status == Registration.Status.WAITLISTED:
        position = waitlist_position(registration)
    return {
        "my_registration": registration,
        "my_position": position,
        "my_checkin": CheckIn.objects.filter(activity=activity, user=user).first(),
        "my_feedback": Feedback.objects.filter(activity=activity, user=user).first(),
    }


def _render_detail(
    request, activity: Activity, *, registration_form=None, checkin_form=None, feedback_form=None
):
    user = request.user
    now = timezone.now()
    state = _personal_state(user, activity)
    signup_open = (
        activity.status == Activity.Status.PUBLISHED
        and activity.signup_required
        and activity.starts_at > now
    )
    if (
        signup_open
        and user.is_authenticated
        and state["my_registration"] is None
        and registration_form is None
    ):
        registration_form = RegistrationForm(initial={"name": user.name, "phone": user.phone})
    checkin_open = activity.starts_at - CHECKIN_OPENS_BEFORE <= now <= activity.ends_at
    if checkin_open and state["my_checkin"] is None and checkin_form is None:
        checkin_form = SelfCheckInForm()
    can_rate = activity.has_ended and state["my_checkin"] is not None
    if can_rate and feedback_form is None:
        mine = state["my_feedback"]
        feedback_form = FeedbackForm(
            initial={"rating": mine.rating, "comment": mine.comment} if mine else None
        )
    visible = Feedback.objects.visible().filter(activity=activity)
    feedback_stats = visible.aggregate(average=Avg("rating"), count=Count("id"))
    url = absolute_url(request, reverse("activities:activity-detail", args=[activity.pk]))
    context = {
        "activity": activity,
        "tz": activity.tz,
        "now": now,
        "signup_open": signup_open,
        "checkin_open": checkin_open,
        "can_rate": can_rate,
        "registration_form": registration_form,
        "checkin_form": checkin_form,
        "feedback_form": feedback_form,
        # Most activities have no feedback (it opens at the end): no query for an empty list.
        "feedback_list": (
            visible.order_by("-created_at")[:FEEDBACK_SHOWN] if feedback_stats["count"] else []
        ),
        "feedback_stats": feedback_stats,
        "page_url": url,
        "qr": qr_svg(url, title=activity.title),
        "login_url": reverse("accounts:login")
        + "?next="
        + reverse("activities:activity-detail", args=[activity.pk]),
        **state,
    }
    return render(request, "activities/public/activity_detail.html", context)


# --- Calendar files ---------------------------------------------------------------------------


def ics_escape(text: str) -> str:
    """TEXT value escaping of RFC 5545 §3.3.11."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    for char in ("\\", ";", ","):
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    chunks, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not chunks else 74  # continuation lines start with one space
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    chunks.append("".join(current))
    return "\r\n ".join(chunks)


def _ics_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_event(activity: Activity, *, url: str, host: str) -> list[str]:
    location = activity.venue or activity.online_url
    description = f"{activity.organisation.name}\n\n{activity.description}"
    if activity.online_url:
        description = f"{description}\n\n{activity.online_url}"
    return [
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@{host}",
        f"DTSTAMP:{_ics_time(activity.updated_at)}",
        f"DTSTART:{_ics_time(activity.starts_at)}",
        f"DTEND:{_ics_time(activity.ends_at)}",
        f"SUMMARY:{ics_escape(activity.title)}",
        f"DESCRIPTION:{ics_escape(description)}",
        *([f"LOCATION:{ics_escape(location)}"] if location else []),
        f"URL:{url}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]


def ics_response(request, activities, *, name: str, filename: str) -> HttpResponse:
    """An iCalendar file (text/calendar, CRLF lines) with one event per activity."""
    host = urlsplit(absolute_url(request, "/")).hostname or "kepu"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kepu//public portal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
    ]
    for activity in activities:
        url = absolute_url(request, reverse("activities:activity-detail", args=[activity.pk]))
        lines.extend(ics_event(activity, url=url, host=host))
    lines.append("END:VCALENDAR")
    body = "".join(ics_fold(line) + "\r\n" for line in lines)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_page(topics=pages.detail_topics)
def activity_ics(request, pk: int):
    activity = _public_or_404(pk)
    return ics_response(
        request, [activity], name=activity.title, filename=f"kepu-activity-{activity.pk}.ics"
    )


# --- Sign-up and tickets ----------------------------------------------------------------------


def _detail_url(activity: Activity) -> str:
    return reverse("activities:activity-detail", args=[activity.pk])


def registration_create(request, pk: int):
    activity = _public_or_404(pk)
    if request.method != "POST":
        return redirect(_detail_url(activity))
    if not request.user.is_authenticated:
        return redirect_to_login(_detail_url(activity))
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            registration = services.register_for_activity(
                activity.pk, user=request.user, **form.cleaned_data
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("You are signed up. Show this ticket at the entrance."))
            else:
                messages.info(
                    request,
                    _(
                        "The activity is full: you are number %(position)s on the waiting list. "
                        "We will tell you when a place becomes free."
                    )
                    % {"position": waitlist_position(registration)},
                )
            return redirect("activities:ticket-detail", code=registration.ticket_code)
    return _render_detail(request, activity, registration_form=form)


def ticket_list(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = Paginator(tickets_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/public/ticket_list.html",
        {
            "page_obj": page,
            "tickets": page.object_list,
        },
    )


def _own_ticket_or_404(request, code: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("activity__campaign", "activity__organisation"),
        ticket_code=code[:12],
        user=request.user,
    )


def ticket_detail(request, code: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    registration = _own_ticket_or_404(request, code)
    activity = registration.activity
    active = registration.status in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
    checkin = CheckIn.objects.filter(registration=registration).first()
    return render(
        request,
        "activities/public/ticket_detail.html",
        {
            "registration": registration,
            "activity": activity,
            "tz": activity.tz,
            "checkin": checkin,
            "position": (
                waitlist_position(registration)
                if registration.status == Registration.Status.WAITLISTED
                else None
            ),
            "can_cancel": active and checkin is None,
            "qr": qr_svg(registration.ticket_code, scale=8, title=registration.ticket_code),
        },
    )


def registration_cancel(request, code: str):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("activities:ticket-list"))
    registration = _own_ticket_or_404(request, code)
    if request.method != "POST":
        return redirect("activities:ticket-detail", code=registration.ticket_code)
    was_waiting = registration.status == Registration.Status.WAITLISTED
    try:
        services.cancel_registration(registration, user=request.user)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("You have left the waiting list.")
            if was_waiting
            else _("Your sign-up is cancelled. Thank you for freeing the place."),
        )
    return redirect("activities:ticket-detail", code=registration.ticket_code)


# --- Check-in and feedback --------------------------------------------------------------------


def checkin_self(request, pk: int):
    activity = _public_or_404(pk)
    if request.method != "POST":
        return redirect(_detail_url(activity))
    form = SelfCheckInForm(request.POST)
    if form.is_valid():
        limit, window = CHECKIN_LIMIT
        try:
            ratelimit.hit(
                "checkin-self",
                f"{ratelimit.client_address(request)}:{activity.pk}",
                limit=limit,
                window=window,
            )
            checkin = services.self_check_in(
                activity,
                user=request.user if request.user.is_authenticated else None,
                **form.cleaned_data,
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            local = timezone.localtime(checkin.at, activity.tz)
            messages.success(
                request,
                _("Checked in at %(time)s. Enjoy the activity!")
                % {"time": local.strftime("%H:%M")},
            )
            return redirect(_detail_url(activity))
    return _render_detail(request, activity, checkin_form=form)


def feedback_create(request, pk: int):
    activity = _public_or_404(pk)
    if request.method != "POST":
        return redirect(_detail_url(activity))
    if not request.user.is_authenticated:
        return redirect_to_login(_detail_url(activity))
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.leave_feedback(activity, user=request.user, **form.cleaned_data)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(_detail_url(activity))
    return _render_detail(request, activity, feedback_form=form)
