"""Every relation that leads to a person is declared in privacy.coverage, so a
model added tomorrow with a foreign key to the user (or an enrolment, a pair, a
meeting) fails here until someone decides what the export and the erasure do
with it."""

from django.apps import apps
from django.conf import settings

from matching.models import Match
from privacy.coverage import COVERAGE, ERASURE_WORDS
from privacy.selectors import person_data
from programmes.models import Participant
from sessions_log.models import Meeting


def installed(key: str) -> bool:
    app_label, model_name, _field = key.split(".")
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


DECLARED = {key: covered for key, covered in COVERAGE.items() if installed(key)}


def person_relations() -> set[str]:
    targets = {apps.get_model(settings.AUTH_USER_MODEL), Participant, Match, Meeting}
    found = set()
    for model in apps.get_models(include_auto_created=False):
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in targets:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_relation_to_a_person_is_declared():
    missing = sorted(person_relations() - set(DECLARED))
    assert not missing, (
        "These relations lead to a person but privacy.coverage does not say what the export and the "
        f"erasure do with them: {missing}. Add them to privacy/coverage.py (and to the export and person_erase)."
    )


def test_nothing_is_declared_that_no_longer_exists():
    assert sorted(set(DECLARED) - person_relations()) == []


def test_each_declared_section_is_in_the_export_and_each_erasure_is_a_known_word(alice):
    sections = set(person_data(alice))
    for key, covered in DECLARED.items():
        assert covered.erasure in ERASURE_WORDS, key
        if covered.export:
            assert covered.export in sections, f"{key}: no section {covered.export!r} in the export"
        else:
            assert covered.why, f"{key} is left out of the export without saying why"


def test_the_user_model_itself_is_watched():
    """A field added to the user (a phone number) would need handling too: the
    fields erasure rewrites or keeps are all the user has."""
    handled = {"id", "password", "last_login", "is_superuser", "email", "full_name", "is_active", "is_staff",
               "is_coordinator", "is_hr", "is_guest", "date_joined", "groups", "user_permissions"}  # fmt: skip
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    fields = {field.name for field in user_model._meta.get_fields() if field.concrete}
    assert fields == handled
