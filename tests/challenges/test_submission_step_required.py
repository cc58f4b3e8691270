"""The submission steps carry no HTML `required` attribute: a browser would refuse
"Save and finish later" on a half-filled step before the draft could save it. The
questions still count as required for submission (no "(optional)" label), and a
half-filled step sent as a browser would send it is saved."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from challenges.constants import Status
from challenges.forms import STEPS
from challenges.models import Challenge

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
STEP_SLUGS = [slug for slug, _label, _form in STEPS]


class _Fields(HTMLParser):
    """The form controls inside the page's step form (the one with save_and_stop)."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"input", "select", "textarea"}:
            self.controls.append({"tag": tag, **{k: (v or "") for k, v in attrs}})

    handle_startendtag = handle_starttag


def _controls(body: str) -> list[dict]:
    start = body.index('name="save_and_stop"')
    form = body[body.rindex("<form", 0, start) : body.index("</form>", start)]
    parser = _Fields()
    parser.feed(form)
    return [c for c in parser.controls if c.get("type") not in {"hidden", "submit"}]


@pytest.mark.parametrize("step", STEP_SLUGS)
def test_no_step_field_carries_the_required_attribute(client, resident, step):
    draft = Challenge.objects.create(initiator=resident, status=Status.DRAFT)
    client.force_login(resident)
    response = client.get(reverse("challenges:step", args=[draft.pk, step]), **EN)
    assert response.status_code == 200
    controls = _controls(response.content.decode())
    assert controls, "the step shows its questions"
    assert [c["name"] for c in controls if "required" in c] == []
    # The questions still must be answered before submission: not "(optional)".
    assert "(optional)" not in response.content.decode()


@pytest.mark.parametrize("step", STEP_SLUGS)
def test_the_step_forms_keep_their_fields_required_for_the_labels(db, step):
    form_class = dict((slug, form) for slug, _label, form in STEPS)[step]
    form = form_class(instance=Challenge())
    assert form.use_required_attribute is False
    assert all(field.required for field in form.fields.values())
    assert "required" not in str(form)


def test_a_refused_step_shown_again_has_no_required_attribute(client, resident):
    draft = Challenge.objects.create(initiator=resident, status=Status.DRAFT)
    client.force_login(resident)
    # A malformed title (too short) is refused; the page comes back with the text kept.
    response = client.post(
        reverse("challenges:step", args=[draft.pk, "task"]),
        {"title": "Abc", "summary": "Half a summary", "save_and_stop": "1"},
        **EN,
    )
    assert response.status_code == 200
    controls = _controls(response.content.decode())
    assert [c["name"] for c in controls if "required" in c] == []
    assert "Half a summary" in response.content.decode()


def test_a_half_filled_step_as_a_browser_sends_it_is_saved(client, resident):
    """Every field present, most empty: what the browser posts once nothing blocks it."""
    draft = Challenge.objects.create(initiator=resident, status=Status.DRAFT)
    client.force_login(resident)
    response = client.post(
        reverse("challenges:step", args=[draft.pk, "plan"]),
        {"approach": "We maaien elke week.", "social_value": "", "save_and_stop": "1"},
        **EN,
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.approach == "We maaien elke week." and draft.social_value == ""
