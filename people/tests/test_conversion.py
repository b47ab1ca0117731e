"""The conversion of the old free-text demographics to the lists (people.conversion,
migration people 0008): folded, synonyms, "prefer not to say", blanks, unknowns
kept as self-descriptions, staff networks as networks, and a report that counts
typed values without naming anyone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from people.attributes import default_lists_add, fold
from people.conversion import PREFER_NOT, convert, convert_value, network_names
from people.models import AttributeConversion

BEFORE = ("people", "0007_default_attribute_lists")
CONVERSION = ("people", "0008_convert_free_text_demographics")

GENDER_OPTIONS = {fold(label): label for label in ["Woman", "Man", "Non-binary"]}


@pytest.mark.parametrize(
    ("typed", "kind", "result"),
    [
        ("Woman", "option", "Woman"),
        ("woman ", "option", "Woman"),
        ("  FEMALE", "option", "Woman"),
        ("male", "option", "Man"),
        ("non binary", "option", "Non-binary"),
        ("Nonbinary", "option", "Non-binary"),
        ("enby", "option", "Non-binary"),
        ("Prefer not to say", "prefer_not", ""),
        ("prefer not", "prefer_not", ""),
        ("N/A", "prefer_not", ""),
        ("Two  spirit", "self_description", "Two spirit"),
    ],
)
def test_a_typed_gender_becomes_an_option_prefer_not_or_the_persons_words(typed, kind, result):
    outcome = convert_value("gender_identity", typed, GENDER_OPTIONS, True)
    assert (outcome.kind, outcome.result) == (kind, result)


def test_a_blank_is_no_answer_and_an_unknown_is_dropped_where_no_words_are_taken():
    assert convert_value("gender_identity", "   ", GENDER_OPTIONS, True) is None
    assert convert_value("disability", "sometimes", {"yes": "Yes", "no": "No"}, False).kind == "dropped"
    assert "prefer not to say" in PREFER_NOT


def test_a_network_box_may_name_several_networks_once_each():
    assert network_names("pride network; Women in Tech, PRIDE network ,") == ["Pride network", "Women in Tech"]
    assert network_names("n/a") == []


def _models(apps):
    return {
        "demographics_model": apps.get_model("people", "Demographics"),
        "attribute_model": apps.get_model("people", "Attribute"),
        "option_model": apps.get_model("people", "AttributeOption"),
        "answer_model": apps.get_model("people", "AttributeAnswer"),
        "network_model": apps.get_model("networks", "Network"),
        "membership_model": apps.get_model("networks", "NetworkMembership"),
        "report_model": apps.get_model("people", "AttributeConversion"),
    }


MESSY = {
    # email: (gender, ethnicity_group, disability, generation, staff_network)
    "alice": ("woman ", "asian", "yes", "gen_z", "pride network"),
    "bob": ("Woman", "Arab", "prefer_not", "", "Pride Network; Women in Tech"),
    "carol": ("FEMALE", " White  british", "", "boomer", ""),
    "dan": ("enby", "prefer not", "no", "millennial", "  "),
    "erin": ("", "", "", "", ""),
    "fay": ("n/a", "Mixed Race", "", "", "women in tech"),
    "gus": ("Two spirit", "black", "", "gen_x", ""),
}


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_messy_free_text_and_reports_each_conversion(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    User, Demographics = old.get_model("people", "User"), old.get_model("people", "Demographics")
    consented = timezone.now() - timezone.timedelta(days=400)
    users = {}
    for name, (gender, ethnicity, disability, generation, network) in MESSY.items():
        users[name] = User.objects.create(email=f"{name}@example.org", full_name=name.title())
        Demographics.objects.create(user=users[name], consented_at=consented, gender=gender,
                                    ethnicity_group=ethnicity, disability=disability, generation=generation,
                                    staff_network=network)  # fmt: skip
    # gus had already answered his gender on the new page: his answer stays.
    Attribute, Answer = old.get_model("people", "Attribute"), old.get_model("people", "AttributeAnswer")
    default_lists_add(Attribute, old.get_model("people", "AttributeOption"))
    gender = Attribute.objects.get(key="gender_identity")
    Answer.objects.create(user=users["gus"], attribute=gender, prefer_not_to_say=True, consented_at=consented)

    executor = MigrationExecutor(connection)
    executor.migrate([CONVERSION])
    printed = capsys.readouterr().out

    new = executor.loader.project_state([CONVERSION]).apps
    answers = {
        (a.user.full_name, a.attribute.key): (a.option.label if a.option_id else None, a.prefer_not_to_say,
                                              a.self_description, a.consented_at)
        for a in new.get_model("people", "AttributeAnswer").objects.select_related("user", "attribute", "option")
    }  # fmt: skip
    assert answers[("Alice", "gender_identity")] == ("Woman", False, "", consented)
    assert answers[("Bob", "gender_identity")][:3] == ("Woman", False, "")
    assert answers[("Carol", "gender_identity")][:3] == ("Woman", False, "")
    assert answers[("Dan", "gender_identity")][:3] == ("Non-binary", False, "")
    assert answers[("Fay", "gender_identity")][:3] == (None, True, "")
    assert answers[("Gus", "gender_identity")][:3] == (None, True, "")  # kept, not overwritten
    assert answers[("Alice", "ethnic_group")][:3] == ("Asian or Asian British", False, "")
    assert answers[("Bob", "ethnic_group")][:3] == (None, False, "Arab")
    assert answers[("Carol", "ethnic_group")][:3] == ("White", False, "")
    assert answers[("Dan", "ethnic_group")][:3] == (None, True, "")
    assert answers[("Fay", "ethnic_group")][:3] == ("Mixed or multiple ethnic groups", False, "")
    assert answers[("Alice", "disability")][:3] == ("Yes", False, "")
    assert answers[("Bob", "disability")][:3] == (None, True, "")
    assert answers[("Carol", "generation")][:3] == ("Baby boomer (1946-64)", False, "")
    assert answers[("Gus", "generation")][:3] == ("Generation X (1965-80)", False, "")
    assert not [key for key in answers if key[0] == "Erin"]  # blanks give no answer at all
    assert ("Bob", "generation") not in answers

    memberships = sorted(
        (m.network.name, m.user.full_name, m.visible_to_leads, m.consented_at)
        for m in new.get_model("networks", "NetworkMembership").objects.select_related("network", "user")
    )
    assert memberships == [
        ("Pride network", "Alice", False, consented), ("Pride network", "Bob", False, consented),
        ("Women in Tech", "Bob", False, consented), ("Women in Tech", "Fay", False, consented),
    ]  # fmt: skip
    assert not new.get_model("people", "Demographics").objects.exists()  # converted, then gone

    report = [str(line) for line in AttributeConversion.objects.all()]
    for line in [
        "gender: 'woman ' (1 person) -> Woman",
        "gender: 'FEMALE' (1 person) -> Woman",
        "gender: 'enby' (1 person) -> Non-binary",
        "gender: 'n/a' (1 person) -> Prefer not to say",
        "gender: 'Two spirit' (1 person) kept as a self-description",
        "ethnicity: 'Arab' (1 person) kept as a self-description",
        "disability: 'prefer_not' (1 person) -> Prefer not to say",
        "generation: 'gen_z' (1 person) -> Generation Z (1997-2012)",
        "staff network: 'pride network' (2 people) -> network “Pride network”",
        "staff network: 'women in tech' (2 people) -> network “Women in Tech”",
    ]:
        assert line in report
        assert line in printed
    for name in MESSY:  # counts and typed values only, never who
        assert name not in " ".join(report).lower().replace("women", "")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


DEMO_GENDERS = ["woman", "man", "non-binary"]
DEMO_ETHNICITY = ["Asian", "Black", "Mixed", "White", "Other"]
DEMO_GENERATIONS = ["gen_z", "millennial", "gen_x", "boomer"]
DEMO_NETWORKS = ["", "Women in Tech", "Pride network", "Disability network", "Race & ethnicity network"]


@pytest.mark.django_db(transaction=True)
def test_the_demos_old_values_all_land_on_the_lists():
    """The values the demo used to seed (demo/seed.py before issue 18): every one an option.
    Run with the models as they stood after the conversion, while the old table still existed."""
    executor = MigrationExecutor(connection)
    executor.migrate([CONVERSION])
    models = _models(executor.loader.project_state([CONVERSION]).apps)
    Attribute, AttributeOption = models["attribute_model"], models["option_model"]
    AttributeAnswer, Network = models["answer_model"], models["network_model"]
    Demographics, User = models["demographics_model"], Attribute._meta.apps.get_model("people", "User")
    default_lists_add(Attribute, AttributeOption)
    now = timezone.now()
    for i in range(20):
        Demographics.objects.create(
            user=User.objects.create(email=f"demo{i}@example.org"), consented_at=now, gender=DEMO_GENDERS[i % 3],
            ethnicity_group=DEMO_ETHNICITY[i % 5], disability=["no", "yes", "prefer_not"][i % 3],
            generation=DEMO_GENERATIONS[i % 4], staff_network=DEMO_NETWORKS[i % 5],
        )  # fmt: skip

    lines = convert(**models)

    assert not [line for line in lines if "self-description" in line or "dropped" in line]
    assert not AttributeAnswer.objects.exclude(self_description="").exists()
    assert AttributeAnswer.objects.filter(attribute__key="gender_identity", option__isnull=False).count() == 20
    assert AttributeAnswer.objects.filter(attribute__key="disability", prefer_not_to_say=True).count() == 6
    assert sorted(Network.objects.values_list("name", flat=True)) == sorted(DEMO_NETWORKS[1:])
    assert models["membership_model"].objects.count() == 16
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
