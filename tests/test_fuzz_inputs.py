"""Property-based fuzzing of every form and filter a person can reach: never a 500.

Each case opens a page as one persona, reads the forms on it from the HTML (field
names, and the values its selects offer), and lets hypothesis fill them with 200
generated inputs: text of any script, control and direction characters, numbers
out of range, dates from year 1 to 9999, valid choices mixed with invalid ones,
missing fields. Every answer must be below 500 (the test client raises on a server
error, so a 500 fails with its traceback and hypothesis shrinks it to the smallest
input). The admin change lists get the same treatment for their date hierarchy,
search, ordering, paging and filters.

Whether bad input changes nothing is held by the tests of each form; here the
question is only whether any input at all breaks a page.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from challenges.constants import Status

pytestmark = pytest.mark.django_db

EXAMPLES = 200
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Inputs people (and attackers) actually send, beside what hypothesis makes up.
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e9",
    "NaN",
    "inf",
    "9" * 30,
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "abc",
    "//evil.example/",
    "javascript:alert(1)",
    "https://evil.example/",
    "<script>alert(1)</script>",
    "\u202egnp.exe",
    "a\u200bb",
    "\x00",
    "ü" * 3000,
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


class _Forms(HTMLParser):
    """The forms of a page: action, method, and for each field the values offered."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action") or "",
                    "method": (attrs.get("method") or "get").lower(),
                    "fields": {},
                }
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag in ("input", "textarea", "select", "button") and name:
            offered = fields.setdefault(name, [])
            if attrs.get("value") is not None:
                offered.append(attrs["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select:
            fields[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_on(client: Client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    parser = _Forms()
    parser.feed(response.content.decode())
    found = []
    for form in parser.forms:
        action = form["action"] or path
        if urlsplit(action).path.startswith("/i18n/"):
            continue
        form["fields"].pop("csrfmiddlewaretoken", None)
        form["action"] = action
        found.append(form)
    return found


def submissions(form: dict):
    """A strategy of field dicts for `form`: each field offered, made up, or left out."""
    per_field = {
        name: st.one_of(
            st.sampled_from(offered) if offered else values,
            values,
            st.none(),
        )
        for name, offered in form["fields"].items()
    }
    return st.fixed_dictionaries(per_field).map(
        lambda data: {k: v for k, v in data.items() if v is not None}
    )


def fuzz_page(client: Client, path: str, *, only_method: str | None = None) -> int:
    """Fuzz every form on `path`; returns how many forms were fuzzed."""
    forms = [f for f in forms_on(client, path) if only_method in (None, f["method"])]
    for form in forms:
        _fuzz_form(client, form)
    return len(forms)


def _fuzz_form(client: Client, form: dict) -> None:
    send = client.post if form["method"] == "post" else client.get

    @FUZZ
    @given(data=submissions(form))
    def run(data):
        response = send(form["action"], data)
        assert response.status_code < 500

    run()


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


# -- The public pages ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/challenges/", "/log/"])
def test_public_filters(stage_world, path):
    assert fuzz_page(Client(), path, only_method="get") >= 1


def test_challenge_list_and_log_query_strings(stage_world):
    """The parameters of the list, the log, the feed and the exports, sent by hand."""
    client = Client()
    keys = ["status", "neighbourhood", "task", "page", "date_from", "date_to", "overdue"]
    keys += ["after", "before", "size", "limit", "q"]
    params = st.dictionaries(st.sampled_from(keys), values, max_size=5)
    paths = st.sampled_from(
        ["/challenges/", "/log/", "/log/feed/", "/log/export.json", "/log/export.csv"]
    )

    @FUZZ
    @given(path=paths, query=params)
    def run(path, query):
        response = client.get(path, query)
        assert response.status_code < 500
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)

    run()


# -- A resident's forms --------------------------------------------------------------


def test_start_a_challenge(stage_world):
    client = login(Client(), stage_world.people["other_resident"])
    assert fuzz_page(client, "/challenges/new/", only_method="post") >= 1


@pytest.mark.parametrize("step", ["task", "plan", "budget", "team"])
def test_plan_steps(stage_world, step):
    draft = stage_world.challenges[Status.DRAFT.value]
    client = login(Client(), stage_world.people["initiator"])
    response = client.get(f"/challenges/{draft.pk}/plan/{step}/")
    if response.status_code == 404:
        pytest.skip(f"no plan step called {step!r}")
    assert fuzz_page(client, f"/challenges/{draft.pk}/plan/{step}/", only_method="post") >= 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED])
def test_challenge_page_forms_for_the_team(stage_world, status):
    """Invite, addition, submit, withdraw, follow: whatever the page offers the team."""
    challenge = stage_world.challenges[status.value]
    client = login(Client(), stage_world.people["initiator"])
    assert fuzz_page(client, f"/challenges/{challenge.pk}/") >= 1


def test_notification_preferences_and_list(stage_world):
    client = login(Client(), stage_world.people["initiator"])
    assert fuzz_page(client, "/notifications/preferences/") >= 1
    client.get("/notifications/")
    # The "mark as read" form of one notification, with any `next`.
    read = st.fixed_dictionaries({"next": values})

    @FUZZ
    @given(data=read, pk=st.integers(min_value=-5, max_value=10**12))
    def run(data, pk):
        response = client.post(f"/notifications/{pk}/read/", data)
        assert response.status_code < 500

    run()


# -- A reviewer's forms (in the admin) ------------------------------------------------


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.INTAKE, Status.ASSESSMENT])
@pytest.mark.parametrize("form", ["transition", "note", "change"])
def test_reviewer_admin_forms(stage_world, status, form):
    """The transition and note forms, and the change page with its assessment rows."""
    challenge = stage_world.challenges[status.value]
    client = login(Client(), stage_world.people["reviewer"])
    base = f"/admin/challenges/challenge/{challenge.pk}"
    path = f"{base}/change/" if form == "change" else f"{base}/{form}/"
    assert fuzz_page(client, path, only_method="post") >= 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED])
def test_attachments_page(stage_world, status, settings, tmp_path):
    """Adding an attachment, changing who may download it, deleting it (a draft)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from challenges import services
    from tests.core.upload_samples import pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    challenge = stage_world.fresh(status.value)
    initiator = stage_world.people["initiator"]
    services.attachment_upload(
        challenge=challenge,
        actor=initiator,
        file=SimpleUploadedFile("plan.pdf", pdf()),
        kind="plan",
        visibility="public",
    )
    client = login(Client(), initiator)
    path = f"/challenges/{challenge.pk}/attachments/"
    assert fuzz_page(client, path, only_method="post") >= 2


def test_neighbourhood_admin_geojson(stage_world):
    from challenges.models import Neighbourhood

    hood = Neighbourhood.objects.first()
    client = login(Client(), stage_world.people["superuser"])
    path = f"/admin/challenges/neighbourhood/{hood.pk}/change/"
    assert fuzz_page(client, path, only_method="post") >= 1


def test_resident_review_before_submitting(stage_world):
    draft = stage_world.challenges[Status.DRAFT.value]
    client = login(Client(), stage_world.people["initiator"])
    assert fuzz_page(client, f"/challenges/{draft.pk}/review/", only_method="post") >= 1


# -- The partnership workspace --------------------------------------------------------

WORKSPACE_PAGES = [
    "workspace/organisation/",
    "workspace/contact-persons/municipality/",
    "workspace/contact-persons/challenger/",
    "workspace/agreement/draft/",
    "workspace/milestones/new/",
    "workspace/knots/new/",
    "workspace/messages/new/",
    "workspace/documents/new/",
    # The sections whose page holds a form of their own.
    "workspace/messages/",
    "workspace/documents/",
]


# Not called "page": that is the browser fixture's name.
@pytest.mark.parametrize("subpage", WORKSPACE_PAGES)
def test_workspace_forms(stage_world, subpage):
    challenge = stage_world.challenges[Status.AGREEMENT.value]
    person = "coordinator" if "contact-persons/municipality" in subpage else "initiator"
    client = login(Client(), stage_world.people[person])
    path = f"/challenges/{challenge.pk}/{subpage}"
    if client.get(path).status_code != 200:
        pytest.skip(f"{path} is not offered to the {person} in this stage")
    assert fuzz_page(client, path, only_method="post") >= 1


# -- Meetings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "step"),
    [("initiator", "propose"), ("reviewer", "pick"), ("initiator", "cancel")],
)
def test_meeting_forms(stage_world, person, step):
    """The proposal form (five slots of date, start and end; place or link), the pick
    of a slot and the cancellation with its reason."""
    from meetings import services as meeting_services
    from tests.meetings.factories import propose

    challenge = stage_world.fresh(Status.INTAKE.value)
    client = login(Client(), stage_world.people[person])
    if step == "propose":
        assert fuzz_page(client, f"/challenges/{challenge.pk}/meetings/", only_method="post") >= 1
        return
    meeting = propose(challenge, stage_world.people["initiator"])
    if step == "cancel":
        meeting_services.meeting_pick(
            meeting=meeting, slot_id=meeting.slots.first().pk, actor=stage_world.people["reviewer"]
        )
    path = f"/challenges/{challenge.pk}/meetings/{meeting.pk}/"
    assert fuzz_page(client, path, only_method="post") >= 1


# -- The admin change lists ----------------------------------------------------------


def _changelists():
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        yield pytest.param(model, model_admin, id=label)


@pytest.mark.parametrize(("model", "model_admin"), list(_changelists()))
def test_admin_changelist_parameters(stage_world, model, model_admin):
    client = login(Client(), stage_world.people["superuser"])
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    keys = ["q", "o", "p", "e", "_facets", "all"]
    if model_admin.date_hierarchy:
        keys += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            keys += [entry, f"{entry}__exact", f"{entry}__id__exact", f"{entry}__isnull"]
        elif hasattr(entry, "parameter_name"):
            keys.append(entry.parameter_name)
    numbers = st.integers(min_value=-(10**6), max_value=10**6).map(str)
    params = st.dictionaries(st.sampled_from(keys), st.one_of(values, numbers), max_size=4)

    @FUZZ
    @given(query=params)
    def run(query):
        response = client.get(url, query)
        assert response.status_code < 500

    run()


# -- Support and public questions (community) -------------------------------------------


def _community_post(world):
    from community import services as community_services

    challenge = world.challenges[Status.INTAKE.value]
    supporter = world.people["other_resident"]
    asked = community_services.question_ask(
        challenge=challenge, actor=supporter, text="Wanneer begint het?"
    )
    community_services.question_answer(
        question=asked, actor=world.people["initiator"], text="In april."
    )
    return challenge, asked


def test_community_resident_forms(stage_world, settings):
    settings.COMMUNITY_RATE_LIMITS = {key: 0 for key in ("support", "ask", "report")}
    challenge, asked = _community_post(stage_world)
    client = login(Client(), stage_world.people["invitee"])
    base = f"/challenges/{challenge.pk}"
    assert fuzz_page(client, f"{base}/support/", only_method="post") >= 1
    assert fuzz_page(client, f"{base}/questions/ask/", only_method="post") >= 1
    assert fuzz_page(client, f"{base}/question/{asked.pk}/report/", only_method="post") >= 1
    answer = asked.answers.get()
    assert fuzz_page(client, f"{base}/answer/{answer.pk}/report/", only_method="post") >= 1


def test_community_team_and_staff_forms(stage_world, settings):
    from community import services as community_services

    settings.COMMUNITY_RATE_LIMITS = {key: 0 for key in ("answer", "message")}
    challenge, asked = _community_post(stage_world)
    supported = community_services.support_add(
        challenge=challenge, user=stage_world.people["invitee"], offer="Ik help"
    )
    team = login(Client(), stage_world.people["initiator"])
    base = f"/challenges/{challenge.pk}"
    assert fuzz_page(team, f"{base}/questions/{asked.pk}/answer/", only_method="post") >= 1
    assert fuzz_page(team, f"{base}/supporters/{supported.pk}/message/", only_method="post") >= 1
    staff = login(Client(), stage_world.people["reviewer"])
    assert fuzz_page(staff, f"{base}/question/{asked.pk}/hide/", only_method="post") >= 1


# -- The coordinator's dashboard, the statistics and the open data ---------------------


def test_dashboard_filters(stage_world):
    client = login(Client(), stage_world.people["coordinator"])
    assert fuzz_page(client, "/dashboard/", only_method="get") >= 1


def test_dashboard_csv_statistics_and_open_data_query_strings(stage_world):
    """The dashboard's CSV downloads with any filters; the public statistics and open
    data take no parameters and must ignore whatever they are sent."""
    client = login(Client(), stage_world.people["coordinator"])
    keys = ["neighbourhood", "task", "period", "page", "size", "after"]
    params = st.dictionaries(st.sampled_from(keys), values, max_size=4)
    paths = st.sampled_from(
        [
            "/dashboard/",
            "/dashboard/pipeline.csv",
            "/dashboard/lead-times.csv",
            "/dashboard/overdue.csv",
            "/dashboard/partnerships.csv",
            "/dashboard/silent.csv",
            "/statistics/",
            "/statistics/stages.csv",
            "/open-data/",
            "/open-data/challenges.csv",
            "/open-data/challenges.json",
            "/open-data/catalog.jsonld",
        ]
    )

    @FUZZ
    @given(path=paths, query=params)
    def run(path, query):
        response = client.get(path, query)
        assert response.status_code < 500
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)

    run()
