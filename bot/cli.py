"""The command-line contract of DESIGN.md.

Every command works from an empty folder on the embedded defaults (``./data/``), so the
service and the commands run in the same folder share one database. Bad usage or bad
input exits 2 with one line on stderr; nothing here prints personal data to logs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from bot.config import ConfigError, Settings, load_settings

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage or bad input: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"privacybot: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="privacybot", description="GDPR privacy requests by mail and chat.")
    parser.add_argument("--config", help="TOML configuration file (or PRIVACYBOT_CONFIG)")
    parser.add_argument("--log-format", choices=("text", "json"),
                        help="log lines for people (text) or one JSON object per line "
                        "(default: logging.format)")
    parser.add_argument("--log-level", metavar="LEVELS",
                        help="DEBUG, INFO, WARNING or ERROR, and per part, e.g. "
                        "INFO,inbound.imap=DEBUG,outbox=WARNING (default: logging.level)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the service")
    run.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")

    classify = sub.add_parser("classify", help="classify raw .eml files ('-' for stdin)")
    classify.add_argument("--json", action="store_true")
    classify.add_argument("files", nargs="+")

    cases = sub.add_parser("cases", help="list cases")
    cases.add_argument("--json", action="store_true")
    cases.add_argument("--status")

    messages = sub.add_parser(
        "messages", help="stored mail and chat, newest first, also what opened no case"
    )
    messages.add_argument("--json", action="store_true")
    messages.add_argument("--status", help="received, processed, ignored, triage or failed")
    messages.add_argument("--without-case", action="store_true",
                          help="only messages that belong to no case")
    messages.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    messages.add_argument("--uncertain", action="store_true",
                          help="only ordinary mail the classifier was unsure of and staff "
                          "have not decided, oldest first, with the days left to answer")

    case = sub.add_parser("case", help="show one case")
    case.add_argument("ref")
    case.add_argument("--json", action="store_true")
    case.add_argument("--export", metavar="DIR", help="write REF.json and REF.html into DIR")
    case.add_argument("--by", default="cli")

    drafts = sub.add_parser("drafts", help="list pending drafts")
    drafts.add_argument("--json", action="store_true")
    drafts.add_argument("--all", action="store_true", help="include decided drafts")

    approve = sub.add_parser("approve", help="approve a draft: the reply is sent")
    approve.add_argument("id", type=int)
    approve.add_argument("--by", default="cli")

    reject = sub.add_parser("reject", help="reject a draft")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    reject.add_argument("--by", default="cli")

    edit = sub.add_parser("edit", help="replace a draft's text with a new version")
    edit.add_argument("id", type=int)
    edit.add_argument("--body-file", required=True)
    edit.add_argument("--by", default="cli")

    uncertain = sub.add_parser(
        "uncertain", help="decide mail the classifier was unsure of (messages --uncertain)"
    )
    uncertain_sub = uncertain.add_subparsers(
        dest="uncertain_command", required=True, parser_class=_Parser
    )
    uncertain_open = uncertain_sub.add_parser(
        "open", help="it is a request: open its case (acknowledgement, draft)"
    )
    uncertain_open.add_argument("id", type=int, help="the message id")
    uncertain_open.add_argument("--type", action="append", required=True, dest="types",
                                metavar="TYPE", help="a request type; repeat for more")
    uncertain_ordinary = uncertain_sub.add_parser(
        "ordinary", help="it is ordinary mail: no case, it leaves the list"
    )
    uncertain_ordinary.add_argument("id", type=int, help="the message id")
    for p in (uncertain_open, uncertain_ordinary):
        p.add_argument("--by", default="cli")

    audit = sub.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, parser_class=_Parser)
    audit_sub.add_parser("verify", help="check the hash chain")

    purge = sub.add_parser("purge", help="delete what the retention rules no longer allow")
    purge.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
    purge.add_argument("--dry-run", action="store_true", help="only report what is due")

    extend = sub.add_parser("extend", help="extend a case's deadline by two months")
    extend.add_argument("ref")
    extend.add_argument("--reason", required=True)
    extend.add_argument("--by", default="cli")

    directory = sub.add_parser("directory", help="the customer directory")
    directory_sub = directory.add_subparsers(
        dest="directory_command", required=True, parser_class=_Parser
    )
    directory_import = directory_sub.add_parser("import", help="replace it from a CSV file")
    directory_import.add_argument("file")
    directory_import.add_argument("--by", default="cli")

    outbox = sub.add_parser("outbox", help="what is queued to be sent, and its outcome")
    outbox.add_argument("--json", action="store_true")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", parser_class=_Parser)
    resend = outbox_sub.add_parser("resend", help="send an in-doubt or failed item again")
    resend.add_argument("id", type=int)
    mark = outbox_sub.add_parser("mark-sent", help="record that an in-doubt item was sent")
    mark.add_argument("id", type=int)
    for p in (resend, mark):
        p.add_argument("--by", default="cli")

    sub.add_parser("config", help="print the effective configuration, secrets masked")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="apply the migrations")

    backup = sub.add_parser(
        "backup", help="copy the database to DEST, also while the service runs"
    )
    backup.add_argument("dest", help="a new file, or a folder to write a dated file into")
    restore = sub.add_parser(
        "restore", help="restore a backup into the configured database (service stopped)"
    )
    restore.add_argument("src", help="a file written by 'privacybot backup'")
    restore.add_argument("--force", action="store_true",
                         help="replace a database that already holds data")

    from bot import init_config

    init = sub.add_parser("init", help="write a commented configuration file (and secrets)")
    init_config.add_arguments(init)

    doctor = sub.add_parser("doctor", help="check every configured part for real")
    doctor.add_argument("--timeout", type=float, default=10.0,
                        help="seconds each network check may take (default 10)")

    import_ = sub.add_parser(
        "import", help="take in a mailbox export (mbox file or Maildir folder) as live mail"
    )
    import_.add_argument("path", help="an mbox file or a Maildir folder")
    import_.add_argument(
        "--ack-after", type=date.fromisoformat, metavar="DATE",
        help="acknowledge mail received on or after DATE (YYYY-MM-DD, Copenhagen time); "
        "default: no imported mail is acknowledged",
    )
    web = sub.add_parser("web", help="the staff web dashboard")
    web_sub = web.add_subparsers(dest="web_command", required=True, parser_class=_Parser)
    adduser = web_sub.add_parser(
        "adduser", help="hash a staff member's password; prints the line for [web.users]"
    )
    adduser.add_argument("name", help="the staff member's login name")
    adduser.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of stdin")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "init":
            return cmd_init(args)
        settings = load_settings(args.config)
        if args.log_format or args.log_level:
            _setup_logging(args, settings)
        return COMMANDS[args.command](args, settings)
    except (ConfigError, UsageError) as exc:
        print(f"privacybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`privacybot cases | head`): not an error of ours. Point
        # stdout at nothing so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _runtime(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.runtime import build_runtime

    return build_runtime(settings)


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.service import serve

    if args.workers < 1:
        raise UsageError("--workers must be 1 or more")
    if args.workers > 1 and not settings.database.url.startswith("postgresql"):
        raise UsageError(
            "--workers above 1 needs PostgreSQL (database.url); SQLite runs one worker"
        )
    _setup_logging(args, settings)
    if args.workers > 1:
        from bot.workers import supervise

        return supervise(args.workers, settings, worker_argv(args))
    import asyncio

    asyncio.run(serve(settings))
    return 0


def worker_argv(args: argparse.Namespace) -> list[str]:
    """The command line of one worker: this one's options, ``run`` without ``--workers``."""
    argv = [sys.executable, "-m", "bot"]
    if args.config:
        argv += ["--config", args.config]
    if args.log_format:
        argv += ["--log-format", args.log_format]
    if args.log_level:
        argv += ["--log-level", args.log_level]
    return [*argv, "run"]


def classify_raw(raw: bytes, settings: Settings, phrases: Any = None) -> dict[str, Any]:
    """One raw mail through the path ``classify`` takes: parse, loop guard, classifier
    with the operator's ``[classifier] extra_phrases``. ``bench/eval_classifier.py``
    uses it too, so its figures are the command's."""
    from handlers import classify, loop_guard, normalise
    from handlers.values import Channel, RequestType

    if phrases is None:
        phrases = classify.compile_phrases(settings.classifier.extra_phrases)
    company = settings.company_value()
    own = frozenset({company.email})
    domains = frozenset({company.email.rpartition("@")[2]})
    inbound = normalise.parse(raw, Channel.FILE)
    verdict = loop_guard.check(inbound, own_addresses=own, own_domains=domains)
    result = None
    if verdict is None or verdict.relayed:
        result = classify.classify(inbound, phrases, use_model=settings.classifier.model)
    if verdict is not None and (result is None or not result.is_privacy):
        labels = [RequestType.NOT_PRIVACY.value]
        evidence = [{"label": "not_privacy", "phrase": verdict.reason, "rule": verdict.rule}]
        confidence = 0.99
    else:
        labels = [label.value for label in result.labels]
        evidence = [
            {"label": e.label.value, "phrase": e.phrase, "rule": e.rule} for e in result.evidence
        ]
        confidence = result.confidence
        if verdict is not None:  # relayed by a no-reply sender: the service's triage
            evidence.append({"label": "not_privacy", "phrase": verdict.reason,
                             "rule": verdict.rule})
            confidence = min(confidence, classify.RELAYED_CONFIDENCE)
    return {
        "labels": labels,
        "language": inbound.language,
        "confidence": round(confidence, 3),
        "evidence": evidence,
    }


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    from handlers import classify

    phrases = classify.compile_phrases(settings.classifier.extra_phrases)
    for name in args.files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror}") from None
        row = classify_raw(raw, settings, phrases)
        if args.json:
            _print_json({"file": name, **row})
        else:
            print(f"{name}: {', '.join(row['labels'])} ({row['language']}, "
                  f"{row['confidence']:.2f})")
    return 0


def _case_json(case) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from storage.models import as_utc

    return {
        "ref": case.ref,
        "status": case.status,
        "labels": json.loads(case.labels),
        "deadline": (case.extended_deadline or case.deadline).isoformat(),
        "language": case.language,
        "channel": case.channel,
        # With its offset: SQLite hands the time back naive, and a reader must not guess.
        "received_at": as_utc(case.received_at).isoformat(),
    }


def cmd_cases(args: argparse.Namespace, settings: Settings) -> int:
    from storage import queries
    from storage.engine import unit_of_work

    runtime = _runtime(settings)
    with unit_of_work(runtime.sessions) as session:
        rows = queries.list_cases(session, status=args.status)
        for case in rows:
            if args.json:
                _print_json(_case_json(case))
            else:
                labels = ",".join(json.loads(case.labels))
                due = case.extended_deadline or case.deadline
                print(f"{case.ref}  {case.status:<22} {labels:<40} due {due}")
    return 0


def cmd_messages(args: argparse.Namespace, settings: Settings) -> int:
    """Mail that opened no case is kept, not lost: this is where a person sees it."""
    from storage import queries
    from storage.engine import unit_of_work
    from storage.models import as_utc

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    runtime = _runtime(settings)
    if args.uncertain:
        return _uncertain_messages(args, runtime)
    with unit_of_work(runtime.sessions) as session:
        rows = queries.stored_messages(
            session, status=args.status, without_case=args.without_case, limit=args.limit
        )
    for row_id, received_at, channel, status, rule, ref, sender, subject in rows:
        if args.json:
            _print_json({
                "id": row_id, "received_at": as_utc(received_at).isoformat(),
                "channel": channel, "status": status, "rule": rule, "case_ref": ref,
                "sender": sender, "subject": subject,
            })
        else:
            print(f"{row_id:>6}  {as_utc(received_at):%Y-%m-%d %H:%M}  {channel:<7} "
                  f"{status:<10} {rule or '-':<28} {ref or '-':<14} {sender}  {subject}")
    return 0


def _uncertain_messages(args: argparse.Namespace, runtime) -> int:  # type: ignore[no-untyped-def]
    """``messages --uncertain``: what staff decide with ``privacybot uncertain``; no
    address and no body, as in the staff chat's ``/uncertain``."""
    from bot import uncertain

    for item in uncertain.list_uncertain(runtime, limit=args.limit):
        if args.json:
            print(uncertain.item_json(item))
            continue
        seen = "; ".join(f"{label} «{phrase}»" for label, phrase in item.evidence) or "-"
        print(f"{item.message_id:>6}  {item.received_at:%Y-%m-%d %H:%M}  {item.channel:<7} "
              f"due {item.deadline} ({item.days_left:>3} days)  {item.subject}  [{seen}]")
    return 0


def cmd_uncertain(args: argparse.Namespace, settings: Settings) -> int:
    """Decide mail the classifier was unsure of, as the chat's buttons do."""
    from bot import uncertain
    from storage.queries import NotFound, Refused

    runtime = _runtime(settings)
    try:
        if args.uncertain_command == "open":
            decided = uncertain.open_case(
                runtime, message_id=args.id, labels=args.types, actor=args.by
            )
        else:
            decided = uncertain.mark_ordinary(runtime, message_id=args.id, actor=args.by)
    except (NotFound, Refused, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if decided.case_ref:
        print(f"message {decided.message_id}: case {decided.case_ref} opened")
    else:
        print(f"message {decided.message_id}: ordinary mail")
    return 0


def cmd_case(args: argparse.Namespace, settings: Settings) -> int:
    from storage import queries
    from storage.engine import unit_of_work

    runtime = _runtime(settings)
    if args.export:
        from bot.export import export_case

        try:
            paths = export_case(runtime, ref=args.ref, folder=Path(args.export), actor=args.by)
        except queries.NotFound as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(f"cannot write to {args.export}: {exc.strerror}") from None
        for path in paths:
            print(path)
        return 0
    with unit_of_work(runtime.sessions) as session:
        try:
            case = queries.get_case(session, ref=args.ref)
        except queries.NotFound as exc:
            raise UsageError(str(exc)) from None
        messages = queries.case_messages(session, case_id=case.id)
        drafts = [d for d in queries.list_drafts(session, status=None) if d.case_id == case.id]
        outbox = queries.outbox_items(session, case_id=case.id)
        if args.json:
            data = _case_json(case)
            data["messages"] = [m.id for m in messages]
            data["drafts"] = [
                {"id": d.id, "version": d.version, "status": d.status} for d in drafts
            ]
            data["outbox"] = [{"id": o.id, "kind": o.kind, "status": o.status} for o in outbox]
            _print_json(data)
            return 0
        print(f"Case {case.ref}: {case.status}")
        print(f"  types:    {', '.join(json.loads(case.labels))}")
        print(f"  language: {case.language}   channel: {case.channel}")
        print(f"  received: {case.received_at:%Y-%m-%d %H:%M} UTC   deadline: {case.deadline}")
        if case.extended_deadline:
            print(f"  extended: {case.extended_deadline} ({case.extension_reason})")
        if json.loads(case.flags or "[]"):
            print(f"  flags:    {', '.join(json.loads(case.flags))}")
        if case.authorised_at:
            print(f"  consent:  {case.authorised_at:%Y-%m-%d %H:%M} UTC")
        print(f"  from:     {case.requester_name} <{case.requester}>")
        print(f"  subject:  {case.subject}")
        for e in json.loads(case.evidence):
            print(f"  evidence: {e['label']}: \"{e['phrase']}\"")
        for m in messages:
            if m.direction == "out":  # a letter we sent; ``rule`` holds its kind
                print(f"  sent    {m.id} ({m.channel}, {m.rule}) {m.received_at:%Y-%m-%d %H:%M} "
                      f"UTC <{m.message_id}>")
            else:
                print(f"  message {m.id} ({m.channel}, {m.status}, {m.rule})")
        for o in outbox:
            print(f"  outbox {o.id}: {o.kind} {o.status} {o.message_id}")
        for d in drafts:
            print(f"  draft {d.id} v{d.version} {d.status}")
        latest = drafts[-1] if drafts else None
        if latest is not None:
            print(f"\n--- draft {latest.id} v{latest.version} ({latest.status}) ---")
            print(f"Subject: {latest.subject}\n")
            print(latest.body)
    return 0


def cmd_drafts(args: argparse.Namespace, settings: Settings) -> int:
    from storage import queries
    from storage.engine import unit_of_work

    runtime = _runtime(settings)
    with unit_of_work(runtime.sessions) as session:
        drafts = queries.list_drafts(session, status=None if args.all else "pending")
        refs = queries.case_refs(session, case_ids=sorted({d.case_id for d in drafts}))
        due = _deadlines(session, sorted(refs))
        for d in drafts:
            if args.json:
                _print_json(
                    {
                        "id": d.id,
                        "case_ref": refs[d.case_id],
                        "version": d.version,
                        "status": d.status,
                        "kind": d.kind,
                        "deadline": due[d.case_id],
                        "subject": d.subject,
                        "body": d.body,
                    }
                )
            else:
                print(f"{d.id:>5}  {refs[d.case_id]}  v{d.version}  {d.status:<10} "
                      f"due {due[d.case_id]}  {d.kind:<8} {d.subject}")
    return 0


def _deadlines(session, case_ids: list[int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Each case's effective deadline: staff see it beside every draft they decide on."""
    from storage.models import Case

    out: dict[int, str] = {}
    for case_id in case_ids:
        case = session.get(Case, case_id)
        if case is not None:
            out[case_id] = (case.extended_deadline or case.deadline).isoformat()
    return out


def _decide(action) -> int:  # type: ignore[no-untyped-def]
    from storage.queries import NotFound, Refused

    try:
        decided = action()
    except (NotFound, Refused, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(f"draft {decided.draft_id} (case {decided.case_ref}, v{decided.version}): "
          f"{decided.status}")
    return 0


def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    from bot import staff

    runtime = _runtime(settings)
    return _decide(lambda: staff.approve_draft(runtime, draft_id=args.id, actor=args.by))


def cmd_reject(args: argparse.Namespace, settings: Settings) -> int:
    from bot import staff

    runtime = _runtime(settings)
    return _decide(
        lambda: staff.reject_draft(runtime, draft_id=args.id, actor=args.by, reason=args.reason)
    )


def cmd_edit(args: argparse.Namespace, settings: Settings) -> int:
    from bot import staff

    try:
        body = Path(args.body_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.body_file}: {exc}") from None
    runtime = _runtime(settings)
    return _decide(
        lambda: staff.edit_draft(runtime, draft_id=args.id, actor=args.by, body=body)
    )


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from storage.audit import verify_chain
    from storage.engine import unit_of_work

    runtime = _runtime(settings)
    with unit_of_work(runtime.sessions) as session:
        report = verify_chain(session)
    if report.ok:
        print(f"audit chain OK: {report.events} events")
        return 0
    print(
        f"audit chain BROKEN at event {report.first_bad_id} "
        f"(after {report.events} events): {report.reason}"
    )
    return 1


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.retention import purge

    runtime = _runtime(settings)
    today = args.today or runtime.clock().date()
    report = purge(runtime, today=today, dry_run=args.dry_run)
    print(report.summary())
    return 0


def cmd_extend(args: argparse.Namespace, settings: Settings) -> int:
    from bot import staff
    from storage.queries import NotFound, Refused

    runtime = _runtime(settings)
    try:
        done = staff.extend_case(runtime, ref=args.ref, actor=args.by, reason=args.reason)
    except (NotFound, Refused, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(f"case {done.case_ref}: deadline extended to {done.deadline}; "
          f"notice to the requester is draft {done.draft_id} (v{done.version}), "
          "to approve")
    return 0


def cmd_directory(args: argparse.Namespace, settings: Settings) -> int:
    from bot.directory import DirectoryError, import_csv

    runtime = _runtime(settings)
    try:
        count = import_csv(runtime, Path(args.file), actor=args.by)
    except DirectoryError as exc:
        raise UsageError(str(exc)) from None
    print(f"customer directory replaced: {count} customers")
    return 0


def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot import outbox
    from storage import queries
    from storage.engine import unit_of_work
    from storage.models import OutboxItem

    runtime = _runtime(settings)
    with unit_of_work(runtime.sessions) as session:
        if args.outbox_command is None:
            items = queries.outbox_items(session)
            refs = queries.case_refs(
                session, case_ids=sorted({i.case_id for i in items if i.case_id})
            )
            for item in items:
                row = {
                    "id": item.id, "case_ref": refs.get(item.case_id or 0), "kind": item.kind,
                    "status": item.status, "attempts": item.attempts,
                    "message_id": item.message_id, "last_error": item.last_error,
                }
                if args.json:
                    _print_json(row)
                else:
                    print(f"{item.id:>5}  {row['case_ref'] or '-':<14} {item.kind:<10} "
                          f"{item.status:<9} {item.attempts} {item.last_error or ''}")
            return 0
        item = session.get(OutboxItem, args.id)
        if item is None:
            raise UsageError(f"no outbox item {args.id}")
        if item.status not in ("in_doubt", "failed"):
            raise UsageError(f"outbox item {args.id} is {item.status}, not in_doubt or failed")
        outbox.settle_by_operator(
            session, item, decision=args.outbox_command, actor=args.by, now=runtime.clock(),
            company_address=runtime.company.email,
        )
        print(f"outbox item {item.id}: {item.status}")
    return 0


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(settings.masked(), indent=2, ensure_ascii=False))
    return 0


def _setup_logging(args: argparse.Namespace, settings: Settings) -> None:
    """Flags over ``[logging]``; per-part levels from both, the flag's winning."""
    from bot.config import secret_values
    from bot.logs import hide_secrets, parse_levels, setup_logging

    hide_secrets(secret_values(settings))

    try:
        overall, parts = parse_levels(args.log_level or "")
    except ValueError as exc:
        raise UsageError(f"--log-level: {exc}") from None
    setup_logging(
        overall or settings.logging.level,
        fmt=args.log_format or settings.logging.format,
        levels={**settings.logging.levels, **parts},
    )


def cmd_init(args: argparse.Namespace) -> int:
    from bot import init_config

    try:
        init_config.run(args)
    except OSError as exc:
        raise UsageError(f"init: cannot write: {exc.strerror} ({exc.filename})") from None
    return 0


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot import doctor

    options = doctor.Options(
        timeout=args.timeout, config_file=args.config or os.environ.get("PRIVACYBOT_CONFIG")
    )
    return doctor.report(doctor.run_checks(settings, options=options), sys.stdout)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    _runtime(settings)
    print("database schema is up to date")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backup import BackupError, backup

    try:
        report = backup(settings.database.url, Path(args.dest))
    except (BackupError, OSError) as exc:
        raise UsageError(f"backup: {exc}") from None
    print(report.summary("backed up to"))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backup import BackupError, restore

    try:
        report = restore(settings.database.url, Path(args.src), force=args.force)
    except (BackupError, OSError) as exc:
        raise UsageError(f"restore: {exc}") from None
    print(report.summary("restored into"))
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.importer import ExportUnreadable, import_path

    runtime = _runtime(settings)
    try:
        report = import_path(runtime, Path(args.path), ack_after=args.ack_after)
    except ExportUnreadable as exc:
        raise UsageError(str(exc)) from None
    finally:
        runtime.engine.dispose()
    print(report.summary())
    return 130 if report.interrupted else 0


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    """Print ``"name" = "<argon2 hash>"`` for ``[web.users]``; the password is not kept.

    Printing rather than editing the file: the line belongs in the credentials file, which
    the operator owns, and a TOML file edited by a program loses its comments.
    """
    import getpass
    import re

    from bot.web.auth import hash_password

    name = args.name.strip()
    if not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", name):
        raise UsageError("a web user name is 1-64 letters, digits and . _ @ -")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ")
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print("# add under [web.users] in the credentials file", file=sys.stderr)
    print(f"{json.dumps(name)} = {json.dumps(hashed)}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "classify": cmd_classify,
    "cases": cmd_cases,
    "case": cmd_case,
    "messages": cmd_messages,
    "drafts": cmd_drafts,
    "approve": cmd_approve,
    "reject": cmd_reject,
    "edit": cmd_edit,
    "uncertain": cmd_uncertain,
    "audit": cmd_audit,
    "purge": cmd_purge,
    "extend": cmd_extend,
    "directory": cmd_directory,
    "outbox": cmd_outbox,
    "config": cmd_config,
    "db": cmd_db,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "doctor": cmd_doctor,
    "import": cmd_import,
    "web": cmd_web,
}
