"""Links to a campaign's quizzes from the campaign pages (public and workbench)."""

from django import template
from django.utils import timezone

from kepu.quizzes.models import Quiz

register = template.Library()


@register.simple_tag
def public_quizzes(campaign) -> list[Quiz]:
    """The campaign's published quizzes, for its public page."""
    return list(Quiz.objects.public().filter(campaign=campaign).order_by("opens_at", "id"))


@register.simple_tag
def open_quizzes(limit: int = 6) -> list[Quiz]:
    """Published quizzes open now, closing soonest first, for the home page (a quiz may belong
    to a campaign whose own dates are long past, as the seeds' epidemic quizzes do)."""
    now = timezone.now()
    return list(
        Quiz.objects.public()
        .filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("campaign")
        .order_by("closes_at", "id")[:limit]
    )
