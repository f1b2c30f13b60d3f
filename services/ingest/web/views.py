"""The report form (/ and /report), its receipt, and status pages by reference."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy.exc import DBAPIError

from services.ingest.context import IngestContext
from services.ingest.intake.service import STATUS_WORDING, accept_tip, public_status
from services.ingest.web.form import PHONE_ROWS, VEHICLE_ROWS, ReportForm
from shared.logs import get_logger
from shared.metrics import TIPS_REJECTED
from shared.references import new_reference, normalise_reference
from shared.web.csrf import FIELD as CSRF_FIELD
from shared.web.csrf import csrf_token, csrf_valid, rotate_csrf_token

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
log = get_logger(__name__)
RETRY_AFTER_SECONDS = "60"


def _ctx() -> IngestContext:
    ctx: IngestContext = current_app.extensions["tipline"]
    return ctx


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_field": CSRF_FIELD, "vehicle_rows": VEHICLE_ROWS, "phone_rows": PHONE_ROWS}


def _form_page(form: ReportForm, status: int = 200, **headers: str) -> Any:
    body = render_template("public/report.html", form=form, csrf_token=csrf_token())
    return body, status, headers


@bp.get("/")
def report_form() -> Any:
    return _form_page(ReportForm.empty())


@bp.get("/report")
def report_get() -> Any:
    return redirect(url_for("web.report_form"))


@bp.post("/report")
def report() -> Any:
    ctx = _ctx()
    # The client address is only ever seen here as a salted hash key with a one-minute life.
    wait = ctx.limiter.hit(f"web:{request.remote_addr}", limit=ctx.settings.rate_limit_per_minute)
    if wait is not None:
        TIPS_REJECTED.labels(channel="web", status="429").inc()
        page = render_template("public/too_many.html", wait=wait)
        return page, 429, {"Retry-After": str(wait)}
    form = ReportForm.from_post(request.form)
    if not csrf_valid():
        TIPS_REJECTED.labels(channel="web", status="400").inc()
        form.add(
            "description",
            "This form had expired, so nothing was sent. Check your answers and send it again",
        )
        return _form_page(form, 400)
    if form.honeypot:
        # Something filled in the field people cannot see: look normal, store nothing.
        TIPS_REJECTED.labels(channel="web", status="honeypot").inc()
        rotate_csrf_token()
        return render_template("public/receipt.html", reference=new_reference(), danger=False)
    submission = form.submission()
    if submission is None:
        TIPS_REJECTED.labels(channel="web", status="422").inc()
        return _form_page(form, 422)
    try:
        stored = accept_tip(
            ctx.sessions, ctx.writer, submission=submission, channel="web", cipher=ctx.cipher
        )
    except DBAPIError as exc:
        log.error("store_unavailable", error=type(exc).__name__)
        TIPS_REJECTED.labels(channel="web", status="503").inc()
        form.add(
            "description",
            "We could not save your report just now, so nothing was sent. Please try again in a minute",
        )
        return _form_page(form, 503, **{"Retry-After": RETRY_AFTER_SECONDS})
    rotate_csrf_token()
    return render_template(
        "public/receipt.html", reference=stored.reference, danger=submission.happening_now
    )


@bp.get("/status")
def status_form() -> Any:
    typed = request.args.get("reference", "")
    if not typed.strip():
        return render_template("public/status_form.html", typed="", error=None)
    canonical = normalise_reference(typed)
    if canonical is None:
        error = "Enter a reference in the form TL-XXXX-XXXX, as shown when you sent your report"
        return render_template("public/status_form.html", typed=typed, error=error), 400
    return redirect(url_for("intake.status", reference=canonical))


@bp.before_app_request
def _status_for_browsers() -> Any:
    # /status/<reference> belongs to the JSON API; browsers asking for HTML get a page instead.
    if request.endpoint != "intake.status" or not _wants_html():
        return None
    typed = (request.view_args or {}).get("reference", "")
    canonical = normalise_reference(typed)
    if canonical is None:
        error = "That is not a Tipline reference. They look like TL-XXXX-XXXX"
        return render_template("public/status_form.html", typed=typed, error=error), 404
    try:
        with _ctx().sessions() as session:
            word = public_status(session, reference=canonical)
    except DBAPIError:
        page = render_template("public/unavailable.html")
        return page, 503, {"Retry-After": "5"}
    if word is None:
        error = "We cannot find that reference. Check it against the one you were given"
        return render_template("public/status_form.html", typed=canonical, error=error), 404
    return render_template(
        "public/status.html", reference=canonical, word=word, message=STATUS_WORDING[word]
    )
