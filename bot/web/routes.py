"""The dashboard's pages and forms.

Every decision goes through ``bot.staff``, the code the chat and the CLI use, so a draft
decided in one place is decided everywhere and a stale version is refused with the same
words. Database work runs in threads (``run_in_threadpool``): the service's event loop
also answers SMTP clients and must never wait on a query.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot import staff, uncertain
from bot.export import case_data
from bot.web import csrf
from bot.web import data as webdata
from bot.web.app import forbidden, render, set_session_cookie, staff_only, state
from bot.web.auth import COOKIE, check_password, logged_out, new_session
from bot.web.charts import bar_chart
from handlers.values import REQUEST_TYPES
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work

log = logging.getLogger("privacybot.web")

#: Messages shown after a redirect, chosen by code so that a URL cannot put text on the page.
DONE = {
    "approved": "Approved: the reply is in the outbox.",
    "rejected": "Rejected: nothing will be sent.",
    "edited": "Saved as a new version; the old one can no longer be approved.",
    "relabelled": "Relabelled: the reply was drafted anew.",
    "extended": "Extended: the notice to the requester is a new draft to approve.",
    "opened": "Case opened from uncertain mail: the acknowledgement is in the outbox and "
    "the draft waits below.",
    "ordinary": "Recorded as ordinary mail: no case, nothing is sent.",
}


def _now(request: Request) -> datetime:
    return state(request).runtime.clock()


def _actor(request: Request) -> str:
    return f"web:{request.state.user}"


def _read(request: Request, func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``func(session, ...)`` in one read transaction, in a thread."""
    runtime = state(request).runtime

    def work() -> Any:
        with unit_of_work(runtime.sessions) as session:
            return func(session, *args, **kwargs)

    return run_in_threadpool(work)


# --- login -----------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would make the login page a phishing aid."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/cases"
    return target


async def login_page(request: Request) -> Response:
    session = new_session()
    return render(
        request, "login.html.j2",
        {"next": _safe_next(request.query_params.get("next")), "error": "", "name": ""},
        session=session,
    )


async def login(request: Request) -> Response:
    web = state(request)
    form = await request.form()
    session = web.codec.loads(request.cookies.get(COOKIE))
    if session is None or not csrf.same_origin(request) or not csrf.token_matches(
        session.csrf, form.get(csrf.FIELD)
    ):
        return forbidden(request, "The login form has expired. Reload it and try again.")
    name = str(form.get("username") or "").strip()[:128]
    password = str(form.get("password") or "")[:1024]
    target = _safe_next(str(form.get("next") or ""))
    keys = [f"user:{name.lower()}", f"ip:{request.client.host if request.client else '?'}"]
    wait = web.limiter.retry_after(keys)
    if wait > 0:
        log.warning("web: login refused, too many failed attempts")
        response = render(
            request, "login.html.j2",
            {"next": target, "name": name, "error":
             f"Too many failed attempts. Try again in {int(wait // 60) + 1} minutes."},
            status=429, session=new_session(),
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    ok = await run_in_threadpool(check_password, web.settings.users, name, password)
    if not ok:
        web.limiter.failed(keys)
        log.info("web: a login failed")
        return render(
            request, "login.html.j2",
            {"next": target, "name": name, "error": "Wrong user name or password."},
            status=401, session=new_session(),
        )
    web.limiter.succeeded(keys[0])
    log.info("web: a staff member logged in")
    response = RedirectResponse(target, 303)
    set_session_cookie(request, response, new_session(name))
    return response


@staff_only
async def logout(request: Request) -> Response:
    response = RedirectResponse("/login", 303)
    set_session_cookie(request, response, logged_out(new_session()))
    return response


# --- cases -----------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except ValueError:
        return None


@staff_only
async def home(request: Request) -> Response:
    return RedirectResponse("/cases", 303)


@staff_only
async def case_list(request: Request) -> Response:
    flt = webdata.CaseFilter.from_params(request.query_params)
    today = _now(request).date()
    page = await _read(
        request, webdata.list_cases, flt, today=today,
        before=_int(request.query_params.get("before")),
        after=_int(request.query_params.get("after")),
    )
    params = flt.params()
    return render(request, "cases.html.j2", {
        "flt": flt, "page": page, "statuses": webdata.STATUSES, "types": webdata.TYPES,
        "channels": webdata.CHANNELS,
        "older_url": "/cases?" + urlencode({**params, "before": page.older})
        if page.older else "",
        "newer_url": "/cases?" + urlencode({**params, "after": page.newer})
        if page.newer else "",
        "csv_url": "/cases.csv" + ("?" + urlencode(params) if params else ""),
    })


@staff_only
async def case_csv(request: Request) -> Response:
    flt = webdata.CaseFilter.from_params(request.query_params)
    now = _now(request)
    actor = _actor(request)

    def work(session: Any) -> str:
        text, count = webdata.cases_csv(session, flt, today=now.date())
        append_event(
            session, actor=actor, action="cases_exported",
            detail={"format": "csv", "rows": count, "filters": flt.params()}, at=now,
        )
        return text

    text = await _read(request, work)
    return Response(
        text, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{now.date()}.csv"'},
    )


async def _case_response(
    request: Request, ref: str, *, error: str = "", status: int = 200
) -> Response:
    web = state(request)
    try:
        detail = await _read(request, webdata.case_detail, ref, now=_now(request),
                             chain=web.chain)
    except queries.NotFound:
        return render(request, "error.html.j2", {"message": f"No case {ref}."}, status=404)
    done = DONE.get(request.query_params.get("done", ""), "")
    return render(request, "case.html.j2", {
        "d": detail, "c": detail.case, "error": error, "done": done,
        "types": [str(t) for t in REQUEST_TYPES],
    }, status=status)


@staff_only
async def case_page(request: Request) -> Response:
    return await _case_response(request, request.path_params["ref"])


@staff_only
async def case_export(request: Request) -> Response:
    """The same export as ``privacybot case REF --export``, recorded as an audit event."""
    ref = request.path_params["ref"]
    fmt = request.path_params["fmt"]
    if fmt not in ("json", "html"):
        return render(request, "error.html.j2", {"message": "Unknown format."}, status=404)
    now = _now(request)
    actor = _actor(request)
    runtime = state(request).runtime

    def work(session: Any) -> dict[str, Any]:
        exported = case_data(session, ref)
        case = queries.get_case(session, ref=ref)
        append_event(
            session, actor=actor, action="case_exported", case_id=case.id, case_ref=case.ref,
            detail={"files": [f"{case.ref}.{fmt}"], "via": "web"}, at=now,
        )
        return exported

    try:
        exported = await _read(request, work)
    except queries.NotFound:
        return render(request, "error.html.j2", {"message": f"No case {ref}."}, status=404)
    exported["exported_at"] = now.isoformat()
    exported["exported_by"] = actor
    name = f"{exported['case']['ref']}.{fmt}"
    if fmt == "json":
        body = json.dumps(exported, ensure_ascii=False, indent=2) + "\n"
        media = "application/json"
    else:
        body = runtime.templates.get_template("export.html.j2").render(**exported)
        media = "text/html; charset=utf-8"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- decisions -------------------------------------------------------------------------


async def _decide(request: Request, ref: str, done: str, action: Any) -> Response:
    """Run a ``bot.staff`` decision; a refusal (stale version, already decided, missing
    reason) shows the case again with the refusal, as the chat and CLI would say it."""
    try:
        await run_in_threadpool(action)
    except (queries.Refused, queries.NotFound, ValueError) as exc:
        return await _case_response(request, ref, error=str(exc), status=409)
    return RedirectResponse(f"/cases/{ref}?done={done}#decided", 303)


def _form(request: Request, name: str) -> str:
    value = request.state.form.get(name)
    return value if isinstance(value, str) else ""


@staff_only
async def draft_action(request: Request) -> Response:
    ref = request.path_params["ref"]
    action = request.path_params["action"]
    draft_id = request.path_params["draft_id"]
    runtime = state(request).runtime
    actor = _actor(request)
    if not await _draft_belongs(request, draft_id, ref):
        return await _case_response(request, ref, error=f"draft {draft_id} is not a draft of "
                                    f"case {ref}", status=409)
    if action == "approve":
        return await _decide(request, ref, "approved", lambda: staff.approve_draft(
            runtime, draft_id=draft_id, actor=actor))
    if action == "reject":
        reason = _form(request, "reason")
        return await _decide(request, ref, "rejected", lambda: staff.reject_draft(
            runtime, draft_id=draft_id, actor=actor, reason=reason))
    if action == "edit":
        body = _form(request, "body").replace("\r\n", "\n")
        subject = _form(request, "subject").strip() or None
        return await _decide(request, ref, "edited", lambda: staff.edit_draft(
            runtime, draft_id=draft_id, actor=actor, body=body, subject=subject))
    if action == "relabel":
        labels = [v for v in request.state.form.getlist("labels") if isinstance(v, str)]
        return await _decide(request, ref, "relabelled", lambda: staff.relabel_draft(
            runtime, draft_id=draft_id, actor=actor, labels=labels))
    return render(request, "error.html.j2", {"message": "Unknown action."}, status=404)


async def _draft_belongs(request: Request, draft_id: int, ref: str) -> bool:
    """A form names its case in the URL; a draft id from another case is refused rather
    than decided under the wrong page."""

    def check(session: Any) -> bool:
        try:
            draft = queries.get_draft(session, draft_id=draft_id)
        except queries.NotFound:
            return True  # bot.staff refuses it with its own words
        return queries.case_refs(session, case_ids=[draft.case_id]).get(draft.case_id) == ref

    return bool(await _read(request, check))


@staff_only
async def extend(request: Request) -> Response:
    ref = request.path_params["ref"]
    runtime = state(request).runtime
    actor = _actor(request)
    reason = _form(request, "reason")
    return await _decide(request, ref, "extended", lambda: staff.extend_case(
        runtime, ref=ref, actor=actor, reason=reason))


# --- uncertain mail --------------------------------------------------------------------


async def _uncertain_response(request: Request, *, error: str = "", status: int = 200) -> Response:
    items = await run_in_threadpool(uncertain.list_uncertain, state(request).runtime)
    done = DONE.get(request.query_params.get("done", ""), "") if not error else ""
    return render(request, "uncertain.html.j2", {"items": items, "error": error, "done": done},
                  status=status)


@staff_only
async def uncertain_page(request: Request) -> Response:
    """Mail the classifier was unsure of, with the same two decisions as the chat."""
    return await _uncertain_response(request)


@staff_only
async def uncertain_action(request: Request) -> Response:
    message_id = request.path_params["message_id"]
    action = request.path_params["action"]
    runtime = state(request).runtime
    actor = _actor(request)
    try:
        if action == "open":
            labels = [v for v in request.state.form.getlist("labels") if isinstance(v, str)]
            decided = await run_in_threadpool(lambda: uncertain.open_case(
                runtime, message_id=message_id, labels=labels, actor=actor))
        elif action == "ordinary":
            decided = await run_in_threadpool(lambda: uncertain.mark_ordinary(
                runtime, message_id=message_id, actor=actor))
        else:
            return render(request, "error.html.j2", {"message": "Unknown action."}, status=404)
    except (queries.Refused, queries.NotFound, ValueError) as exc:
        return await _uncertain_response(request, error=str(exc), status=409)
    if decided.case_ref:
        return RedirectResponse(f"/cases/{decided.case_ref}?done=opened#decided", 303)
    return RedirectResponse("/uncertain?done=ordinary#decided", 303)


# --- figures ---------------------------------------------------------------------------


@staff_only
async def figures_page(request: Request) -> Response:
    fig = await _read(request, webdata.figures, today=_now(request).date())
    months = fig.months
    types = [t for t in webdata.TYPES if any(fig.per_type[t])] or list(webdata.TYPES[:1])
    charts = {
        "types": bar_chart(
            chart_id="types", title="Requests per type per month",
            description="Stacked bars: the number of requests of each type received in "
            "each of the last twelve months; the table below has the same numbers.",
            categories=months, series=[(t, fig.per_type[t]) for t in types], stacked=True,
        ),
        "answer": bar_chart(
            chart_id="answer", title="Days to answer, by month of receipt",
            description="Median and worst number of days from receipt to the approved "
            "reply, against the one-month deadline.",
            categories=months,
            series=[("median", fig.answer_median), ("worst", fig.answer_worst)],
            reference=(30, "1 month"), unit=" days",
        ),
        "acks": bar_chart(
            chart_id="acks", title="Acknowledgements not sent",
            description="Per month: acknowledgements held back by the flood limits and "
            "messages the loop guard ignored.",
            categories=months,
            series=[("held back (limits)", fig.acks_suppressed),
                    ("ignored (loop guard)", fig.loop_ignored)],
        ),
    }
    return render(request, "figures.html.j2", {"f": fig, "charts": charts, "types": types})


ROUTES = [
    Route("/", home),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/cases", case_list, methods=["GET"]),
    Route("/cases.csv", case_csv, methods=["GET"]),
    Route("/cases/{ref:str}", case_page, methods=["GET"]),
    Route("/cases/{ref:str}/export.{fmt:str}", case_export, methods=["GET"]),
    Route("/cases/{ref:str}/extend", extend, methods=["POST"]),
    Route("/cases/{ref:str}/drafts/{draft_id:int}/{action:str}", draft_action,
          methods=["POST"]),
    Route("/uncertain", uncertain_page, methods=["GET"]),
    Route("/uncertain/{message_id:int}/{action:str}", uncertain_action, methods=["POST"]),
    Route("/figures", figures_page, methods=["GET"]),
]

__all__ = ["ROUTES"]
