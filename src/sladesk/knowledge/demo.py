"""A small knowledge base for `sladesk demo`, so the portal suggests articles while a demo
customer types a fault (try "blank script page" or "callback time")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sladesk.accounts.models import User
from sladesk.customers.models import Company, Module, Product
from sladesk.knowledge.actions import save_article
from sladesk.knowledge.models import ChecklistItem, InstalledVersion

ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Blank script page after upgrading to 5.2",
        "module": "Agent Desktop",
        "versions": "5.2",
        "kind": "known_issue",
        "body": "After an upgrade to 5.2 some agents see a blank script page, and the script "
        "engine log shows HTTP 500.\n\nThe browser keeps the old script bundle in its cache.",
        "workaround": "Clear the browser cache on the agent PC (Ctrl+Shift+Delete) and reload "
        "the script. Fixed in 5.2.1.",
    },
    {
        "title": "Callbacks scheduled an hour late after the clocks change",
        "module": "Agent Desktop",
        "versions": "5.0-5.2",
        "kind": "known_issue",
        "body": "Callbacks booked in the week the clocks change are shown one hour late when "
        "the agent PC and the server disagree about the time zone.",
        "workaround": "Set the agent PCs' time zone to (UTC+00:00) London and restart Agent "
        "Desktop.",
    },
    {
        "title": "Fixing a supervisor login loop",
        "module": "Agent Desktop",
        "kind": "how_to",
        "body": "A redirect loop at sign-in usually means the session cookie is blocked.\n\n"
        "1. Allow cookies for the CallScripter site.\n2. Remove old bookmarks to /login.\n"
        "3. Sign in again.",
    },
    {
        "title": "Daily calls report times out",
        "module": "Reports",
        "kind": "known_issue",
        "body": "The Daily Calls report can time out on large contact centres when it is run "
        "for more than 31 days.",
        "workaround": "Run the report for a week at a time, or schedule it overnight.",
    },
    {
        "title": "Checking your network before logging a fault",
        "kind": "how_to",
        "body": "Many slow page loads and timeouts come from the local network.\n\n"
        "- Can other PCs reach the CallScripter server?\n- Is the proxy or firewall changed?\n"
        "- Does the problem follow the user to another PC?",
    },
    {
        "title": "Script Designer: publishing a script",
        "module": "Script Designer",
        "kind": "training",
        "body": "Open the script, press **Publish**, choose the campaigns and confirm. "
        "A script with errors cannot be published: the list of errors shows why.",
    },
    {
        "title": "Release notes 5.2",
        "module": "Agent Desktop",
        "versions": "5.2+",
        "kind": "release_note",
        "body": "5.2 adds script folders, faster page loads and a new callback planner.",
    },
    {
        "title": "Database failover runbook",
        "kind": "known_issue",
        "visibility": "internal",
        "body": "Internal: when the primary database fails over, restart the script engine "
        "service on each web server.",
        "workaround": "Restart the script engine service on each web server.",
    },
]

CHECKLIST = [
    ("Have you restarted the agent PC and Agent Desktop?", False),
    ("Can other PCs on your network reach the CallScripter server?", True),
    ("Have you checked that nothing changed on your server, network or firewall?", True),
]


def load_demo_knowledge(*, at: dt.datetime) -> None:
    author = User.objects.filter(role="engineer").order_by("email").first()
    product = Product.objects.filter(name="CallScripter").first()
    if author is None or product is None:
        return
    modules = {m.name: m for m in Module.objects.filter(product=product)}
    for spec in ARTICLES:
        module = modules.get(spec.get("module", ""))
        save_article(
            actor=author,
            title=spec["title"],
            body=spec["body"],
            kind=spec["kind"],
            visibility=spec.get("visibility", "public"),
            state="published",
            module=module,
            versions=spec.get("versions", ""),
            workaround=spec.get("workaround", ""),
            at=at,
        )
    for position, (question, environmental) in enumerate(CHECKLIST, start=1):
        ChecklistItem.objects.create(
            product=product, question=question, environmental=environmental, position=position
        )
    company = Company.objects.filter(slug="northwind").first()
    if company is not None and "Agent Desktop" in modules:
        InstalledVersion.objects.create(
            company=company, module=modules["Agent Desktop"], version="5.2"
        )
