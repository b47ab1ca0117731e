"""Self-description attributes: the organisation's controlled lists, and the one
rule by which two answers are compared.

Matching (how much a pair differs on the attributes a programme chose) and
reports (figures by attribute) read answers only through `answer_value` and
`answers_for_matching`, so that "prefer not to say" and a blank are never a
difference nor a sameness, and "Woman" and "woman " are one answer."""

from collections.abc import Iterable

# The lists a new installation starts with (data migration people 0006). Keys are
# stable; the organisation may reword labels, retire options and add its own.
# Ethnic groups follow the UK's 2021 census high-level scheme; an organisation
# elsewhere replaces them with its own country's scheme.
DEFAULT_ATTRIBUTES: list[dict] = [
    {
        "key": "gender_identity",
        "label": "Gender identity",
        "question": "How do you describe your gender?",
        "options": ["Woman", "Man", "Non-binary"],
        "self_description": True,
    },
    {
        "key": "sexual_orientation",
        "label": "Sexual orientation",
        "question": "How do you describe your sexual orientation?",
        "options": ["Bisexual", "Gay man", "Gay woman or lesbian", "Heterosexual or straight"],
        "self_description": True,
    },
    {
        "key": "ethnic_group",
        "label": "Ethnic group",
        "question": "What is your ethnic group?",
        "options": [
            "Asian or Asian British",
            "Black, Black British, Caribbean or African",
            "Mixed or multiple ethnic groups",
            "White",
            "Other ethnic group",
        ],
        "self_description": True,
    },
    {
        "key": "disability",
        "label": "Disability or long-term condition",
        "question": "Do you have a disability or a long-term physical or mental health condition?",
        "options": ["Yes", "No"],
        "self_description": False,
    },
    {
        "key": "generation",
        "label": "Generation",
        "question": "Which generation were you born into?",
        "options": [
            "Baby boomer (1946-64)",
            "Generation X (1965-80)",
            "Millennial (1981-96)",
            "Generation Z (1997-2012)",
        ],
        "self_description": False,
    },
    {
        "key": "caring",
        "label": "Caring responsibilities",
        "question": "Do you look after or give help to someone because of their age, illness or disability, or "
        "care for children?",
        "options": ["Yes, for children", "Yes, for an adult", "Yes, for both", "No"],
        "self_description": False,
    },
    {
        "key": "first_generation",
        "label": "First-generation professional",
        "question": "Are you the first in your family to work in a professional job or go to university?",
        "options": ["Yes", "No"],
        "self_description": False,
    },
]

PREFER_NOT_TO_SAY = "Prefer not to say"


def default_lists_add(attribute_model, option_model) -> None:
    """Add the default attributes that are missing, with their options. Takes the
    model classes so the data migration can pass its historical models; the demo
    and tests pass the real ones (a flushed test database has lost the rows the
    migration made)."""
    for position, spec in enumerate(DEFAULT_ATTRIBUTES):
        attribute, created = attribute_model.objects.get_or_create(
            key=spec["key"],
            defaults={
                "label": spec["label"],
                "question": spec["question"],
                "allows_self_description": spec["self_description"],
                "position": position,
            },
        )
        if created:
            option_model.objects.bulk_create(
                option_model(attribute=attribute, label=label, position=index)
                for index, label in enumerate(spec["options"])
            )


def fold(text: str | None) -> str:
    """Free text as compared: case and spacing folded ("  Woman " == "woman")."""
    return " ".join((text or "").split()).casefold()


def answer_value(*, option_id: int | None, prefer_not_to_say: bool, self_description: str) -> str | None:
    """The one value two answers are compared by, or None for no answer: "prefer
    not to say" and a blank say nothing, so they are never a difference nor a
    sameness. An option is its id; a self-description its folded text (services
    store a self-description that folds to an option's label as that option)."""
    if prefer_not_to_say:
        return None
    if option_id is not None:
        return f"option:{option_id}"
    text = fold(self_description)
    return f"self:{text}" if text else None


def answers_for_matching(user_ids: Iterable[int], attribute_keys: Iterable[str]) -> dict[int, dict[str, str | None]]:
    """{user id: {attribute key: comparable value or None}} for the consented
    answers of these people to these attributes, in one query. Someone who has
    not answered (or withdrew) has no entry for that attribute."""
    from .models import AttributeAnswer

    keys = list(attribute_keys)
    out: dict[int, dict[str, str | None]] = {}
    if not keys:
        return out
    rows = AttributeAnswer.objects.filter(
        user_id__in=list(user_ids), attribute__key__in=keys, attribute__is_active=True
    ).values_list("user_id", "attribute__key", "option_id", "prefer_not_to_say", "self_description")
    for user_id, key, option_id, prefer_not, text in rows:
        out.setdefault(user_id, {})[key] = answer_value(
            option_id=option_id, prefer_not_to_say=prefer_not, self_description=text
        )
    return out
