"""The home page leads each person to the circles open to them."""

from django.urls import reverse


def test_a_mentor_sees_the_mentors_circle_and_a_mentee_the_mentees_circle_once_open(
    client, programme, bob_mentor, alice_mentee, alice, bob, carol
):
    mentors = reverse("circles:circle", args=[programme.pk, "mentors"])
    mentees = reverse("circles:circle", args=[programme.pk, "mentees"])
    client.force_login(bob)
    assert mentors in client.get("/").content.decode()
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert mentees not in page and mentors not in page
    from circles.services import circle_open

    circle_open(programme=programme, by=carol)
    assert mentees in client.get("/").content.decode()
