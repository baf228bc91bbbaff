"""Page-number pagination shared by every list: ``?page=2&limit=50``, limit capped at 100.

Counting every match is what made long lists slow (a COUNT over tens of thousands of rows on
each request), so the total is counted only up to ``COUNT_LIMIT``: ``count`` is exact when
``count_exact`` is true, and otherwise a lower bound ("1000+"). ``has_next`` says whether
another page follows, always exactly: clients page on until it is false.
"""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Far beyond any real list; keeps OFFSET within what every database accepts.
MAX_PAGE = 100_000
# Matches are counted up to this number; beyond it the count says "at least".
COUNT_LIMIT = 1000


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Items per page (at most {MAX_LIMIT}).")


def paginate(
    queryset: QuerySet, params: PageParams, *, count_limit: int = COUNT_LIMIT
) -> dict[str, Any]:
    """One page of ``queryset`` with a count capped at ``count_limit``; a larger limit is
    capped, not refused.

    The page is read with one row more than it shows (``has_next``). The count needs no query
    when this page reaches the end of the list; otherwise it counts at most
    ``count_limit + 1`` rows (a LIMIT inside the COUNT), so its cost does not grow with the
    number of matches.
    """
    limit = min(params.limit, MAX_LIMIT)
    start = (params.page - 1) * limit
    rows = list(queryset[start : start + limit + 1])
    has_next = len(rows) > limit
    items = rows[:limit]
    if not has_next and (items or start == 0):
        count, exact = start + len(items), True  # this page shows the end of the list
    else:
        counted = queryset.order_by()[: count_limit + 1].count()
        count, exact = min(counted, count_limit), counted <= count_limit
    return {
        "count": count,
        "count_exact": exact,
        "page": params.page,
        "limit": limit,
        "pages": (count + limit - 1) // limit,
        "has_next": has_next,
        "items": items,
    }


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The response schema of a page of ``item_schema``."""
    return create_model(
        f"{item_schema.__name__}Page",
        __base__=Schema,
        count=(
            int,
            Field(
                ...,
                description=(
                    f"Number of matches, counted up to {COUNT_LIMIT} (exact on the last page). "
                    f"When more match, this is {COUNT_LIMIT} and count_exact is false (show it "
                    f"as “{COUNT_LIMIT}+”)."
                ),
            ),
        ),
        count_exact=(
            bool,
            Field(..., description=f"False when more than {COUNT_LIMIT} items match."),
        ),
        page=(int, Field(..., description="This page's number, from 1.")),
        limit=(int, Field(..., description="Items per page.")),
        pages=(
            int,
            Field(
                ...,
                description=(
                    "Number of pages of the counted matches; a lower bound when count_exact is "
                    "false. Use has_next to page on."
                ),
            ),
        ),
        has_next=(bool, Field(..., description="Whether a next page has items.")),
        items=(list[item_schema], ...),
    )
