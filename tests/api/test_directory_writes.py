"""Administrators write companies, contacts, contracts and users through the API, with the
same actions (rules, audit) as any other channel; every other role is refused and nothing
changes; every bad field is named at once as a problem detail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_client import problem
from django.test import Client

from sladesk.accounts.models import User
from sladesk.audit.models import AuditEvent
from sladesk.contracts.models import Contract, SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row
from sladesk.customers.models import Company, Contact

pytestmark = pytest.mark.django_db

NOT_ADMINISTRATORS = ["operator", "engineer", "oncall", "manager", "acme_user"]


def patch(api: Any, path: str, body: Any) -> Any:
    return api.client.patch(
        "/api/v1" + path, json.dumps(body), content_type="application/json", headers=api.headers
    )


def _contract_body(world: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "company": "corvid",
        "reference": "SC-CORVID-1",
        "signed_on": "2026-03-02",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
        "coverage": "standard",
        "modules": [world.desktop.pk],
    }
    body.update(overrides)
    return body


def _state() -> dict[str, Any]:
    """Everything the directory writes could change."""
    return {
        "companies": list(Company.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values()),
        "contracts": [
            (c, sorted(Contract.objects.get(pk=c["id"]).modules.values_list("pk", flat=True)))
            for c in Contract.objects.order_by("pk").values()
        ],
        "users": list(
            User.objects.order_by("pk").values("role", "company_id", "full_name", "is_active")
        ),
        # Creating the caller's token is audited too; that is not a directory change.
        "audit": AuditEvent.objects.exclude(action__startswith="api.").count(),
    }


# ------------------------------------------------------------------------ the document


def test_the_openapi_document_lists_the_directory_writes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    methods = {
        path.removeprefix("/api/v1"): sorted(paths[path])
        for path in paths
        if path.startswith(("/api/v1/companies", "/api/v1/contacts", "/api/v1/contracts"))
        or path.startswith("/api/v1/users")
    }
    assert methods == {
        "/companies": ["get", "post"],
        "/companies/{slug}": ["get", "patch"],
        "/contacts": ["get", "post"],
        "/contacts/{contact_id}": ["get", "patch"],
        "/contacts/{contact_id}/deactivate": ["post"],
        "/contracts": ["get", "post"],
        "/contracts/{reference}": ["get", "patch"],
        "/users": ["get", "post"],
        "/users/{user_id}": ["get", "patch"],
        "/users/{user_id}/deactivate": ["post"],
    }
    patch_errors = paths["/api/v1/contracts/{reference}"]["patch"]["responses"]
    assert sorted(patch_errors) == ["200", "400", "401", "403", "404", "422", "429"]
    assert list(patch_errors["422"]["content"]) == ["application/problem+json"]


# ----------------------------------------------------------------------- permissions


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_write_the_directory_and_nothing_changes(world, api_as, role):
    api = api_as(getattr(world, role))
    before = _state()
    contact, user = world.bluebell_contact.pk, world.operator.pk

    answers = {
        "POST /companies": api.post("/companies", {"name": "Delta"}),
        "PATCH /companies/acme": patch(api, "/companies/acme", {"name": "Mine"}),
        "PATCH /companies/nope": patch(api, "/companies/nope", {"name": "Mine"}),
        "GET /contacts/1": api.get(f"/contacts/{contact}"),
        "POST /contacts": api.post("/contacts", {"company": "acme", "name": "Eve"}),
        "PATCH /contacts/1": patch(api, f"/contacts/{contact}", {"name": "Eve"}),
        "POST /contacts/1/deactivate": api.post(f"/contacts/{contact}/deactivate", {"reason": "x"}),
        "POST /contracts": api.post("/contracts", _contract_body(world)),
        "PATCH /contracts/SC-ACME-1": patch(api, "/contracts/SC-ACME-1", {"coverage": "standard"}),
        "GET /users/1": api.get(f"/users/{user}"),
        "PATCH /users/1": patch(api, f"/users/{user}", {"role": "admin"}),
        "POST /users/1/deactivate": api.post(f"/users/{user}/deactivate", {"reason": "x"}),
    }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 403)
    assert problem(answers["PATCH /companies/acme"])["detail"] == (
        f"a {getattr(world, role).role_label.lower()} may not administer the directory"
    )
    assert _state() == before


def test_a_read_only_administrator_token_cannot_write(world, api_as):
    api = api_as(world.admin, scopes=("read",))
    before = _state()

    response = patch(api, "/companies/acme", {"name": "Acme Group"})

    assert response.status_code == 403
    assert problem(response)["type"] == "https://sladesk.dev/problems/insufficient-scope"
    assert _state() == before


def test_a_browser_session_patch_needs_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.admin)

    refused = browser.patch(
        "/api/v1/companies/acme",
        json.dumps({"name": "Acme Group"}),
        content_type="application/json",
    )
    browser.get("/account/tokens/")
    accepted = browser.patch(
        "/api/v1/companies/acme",
        json.dumps({"name": "Acme Group"}),
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )

    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert Company.objects.get(slug="acme").name == "Acme Group"


def test_unknown_objects_are_404_for_administrators(world, api_as):
    api = api_as(world.admin)

    assert patch(api, "/companies/nope", {"name": "x"}).status_code == 404
    assert api.get("/contacts/999999").status_code == 404
    assert patch(api, "/contacts/999999", {"name": "x"}).status_code == 404
    assert api.post("/contacts/999999/deactivate", {"reason": "x"}).status_code == 404
    assert patch(api, "/contracts/SC-NOPE", {"notes": "x"}).status_code == 404
    assert api.get("/users/999999").status_code == 404
    assert patch(api, "/users/999999", {"full_name": "x"}).status_code == 404
    assert api.post("/users/999999/deactivate", {"reason": "x"}).status_code == 404
    # An id beyond any integer column is "no such object", not an overflow.
    assert api.get(f"/users/{2**63 + 5}").status_code == 404


# ---------------------------------------------------------------------------- companies


def test_an_administrator_adds_a_company_and_reads_it_back(world, api_as):
    api = api_as(world.admin)

    created = api.post("/companies", {"name": "Delta Dental Group", "phone": "01473 999999"})

    assert created.status_code == 201
    body = created.json()
    assert {k: v for k, v in body.items() if k != "id"} == {
        "name": "Delta Dental Group",
        "slug": "delta-dental-group",
        "phone": "01473 999999",
        "address": "",
    }
    assert api.get("/companies/delta-dental-group").json() == body
    event = AuditEvent.objects.get(action="company.created")
    assert (event.actor, event.subject_id) == (world.admin, str(body["id"]))


def test_every_bad_company_field_is_listed_and_nothing_is_saved(world, api_as):
    before = _state()

    response = api_as(world.admin).post(
        "/companies", {"name": "Bluebell Insurance", "slug": "Not A Slug", "phone": "ring me"}
    )

    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == "https://sladesk.dev/problems/validation"
    assert body["detail"] == "the request has 3 invalid field(s); nothing was saved"
    assert body["errors"] == [
        {"pointer": "/name", "detail": "a company named 'Bluebell Insurance' already exists"},
        {
            "pointer": "/slug",
            "detail": "'Not A Slug' is not a slug (lower-case letters, digits and hyphens)",
        },
        {"pointer": "/phone", "detail": "'ring me' is not a phone number"},
    ]
    assert _state() == before


def test_a_missing_company_name_is_a_validation_problem(world, api_as):
    response = api_as(world.admin).post("/companies", {"phone": "01473 999999"})

    assert response.status_code == 422
    assert problem(response)["errors"] == [{"pointer": "/name", "detail": "Field required"}]
    assert Company.objects.count() == 3


def test_patching_a_company_changes_only_the_fields_sent(world, api_as):
    response = patch(api_as(world.admin), "/companies/acme", {"slug": "acme-group"})

    assert response.status_code == 200
    assert response.json() == {
        "id": world.acme.pk,
        "name": "Acme Contact Centres",
        "slug": "acme-group",
        "phone": "",
        "address": "",
    }
    event = AuditEvent.objects.get(action="company.updated")
    assert (event.before, event.after) == ({"slug": "acme"}, {"slug": "acme-group"})


def test_null_for_a_field_that_cannot_be_empty_is_refused(world, api_as):
    before = _state()

    response = patch(api_as(world.admin), "/companies/acme", {"name": None, "phone": "0"})

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"pointer": "/phone", "detail": "'0' is not a phone number"},
        {"pointer": "/name", "detail": "give a value, or leave the field out to keep it"},
    ]
    assert _state() == before


# ----------------------------------------------------------------------------- contacts


def test_an_administrator_adds_changes_and_deactivates_a_contact(world, api_as):
    api = api_as(world.admin)

    created = api.post(
        "/contacts", {"company": "bluebell", "name": "Bea Bluebell", "phone": "01473 222222"}
    )
    contact_id = created.json()["id"]
    changed = patch(api, f"/contacts/{contact_id}", {"email": "bea@bluebell.example"})
    deactivated = api.post(f"/contacts/{contact_id}/deactivate", {"reason": "Left Bluebell"})

    assert created.status_code == 201
    assert created.json() == {
        "id": contact_id,
        "company": "bluebell",
        "name": "Bea Bluebell",
        "phone": "01473 222222",
        "email": "",
        "user": None,
        "may_log_tickets": True,
    }
    assert changed.json()["email"] == "bea@bluebell.example"
    assert deactivated.json()["may_log_tickets"] is False
    assert api.get(f"/contacts/{contact_id}").json() == deactivated.json()
    assert list(
        AuditEvent.objects.filter(subject_id=str(contact_id), subject_type="customers.contact")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["contact.created", "contact.updated", "contact.deactivated"]


def test_an_unknown_company_is_listed_with_the_contacts_other_problems(world, api_as):
    before = _state()

    response = api_as(world.admin).post(
        "/contacts", {"company": "nope", "name": " ", "email": "bea at bluebell"}
    )

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"pointer": "/company", "detail": "no company 'nope'"},
        {"pointer": "/name", "detail": "give the contact's name"},
        {"pointer": "/email", "detail": "'bea at bluebell' is not an email address"},
    ]
    assert _state() == before


def test_deactivating_a_contact_stops_its_logins_token(world, api_as):
    customer = api_as(world.acme_user)
    assert customer.get("/tickets").status_code == 200

    response = api_as(world.admin).post(
        f"/contacts/{world.acme_contact.pk}/deactivate", {"reason": "Left Acme"}
    )

    assert response.status_code == 200
    assert customer.get("/tickets").status_code == 401


def test_deactivating_without_a_reason_changes_nothing(world, api_as):
    before = _state()

    response = api_as(world.admin).post(
        f"/contacts/{world.acme_contact.pk}/deactivate", {"reason": ""}
    )

    assert problem(response)["errors"] == [
        {"pointer": "/reason", "detail": "say why the contact is deactivated"}
    ]
    assert _state() == before


# ---------------------------------------------------------------------------- contracts


def test_an_administrator_records_a_contract(world, api_as):
    special = SlaPolicy.objects.create(name="special", data=default_policy_row().data)

    response = api_as(world.admin).post(
        "/contracts", _contract_body(world, policy="special", notes="Renewal of the pilot")
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: v for k, v in body.items() if k != "id"} == {
        "reference": "SC-CORVID-1",
        "company": "corvid",
        "signed_on": "2026-03-02",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
        "coverage": "standard",
        "modules": [world.desktop.pk],
        "policy": "special",
        "price_list_reference": "",
        "sow_reference": "",
        "notes": "Renewal of the pilot",
    }
    assert Contract.objects.get(pk=body["id"]).policy == special
    assert AuditEvent.objects.filter(action="contract.created").count() == 1


def test_every_bad_contract_field_is_listed_with_unknown_names_and_nothing_is_saved(world, api_as):
    before = _state()

    response = api_as(world.admin).post(
        "/contracts",
        _contract_body(
            world,
            company="nope",
            reference="SC-ACME-1",
            valid_to="2026-03-31",
            modules=[world.desktop.pk, 999999],
            policy="gold",
        ),
    )

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"pointer": "/reference", "detail": "a contract with reference 'SC-ACME-1' already exists"},
        {"pointer": "/company", "detail": "no company 'nope'"},
        {
            "pointer": "/valid_to",
            "detail": "the last day (2026-03-31) is before the first (2026-04-01)",
        },
        {"pointer": "/modules", "detail": "no module 999999"},
        {"pointer": "/policy", "detail": "no SLA policy 'gold'"},
    ]
    assert _state() == before


def test_a_malformed_contract_body_lists_every_field(world, api_as):
    response = api_as(world.admin).post(
        "/contracts",
        {"company": "corvid", "valid_from": "1st April", "coverage": "weekends", "modules": [0]},
    )

    assert response.status_code == 422
    assert sorted(e["pointer"] for e in problem(response)["errors"]) == [
        "/coverage",
        "/modules/0",
        "/reference",
        "/valid_from",
        "/valid_to",
    ]
    assert Contract.objects.count() == 3


def test_an_overlapping_contract_of_the_same_coverage_is_refused(world, api_as):
    response = api_as(world.admin).post(
        "/contracts",
        _contract_body(world, company="bluebell", reference="SC-BLUE-2", valid_from="2026-12-01"),
    )

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {
            "pointer": "/valid_from",
            "detail": "overlaps contract SC-BLUE-1 (2026-01-01 to 2026-12-31), which has the "
            "same coverage for CallScripter / Agent Desktop; end that one first or cover other "
            "modules",
        }
    ]
    assert Contract.objects.count() == 3


def test_patching_a_contract_signs_it_and_sets_the_default_policy_with_null(world, api_as):
    special = SlaPolicy.objects.create(name="special", data=default_policy_row().data)
    draft = Contract.objects.get(reference="SC-CORVID-DRAFT")
    draft.policy = special
    draft.save()
    api = api_as(world.admin)

    response = patch(
        api,
        "/contracts/SC-CORVID-DRAFT",
        {"signed_on": "2026-03-09", "policy": None, "modules": [world.reports.pk]},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["signed_on"], body["policy"], body["modules"], body["coverage"]) == (
        "2026-03-09",
        None,
        [world.reports.pk],
        "24x7",
    )
    event = AuditEvent.objects.get(action="contract.updated")
    assert event.after == {
        "signed_on": "2026-03-09",
        "module_ids": [world.reports.pk],
        "policy_id": None,
    }


def test_an_unknown_policy_in_a_patch_changes_nothing(world, api_as):
    before = _state()

    response = patch(
        api_as(world.admin), "/contracts/SC-ACME-1", {"policy": "gold", "coverage": "standard"}
    )

    assert problem(response)["errors"] == [{"pointer": "/policy", "detail": "no SLA policy 'gold'"}]
    assert _state() == before


# -------------------------------------------------------------------------------- users


def test_an_administrator_reads_and_changes_a_user(world, api_as):
    api = api_as(world.admin)

    read = api.get(f"/users/{world.operator.pk}")
    changed = patch(
        api,
        f"/users/{world.operator.pk}",
        {"role": "engineer", "full_name": "Olive Engineer", "reason": "Passed the course"},
    )

    assert read.json() == {
        "id": world.operator.pk,
        "email": "olive@helpdesk.example",
        "full_name": "Olive Operator",
        "role": "operator",
        "company": None,
        "is_active": True,
    }
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["full_name"]) == ("engineer", "Olive Engineer")
    assert AuditEvent.objects.get(action="user.updated").reason == "Passed the course"


def test_a_customer_moves_company_by_slug(world, api_as):
    response = patch(api_as(world.admin), f"/users/{world.acme_user.pk}", {"company": "bluebell"})

    assert response.json()["company"] == "bluebell"
    world.acme_user.refresh_from_db()
    assert world.acme_user.contact.company == world.bluebell


def test_staff_become_a_customer_and_back_with_role_and_company_together(world, api_as):
    api = api_as(world.admin)

    lone_role = patch(api, f"/users/{world.engineer.pk}", {"role": "customer"})
    customer = patch(api, f"/users/{world.engineer.pk}", {"role": "customer", "company": "corvid"})
    staff = patch(api, f"/users/{world.engineer.pk}", {"role": "engineer", "company": None})

    assert problem(lone_role)["errors"] == [
        {"pointer": "/company", "detail": "a customer contact belongs to a company"}
    ]
    assert (customer.json()["role"], customer.json()["company"]) == ("customer", "corvid")
    assert (staff.json()["role"], staff.json()["company"]) == ("engineer", None)


def test_an_unknown_company_and_a_bad_role_are_listed_together(world, api_as):
    before = _state()

    response = patch(
        api_as(world.admin),
        f"/users/{world.acme_user.pk}",
        {"company": "nope", "is_active": None},
    )

    assert problem(response)["errors"] == [
        {"pointer": "/company", "detail": "no company 'nope'"},
        {"pointer": "/is_active", "detail": "give a value, or leave the field out to keep it"},
    ]
    assert _state() == before


def test_deactivating_a_user_stops_its_token_and_patch_reactivates_it(world, api_as):
    engineer = api_as(world.engineer)
    admin = api_as(world.admin)

    deactivated = admin.post(f"/users/{world.engineer.pk}/deactivate", {"reason": "Left"})
    refused = engineer.get("/tickets")
    reactivated = patch(admin, f"/users/{world.engineer.pk}", {"is_active": True})

    assert (deactivated.status_code, deactivated.json()["is_active"]) == (200, False)
    assert refused.status_code == 401
    assert reactivated.json()["is_active"] is True
    assert engineer.get("/tickets").status_code == 200
    assert AuditEvent.objects.get(action="user.deactivated").reason == "Left"


def test_an_administrator_cannot_deactivate_itself(world, api_as):
    before = _state()
    api = api_as(world.admin)

    by_post = api.post(f"/users/{world.admin.pk}/deactivate", {"reason": "Bored"})
    by_patch = patch(api, f"/users/{world.admin.pk}", {"role": "operator"})

    assert problem(by_post)["errors"] == [
        {"pointer": "/is_active", "detail": "an administrator may not deactivate or demote itself"}
    ]
    assert problem(by_patch)["errors"] == [
        {"pointer": "/role", "detail": "an administrator may not deactivate or demote itself"}
    ]
    assert _state() == before


def test_creating_a_customer_with_an_unknown_company_lists_every_problem(world, api_as):
    before = _state()

    response = api_as(world.admin).post(
        "/users",
        {"email": "not-an-email", "role": "customer", "password": "", "company": "nope"},
    )

    assert problem(response)["errors"] == [
        {"pointer": "/email", "detail": "'not-an-email' is not an email address"},
        {"pointer": "/company", "detail": "no company 'nope'"},
        {"pointer": "/password", "detail": "give a password"},
    ]
    assert _state() == before


def test_over_long_fields_are_named_not_a_server_error(world, api_as):
    api = api_as(world.admin)
    before = _state()
    long_email = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".example"

    user = api.post(
        "/users",
        {
            "email": long_email,
            "role": "engineer",
            "password": "a long enough passphrase 42",
            "full_name": "x" * 201,
            "phone": "0" * 41,
        },
    )
    contact = api.post("/contacts", {"company": "acme", "name": "y" * 201, "email": long_email})
    contract = api.post(
        "/contracts",
        _contract_body(world, reference="R" * 51, price_list_reference="P" * 101),
    )

    assert len(long_email) == 255
    assert problem(user)["errors"] == [
        {"pointer": "/email", "detail": "an email address has at most 254 characters"},
        {"pointer": "/full_name", "detail": "at most 200 characters"},
        {"pointer": "/phone", "detail": "at most 40 characters"},
    ]
    assert problem(contact)["errors"] == [
        {"pointer": "/name", "detail": "at most 200 characters"},
        {"pointer": "/email", "detail": "an email address has at most 254 characters"},
    ]
    assert problem(contract)["errors"] == [
        {"pointer": "/reference", "detail": "at most 50 characters"},
        {"pointer": "/price_list_reference", "detail": "at most 100 characters"},
    ]
    assert _state() == before


def test_a_contract_or_contact_cannot_be_moved_to_another_company_by_patch(world, api_as):
    api = api_as(world.admin)

    contract = patch(api, "/contracts/SC-ACME-1", {"company": "bluebell", "notes": "Renewed"})
    contact = patch(api, f"/contacts/{world.acme_contact.pk}", {"company": "bluebell"})

    # Unknown fields are ignored, never applied (as everywhere in the API).
    assert (contract.status_code, contract.json()["company"]) == (200, "acme")
    assert (contact.status_code, contact.json()["company"]) == (200, "acme")
    world.acme_contract.refresh_from_db()
    world.acme_contact.refresh_from_db()
    assert (world.acme_contract.company, world.acme_contract.notes) == (world.acme, "Renewed")
    assert world.acme_contact.company == world.acme
    assert not AuditEvent.objects.filter(action="contact.updated").exists()
