"""The console page /console/patent-tariffs: supervisors see every version of the patent's
tariff rows (year, region, deflator, coefficient, amount, source; rows whose coefficient is not
confirmed from the regional law are marked) and add a version with a reason (audited)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.services.errors import AminaError, ErrorKind
from amina.services.patent.tariffs import submit_tariff_version, tariff_book, tariff_history
from amina.services.staff.accounts import SignedInStaff
from amina.services.staff.permissions import Permission

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

PAGE = "/console/patent-tariffs"


def _page(
    request: Request,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    container = container_of(request)
    with container.uow() as uow:
        history = tariff_history(uow)
        in_force = {(r.year, r.region.value, r.version) for r in tariff_book(uow).rows}
        uow.session.expunge_all()  # shown after the unit of work ends, as read
    t = translator_for(request)
    return render_console(
        request,
        "console/patent_tariffs.html",
        status_code=status_code,
        rows=history,
        in_force=in_force,
        error=error,
        field_errors={e.field: t.gettext(e.message) for e in (error.errors if error else [])},
        form=form or {},
        added=request.query_params.get("added") == "1",
    )


@router.get(PAGE, response_class=HTMLResponse)
def tariffs_page(
    request: Request, _staff: SignedInStaff = Depends(staff_with(Permission.policy_edit))
) -> HTMLResponse:
    return _page(request)


@router.post(PAGE, response_class=HTMLResponse)
async def tariff_submit(
    request: Request, staff: SignedInStaff = Depends(staff_with(Permission.policy_edit))
) -> Response:
    submitted = await request.form()
    form = {key: value for key, value in submitted.items() if isinstance(value, str)}
    container = container_of(request)

    def add() -> None:
        year = form.get("year", "").strip()
        submit_tariff_version(
            container.uow,
            container.clock,
            staff.actor,
            year=int(year) if year.isdigit() else 0,
            region=form.get("region", ""),
            deflator=form.get("deflator", ""),
            coefficient=form.get("coefficient", ""),
            source=form.get("source", ""),
            verified=form.get("verified") == "1",
            reason=form.get("reason", ""),
        )

    try:
        await run_in_threadpool(add)
    except AminaError as error:
        if error.kind not in (ErrorKind.invalid, ErrorKind.conflict):
            raise
        status = 409 if error.kind is ErrorKind.conflict else 422
        return await run_in_threadpool(_page, request, status_code=status, error=error, form=form)
    return RedirectResponse(PAGE + "?added=1", status_code=303)
