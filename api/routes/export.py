"""Search hits as a file for Excel: CSV (UTF-8 with BOM, semicolons, as Swedish Excel
opens it) and .xlsx. The same query and filters as ``GET /api/search``; every hit the
total counts (up to :data:`index.paging.MAX_RESULTS`), near-duplicates collapsed."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from openpyxl import Workbook
from openpyxl.styles import Font

from api import deps
from api.routes.search import ERRORS, SearchParams, paged_hit, result_page
from api.schemas import SearchHit
from api.service import IndexService
from index.paging import MAX_RESULTS
from underlag.settings import Settings

router = APIRouter(prefix="/api", tags=["search"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Column headings (Swedish: the file is for the team) and how each is read from a hit.
COLUMNS = ["nr", "dokument", "avsnitt", "rubrik", "år", "sida", "text", "länk", "även i"]


def rows(hits: list[SearchHit], base: str) -> list[list[Any]]:
    """One row per hit: rank, document, section, heading, year, page, text, link, copies."""
    return [[n, h.document, h.section or "", " › ".join(h.heading_path) or h.section_title, h.year or "",
             h.page or "", h.text, base + h.url, "; ".join(a.document for a in h.also_in)]
            for n, h in enumerate(hits, start=1)]


def _filename(q: str, suffix: str) -> str:
    stem = re.sub(r"[^\w-]+", "-", q.lower()).strip("-")[:40] or "sokning"
    return f"traffar-{stem}.{suffix}"


async def _hits(request: Request, svc: IndexService, settings: Settings, params: SearchParams) -> list[list[Any]]:
    page = await result_page(svc, settings, params, 0, MAX_RESULTS)
    # every hit that counts in the total, in the search's order (not the nearest-by-meaning rest)
    return rows([paged_hit(h) for h in page.hits if h.counted], str(request.base_url).rstrip("/"))


@router.get("/search.csv", response_class=Response, responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="All hits of a search as CSV")
async def search_csv(request: Request, params: SearchParams = Depends(),
                     svc: IndexService = Depends(deps.service),
                     settings: Settings = Depends(deps.settings)) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows(await _hits(request, svc, settings, params))
    return Response(buf.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers=deps.attachment(_filename(params.q, "csv")))


@router.get("/search.xlsx", response_class=Response, responses={**ERRORS, 200: {"content": {XLSX: {}}}},
            summary="All hits of a search as an Excel workbook")
async def search_xlsx(request: Request, params: SearchParams = Depends(),
                      svc: IndexService = Depends(deps.service),
                      settings: Settings = Depends(deps.settings)) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = "Träffar"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in await _hits(request, svc, settings, params):
        sheet.append(row)
        link = sheet.cell(row=sheet.max_row, column=COLUMNS.index("länk") + 1)
        link.hyperlink = link.value
    for letter, width in zip("ABCDEFGHI", (5, 30, 9, 30, 6, 6, 80, 40, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    buf = io.BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), media_type=XLSX,
                    headers=deps.attachment(_filename(params.q, "xlsx")))
