"""The programme's choice of attributes for matching: a coordinator's page listing
the organisation's active attributes, each "not used", "prefer pairs who differ"
or "prefer pairs who are alike" with a weight, saved as ProgrammeAttribute rows."""

import pytest
from django.urls import reverse

from people.attributes import default_lists_add
from people.models import Attribute, AttributeOption
from programmes import services as programme_services
from programmes.models import Programme, ProgrammeAttribute
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def attributes(db):
    default_lists_add(Attribute, AttributeOption)  # a flushed test database has lost them
    return {a.key: a for a in Attribute.objects.all()}


@pytest.fixture
def programme(carol, attributes):
    return make_programme(carol, status="running", kind="reverse")


def page(programme) -> str:
    return reverse("matching:attributes", args=[programme.pk])


def form_data(attributes, *, use=True, **aims) -> dict:
    """`aims`: key -> (aim, weight); every other attribute "not used"."""
    data = {"use": "on"} if use else {}
    for key, attribute in attributes.items():
        aim, weight = aims.get(key, ("", ""))
        data[f"aim_{attribute.pk}"], data[f"weight_{attribute.pk}"] = aim, weight
    return data


def chosen(programme) -> dict:
    rows = programme.matching_attributes.select_related("attribute")
    return {row.attribute.key: (row.aim, row.weight) for row in rows}


def test_the_page_lists_every_active_attribute_with_not_used_as_the_start(client, carol, programme, attributes):
    attributes["caring"].is_active = False
    attributes["caring"].save(update_fields=["is_active"])
    client.force_login(carol)
    html = client.get(page(programme)).content.decode()
    for key, attribute in attributes.items():
        assert (f'name="aim_{attribute.pk}"' in html) == (key != "caring"), key
    assert "Sexual orientation" in html and "Prefer pairs who are alike" in html
    assert "prefer not to say" in html.lower() and "never count" in html
    assert not programme.matching_attributes.exists(), "opening the page writes nothing"


def test_a_coordinator_chooses_attributes_aims_and_weights(client, carol, programme, attributes):
    client.force_login(carol)
    data = form_data(attributes, gender_identity=("differ", "8"), generation=("alike", "3"))
    response = client.post(page(programme), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("matching:console", args=[programme.pk])
    assert "the next run weighs 2 chosen attributes" in response.content.decode()
    assert chosen(programme) == {"gender_identity": ("differ", 8), "generation": ("alike", 3)}
    programme.refresh_from_db()
    assert programme.demographics_use == Programme.DemographicsUse.PREFER_DIFFERENCE

    # "Not used" takes an attribute out; a changed aim and weight are kept.
    client.post(page(programme), form_data(attributes, generation=("differ", "10")))
    assert chosen(programme) == {"generation": ("differ", 10)}


def test_using_attributes_with_none_chosen_is_refused_with_a_clear_message(client, carol, programme, attributes):
    client.force_login(carol)
    response = client.post(page(programme), form_data(attributes))
    assert response.status_code == 200
    assert "Choose at least one attribute for pairs to differ or be alike on" in response.content.decode()
    programme.refresh_from_db()
    assert not programme.uses_demographics and not programme.matching_attributes.exists()


@pytest.mark.parametrize("weight", ["0", "11", "2.5", "many"])
def test_a_weight_outside_1_to_10_is_refused_and_nothing_saved(client, carol, programme, attributes, weight):
    client.force_login(carol)
    response = client.post(page(programme), form_data(attributes, disability=("differ", weight)))
    assert response.status_code == 200 and response.context["form"].errors
    assert not programme.matching_attributes.exists()


def test_turning_attributes_off_keeps_nothing_weighed(client, carol, programme, attributes):
    client.force_login(carol)
    client.post(page(programme), form_data(attributes, disability=("differ", "5")))
    client.post(page(programme), form_data(attributes, use=False))
    programme.refresh_from_db()
    assert not programme.uses_demographics and chosen(programme) == {}


def test_the_console_warns_when_attributes_are_used_but_none_is_chosen(client, carol, programme, attributes):
    programme.demographics_use = Programme.DemographicsUse.PREFER_DIFFERENCE
    programme.save(update_fields=["demographics_use"])
    client.force_login(carol)
    console = reverse("matching:console", args=[programme.pk])
    assert 'id="no-attributes"' in client.get(console).content.decode()
    client.post(page(programme), form_data(attributes, gender_identity=("differ", "5")))
    html = client.get(console).content.decode()
    assert 'id="no-attributes"' not in html and page(programme) in html


def test_only_the_programmes_coordinators_and_staff_open_it(client, carol, programme, attributes):
    from people.tests.factories import UserFactory

    olga = UserFactory(email="olga@example.org", is_coordinator=True)
    make_programme(olga, name="Olga's")
    for user, status in ((olga, 404), (UserFactory(email="pat@example.org"), 404),
                         (UserFactory(email="sam@example.org", is_staff=True), 200)):  # fmt: skip
        client.force_login(user)
        assert client.get(page(programme)).status_code == status
        posted = client.post(page(programme), form_data(attributes, caring=("alike", "4")))
        assert posted.status_code == (404 if status == 404 else 302)
        if status == 404:
            assert chosen(programme) == {}, "an outsider's post saves nothing"
    assert chosen(programme) == {"caring": ("alike", 4)}


def test_running_the_programme_again_copies_its_attributes(carol, programme, attributes):
    ProgrammeAttribute.objects.create(programme=programme, attribute=attributes["disability"], aim="alike", weight=7)
    new = programme_services.programme_run_again(programme=programme, by=carol, cohort="Next year")
    assert chosen(new) == {"disability": ("alike", 7)}
    bare = programme_services.programme_run_again(programme=programme, by=carol, cohort="Bare", matching=False)
    assert chosen(bare) == {}
