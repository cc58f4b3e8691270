"""Assigning and handing over a contact person through the workspace pages."""

from partnerships import selectors
from partnerships.constants import Side
from tests.partnerships.helpers import url


def test_assign_and_hand_over_through_the_pages(client, in_intake):
    p = in_intake
    client.force_login(p.municipality)
    page = url("contact-person", p.challenge, side="municipality")
    response = client.post(
        page, {"user": p.municipality.pk, "mandate": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Write down the mandate." in response.content.decode()
    response = client.post(page, {"user": p.municipality.pk, "mandate": "Planning."})
    assert response.status_code == 302
    response = client.post(
        page, {"user": p.colleague.pk, "mandate": "Alles.", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Say why the contact person changes." in response.content.decode()
    response = client.post(page, {"user": p.colleague.pk, "mandate": "Alles.", "reason": "Verlof."})
    assert response.status_code == 302
    active = selectors.active_contact_persons(p.challenge)[Side.MUNICIPALITY]
    assert active.user == p.colleague
    workspace = client.get(url("workspace", p.challenge)).content.decode()
    assert "Verlof." in workspace  # the history of contact persons is shown
