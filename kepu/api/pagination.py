"""Page-number pagination shared by every list: ``?page=2&limit=50``, limit capped at 100."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Far beyond any real list; keeps OFFSET within what every database accepts.
MAX_PAGE = 100_000


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Items per page (at most {MAX_LIMIT}).")


def paginate(queryset: QuerySet, params: PageParams) -> dict[str, Any]:
    """One page of ``queryset`` with the total count; a larger limit is capped, not refused."""
    limit = min(params.limit, MAX_LIMIT)
    start = (params.page - 1) * limit
    count = queryset.count()
    return {
        "count": count,
        "page": params.page,
        "limit": limit,
        "pages": (count + limit - 1) // limit,
        "items": list(queryset[start : start + limit]),
    }


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The response schema of a page of ``item_schema``."""
    return create_model(
        f"{item_schema.__name__}Page",
        __base__=Schema,
        count=(int, ...),
        page=(int, ...),
        limit=(int, ...),
        pages=(int, ...),
        items=(list[item_schema], ...),
    )
