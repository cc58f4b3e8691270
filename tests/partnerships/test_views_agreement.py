"""The agreement through the workspace pages: drafted, proposed, signed with the digest
of the version read, and changed as a new version."""

from partnerships import selectors
from partnerships.constants import VersionStatus
from tests.challenges.factories import agreement_content
from tests.partnerships.helpers import url


def test_agreement_through_the_pages(client, in_agreement):
    p = in_agreement
    content = agreement_content()
    form = {
        **{k: v for k, v in content.items() if k != "evaluation_dates"},
        "evaluation_dates": "\n".join(d.isoformat() for d in content["evaluation_dates"]),
        "budget_amount": "95000,00",
        "budget_from_current_cost": "95000",
    }
    client.force_login(p.challenger)
    response = client.post(url("agreement-draft", p.challenge), {**form, "scope": ""})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    response = client.post(url("agreement-draft", p.challenge), form)
    assert response.status_code == 302
    assert response.url == url("agreement-version", p.challenge, number=1)
    assert client.post(url("agreement-propose", p.challenge, number=1)).status_code == 302
    version = selectors.current_version(p.challenge)
    assert version.status == VersionStatus.PROPOSED

    # The signature must be of exactly the version read.
    response = client.post(
        url("agreement-sign", p.challenge, number=1), {"digest": "0" * 64, "confirm": "on"}
    )
    assert response.status_code == 400
    assert not version.signatures.exists()
    for person in (p.challenger, p.municipality):
        client.force_login(person)
        page = client.get(url("agreement-version", p.challenge, number=1))
        assert version.digest in page.content.decode()
        response = client.post(
            url("agreement-sign", p.challenge, number=1),
            {"digest": version.digest, "confirm": "on"},
        )
        assert response.status_code == 302
    assert selectors.agreement_in_force(p.challenge).number == 1

    # A change: version 2 with its differences shown; version 1 cannot be signed.
    client.force_login(p.municipality)
    changed = {**form, "results": "Beeldkwaliteit A.", "change_note": "Hogere ambitie."}
    assert client.post(url("agreement-draft", p.challenge), changed).status_code == 302
    client.post(url("agreement-propose", p.challenge, number=2))
    page = client.get(url("agreement-version", p.challenge, number=2), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "What changed since version 1" in html
    assert "Beeldkwaliteit A." in html and "Hogere ambitie." in html
    old = client.get(url("agreement-version", p.challenge, number=1), HTTP_ACCEPT_LANGUAGE="en")
    assert "superseded by version 2" in old.content.decode()
    assert url("agreement-sign", p.challenge, number=1) not in old.content.decode()
