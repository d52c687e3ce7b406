"""`sladesk staffing forecast` and `sladesk staffing accuracy`.

    sladesk staffing forecast [--weeks 8] [--probability 0.8] [--all] [--json]
    sladesk staffing accuracy [--weeks 8] [--held-back 4]

The forecast prints next week's hours at risk (agents needed above those planned) and a
summary; `--all` prints every hour. `accuracy` holds back the last weeks, forecasts them
from the weeks before, and prints how far off the forecast was. Bad input exits with 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sladesk.planning import staffing


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Staffing forecast for next week (Erlang C / simulation) and its accuracy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=("forecast", "accuracy"))
        parser.add_argument("--weeks", type=int, default=8, help="weeks of history (1-52)")
        parser.add_argument(
            "--held-back", type=int, default=4, help="weeks held back (accuracy, 1-12)"
        )
        parser.add_argument(
            "--probability",
            type=float,
            default=0.8,
            help="chance each response target is met (0.5-0.99)",
        )
        parser.add_argument("--replications", type=int, default=400, help="simulation runs")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--at", help="forecast as of this ISO instant (default: now)")
        parser.add_argument("--all", action="store_true", help="print every hour")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        at, params = _check(options)
        if options["what"] == "accuracy":
            result = staffing.accuracy(at=at, **params)
            self._accuracy(result, options["json"])
            return
        with tqdm(total=1, desc="forecast", file=sys.stderr, leave=False) as bar:
            fc = staffing.forecast(
                at=at,
                history_weeks=params["history_weeks"],
                probability=params["probability"],
                replications=params["replications"],
                seed=params["seed"],
            )
            bar.update(1)
        if options["json"]:
            self.stdout.write(json.dumps(forecast_json(fc), indent=2))
        else:
            self._forecast(fc, options["all"])

    def _forecast(self, fc: staffing.Forecast, every: bool) -> None:
        out = self.stdout.write
        h = fc.history
        out(
            f"Staffing forecast for the week from "
            f"{fc.week_starts.astimezone(staffing.LONDON):%a %d %b %Y} (London), "
            f"each response target met with probability {fc.probability:.0%}"
        )
        out(
            f"History: {h.tickets} tickets in the {h.weeks} weeks before "
            f"{h.until:%Y-%m-%d %H:%MZ}; handling {h.handling.minutes:.1f} min "
            f"({h.handling.source}, {h.handling.samples} tickets)"
        )
        oc = fc.on_call
        out(
            f"On call: {oc['hours']:.0f} closed hours to cover, "
            f"{oc['engineer_hours_planned']:.0f} of {oc['engineer_hours_needed']:.0f} "
            f"engineer-hours on the rota; {oc['pages']:.1f} pages expected "
            f"(about {oc['busy_minutes']:.0f} minutes answering them)"
        )
        methods = ", ".join(f"{m} {n} h" for m, n in sorted(fc.methods().items()))
        out(f"Methods: {methods}")
        rows = fc.hours if every else fc.at_risk
        out(f"Hours at risk: {len(fc.at_risk)} of {len(fc.hours)}")
        if rows:
            out(
                f"{'hour (London)':<22}{'cover':<9}{'expected':>9}{'needed':>8}"
                f"{'planned':>9}  method"
            )
        for row in rows:
            flag = "  AT RISK" if row.at_risk else ""
            out(
                f"{row.local:%a %d %b %H:%M %Z}  {row.cover:<9}{row.expected:>9.2f}"
                f"{row.needed:>8}{row.planned:>9}  {row.method} ({row.why}){flag}"
            )

    def _accuracy(self, result: staffing.Accuracy, as_json: bool) -> None:
        data = {
            "held_back_from": result.held_back_from.isoformat(),
            "held_back_to": result.held_back_to.isoformat(),
            "history_weeks": result.history_weeks,
            "forecast_per_week": round(result.forecast_per_week, 2),
            "actual_per_week": round(result.actual_per_week, 2),
            "volume_error": round(result.volume_error, 4),
            "wape": round(result.wape, 4),
            "hours_compared": result.hours_compared,
            "hours_same_staff": result.hours_same_staff,
            "hours_within_one": result.hours_within_one,
        }
        if as_json:
            self.stdout.write(json.dumps(data, indent=2))
            return
        out = self.stdout.write
        out(
            f"Held back {result.held_back_from:%Y-%m-%d} to {result.held_back_to:%Y-%m-%d}; "
            f"forecast from the {result.history_weeks} weeks before."
        )
        out(
            f"Tickets a week: forecast {result.forecast_per_week:.1f}, actual "
            f"{result.actual_per_week:.1f} ({result.volume_error:+.1%})"
        )
        out(f"Hour-of-week error (WAPE): {result.wape:.1%}")
        out(
            f"Agents needed, forecast vs actual arrivals: same in {result.hours_same_staff} of "
            f"{result.hours_compared} hours, within one in {result.hours_within_one}"
        )


def _check(options: dict[str, Any]) -> tuple[dt.datetime, dict[str, Any]]:
    errors = []
    at = dt.datetime.now(dt.UTC)
    if options["at"]:
        try:
            at = dt.datetime.fromisoformat(options["at"])
        except ValueError:
            errors.append(f"--at: not an ISO instant: {options['at']!r}")
        else:
            if at.tzinfo is None:
                errors.append(f"--at: {options['at']!r} has no time zone (add Z or +01:00)")
    if not 1 <= options["weeks"] <= 52:
        errors.append("--weeks: a whole number from 1 to 52")
    if not 1 <= options["held_back"] <= 12:
        errors.append("--held-back: a whole number from 1 to 12")
    if not 0.5 <= options["probability"] <= 0.99:
        errors.append("--probability: a number from 0.5 to 0.99")
    if not 10 <= options["replications"] <= 100_000:
        errors.append("--replications: a whole number from 10 to 100000")
    if errors:
        raise _fail("; ".join(errors))
    params: dict[str, Any] = {
        "history_weeks": options["weeks"],
        "probability": options["probability"],
        "replications": options["replications"],
        "seed": options["seed"],
    }
    if options["what"] == "accuracy":
        params["held_back_weeks"] = options["held_back"]
    return at.astimezone(dt.UTC), params


def forecast_json(fc: staffing.Forecast) -> dict[str, Any]:
    h = fc.history
    return {
        "week_starts": fc.week_starts.isoformat(),
        "probability": fc.probability,
        "history": {
            "weeks": h.weeks,
            "tickets": h.tickets,
            "handling_minutes": round(h.handling.minutes, 2),
            "handling_source": h.handling.source,
            "handling_samples": h.handling.samples,
        },
        "methods": fc.methods(),
        "on_call": {k: round(v, 2) for k, v in fc.on_call.items()},
        "hours_at_risk": len(fc.at_risk),
        "hours": [
            {
                "starts": row.starts.isoformat(),
                "local": row.local.isoformat(),
                "cover": row.cover,
                "expected": round(row.expected, 3),
                "needed": row.needed,
                "needed_by_priority": row.needed_by_priority,
                "planned": row.planned,
                "method": row.method,
                "why": row.why,
                "at_risk": row.at_risk,
            }
            for row in fc.hours
        ],
    }
