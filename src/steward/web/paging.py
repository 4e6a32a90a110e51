"""Paging on pages: the ``?page=`` parameter in, GOV.UK pagination links out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from steward.core.paging import Page, PageRequest

# Pages either side of the current one that get their own link; the rest fold into "⋯".
NEIGHBOURS = 1


def page_request(page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> PageRequest:
    return PageRequest(number=page)


PageQuery = Annotated[PageRequest, Depends(page_request)]


def page_href(request: Request, number: int) -> str:
    """This page's address with ``page`` set, keeping its other (non-personal) parameters."""
    url = request.url.include_query_params(page=number)
    return f"{url.path}?{url.query}"


def page_links(request: Request, page: Page[Any]) -> dict[str, Any]:
    """What the ``pagination`` macro draws: previous, next and numbered links with gaps."""
    # A capped count (core.paging.count) knows its pages only so far: a reader who went
    # further with "Next" still sees where they are.
    last = max(page.pages, page.number)
    shown = {1, last} | set(
        range(max(1, page.number - NEIGHBOURS), min(last, page.number + NEIGHBOURS) + 1)
    )
    items: list[dict[str, Any]] = []
    for number in sorted(shown):
        if items and number - items[-1]["number"] > 1:
            items.append({"number": number - 1, "ellipsis": True})
        items.append(
            {"number": number, "href": page_href(request, number), "current": number == page.number}
        )
    return {
        "previous": page_href(request, page.number - 1) if page.has_previous else None,
        "next": page_href(request, page.number + 1) if page.has_next else None,
        "items": items if last > 1 or page.has_next else [],
    }
