"""Converting the old free-text demographics (people.Demographics) to the
controlled lists, once, with a report of what was done.

Used by the data migration people 0008 with its historical models, and by the
tests with the same code: every function takes the model classes it needs.

Each typed value is folded (case and spacing, people.attributes.fold), looked
up in the attribute's options and then in a small table of synonyms; "prefer not
to say" in its usual spellings becomes that answer; a blank gives no answer at
all; anything else is kept as the person's self-description where the question
takes one, and otherwise dropped (and reported). Staff networks become
networks.Network rows (one per folded name) with a membership that leads cannot
see until the person says so (visible_to_leads False).

The report aggregates: one line per field and typed value with the number of
people, never who they were."""

from collections import Counter
from dataclasses import dataclass

from .attributes import default_lists_add, fold

# Folded spellings that mean "prefer not to say" (for every field).
PREFER_NOT = {
    "prefer not to say", "prefer not", "prefer_not", "prefer-not", "rather not say", "rather not", "n/a", "na",
    "not stated", "not disclosed", "undisclosed", "decline", "declined", "declined to say", "pnts", "-",
}  # fmt: skip

# Folded synonyms per attribute key -> the default option label they mean.
SYNONYMS: dict[str, dict[str, str]] = {
    "gender_identity": {
        **dict.fromkeys(["female", "woman", "women", "f", "w", "cis woman", "trans woman", "lady"], "Woman"),
        **dict.fromkeys(["male", "man", "men", "m", "cis man", "trans man"], "Man"),
        **dict.fromkeys(
            ["non binary", "nonbinary", "non-binary", "enby", "nb", "genderqueer", "agender", "genderfluid"],
            "Non-binary",
        ),
    },
    "ethnic_group": {
        **dict.fromkeys(
            [
                "asian",
                "asian british",
                "british asian",
                "indian",
                "pakistani",
                "bangladeshi",
                "chinese",
                "south asian",
                "east asian",
            ],
            "Asian or Asian British",
        ),
        **dict.fromkeys(
            ["black", "black british", "british black", "african", "caribbean", "black african", "black caribbean"],
            "Black, Black British, Caribbean or African",
        ),
        **dict.fromkeys(
            ["mixed", "mixed race", "mixed-race", "multiple", "mixed or multiple", "dual heritage", "biracial"],
            "Mixed or multiple ethnic groups",
        ),
        **dict.fromkeys(["white", "white british", "white irish", "white other", "caucasian"], "White"),
        **dict.fromkeys(["other", "other ethnic group", "any other"], "Other ethnic group"),
    },
    "disability": {"yes": "Yes", "y": "Yes", "no": "No", "n": "No", "none": "No"},
    "generation": {
        "boomer": "Baby boomer (1946-64)",
        "baby boomer": "Baby boomer (1946-64)",
        "gen_x": "Generation X (1965-80)",
        "gen x": "Generation X (1965-80)",
        "generation x": "Generation X (1965-80)",
        "millennial": "Millennial (1981-96)",
        "gen y": "Millennial (1981-96)",
        "gen_z": "Generation Z (1997-2012)",
        "gen z": "Generation Z (1997-2012)",
        "generation z": "Generation Z (1997-2012)",
    },
}

# Old field -> (attribute key, the name the report calls the field).
FIELDS = {
    "gender": ("gender_identity", "gender"),
    "ethnicity_group": ("ethnic_group", "ethnicity"),
    "disability": ("disability", "disability"),
    "generation": ("generation", "generation"),
}
NETWORK_FIELD = "staff network"

SELF_DESCRIPTION_MAX = 120


@dataclass(frozen=True)
class Outcome:
    """What one typed value became: kind is option, prefer_not, self_description,
    dropped or network; result is the option label, network name or text kept."""

    kind: str
    result: str = ""


def convert_value(key: str, typed: str, options: dict[str, str], allows_self_description: bool) -> Outcome | None:
    """What `typed` becomes for attribute `key`, given its options {folded label:
    label}. None for a blank (no answer)."""
    folded = fold(typed)
    if not folded:
        return None
    if folded in PREFER_NOT:
        return Outcome("prefer_not")
    if folded in options:
        return Outcome("option", options[folded])
    synonym = SYNONYMS.get(key, {}).get(folded)
    if synonym is not None and fold(synonym) in options:
        return Outcome("option", options[fold(synonym)])
    if allows_self_description:
        return Outcome("self_description", " ".join(typed.split())[:SELF_DESCRIPTION_MAX])
    return Outcome("dropped")


def network_names(typed: str) -> list[str]:
    """The networks in a staff-network box ("Pride; Women in Tech" is two), each
    with its spacing folded and its first letter capitalised."""
    names = []
    for part in typed.replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and fold(name) not in PREFER_NOT and fold(name) not in {fold(n) for n in names}:
            names.append(name[0].upper() + name[1:])
    return names


def describe(field: str, typed: str, people: int, kind: str, result: str) -> str:
    """One line of the report, e.g. "gender: 'woman ' (3 people) -> Woman"."""
    who = f"{typed!r} ({people} {'person' if people == 1 else 'people'})"
    if kind == "option":
        return f"{field}: {who} -> {result}"
    if kind == "prefer_not":
        return f"{field}: {who} -> Prefer not to say"
    if kind == "self_description":
        return f"{field}: {who} kept as a self-description"
    if kind == "network":
        return f"{field}: {who} -> network “{result}”"
    return f"{field}: {who} dropped: not on the list, and this question takes no self-description"


def convert(
    *,
    demographics_model,
    attribute_model,
    option_model,
    answer_model,
    network_model,
    membership_model,
    report_model,
    delete_converted: bool = True,
) -> list[str]:
    """Convert every old row; store and return the report's lines. An answer or
    membership the person already has is left as it is. The old rows are deleted
    once converted (their values now live in the answers), unless told not to."""
    default_lists_add(attribute_model, option_model)
    attributes = {a.key: a for a in attribute_model.objects.filter(key__in=[k for k, _ in FIELDS.values()])}
    options: dict[str, dict[str, object]] = {key: {} for key in attributes}
    for option in option_model.objects.filter(attribute__in=attributes.values(), is_active=True):
        options[attributes_key(attributes, option.attribute_id)][fold(option.label)] = option
    networks = {fold(n.name): n for n in network_model.objects.all()}
    answered = set(answer_model.objects.values_list("user_id", "attribute_id"))
    members = set(membership_model.objects.values_list("user_id", "network_id"))

    tally: Counter = Counter()
    answers = []
    rows = list(demographics_model.objects.order_by("pk"))
    for row in rows:
        for name, (key, field) in FIELDS.items():
            attribute = attributes.get(key)
            typed = getattr(row, name) or ""
            if attribute is None:
                continue
            labels = {folded: option.label for folded, option in options[key].items()}
            outcome = convert_value(key, typed, labels, attribute.allows_self_description)
            if outcome is None:
                continue
            tally[(field, typed, outcome.kind, outcome.result)] += 1
            if outcome.kind == "dropped" or (row.user_id, attribute.pk) in answered:
                continue
            answered.add((row.user_id, attribute.pk))
            answers.append(
                answer_model(
                    user_id=row.user_id,
                    attribute=attribute,
                    consented_at=row.consented_at,
                    option=options[key][fold(outcome.result)] if outcome.kind == "option" else None,
                    prefer_not_to_say=outcome.kind == "prefer_not",
                    self_description=outcome.result if outcome.kind == "self_description" else "",
                )
            )
        for name in network_names(row.staff_network or ""):
            network = networks.get(fold(name))
            if network is None:
                network = networks[fold(name)] = network_model.objects.create(name=name)
            tally[(NETWORK_FIELD, fold(name), "network", network.name)] += 1
            if (row.user_id, network.pk) not in members:
                members.add((row.user_id, network.pk))
                membership_model.objects.create(
                    network=network, user_id=row.user_id, consented_at=row.consented_at, visible_to_leads=False
                )
    answer_model.objects.bulk_create(answers)

    lines = []
    reports = []
    for position, ((field, typed, kind, result), people) in enumerate(sorted(tally.items())):
        lines.append(describe(field, typed, people, kind, result))
        reports.append(
            report_model(
                position=position, field=field, typed=typed[:200], people=people, outcome=kind, result=result[:200]
            )
        )
    report_model.objects.bulk_create(reports)
    if delete_converted and rows:
        demographics_model.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return lines


def attributes_key(attributes: dict, attribute_id: int) -> str:
    return next(key for key, attribute in attributes.items() if attribute.pk == attribute_id)
