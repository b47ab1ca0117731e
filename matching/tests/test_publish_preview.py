"""Publishing asks first (issue 22: "Publish N matches" mailed everyone at once, with
no preview, even for a draft programme). The page says how many people get a mail,
shows one of the mails exactly as it will be sent, and refuses a draft."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from matching import services
from matching.models import Match, MatchRun, Proposal
from matching.services import MatchingError
from matching.tests.factories import make_trio, run_matching
from programmes.models import Programme
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(carol):
    programme = make_programme(carol, status="running")
    make_trio(programme)
    return run_matching(programme, carol)


def publish_url(run: MatchRun) -> str:
    return reverse("matching:publish", args=[run.programme_id, run.pk])


def publish_button(page: str) -> str:
    """The confirmation's button: "disabled" when publishing is refused."""
    return re.search(r'<button type="submit" class="btn btn-success"( disabled)?>Publish[^<]*</button>', page)[0]


def test_the_run_page_leads_to_the_summary_instead_of_publishing(client, ready, carol):
    client.force_login(carol)

    page = client.get(ready.get_absolute_url()).content.decode()

    assert f'<a class="btn btn-sm btn-success" href="{publish_url(ready)}">Publish 3 matches…</a>' in page
    assert f'action="{publish_url(ready)}"' not in page


def test_the_summary_counts_who_is_mailed_and_shows_one_mail_as_it_will_be_sent(
    client, ready, carol, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    response = client.get(publish_url(ready))

    assert response.status_code == 200
    page = response.content.decode()
    preview = response.context["preview"]
    assert (preview.matches, preview.mentees, preview.mentors, preview.mails) == (3, 3, 3, 6)
    assert "<strong>6</strong> mails go out at once" in page
    # The first mentee by name: Ravi, proposed with Maya.
    ravi = Proposal.objects.get(mentee__user__full_name="Ravi Rao").mentee.user
    assert preview.sample_to == f"Ravi Rao <{ravi.email}>"
    assert "You have a mentor in Mentoring: Maya Lind" in preview.sample_subject
    assert "Hello Ravi," in page and "You are matched with Maya Lind" in page
    assert "The mentor offers skills in the topic the mentee wants help with: Negotiation".lower() in page.lower()
    assert publish_button(page).endswith(">Publish 3 matches and send 6 mails</button>")
    assert "disabled" not in publish_button(page)
    assert not mail.outbox and ready.proposals.count() == 3 and not Match.objects.exists()  # a look changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(publish_url(ready), {"matches": "3"}, follow=True)

    assert "Published 3 matches" in done.content.decode()
    sent = next(m for m in mail.outbox if m.to == [ravi.email])
    assert (sent.subject, sent.body) == (preview.sample_subject, preview.sample_body)


def test_a_draft_programme_is_not_published_and_the_summary_says_why(client, carol):
    programme = make_programme(carol, status="draft")
    make_trio(programme)
    run = run_matching(programme, carol)
    client.force_login(carol)

    page = client.get(publish_url(run)).content.decode()

    assert "This programme is still a draft" in page and 'id="publish-refused"' in page
    assert " disabled>Publish 3 matches and send 6 mails<" in publish_button(page)
    refused = client.post(publish_url(run), {"matches": "3"}, follow=True).content.decode()
    assert "Nothing was published. This programme is still a draft" in refused
    with pytest.raises(MatchingError, match="still a draft"):
        services.match_run_publish(run=run, by=carol)
    assert not Match.objects.exists() and not mail.outbox
    assert MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.READY

    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.OPEN)
    assert len(services.match_run_publish(run=run, by=carol)) == 3


def test_a_summary_that_went_stale_publishes_nothing(client, ready, carol):
    client.force_login(carol)
    services.proposal_remove(run=ready, proposal=ready.proposals.first(), by=carol)  # meanwhile, in another tab

    response = client.post(publish_url(ready), {"matches": "3"}, follow=True)

    assert "the proposals changed since this summary" in response.content.decode()
    assert response.redirect_chain[-1][0] == publish_url(ready)
    assert not Match.objects.exists()


def test_a_run_already_published_has_no_summary(client, ready, carol):
    services.match_run_publish(run=ready, by=carol)
    client.force_login(carol)

    response = client.get(publish_url(ready), follow=True)

    assert response.redirect_chain[-1][0] == ready.get_absolute_url()
    assert "This run is published; there is nothing to publish." in response.content.decode()
