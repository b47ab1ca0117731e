"""Demo data for reverse mentoring across difference (issue #18): staff networks
with leads and members, two of them co-sponsoring the reverse programme, and
people put forward by a network and by a manager."""

import random
from datetime import timedelta

from django.utils import timezone

from networks.models import Network, NetworkMembership
from people.attributes import default_lists_add
from people.models import Attribute, AttributeAnswer, AttributeOption, User
from programmes.models import Nomination, Participant, Programme, ProgrammeAttribute

NETWORKS = {
    "Women in Tech": "Colleagues of every gender working for gender equality in technical roles.",
    "Pride network": "LGBTQ+ colleagues and allies.",
    "Disability network": "Disabled colleagues, colleagues with long-term conditions, carers and allies.",
    "Race & ethnicity network": "Colleagues working for race equality across the organisation.",
}
# Who answers what, roughly as in a real workforce; about half answer at all.
ANSWERS = {
    "gender_identity": [("Woman", 46), ("Man", 46), ("Non-binary", 3), (None, 5)],
    "sexual_orientation": [("Heterosexual or straight", 70), ("Bisexual", 6), ("Gay man", 5),
                           ("Gay woman or lesbian", 4), (None, 15)],
    "ethnic_group": [("White", 60), ("Asian or Asian British", 15), ("Black, Black British, Caribbean or African", 10),
                     ("Mixed or multiple ethnic groups", 6), ("Other ethnic group", 3), (None, 6)],
    "disability": [("No", 78), ("Yes", 14), (None, 8)],
    "generation": [("Generation Z (1997-2012)", 20), ("Millennial (1981-96)", 40), ("Generation X (1965-80)", 30),
                   ("Baby boomer (1946-64)", 10)],
    "caring": [("No", 60), ("Yes, for children", 28), ("Yes, for an adult", 6), ("Yes, for both", 3), (None, 3)],
    "first_generation": [("No", 70), ("Yes", 25), (None, 5)],
}  # fmt: skip


def seed_attribute_answers(rng: random.Random, people: list[User]) -> None:
    """About half the people describe themselves, each attribute consented on its own;
    None is "prefer not to say"."""
    default_lists_add(Attribute, AttributeOption)
    attributes = {a.key: a for a in Attribute.objects.prefetch_related("options")}
    now = timezone.now()
    for user in people:
        if rng.random() >= 0.5:
            continue
        for key, weighted in ANSWERS.items():
            if key not in attributes or rng.random() < 0.1:  # some questions left unanswered
                continue
            label = rng.choices([value for value, _ in weighted], weights=[w for _, w in weighted])[0]
            option = next((o for o in attributes[key].options.all() if o.label == label), None)
            AttributeAnswer.objects.update_or_create(
                user=user, attribute=attributes[key],
                defaults={"option": option, "prefer_not_to_say": option is None, "self_description": "",
                          "consented_at": now},
            )  # fmt: skip


def seed_networks(rng: random.Random, people: list[User]) -> dict[str, Network]:
    networks = {}
    for index, (name, description) in enumerate(NETWORKS.items()):
        network, _ = Network.objects.get_or_create(name=name, defaults={"description": description})
        network.leads.set([people[10 + index], people[40 + index]])
        networks[name] = network
        members = rng.sample(people, 14)
        for user in members:
            NetworkMembership.objects.get_or_create(
                network=network, user=user, defaults={"visible_to_leads": rng.random() < 0.6}
            )
    return networks


def seed_routes(rng: random.Random, reverse: Programme, people: list[User]) -> None:
    networks = seed_networks(rng, people)
    # Enrolment opened six weeks ago: HR's figures, which count up to the end of last
    # month, have the programme's applications to count.
    reverse.participants.update(applied_at=timezone.now() - timedelta(days=45))
    reverse.sponsor_networks.set([networks["Women in Tech"], networks["Race & ethnicity network"]])
    reverse.participant_kind_name = "Two-way mentoring"
    reverse.save(update_fields=["participant_kind_name"])
    attributes = {a.key: a for a in Attribute.objects.all()}
    for key, aim, weight in (("gender_identity", "differ", 5), ("ethnic_group", "differ", 5),
                             ("generation", "differ", 3)):  # fmt: skip
        ProgrammeAttribute.objects.get_or_create(
            programme=reverse, attribute=attributes[key], defaults={"aim": aim, "weight": weight}
        )
    now = timezone.now()
    ethnicity = networks["Race & ethnicity network"]
    # A network lead put a junior member forward as a mentor; she accepted and let the
    # coordinators see it.
    nominee = next(m.user for m in ethnicity.memberships.select_related("user") if m.visible_to_leads
                   and not m.user.participations.filter(programme=reverse).exists())  # fmt: skip
    participant, _ = Participant.objects.get_or_create(
        programme=reverse, user=nominee,
        defaults={"role": Participant.Role.MENTOR, "capacity": 1, "source": Participant.Source.NETWORK,
                  "source_network": ethnicity,
                  "motivation": "Our network asked me, and I'd like leaders to hear what it's like early on."},
    )  # fmt: skip
    lead = ethnicity.leads.first()
    Nomination.objects.get_or_create(
        programme=reverse, nominee=nominee, source=Nomination.Source.NETWORK,
        defaults={"network": ethnicity, "nominated_by": lead, "role": Participant.Role.MENTOR,
                  "note": "You'd be brilliant at this: leaders need to hear from people like you.",
                  "status": Nomination.Status.ACCEPTED, "share_with_coordinator": True, "tell_nominator": True,
                  "participant": participant, "created_at": now - timedelta(days=6),
                  "expires_at": now + timedelta(days=8), "decided_at": now - timedelta(days=4)},
    )  # fmt: skip


def seed_manager_nomination(programme: Programme, nominee: User) -> None:
    """The nominee's manager suggested the programme to them, as a mentor; they have not
    decided yet (so the demo's login sees "You were put forward")."""
    manager = nominee.profile.manager
    if manager is None or nominee.participations.filter(programme=programme).exists():
        return
    now = timezone.now()
    Nomination.objects.get_or_create(
        programme=programme, nominee=nominee, source=Nomination.Source.MANAGER, status=Nomination.Status.PENDING,
        defaults={"nominated_by": manager, "role": Participant.Role.MENTOR,
                  "note": "You made my first months here so much easier than they could have been: our new "
                  "joiners would love a buddy like you.",
                  "created_at": now - timedelta(days=1), "expires_at": now + timedelta(days=13)},
    )  # fmt: skip
