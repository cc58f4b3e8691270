"""A challenge from sign-up to intake, in a real browser: a resident signs up,
verifies the address, fills in the four steps of questions and submits; a reviewer moves it to
intake in the admin; the public sees the new stage and its motivation on the
challenge page, the process log and the Atom feed."""

import re
import xml.etree.ElementTree as ET

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from challenges.constants import EventCode, Status
from challenges.models import Challenge
from tests.challenges.factories import STAFF_TOTP_SECRET, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ATOM = "{http://www.w3.org/2005/Atom}"
MOTIVATION = "Complete plan; we will call the foundation for a first talk within two weeks."


def sign_up_and_verify(page, email: str, password: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [email]
    link = re.search(r"https?://\S+/accounts/confirm-email/[^/\s]+/", message.body)
    assert link, message.body
    page.goto(link.group(0))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_resident_submits_and_reviewer_starts_intake(
    open_context, live_server, catalogue, plan, make_user
):
    task, neighbourhood = catalogue
    email, password = "anna.de.vries@example.org", "Kiwi-Lantern-8472"

    resident = open_context("en").new_page()
    sign_up_and_verify(resident, email, password)
    # Confirming in the browser that signed up logs in; if not, log in like anyone would.
    if resident.get_by_role("link", name="Log out").count() == 0:
        resident.goto("/accounts/login/")
        resident.fill("input[name=login]", email)
        resident.fill("input[name=password]", password)
        resident.locator("main form button[type=submit]").click()
    expect(resident.get_by_role("link", name="Log out")).to_be_visible()
    assert EmailAddress.objects.get(email=email).verified

    resident.goto("/challenges/new/")
    resident.get_by_role("button", name="Start my draft").click()
    resident.wait_for_url(re.compile(r"/challenges/\d+/plan/task/$"))
    pk = int(re.search(r"/challenges/(\d+)/", resident.url).group(1))

    # Step 1: task and summary.
    resident.select_option("select[name=task]", label=task.name)
    resident.select_option("select[name=neighbourhood]", label=neighbourhood.name)
    resident.fill("input[name=title]", plan["title"])
    resident.fill("textarea[name=summary]", plan["summary"])
    resident.click("button[name=save_and_continue]")
    resident.wait_for_url(f"**/challenges/{pk}/plan/plan/")
    # Step 2: plan and social value.
    resident.fill("textarea[name=approach]", plan["approach"])
    resident.fill("textarea[name=social_value]", plan["social_value"])
    resident.click("button[name=save_and_continue]")
    resident.wait_for_url(f"**/challenges/{pk}/plan/budget/")
    # Step 3: budget.
    resident.fill("input[name=budget_requested]", plan["budget_requested"])
    resident.click("button[name=save_and_continue]")
    resident.wait_for_url(f"**/challenges/{pk}/plan/team/")
    # Step 4: team and support.
    resident.check(f"input[name=legal_form][value={plan['legal_form']}]")
    resident.fill("textarea[name=team_description]", plan["team_description"])
    resident.fill("textarea[name=support_evidence]", plan["support_evidence"])
    resident.click("button[name=save_and_continue]")
    resident.wait_for_url(f"**/challenges/{pk}/review/")

    main = resident.locator("main")
    for key in (
        "title",
        "summary",
        "approach",
        "social_value",
        "team_description",
        "support_evidence",
    ):
        expect(main).to_contain_text(plan[key])
    expect(main).to_contain_text(task.name)
    expect(main).to_contain_text(neighbourhood.name)
    expect(main).to_contain_text("42,500.00")
    expect(main).to_contain_text("Foundation")

    # A draft is the team's own: not on the public pages, and 404 on its own address.
    anonymous = open_context("en").new_page()
    response = anonymous.goto(f"/challenges/{pk}/")
    assert response.status == 404
    anonymous.goto("/challenges/")
    expect(anonymous.locator("main")).not_to_contain_text(plan["title"])
    anonymous.goto("/log/")
    expect(anonymous.locator("main")).not_to_contain_text(plan["title"])

    resident.get_by_role("button", name="Submit my challenge").click()
    resident.wait_for_url(f"**/challenges/{pk}/")
    challenge = Challenge.objects.get(pk=pk)
    assert challenge.status == Status.SUBMITTED
    year = timezone.localtime(challenge.submitted_at).year
    meta = resident.locator("main .rtc-meta").first
    expect(meta).to_contain_text(re.compile(rf"RTC-{year}-\d{{4}}"))
    reference = re.search(rf"RTC-{year}-\d{{4}}", meta.inner_text()).group(0)
    assert challenge.reference == reference
    expect(resident.locator("main .rtc-stage").first).to_have_text("Submitted")
    assert challenge.initiator.email == email

    # A reviewer, in a browser of their own, goes through the admin.
    civil_servant = make_user("reviewer@gemeente.example", reviewer=True)
    reviewer = open_context("en").new_page()
    reviewer.goto("/admin/")
    assert reviewer.url.startswith(f"{live_server.url}/accounts/login/"), reviewer.url
    reviewer.fill("input[name=login]", civil_servant.email)
    reviewer.fill("input[name=password]", civil_servant.raw_password)
    reviewer.locator("main form button[type=submit]").click()
    # Staff have a second factor: the code from their authenticator app.
    reviewer.wait_for_url("**/accounts/2fa/authenticate/")
    reviewer.fill("input[name=code]", totp_code(STAFF_TOTP_SECRET))
    reviewer.locator("main form button[type=submit]").first.click()
    reviewer.wait_for_url(f"{live_server.url}/admin/")
    reviewer.goto(f"/admin/challenges/challenge/{pk}/change/")
    reviewer.get_by_role("link", name="Change stage").click()
    reviewer.wait_for_url(f"**/admin/challenges/challenge/{pk}/transition/")
    reviewer.check("input[name=to_status][value=intake]")
    reviewer.fill("textarea[name=motivation]", MOTIVATION)
    reviewer.locator("input[type=submit][value='Change stage']").click()
    reviewer.wait_for_url(f"**/admin/challenges/challenge/{pk}/change/")
    expect(reviewer.locator(".messagelist")).to_contain_text(challenge.reference)

    challenge.refresh_from_db()
    assert challenge.status == Status.INTAKE
    event = challenge.events.get(code=EventCode.STATUS_CHANGED)
    assert event.data["motivation"] == MOTIVATION

    # The public sees the new stage and why, on the challenge page...
    response = anonymous.goto(f"/challenges/{pk}/")
    assert response.status == 200
    expect(anonymous.locator("main .rtc-stage").first).to_have_text("Intake")
    entry = anonymous.locator(f"#event-{event.pk}")
    expect(entry).to_contain_text("From “Submitted” to “Intake”")
    expect(entry).to_contain_text(MOTIVATION)

    # ...in the public process log...
    anonymous.goto("/log/")
    entry = anonymous.locator(f"#event-{event.pk}")
    expect(entry).to_contain_text(challenge.reference)
    expect(entry).to_contain_text(MOTIVATION)
    link = entry.get_by_role("link", name=f"{challenge.reference} {plan['title']}")
    expect(link).to_have_attribute("href", f"/challenges/{pk}/")

    # ...and in its Atom feed.
    response = anonymous.request.get("/log/feed/")
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())  # noqa: S314 (our own test server's feed)
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0].startswith(f"{challenge.reference} {plan['title']}"), titles
    newest = entries[0]
    assert MOTIVATION in (newest.findtext(f"{ATOM}summary") or "")
    assert newest.find(f"{ATOM}link").get("href").endswith(f"/challenges/{pk}/#event-{event.pk}")
    assert len(entries) == 2  # submitted, then moved to intake


def test_budget_that_is_not_a_number_is_refused_with_an_error_summary(
    open_context, make_user, make_draft
):
    resident = make_user("bram@example.org")
    draft = make_draft(resident)
    updated_at = draft.updated_at
    page = open_context("en", user=resident).new_page()

    page.goto(f"/challenges/{draft.pk}/plan/budget/")
    page.fill("input[name=budget_requested]", "abc")
    page.click("button[name=save_and_continue]")
    page.wait_for_load_state()

    # Still on the budget step, with the error summary at the top of the content.
    assert page.url.endswith(f"/challenges/{draft.pk}/plan/budget/")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("There is a problem")
    form = page.locator("main form:has(input[name=budget_requested])")
    summary_before_form = summary.evaluate(
        "(el, form) => !!(el.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING)",
        form.element_handle(),
    )
    assert summary_before_form

    field = page.locator("input[name=budget_requested]")
    field_id = field.get_attribute("id")
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", f"#{field_id}")
    expect(link).to_contain_text("Write the amount as a number")

    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("abc")
    error_id = f"{field_id}-error"
    assert error_id in field.get_attribute("aria-describedby").split()
    expect(page.locator(f"#{error_id}")).to_contain_text("Write the amount as a number")

    link.click()
    expect(field).to_be_focused()

    draft.refresh_from_db()
    assert draft.budget_requested is None
    assert draft.updated_at == updated_at
    assert draft.status == Status.DRAFT


def test_a_half_filled_step_is_kept_and_the_draft_resumes_where_it_stopped(
    open_context, make_user, make_draft
):
    resident = make_user("carla@example.org")
    draft = make_draft(resident, complete=True)
    Challenge.objects.filter(pk=draft.pk).update(social_value="")
    page = open_context("en", user=resident).new_page()

    # My challenges: the draft opens on its first step with an unanswered question.
    page.goto("/challenges/mine/")
    page.get_by_role("link", name=draft.title).click()
    page.wait_for_url(f"**/challenges/{draft.pk}/plan/plan/")

    # Half-filled: social value typed, approach cleared; saved without errors.
    page.fill("textarea[name=social_value]", "Ontmoeting in het park.")
    page.fill("textarea[name=approach]", "")
    page.click("button[name=save_and_stop]")
    page.wait_for_url("**/challenges/mine/")
    expect(page.locator("main")).to_contain_text("Your draft has been saved.")
    draft.refresh_from_db()
    assert draft.social_value == "Ontmoeting in het park."
    assert draft.approach == ""

    # The budget as people write it in Dutch.
    page.goto(f"/challenges/{draft.pk}/plan/budget/")
    page.fill("input[name=budget_requested]", "€ 80.000")
    page.click("button[name=save_and_continue]")
    page.wait_for_url(f"**/challenges/{draft.pk}/plan/team/")
    draft.refresh_from_db()
    assert str(draft.budget_requested) == "80000.00"

    # The review page says what is missing; the draft page resumes at that step.
    page.goto(f"/challenges/{draft.pk}/review/")
    expect(page.locator("main")).to_contain_text("Before you can submit")
    expect(page.get_by_role("button", name="Submit my challenge")).to_have_count(0)
    page.goto(f"/challenges/{draft.pk}/")
    page.get_by_role("link", name="Continue with the plan").click()
    page.wait_for_url(f"**/challenges/{draft.pk}/plan/plan/")
