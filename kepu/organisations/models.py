from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node


def lineage_paths(path: str, steplen: int) -> list[str]:
    """The materialised paths of a node and of every node above it, root first (a subtree is
    a path prefix, so its ancestors are the prefixes of its path)."""
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


class Region(MP_Node):
    """A place in the administrative tree (province → city → county → township)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Organisation(MP_Node):
    """A node of the organisation tree. Staff act on their node and everything below it."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("science and technology association")
        DEPARTMENT = "department", _("government department")
        SOCIETY = "society", _("learned society")
        UNIVERSITY = "university", _("university")
        COMPANY = "company", _("company")
        SCHOOL = "school", _("school")
        BASE = "base", _("science-education base")
        COMMUNITY = "community", _("community")

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county")
        UNIT = "unit", pgettext_lazy("organisation level", "unit")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Organisation") -> bool:
        """True when this organisation is ``other`` or one of its descendants."""
        return self.path.startswith(other.path)


class Membership(models.Model):
    """A person's role in an organisation; it grants the role's permissions on the subtree."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        COORDINATOR = "coordinator", _("coordinator")
        REPORTER = "reporter", _("reporter")
        REVIEWER = "reviewer", _("reviewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
