"""Campaign statistics: totals and breakdowns for a campaign and its child campaigns.

Every figure is scoped to the viewer's subtree (permission ``stats.view``) and computed with a
few GROUP BY queries per breakdown (activities with their outcome, check-ins, ratings), never a
query per row. Counted activities: every status but draft and cancelled (``COUNTED_STATUSES``).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign, CampaignTarget, JointAction
from kepu.organisations import scoping
from kepu.organisations.models import Organisation, Region

PERM = "stats.view"
Status = Activity.Status
COUNTED_STATUSES = (
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED,
    Status.PUBLISHED,
    Status.FINISHED,
)
STEP = Organisation.steplen
REGION_STEP = Region.steplen
NONE_KEY = ""


@dataclass
class Filters:
    """Validated dashboard filters (the page's form and the API build it from their input)."""

    region: Region | None = None
    organisation: Organisation | None = None
    joint_action: JointAction | None = None
    kind: str = ""
    format: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_params(self) -> dict[str, str]:
        params = {
            "region": self.region.code if self.region else "",
            "organisation": str(self.organisation.pk) if self.organisation else "",
            "joint_action": str(self.joint_action.pk) if self.joint_action else "",
            "activity_kind": self.kind,
            "activity_format": self.format,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in params.items() if v}


@dataclass
class Row:
    key: str
    label: str
    activities: int = 0
    key_activities: int = 0
    signups: int = 0
    participants: int = 0
    online_views: int = 0
    checkins: int = 0
    ratings: int = 0
    rating_avg: float | None = None
    drill: dict[str, str] = field(default_factory=dict)  # filter params to drill into this row


@dataclass
class TargetRow:
    organisation: Organisation
    level: str
    target: int
    done: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.target)) if self.target else 100

    @property
    def met(self) -> bool:
        return self.done >= self.target


@dataclass
class Dashboard:
    campaign: Campaign
    filters: Filters
    node: Organisation  # the organisation whose children the organisation breakdown shows
    region_node: Region | None
    totals: Row
    by_region: list[Row]
    by_organisation: list[Row]
    by_joint_action: list[Row]
    by_kind: list[Row]
    by_day: list[Row]
    targets: list[TargetRow]
    region_units: bool  # the region breakdown lists units (the region has no child regions)


# --- Access -----------------------------------------------------------------------------------


def campaigns_with_stats(user) -> QuerySet[Campaign]:
    """Campaigns whose dashboard the user may open: organised at, above or below one of the
    organisations the user holds ``stats.view`` on."""
    return Campaign.objects.filter(scoping.line_q(scoping.granted_paths(user, PERM)))


def campaign_for_stats_or_404(user, pk: int) -> Campaign:
    try:
        return campaigns_with_stats(user).select_related("organiser").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def default_node(user, campaign: Campaign) -> Organisation:
    """The organiser when the viewer holds it, else the viewer's highest organisation under it."""
    organiser = campaign.organiser
    paths = scoping.granted_paths(user, PERM)
    if any(organiser.path.startswith(p) for p in paths):
        return organiser
    inside = sorted((p for p in paths if p.startswith(organiser.path)), key=len)
    if not inside:
        raise Http404
    return Organisation.objects.get(path=inside[0])


def visible_organisations(user, campaign: Campaign) -> QuerySet[Organisation]:
    """Organisations the viewer may filter on: in the viewer's scope and under the organiser."""
    return scoping.organisations_for(user, PERM).filter(path__startswith=campaign.organiser.path)


# --- Queries ----------------------------------------------------------------------------------


def counted_activities(user, campaign: Campaign, filters: Filters) -> QuerySet[Activity]:
    qs = (
        Activity.objects.in_campaign_tree(campaign)
        .for_user(user, PERM)
        .filter(status__in=COUNTED_STATUSES)
        .order_by()
    )
    f = filters
    if f.region is not None:
        qs = qs.filter(region__path__startswith=f.region.path)
    if f.organisation is not None:
        qs = qs.filter(organisation__path__startswith=f.organisation.path)
    if f.joint_action is not None:
        qs = qs.filter(joint_action=f.joint_action)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.format:
        qs = qs.filter(format=f.format)
    tz = campaign.tz
    if f.date_from:
        qs = qs.filter(starts_at__gte=dt.datetime.combine(f.date_from, dt.time(), tzinfo=tz))
    if f.date_to:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        qs = qs.filter(starts_at__lt=end)
    return qs


FIGURES = (
    "activities",
    "key_activities",
    "signups",
    "participants",
    "online_views",
    "checkins",
    "ratings",
    "rating_sum",
)

# One statement computes every breakdown: the counted activities (with their outcome) are read
# once, check-ins and ratings are counted per activity once and joined, and the rows are then
# grouped by each key. PostgreSQL does the groupings in one pass (GROUPING SETS), SQLite with a
# UNION ALL over the same CTE. A query per breakdown read the activities and the 350,000
# check-ins of the bench data set six times over (see docs in bench/dashboard.py).
_SQL_HEAD = """
WITH base AS ({base}),
chk AS (
  SELECT c.activity_id AS id, COUNT(*) AS n
  FROM activities_checkin c INNER JOIN base b ON b.a_id = c.activity_id
  GROUP BY c.activity_id
),
fb AS (
  SELECT f.activity_id AS id, COUNT(*) AS n, SUM(f.rating) AS s
  FROM activities_feedback f INNER JOIN base b ON b.a_id = f.activity_id
  WHERE f.hidden_at IS NULL
  GROUP BY f.activity_id
),
cells AS (
  SELECT b.*, COALESCE(chk.n, 0) AS chk_n, COALESCE(fb.n, 0) AS fb_n, COALESCE(fb.s, 0) AS fb_s
  FROM base b LEFT JOIN chk ON chk.id = b.a_id LEFT JOIN fb ON fb.id = b.a_id
)
"""
_SQL_FIGURES = (
    "COUNT(*), SUM(CASE WHEN is_key_ THEN 1 ELSE 0 END), SUM(signups_), SUM(people_), "
    "SUM(views_), SUM(chk_n), SUM(fb_n), SUM(fb_s)"
)


def grouped_all(activities: QuerySet[Activity], keys: dict[str, object]) -> dict[str, dict]:
    """{name: {key value: figures}} for each grouping expression in ``keys`` (an expression on
    Activity, or None for the totals), in one database statement."""
    names = list(keys)
    cols = [f"k{i}" for i in range(len(names))]
    base = activities.annotate(
        a_id=F("pk"),
        is_key_=F("is_key"),
        signups_=F("confirmed_count"),
        people_=Coalesce(F("outcome__participants_onsite"), 0)
        + Coalesce(F("outcome__participants_online"), 0),
        views_=Coalesce(F("outcome__online_views"), 0),
        **{f"k{i}": (Value("") if keys[n] is None else keys[n]) for i, n in enumerate(names)},
    ).values(
        "a_id", "is_key_", "signups_", "people_", "views_", *[f"k{i}" for i in range(len(names))]
    )
    base_sql, params = base.query.sql_with_params()
    head = _SQL_HEAD.format(base=base_sql)
    if connection.vendor == "postgresql":
        sql = (
            f"{head} SELECT GROUPING({', '.join(cols)}), {', '.join(cols)}, {_SQL_FIGURES} "
            f"FROM cells GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in cols)})"
        )
    else:
        parts = []
        for i, col in enumerate(cols):
            # GROUPING() has a bit set for every column not grouped, first column highest.
            mask = sum(1 << (len(cols) - 1 - j) for j in range(len(cols)) if j != i)
            values = ", ".join(c if c == col else "NULL" for c in cols)
            parts.append(f"SELECT {mask}, {values}, {_SQL_FIGURES} FROM cells GROUP BY {col}")
        sql = f"{head} " + " UNION ALL ".join(parts)
    out: dict[str, dict] = {n: {} for n in names}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling this statement just in time costs seconds and saves nothing; the hash
            # tables of a national campaign need more than the default 4 MB.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            mask, values, figures = row[0], row[1 : 1 + len(cols)], row[1 + len(cols) :]
            i = next(j for j in range(len(cols)) if not mask & (1 << (len(cols) - 1 - j)))
            out[names[i]][values[i]] = _figures(figures)
    return out


def _figures(values) -> dict:
    f = dict(zip(FIGURES, (int(v or 0) for v in values), strict=True))
    rating_sum = f.pop("rating_sum")
    f["rating_avg"] = round(rating_sum / f["ratings"], 2) if f["ratings"] else None
    return f


def _grouped(activities: QuerySet[Activity], key) -> dict:
    return grouped_all(activities, {"only": key})["only"]


def _rows(figures: dict, labels: dict, drills: dict | None = None) -> list[Row]:
    rows = []
    for key, values in figures.items():
        k = NONE_KEY if key is None else str(key)
        rows.append(Row(key=k, label=labels.get(k, k), drill=(drills or {}).get(k, {}), **values))
    rows.sort(key=lambda r: (-r.activities, r.label))
    return rows


def _prefix(field_path: str, length: int):
    return Substr(F(field_path), 1, length)


def org_key(node: Organisation):
    return _prefix("organisation__path", len(node.path) + STEP)


def region_key(region: Region | None):
    """Child regions of ``region`` (top regions when None); a region without children is
    broken down by unit instead (drill-down ends at the units)."""
    if region is not None and region.is_leaf():
        return F("organisation_id")
    return _prefix("region__path", (region.depth if region else 0) * REGION_STEP + REGION_STEP)


def day_key(campaign: Campaign):
    return TruncDate("starts_at", tzinfo=campaign.tz)


def breakdown_by_organisation(activities, node: Organisation, figures=None) -> list[Row]:
    if figures is None:
        figures = _grouped(activities, org_key(node))
    children = {o.path: o for o in Organisation.objects.filter(path__in=list(figures))}
    labels = {p: o.name for p, o in children.items()}
    drills = {p: {"organisation": str(o.pk)} for p, o in children.items() if o.pk != node.pk}
    return _rows(figures, labels, drills)


def breakdown_by_region(activities, region: Region | None, figures=None) -> tuple[list[Row], bool]:
    if figures is None:
        figures = _grouped(activities, region_key(region))
    if region is not None and region.is_leaf():
        orgs = Organisation.objects.filter(pk__in=[k for k in figures if k is not None])
        labels = {str(o.pk): o.name for o in orgs}
        drills = {str(o.pk): {"organisation": str(o.pk)} for o in orgs}
        return _rows(figures, labels, drills), True
    regions = Region.objects.filter(path__in=[k for k in figures if k])
    labels = {r.path: r.name for r in regions}
    drills = {r.path: {"region": r.code} for r in regions}
    labels[NONE_KEY] = _("No region")
    return _rows(figures, labels, drills), False


def breakdown_by_joint_action(activities, figures=None) -> list[Row]:
    if figures is None:
        figures = _grouped(activities, F("joint_action_id"))
    actions = JointAction.objects.filter(pk__in=[k for k in figures if k is not None])
    labels = {str(a.pk): a.title for a in actions}
    labels[NONE_KEY] = _("No joint action")
    drills = {str(a.pk): {"joint_action": str(a.pk)} for a in actions}
    return _rows(figures, labels, drills)


def breakdown_by_kind(activities, figures=None) -> list[Row]:
    if figures is None:
        figures = _grouped(activities, F("kind"))
    labels = {value: str(label) for value, label in Activity.Kind.choices}
    drills = {value: {"activity_kind": value} for value in labels}
    return _rows(figures, labels, drills)


def breakdown_by_day(activities, campaign: Campaign, figures=None) -> list[Row]:
    if figures is None:
        figures = _grouped(activities, day_key(campaign))
    rows = [
        Row(key=str(day), label=str(day), **values)
        for day, values in figures.items()
        if day is not None
    ]
    rows.sort(key=lambda r: r.key)
    return rows


def totals(activities, figures=None) -> Row:
    if figures is None:
        figures = _grouped(activities, None)
    return Row(key="", label=_("Total"), **next(iter(figures.values()), {}))


def target_progress(user, campaign: Campaign, node: Organisation) -> list[TargetRow]:
    """For each target of the campaign, every organisation of the target's level in the
    viewer's subtree (under ``node``) with its key activities in the campaign tree."""
    targets = list(CampaignTarget.objects.filter(campaign=campaign))
    if not targets:
        return []
    key_activities = (
        Activity.objects.in_campaign_tree(campaign)
        .for_user(user, PERM)
        .filter(status__in=COUNTED_STATUSES, is_key=True, organisation__path__startswith=node.path)
        .order_by()
    )
    rows: list[TargetRow] = []
    for target in targets:
        orgs = list(
            visible_organisations(user, campaign)
            .filter(level=target.level, path__startswith=node.path)
            .order_by("path")
        )
        done: dict[str, int] = {}
        for length in sorted({len(o.path) for o in orgs}):
            grouped = (
                key_activities.annotate(k=_prefix("organisation__path", length))
                .values("k")
                .annotate(n=Count("pk"))
            )
            # Activities of organisations above this depth give shorter keys: not counted.
            done.update({r["k"]: r["n"] for r in grouped if len(r["k"]) == length})
        rows += [
            TargetRow(o, target.level, target.min_key_activities, done.get(o.path, 0)) for o in orgs
        ]
    return rows


def campaign_dashboard(user, campaign: Campaign, filters: Filters) -> Dashboard:
    """Everything the dashboard shows, for ``user``'s subtree of ``campaign`` and its children."""
    node = filters.organisation or default_node(user, campaign)
    activities = counted_activities(user, campaign, filters)
    figures = grouped_all(
        activities,
        {
            "region": region_key(filters.region),
            "organisation": org_key(node),
            "joint_action": F("joint_action_id"),
            "kind": F("kind"),
            "day": day_key(campaign),
            "total": None,
        },
    )
    by_region, region_units = breakdown_by_region(activities, filters.region, figures["region"])
    return Dashboard(
        campaign=campaign,
        filters=filters,
        node=node,
        region_node=filters.region,
        totals=totals(activities, figures["total"]),
        by_region=by_region,
        by_organisation=breakdown_by_organisation(activities, node, figures["organisation"]),
        by_joint_action=breakdown_by_joint_action(activities, figures["joint_action"]),
        by_kind=breakdown_by_kind(activities, figures["kind"]),
        by_day=breakdown_by_day(activities, campaign, figures["day"]),
        targets=target_progress(user, campaign, node),
        region_units=region_units,
    )
