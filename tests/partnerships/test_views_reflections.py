"""The reflections page hides the other side's answers until both sides answered."""

from partnerships import services
from tests.partnerships.helpers import url


def test_reflections_page_hides_the_other_side_until_both_answered(client, in_execution):
    p = in_execution
    round_ = services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Nu.")
    answer = {
        "right_things": "2",
        "right_things_comment": "GEHEIM-VAN-DE-UITDAGER",
        "doing_right": "3",
        "doing_right_comment": "Redelijk.",
        "together": "4",
        "together_comment": "Goed.",
    }
    client.force_login(p.challenger)
    response = client.post(url("reflection-answer", p.challenge, round_id=round_.pk), answer)
    assert response.status_code == 302
    assert "GEHEIM-VAN-DE-UITDAGER" in client.get(url("reflections", p.challenge)).content.decode()

    client.force_login(p.municipality)
    for page in ("reflections", "workspace"):
        html = client.get(url(page, p.challenge)).content.decode()
        assert "GEHEIM-VAN-DE-UITDAGER" not in html, page
    response = client.post(
        url("reflection-answer", p.challenge, round_id=round_.pk),
        {**answer, "right_things_comment": "Van de gemeente."},
    )
    assert response.status_code == 302
    html = client.get(url("reflections", p.challenge), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "GEHEIM-VAN-DE-UITDAGER" in html and "Van de gemeente." in html
    # The trend: an SVG image with a title and description, and a table behind it.
    assert html.count('role="img"') == 3
    assert "<title id=" in html and "<desc id=" in html
    assert "The scores behind the charts" in html
