"""Who may open every URL of the project: a small world, and one row per URL.

`test_every_url.py` requests each row's URL as each role and compares the
status with the row; `test_fuzz_forms.py` finds the forms through the same
rows and fuzzes them as the row's rightful user. A meta-test fails when a URL
pattern has no row, so a URL added later without its permission row breaks CI.

The roles (ROLES):

    anonymous           nobody signed in
    participant         alice: mentee in P1, paired with bob (pair_a)
    other_pair          dan: mentee in P1, paired with erin (pair_b)
    other_coordinator   olga: coordinates P2 only
    hr                  hana: HR viewer
    staff               sam: staff and superuser
    coordinator         carol: coordinates P1 and P3 (the programmes of the rows)
    owner               the row's rightful user (`owner=`, alice unless said)

Expected statuses: an int (200, 302, 400, 403, 404, 405) or LOGIN (302 to the
sign-in page). Outsiders get 404, never 403, so nothing leaks; a member who
may read but not change gets 403; POST-only views answer GET with 405.

Adding a row is one line in ROWS:

    Row("app:name", "pair_a goal_a", PAIR_ONLY, post=PAIR_ONLY),

- `args`: the URL's arguments, space-separated, as names of World attributes
  (their `.pk` is used for model instances, the value itself for strings such
  as tokens); a word starting with "=" is a literal ("=mentors").
- `get`/`post`: a profile (a dict role -> status) for each method, made from
  the bases below with `|`, e.g. `COORDINATORS | {"hr": 200}`. `post=None`:
  the row is only requested with GET. POST rows send `data` (empty unless
  given) and are rolled back, like every request of the table.
- `owner`: the World attribute of the user the row belongs to (when it is one
  of the role users, carol say, the row is checked under that role instead).
- `query`: a query string; "{p2}" in it is the pk of the World attribute p2.
- `variant`: a second row for the same URL (another object, a bad token, an
  object of another tenant mixed into the URL).

Admin URLs (`admin/`) are covered by a rule over all of them (ADMIN_ROLES),
allauth's (`accounts/`) by another (ACCOUNT_ARGS gives arguments for the ones
that take any); neither needs rows.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

LOGIN = "login"

ROLES = ("anonymous", "participant", "other_pair", "other_coordinator", "hr", "staff", "coordinator", "owner")
ROLE_USERS = {
    "participant": "alice",
    "other_pair": "dan",
    "other_coordinator": "olga",
    "hr": "hana",
    "staff": "sam",
    "coordinator": "carol",
}


def everyone(status, *, anonymous=LOGIN) -> dict:
    return dict.fromkeys(ROLES, status) | {"anonymous": anonymous}


def allowed(profile: dict, status) -> dict:
    """The same profile with every allowed role (200) answering `status`: the
    POST twin of a page's GET profile."""
    return {role: (status if value == 200 else value) for role, value in profile.items()}


# -- the bases -----------------------------------------------------------------
SIGNED_IN = everyone(200)
PUBLIC = everyone(200, anonymous=200)
# A pair's page: its two people and the coordinators of its programme (staff count as coordinators).
PAIR = everyone(404) | {"participant": 200, "staff": 200, "coordinator": 200, "owner": 200}
# What only the pair changes: coordinators read the workspace but get 403 here.
PAIR_ONLY = PAIR | {"staff": 403, "coordinator": 403}
# The programme's coordinators (and staff); everyone else 404.
COORDINATORS = everyone(404) | {"staff": 200, "coordinator": 200, "owner": 200}
# Members of P1 (participants in any pair, coordinators); others 404.
MEMBERS = everyone(404) | {"participant": 200, "other_pair": 200, "staff": 200, "coordinator": 200, "owner": 200}
REPORTS = everyone(404) | {"hr": 200, "staff": 200, "owner": 200}
# Signed-in users reach a POST-only view's check of the method before anything else.
POST_ONLY = everyone(405)
# Staff's own pages (the audit log, erasures, webhooks); everyone else 404.
STAFF = everyone(404) | {"staff": 200}
STAFF_ACT = everyone(404) | {"staff": 302}


@dataclass(frozen=True)
class Row:
    name: str
    args: str = ""
    get: dict = field(default_factory=lambda: POST_ONLY)
    post: dict | None = None
    owner: str = "alice"
    data: dict = field(default_factory=dict)
    variant: str = ""
    query: str = ""
    fuzz_as: str = ""  # the role whose input test_fuzz_forms.py generates (default: the first one allowed)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def url(self, world) -> str:
        args = []
        for word in self.args.split():
            if word.startswith("="):
                args.append(word[1:])
            else:
                value = getattr(world, word)
                args.append(value if isinstance(value, str | int) else value.pk)
        url = reverse(self.name, args=args)
        if not self.query:
            return url
        # "{p2}" in a query string is the pk of the World attribute p2.
        names = {name: getattr(world, name).pk for name in re.findall(r"{(\w+)}", self.query)}
        return f"{url}?{self.query.format(**names)}"


def coord(name: str, args: str = "p1", get: dict = COORDINATORS, post: dict | None = None, **kw) -> Row:
    """A coordinator's page of P1 (or P3); carol is its rightful user."""
    return Row(name, args, get, post, owner=kw.pop("owner", "carol"), **kw)


def coord_post(name: str, args: str = "p1", status=302, **kw) -> Row:
    """A coordinator's POST-only action."""
    return coord(name, args, POST_ONLY, allowed(COORDINATORS, status), **kw)


def mixed(row: Row, args: str, **overrides) -> Row:
    """The row's URL with an object of another pair or programme mixed in: everyone
    the row lets in gets 404 instead (a member refused before the object is looked
    up keeps their 403)."""

    def refused(profile: dict | None, extra: dict) -> dict | None:
        if profile is None:
            return None
        return {role: (404 if value in (200, 302, 400) else value) for role, value in profile.items()} | extra

    get, post = refused(row.get, {} if row.post else overrides), refused(row.post, overrides)
    return Row(row.name, args, get, post, owner=row.owner, variant=f"other tenant: {args}")


# -- the rows ------------------------------------------------------------------

# fmt: off
_goal_edit = Row("sessions_log:goal_edit", "pair_a goal_a", PAIR_ONLY, post=PAIR_ONLY)
_meeting_edit = Row("sessions_log:meeting_reschedule", "pair_a meeting_a_next", PAIR_ONLY, post=PAIR_ONLY)
_action_done = Row("sessions_log:action_done", "pair_a action_a", post=allowed(PAIR_ONLY, 302))
# bob signs alice's proposal (alice, who signed it, is told so and sent back: 302 too)
_agreement_sign = Row("sessions_log:agreement_sign", "pair_a agreement_a", post=allowed(PAIR_ONLY, 302), owner="bob")
_participant = coord("programmes:participant", "p1 finn_p1")
_decide = coord_post("programmes:participant_decide", "p1 finn_p1")
_roster_preview = coord("programmes:roster_preview", "p1 roster_1")
_roster_apply = coord_post("programmes:roster_apply", "p1 roster_1")
_run = coord("matching:run", "p1 run_1")
_lock = coord_post("matching:lock", "p1 run_1 proposal_1")
_rule_remove = coord_post("matching:rule_remove", "p1 rule_1")
_health_pair = coord("engagement:pair", "p1 pair_a")
# resource_1 is bob's: he, P1's coordinators and staff change it; mentees of P1 get 403.
_resource_edit = Row("sessions_log:resource_edit", "p1 resource_1",
                     MEMBERS | {"participant": 403, "other_pair": 403}, owner="bob")
# resource_3 is carol's: erin, a mentor of P1 but not its author, gets 403.
_resource_not_theirs = MEMBERS | {"participant": 403, "other_pair": 403, "owner": 403}
# Booking slot_free of P3 (dropin:book): its approved mentees, alice and dan; nobody else sees it.
_slot_book = Row("dropin:book", "slot_free", everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200},
                 post=everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200})
# alice's booking with bob (private: its two people only, not even staff).
_BOOKER = everyone(404) | {"participant": 200, "owner": 200}
# The mentors' post of P1 (by bob): mentors read it, mentees of P1 do not.
_MENTORS_CIRCLE = everyone(404) | {"staff": 200, "coordinator": 200, "owner": 200}
_MODERATE = everyone(404) | {"staff": 302, "coordinator": 302, "owner": 403}
# A pair's private thread: its two people only.
_PAIR_THREAD = everyone(404) | {"participant": 200, "owner": 200}

ROWS: list[Row] = [
    Row("home", "", PUBLIC),
    # people
    Row("people:profile_edit", "", SIGNED_IN, post=SIGNED_IN),
    # How you describe yourself: one form per attribute, each with its own consent (an empty
    # POST: the form's errors); withdrawing one or all answers the signed-in person's own only.
    Row("people:demographics", "", SIGNED_IN),
    Row("people:demographics_withdraw", "", post=everyone(302)),
    Row("people:attribute_answer", "=gender_identity", post=SIGNED_IN),
    Row("people:attribute_answer", "=no-such-question", post=everyone(404), variant="no such question"),
    Row("people:attribute_withdraw", "=gender_identity", post=everyone(302)),
    # The organisation's self-description lists: staff only; refusals are a message and a redirect.
    Row("people:attributes", "", STAFF, owner="sam"),
    Row("people:attribute_edit", "attribute", STAFF, post=STAFF, owner="sam"),
    Row("people:attribute_option_add", "attribute", post=STAFF_ACT, owner="sam"),
    Row("people:attribute_option_rename", "attribute_option", post=STAFF_ACT, owner="sam"),
    Row("people:attribute_option_active", "attribute_option", post=STAFF_ACT, owner="sam"),
    Row("people:attribute_option_move", "attribute_option", post=STAFF_ACT, owner="sam"),
    Row("people:tags", "", everyone(404) | {"other_coordinator": 200, "staff": 200, "coordinator": 200},
        post=everyone(404) | {"other_coordinator": 400, "staff": 400, "coordinator": 400}, owner="carol"),
    # Staff give and take away roles; for everyone else the page does not exist. An empty
    # POST names nobody: it answers with a message, changing nothing.
    Row("people:roles", "", everyone(404) | {"staff": 200}, post=everyone(404) | {"staff": 302}, owner="sam"),
    Row("people:profile", "alice", PAIR),
    Row("people:profile", "dan", PAIR | {"participant": 404, "other_pair": 200, "owner": 404}, variant="dan"),
    # The same address, served first by mentoring.views.person_profile: alice's mentor bob is sent to her card.
    Row("person_profile", "alice", PAIR),
    Row("person_profile", "alice", PAIR | {"owner": 302}, owner="bob", variant="her mentor: to her card"),
    # programmes
    Row("programmes:list", "", SIGNED_IN),
    Row("programmes:create", "", everyone(403) | {"other_coordinator": 200, "staff": 200, "coordinator": 200},
        post=everyone(403) | {"other_coordinator": 200, "staff": 200, "coordinator": 200}, owner="carol"),
    Row("programmes:drop_in_open", "", POST_ONLY,
        post=everyone(403) | {"other_coordinator": 302, "staff": 302, "coordinator": 302}, owner="carol"),
    Row("programmes:detail", "p1", MEMBERS),
    Row("programmes:detail", "p_open", SIGNED_IN, variant="open for enrolment"),
    coord("programmes:edit", post=COORDINATORS),
    # the programme's guides: its people read them, its coordinators edit them
    Row("programmes:guides", "p1", MEMBERS),
    Row("programmes:guide", "p1 =asking-questions", MEMBERS),
    Row("programmes:guide", "p1 =no-such-guide", everyone(404), variant="no such guide"),
    coord("programmes:guide_edit", "p1 =asking-questions", post=COORDINATORS),
    coord_post("programmes:status"),
    coord("programmes:close", post=allowed(COORDINATORS, 302)),
    coord_post("programmes:reopen"),
    # run it again: the form (GET), and an empty POST answered with the form's errors (docs/cohorts.md)
    coord("cohorts:run_again", post=COORDINATORS),
    Row("programmes:apply", "p1", allowed(MEMBERS, 302), post=allowed(MEMBERS, 302)),
    Row("programmes:apply", "p_open", SIGNED_IN, post=SIGNED_IN, variant="open for enrolment"),
    Row("programmes:withdraw", "p1", post=everyone(404) | {"participant": 302, "other_pair": 302, "owner": 302}),
    coord("programmes:participants"),
    _participant,
    mixed(_participant, "p1 otto_p2"),
    _decide,
    mixed(_decide, "p1 otto_p2"),
    coord_post("programmes:participant_decide", "p1 finn_p1", data={"next": "0", "status": "waitlisted"},
               variant="next is a word"),
    coord("programmes:coordinators", post=COORDINATORS),
    coord_post("programmes:coordinator_remove", "p1 cody"),
    coord("programmes:invite", post=COORDINATORS),
    # guests from outside (programmes.guests): P1's coordinators invite them (an empty POST: the form's errors)
    coord("programmes:guests", post=COORDINATORS),
    # a new joiner's way out: a page with one button, for anyone who may open the programme (P1 is running)
    Row("programmes:opt_out", "p1", MEMBERS, post=None),
    Row("programmes:opt_out", "p_open", SIGNED_IN, post=None, variant="open for enrolment"),
    # gwen, a guest of P2: her own programme, but none of the organisation's others, nor its directory
    Row("programmes:detail", "p2", everyone(404) | {"other_coordinator": 200, "staff": 200, "owner": 200},
        owner="gwen", variant="a guest: her programme"),
    Row("programmes:detail", "p_open", SIGNED_IN | {"owner": 404}, owner="gwen", variant="a guest: another programme"),
    Row("programmes:opt_out", "p_open", SIGNED_IN | {"owner": 404}, post=None, owner="gwen",
        variant="a guest: another programme"),
    Row("programmes:apply", "p_open", SIGNED_IN | {"owner": 404}, post=SIGNED_IN | {"owner": 404}, owner="gwen",
        variant="a guest: applying elsewhere"),
    coord("programmes:meeting_plan", post=COORDINATORS),
    Row("programmes:invitation", "invitation_token", everyone(302, anonymous=200),
        post=everyone(302, anonymous=200), fuzz_as="anonymous"),
    Row("programmes:invitation", "=not-a-token", everyone(404, anonymous=404), variant="bad token"),
    coord("programmes:roster_upload", post=COORDINATORS),
    # nominations (docs/nominations.md): alice was put forward by oscar, who leads network_1 (sponsoring
    # P_open) and manages otto. Only the nominee answers; only the nominator withdraws; only a lead of
    # the network, and only a manager with reports, reach the forms: to everyone else they do not exist.
    Row("nominations:inbox", "", SIGNED_IN),
    Row("nominations:sent", "", SIGNED_IN),
    Row("nominations:detail", "nomination_1", everyone(404) | {"participant": 200, "owner": 200},
        post=everyone(404) | {"participant": 302, "owner": 302}),
    Row("nominations:decline", "nomination_1", post=everyone(404) | {"participant": 302, "owner": 302}),
    Row("nominations:withdraw", "nomination_1", post=everyone(404) | {"owner": 302}, owner="oscar"),
    Row("nominations:nominate_from_network", "network_1", everyone(404) | {"owner": 200},
        post=everyone(404) | {"owner": 200}, owner="oscar"),
    Row("nominations:nominate_from_network", "network_2", everyone(404), post=everyone(404), owner="oscar",
        variant="a lead of another network"),
    Row("nominations:nominate_from_manager", "", everyone(404) | {"owner": 200},
        post=everyone(404) | {"owner": 200}, owner="oscar"),
    _roster_preview,
    mixed(_roster_preview, "p1 roster_2"),
    _roster_apply,
    mixed(_roster_apply, "p1 roster_2"),
    # matching: the console
    coord("matching:console"),
    coord_post("matching:start"),
    coord("matching:settings", post=COORDINATORS),
    # an empty POST is valid: no attribute chosen, attributes not used
    coord("matching:attributes", post=allowed(COORDINATORS, 302)),
    coord("matching:matches"),
    _rule_remove,
    mixed(_rule_remove, "p1 rule_2"),
    coord_post("matching:rule_remove", "p1 rule_1", data={"next": "0"}, variant="next is a word"),
    _run,
    mixed(_run, "p1 run_2"),
    coord("matching:run_progress", "p1 run_1", allowed(COORDINATORS, 302)),
    coord_post("matching:swap", "p1 run_1"),
    coord_post("matching:assign", "p1 run_1"),
    # GET: what publishing will do (who is mailed, one mail); POST from that page publishes.
    coord("matching:publish", "p1 run_1", post=allowed(COORDINATORS, 302)),
    mixed(coord("matching:publish", "p1 run_1", post=allowed(COORDINATORS, 302)), "p1 run_2"),
    _lock,
    mixed(_lock, "p1 run_1 proposal_2"),
    mixed(_lock, "p1 run_2 proposal_2"),
    coord_post("matching:forbid", "p1 run_1 proposal_1"),
    coord_post("matching:remove", "p1 run_1 proposal_1"),
    Row("matching:end", "pair_a", PAIR, post=PAIR),
    # matching: participant choice (P1 lets mentees choose; finn and jay wait on gus, ivan may choose)
    Row("matching:choose", "p1", everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200},
        post=everyone(404) | {"participant": 302, "other_pair": 302, "owner": 200}, owner="ivan"),
    Row("matching:choose", "p1", everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200},
        post=everyone(404) | {"participant": 302, "other_pair": 302, "owner": 302}, owner="finn",
        variant="a mentee whose request waits"),
    Row("matching:requests_cancel", "p1",
        post=everyone(404) | {"participant": 302, "other_pair": 302, "owner": 302}, owner="finn"),
    Row("matching:requests", "p1", everyone(404) | {"owner": 200}, owner="gus"),
    Row("matching:request_accept", "p1 request_1", post=everyone(404) | {"owner": 302}, owner="gus"),
    Row("matching:request_decline", "p1 request_1", post=everyone(404) | {"owner": 302}, owner="gus"),
    Row("matching:request_accept", "p1 request_2", post=everyone(404), owner="gus",
        variant="a request of another programme"),
    Row("matching:mentor_ranking", "p1", post=everyone(404) | {"owner": 302}, owner="gus"),
    coord_post("matching:stable_resolve"),
    # the pair's workspace
    Row("sessions_log:calendar_feed", "", SIGNED_IN),
    Row("sessions_log:calendar_feed_revoke", "", post=everyone(302)),
    Row("sessions_log:calendar_feed_ics", "calendar_token", PUBLIC),
    Row("sessions_log:calendar_feed_ics", "=not-a-token", everyone(404, anonymous=404), variant="bad token"),
    Row("sessions_log:workspace", "pair_a", PAIR),
    Row("sessions_log:workspace", "pair_b", PAIR | {"participant": 404, "other_pair": 200}, owner="dan",
        variant="the other pair"),
    # the profile cards of a pair: its two people and its programme's coordinators
    Row("sessions_log:profile_card", "pair_a =mentor", PAIR),
    Row("sessions_log:profile_card", "pair_a =mentee", PAIR, variant="the mentee's"),
    Row("sessions_log:profile_card", "pair_b =mentor", PAIR | {"participant": 404, "other_pair": 200}, owner="dan",
        variant="the other pair"),
    Row("sessions_log:profile_card", "pair_a =coordinator", everyone(404), variant="not a role of the pair"),
    Row("sessions_log:goal_add", "pair_a", PAIR_ONLY, post=PAIR_ONLY),
    Row("sessions_log:goal_detail", "pair_a goal_a", PAIR, post=PAIR_ONLY),
    mixed(Row("sessions_log:goal_detail", "pair_a goal_a", PAIR), "pair_a goal_b"),
    _goal_edit,
    mixed(_goal_edit, "pair_a goal_b"),
    Row("sessions_log:meeting_schedule", "pair_a", PAIR_ONLY, post=PAIR_ONLY),
    Row("sessions_log:agreement", "pair_a", PAIR),
    Row("sessions_log:agreement", "pair_b", PAIR | {"participant": 404, "other_pair": 200}, owner="dan",
        variant="the other pair"),
    Row("sessions_log:agreement_edit", "pair_a", PAIR_ONLY, post=PAIR_ONLY),
    _agreement_sign,
    mixed(_agreement_sign, "pair_a agreement_b"),
    _meeting_edit,
    mixed(_meeting_edit, "pair_a meeting_b"),
    Row("sessions_log:meeting_cancel", "pair_a meeting_a_next", PAIR_ONLY, post=PAIR_ONLY),
    Row("sessions_log:meeting_mark", "pair_a meeting_a_next", PAIR_ONLY, post=PAIR_ONLY),
    mixed(Row("sessions_log:meeting_mark", "pair_a meeting_a_next", PAIR_ONLY, post=PAIR_ONLY), "pair_a meeting_b"),
    Row("sessions_log:recap", "pair_a meeting_a_held", PAIR, post=PAIR_ONLY),
    mixed(Row("sessions_log:recap", "pair_a meeting_a_held", PAIR), "pair_a meeting_b"),
    Row("sessions_log:recap_learned_to_goal", "pair_a meeting_a_held", post=allowed(PAIR_ONLY, 302)),
    mixed(Row("sessions_log:recap_learned_to_goal", "pair_a meeting_a_held", post=allowed(PAIR_ONLY, 302)),
          "pair_a meeting_b", staff=404, coordinator=404),
    Row("sessions_log:feedback_give", "pair_a meeting_a_held", PAIR_ONLY, post=PAIR_ONLY),
    _action_done,
    mixed(_action_done, "pair_a action_b", staff=404, coordinator=404),
    Row("sessions_log:action_done", "pair_a action_a", post=_action_done.post, data={"next": "0"},
        variant="next is a word"),
    Row("sessions_log:action_reopen", "pair_a action_a", post=allowed(PAIR_ONLY, 302)),
    Row("sessions_log:feedback_list", "pair_a", PAIR | {"participant": 404, "owner": 200}, owner="carol"),
    Row("sessions_log:meeting_log", "pair_a", PAIR_ONLY, post=PAIR_ONLY),
    Row("sessions_log:exit_survey", "pair_a", PAIR_ONLY, post=PAIR_ONLY),
    # the library of P1: members read it, coordinators and mentors (bob) keep it
    Row("sessions_log:resources", "p1", MEMBERS, owner="bob"),
    Row("sessions_log:resource_add", "p1", _resource_edit.get, post=_resource_edit.get, owner="bob"),
    Row("sessions_log:resource_tag_add", "p1",
        post=everyone(404) | {"participant": 403, "other_pair": 403, "staff": 302, "coordinator": 302}),
    _resource_edit,
    mixed(_resource_edit, "p1 resource_2"),
    Row("sessions_log:resource_edit", "p1 resource_3", _resource_not_theirs, post=_resource_not_theirs,
        owner="erin", variant="a mentor who is not its author"),
    Row("sessions_log:resource_delete", "p1 resource_1", post=allowed(_resource_edit.get, 302), owner="bob"),
    Row("sessions_log:resource_delete", "p1 resource_3", post=allowed(_resource_not_theirs, 302), owner="erin",
        variant="a mentor who is not its author"),
    Row("sessions_log:resource_share", "p1 resource_1",
        post=everyone(404) | {"participant": 302, "other_pair": 302, "staff": 403, "coordinator": 403,
                              "owner": 302}, owner="bob"),
    # office hours (P3): bob publishes, alice booked slot_booked, dan is another mentee
    # drop-in help (docs/drop-in.md)
    # the helper's pages (bob helps in P3): each person's own; bob's objects are found for bob only
    Row("dropin:offer", "", SIGNED_IN, post=SIGNED_IN),  # an empty POST shows the form's errors
    Row("dropin:offer_withdraw", "", post=everyone(302)),
    Row("dropin:availability", "", SIGNED_IN, post=SIGNED_IN, owner="bob"),
    Row("dropin:availability_remove", "availability_bob", post=everyone(404) | {"owner": 302}, owner="bob"),
    Row("dropin:away", "", SIGNED_IN, post=SIGNED_IN, owner="bob"),
    Row("dropin:away_remove", "away_bob", post=everyone(404) | {"owner": 302}, owner="bob"),
    Row("dropin:requests", "", SIGNED_IN, owner="bob"),
    Row("dropin:request_accept", "request_bob", post=everyone(404) | {"owner": 302}, owner="bob"),
    Row("dropin:request_decline", "request_bob", everyone(404) | {"owner": 200},
        post=everyone(404) | {"owner": 200}, owner="bob"),
    # one_off: alice booked bob in P3 (carol coordinates it): the two people; P3's coordinators read it
    Row("dropin:sessions", "", SIGNED_IN, post=None),
    Row("dropin:session", "one_off", PAIR, post=None),
    Row("dropin:session", "one_off_other", everyone(404) | {"staff": 200, "other_coordinator": 200}, post=None,
        variant="another programme's session"),
    Row("dropin:session", "meeting_a_held", everyone(404), post=None, variant="a pair's meeting"),
    # not yet started: "did it happen?" is refused with a message (302); an empty recap or feedback is 400
    Row("dropin:session_happened", "one_off", post=allowed(PAIR_ONLY, 302), data={"happened": "yes"}),
    Row("dropin:session_recap", "one_off", post=allowed(PAIR_ONLY, 400)),
    Row("dropin:session_feedback", "one_off", post=allowed(PAIR_ONLY, 400)),
    Row("dropin:session_action_done", "one_off one_off_action", post=allowed(PAIR_ONLY, 302)),
    Row("dropin:session_action_reopen", "one_off one_off_action", post=allowed(PAIR_ONLY, 302)),
    Row("dropin:session_action_done", "one_off action_a", post=PAIR_ONLY | {"participant": 404, "owner": 404},
        variant="a pair's action"),
    Row("dropin:session_longer_pair", "one_off", PAIR_ONLY, post=PAIR_ONLY, query="programme={p_open}"),
    Row("dropin:helper", "bob", SIGNED_IN, post=None),
    Row("dropin:helper", "carol", everyone(404), post=None, variant="no offer"),
    _slot_book,
    mixed(_slot_book, "slot_other"),
    Row("dropin:bookings", "", SIGNED_IN, post=None),
    Row("dropin:booking", "booking", _BOOKER, post=None),
    Row("dropin:booking_ics", "booking", _BOOKER, post=None),
    Row("dropin:booking_cancel", "booking", post=allowed(_BOOKER, 302)),
    Row("dropin:directory", get=SIGNED_IN, post=None),  # a GET search, open to everyone signed in (POST: 405)
    Row("dropin:directory", get=SIGNED_IN | {"owner": 404}, post=None, owner="gwen", variant="a guest from outside"),
    Row("sessions_log:office_hours", "p3", MEMBERS, owner="bob"),
    Row("sessions_log:office_hours", "p1", everyone(404), variant="not an office-hours programme"),
    Row("sessions_log:office_hours_publish", "p3",
        everyone(404) | {"participant": 403, "other_pair": 403, "staff": 403, "coordinator": 403, "owner": 200},
        post=everyone(404) | {"participant": 403, "other_pair": 403, "staff": 403, "coordinator": 403,
                              "owner": 200}, owner="bob"),
    Row("sessions_log:office_hours_withdraw", "p3 slot_free",
        post=everyone(404) | {"participant": 403, "other_pair": 403, "staff": 403, "coordinator": 403,
                              "owner": 302}, owner="bob"),
    # circles of P1: bob (mentor) posted post_1 in the mentors' circle; the mentees' circle is open
    Row("circles:circle", "p1 =mentors", _MENTORS_CIRCLE, post=_MENTORS_CIRCLE, owner="bob"),
    Row("circles:circle", "p1 =mentees", MEMBERS, post=MEMBERS, variant="mentees"),
    Row("circles:circle", "p2 =mentors", everyone(404) | {"other_coordinator": 200, "staff": 200}, owner="olga",
        variant="another programme"),
    # (the mentees' circle: bob, a mentor, is not a member and gets 404; its mentees get 403)
    Row("circles:circle_open", "p1", post=_MODERATE | {"participant": 403, "other_pair": 403, "owner": 404},
        owner="bob"),
    Row("circles:circle_close", "p1", post=_MODERATE | {"participant": 403, "other_pair": 403, "owner": 404},
        owner="bob"),
    Row("circles:post", "post_1", _MENTORS_CIRCLE, post=_MENTORS_CIRCLE, owner="bob"),
    Row("circles:post", "post_2", everyone(404) | {"other_coordinator": 200, "staff": 200, "owner": 200},
        owner="oscar", variant="a post of another programme"),
    Row("circles:post_edit", "post_1", _MENTORS_CIRCLE | {"staff": 403, "coordinator": 403},
        post=_MENTORS_CIRCLE | {"staff": 403, "coordinator": 403}, owner="bob"),
    Row("circles:post_hide", "post_1", post=_MODERATE | {"staff": 200, "coordinator": 200}, owner="bob"),
    Row("circles:post_restore", "post_1", post=_MODERATE, owner="bob"),
    Row("circles:post_pin", "post_1", post=_MODERATE, owner="bob"),
    Row("circles:post_unpin", "post_1", post=_MODERATE, owner="bob"),
    Row("circles:post_lock", "post_1", post=_MODERATE, owner="bob"),
    Row("circles:post_unlock", "post_1", post=_MODERATE, owner="bob"),
    Row("circles:reply_hide", "reply_1", post=_MODERATE | {"staff": 200, "coordinator": 200}, owner="bob"),
    Row("circles:reply_restore", "reply_1", post=_MODERATE, owner="bob"),
    Row("circles:reply_hide", "reply_2",
        post=everyone(404) | {"staff": 200, "other_coordinator": 200, "owner": 403}, owner="oscar",
        variant="a reply of another programme"),
    # the mentors' circle of P1, co-sponsored by network_1: lena (its lead, not a mentor) reads its
    # channel only; leo leads a network that does not sponsor P1 (docs/networks.md)
    Row("circles:circle", "p1 =mentors", _MENTORS_CIRCLE, post=_MENTORS_CIRCLE, owner="lena",
        variant="a lead of a co-sponsoring network"),
    Row("circles:circle", "p1 =mentors", _MENTORS_CIRCLE | {"owner": 404}, post=_MENTORS_CIRCLE | {"owner": 404},
        owner="leo", variant="a lead of another network"),
    Row("circles:post", "post_channel", _MENTORS_CIRCLE, post=_MENTORS_CIRCLE, owner="lena",
        variant="a channel post, its network's lead"),
    Row("circles:post", "post_channel", _MENTORS_CIRCLE | {"owner": 404}, post=_MENTORS_CIRCLE | {"owner": 404},
        owner="leo", variant="a channel post, another network's lead"),
    Row("circles:post", "post_1", _MENTORS_CIRCLE | {"owner": 404}, post=_MENTORS_CIRCLE | {"owner": 404},
        owner="lena", variant="a post outside the lead's channel"),
    Row("circles:post_hide", "post_channel", post=_MODERATE | {"staff": 200, "coordinator": 200}, owner="lena",
        variant="a lead does not moderate"),
    # staff networks: everyone signed in lists them and joins (an empty POST: the consent error, 200);
    # the lead's page is its leads' and staff's; managing is staff's; co-sponsors are P1's coordinators'
    Row("networks:list", "", SIGNED_IN, post=None),
    Row("networks:detail", "network_1", SIGNED_IN, post=SIGNED_IN | {"participant": 302}),  # alice is a member
    Row("networks:visibility", "network_1", post=everyone(302)),
    Row("networks:leave", "network_1", post=everyone(302)),
    Row("networks:lead", "network_1", everyone(404) | {"staff": 200, "owner": 200}, post=None, owner="lena"),
    Row("networks:lead", "network_1", everyone(404) | {"staff": 200}, post=None, owner="leo",
        variant="a lead of another network"),
    Row("networks:manage", "", STAFF, post=None, owner="sam"),
    Row("networks:create", "", STAFF, post=STAFF, owner="sam"),
    Row("networks:edit", "network_1", STAFF, post=STAFF, owner="sam"),
    coord("networks:sponsor", post=COORDINATORS),
    Row("networks:sponsor", "p2", everyone(404) | {"other_coordinator": 200, "staff": 200},
        post=everyone(404) | {"other_coordinator": 200, "staff": 200}, owner="olga", variant="another programme"),
    # messages: the private thread is the pair's alone (coordinators and staff 404 too); the
    # coordinators' thread is the pair's and its coordinators'. An empty POST is refused with
    # the form's error (200); the poll answers a request without htmx with the thread (302).
    Row("conversations:inbox", "", SIGNED_IN),
    Row("conversations:thread", "pair_a =pair", _PAIR_THREAD, post=_PAIR_THREAD),
    Row("conversations:thread", "pair_a =coordinators", PAIR, post=PAIR, variant="with the coordinators"),
    Row("conversations:thread", "pair_b =pair", everyone(404) | {"other_pair": 200, "owner": 200}, owner="dan",
        post=everyone(404) | {"other_pair": 200, "owner": 200}, variant="the other pair"),
    Row("conversations:thread", "pair_a =everyone", everyone(404), post=everyone(404), variant="no such kind"),
    Row("conversations:thread_poll", "pair_a =pair", allowed(_PAIR_THREAD, 302)),
    Row("conversations:thread_poll", "pair_a =coordinators", allowed(PAIR, 302), variant="with the coordinators"),
    Row("conversations:thread_poll", "pair_b =coordinators",
        allowed(PAIR | {"participant": 404, "other_pair": 200}, 302), owner="dan", variant="the other pair"),
    coord("conversations:announce", post=COORDINATORS),
    coord("conversations:announcement", "p1 announcement_1", post=allowed(COORDINATORS, 302)),
    mixed(coord("conversations:announcement", "p1 announcement_1", post=allowed(COORDINATORS, 302)),
          "p1 announcement_2"),
    # surveys
    Row("surveys:pulse", "pair_a", PAIR, post=PAIR),
    coord("surveys:pulse_results"),
    coord("surveys:programme_feedback_results"),
    Row("surveys:programme_feedback", "p1 =midpoint", everyone(404) | {"participant": 200, "other_pair": 200,
                                                                        "owner": 200},
        post=everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200}),
    Row("surveys:programme_feedback", "p1 =close", everyone(404) | {"participant": 200, "other_pair": 200,
                                                                     "owner": 200},
        post=everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200}, variant="the close"),
    # outcomes: a pair's self-assessment is its author's alone (coordinators, HR, staff: 404)
    Row("outcomes_assess:mine", "pair_a", everyone(404) | {"participant": 200, "owner": 200}),
    Row("outcomes_assess:mine", "pair_a", everyone(404) | {"participant": 200, "owner": 200}, owner="bob",
        variant="the other person of the pair: their own"),
    Row("outcomes_assess:form", "pair_a =start", everyone(404) | {"participant": 200, "owner": 200},
        post=everyone(404) | {"participant": 200, "owner": 200}),
    Row("outcomes_assess:form", "pair_a =end", everyone(404) | {"participant": 200, "owner": 200},
        post=everyone(404) | {"participant": 302, "owner": 302}, variant="a stage not open yet"),
    Row("outcomes_assess:form", "pair_b =start", everyone(404) | {"other_pair": 200, "owner": 200},
        post=everyone(404) | {"other_pair": 200, "owner": 200}, owner="dan", variant="the other pair"),
    Row("outcomes_assess:commitments", "", SIGNED_IN, post=everyone(302)),
    coord("outcomes_assess:programme", post=allowed(COORDINATORS, 302)),
    # notifications: the unsubscribe link is signed for alice and needs no sign-in
    Row("notifications:preferences", "", SIGNED_IN, post=SIGNED_IN),
    Row("notifications:unsubscribe", "unsubscribe_token", PUBLIC, post=PUBLIC),
    Row("notifications:unsubscribe", "=not-a-token", everyone(404, anonymous=404),
        post=everyone(404, anonymous=404), variant="bad token"),
    # the coordinators' health dashboards
    Row("engagement:overview", "", everyone(404) | {"other_coordinator": 200, "staff": 200, "coordinator": 200},
        owner="carol"),
    coord("engagement:dashboard"),
    _health_pair,
    mixed(_health_pair, "p1 pair_c"),
    coord_post("engagement:pair_message", "p1 pair_a", 400),
    coord_post("engagement:pair_extend", "p1 pair_a", 400),
    coord_post("engagement:pair_end", "p1 pair_a", 400),
    # HR's reports
    # outcomes: a programme's objectives and self-assessment statements (its coordinators only)
    coord("outcomes_objectives:page"),
    coord_post("outcomes_objectives:add", data={"measure": "nps", "target": "20"}),
    coord_post("outcomes_objectives:add", status=400, data={"measure": "nps", "target": "200"},
               variant="target out of range"),
    coord_post("outcomes_objectives:change", "p1 objective_1", data={"target": "75"}),
    coord_post("outcomes_objectives:move", "p1 objective_1", data={"direction": "down"}),
    coord_post("outcomes_objectives:remove", "p1 objective_1"),
    mixed(coord_post("outcomes_objectives:change", "p1 objective_1"), "p1 objective_2"),
    coord_post("outcomes_objectives:statement_add", data={"text": "I give feedback upwards"}),
    coord_post("outcomes_objectives:statement_change", "p1 statement_1", data={"text": "I listen well"}),
    coord_post("outcomes_objectives:statement_remove", "p1 statement_1"),
    mixed(coord_post("outcomes_objectives:statement_remove", "p1 statement_1"), "p1 statement_2"),
    Row("reports:dashboard", "", REPORTS, owner="hana"),
    *[
        Row("reports:export", f"={kind} ={fmt}", REPORTS, owner="hana", variant="" if i == 0 else f"{kind}.{fmt}")
        for i, (kind, fmt) in enumerate(
            [(k, f) for k in ("figures", "matches", "meetings") for f in ("csv", "xlsx")]
        )
    ],
    Row("reports:export", "=recaps =csv", everyone(404), owner="hana", variant="no such export"),
    Row("reports:export", "=figures =csv", REPORTS, owner="hana", query="table=department", variant="one table"),
    Row("reports:export", "=figures =xlsx", REPORTS | {"hr": 400, "staff": 400, "owner": 400}, owner="hana",
        query="table=salaries",
        variant="a table the export has not"),
    Row("reports:export", "=meetings =csv", REPORTS | {"hr": 400, "staff": 400, "owner": 400}, owner="hana",
        query="date_from=2026-06-30&date_to=2026-05-01", variant="reversed dates"),
    # hugo reports on P1 only: asking for P2's figures is refused, not answered
    Row("reports:export", "=matches =csv", REPORTS | {"owner": 400}, owner="hugo", query="programme={p2}",
        variant="a programme outside the HR viewer's scope"),
    Row("reports:dashboard", "", REPORTS, owner="hugo", query="programme={p2}", variant="outside the scope"),
    Row("reports:export_log", "", everyone(404) | {"staff": 200}, owner="sam"),
    Row("reports:dashboard", "", REPORTS, owner="hana", query="by=no_such_breakdown", variant="an unknown breakdown"),
    # A network's figures: its leads, HR and staff; a lead of another network gets 404 like everyone else.
    Row("reports:network_figures", "network_1", REPORTS, owner="nina"),
    Row("reports:network_figures", "network_1", REPORTS | {"owner": 404}, owner="ned",
        variant="a lead of another network"),
    # outcomes: the impact report (the programme's coordinators and HR in scope) and certificates
    Row("outcomes_impact:all", "", REPORTS, owner="hana"),
    Row("outcomes_impact:monthly_attachment", "", post=everyone(404) | {"hr": 302, "staff": 302, "owner": 302},
        owner="hana"),
    coord("outcomes_impact:programme", get=COORDINATORS | {"hr": 200}),
    coord("outcomes_impact:programme_pdf", get=COORDINATORS | {"hr": 200}),
    Row("outcomes_impact:programme", "p2", everyone(404) | {"other_coordinator": 200, "hr": 200, "staff": 200},
        owner="hugo", variant="outside the HR viewer's scope"),
    coord("outcomes_impact:certificates", post=COORDINATORS),
    Row("outcomes_impact:my_certificate", "p1", everyone(404) | {"participant": 200, "other_pair": 200, "owner": 200}),
    # alice has not met P1's completion criteria: the download sends her back to what is missing
    Row("outcomes_impact:certificate_pdf", "p1", everyone(404) | {"participant": 302, "other_pair": 302, "owner": 302}),
    # the audit log: staff only
    Row("audit:events", "", everyone(404) | {"staff": 200}, owner="sam"),
    # webhooks: staff only; a delivery is found through its endpoint
    Row("webhooks:endpoints", "", STAFF, owner="sam"),
    Row("webhooks:endpoint_add", "", STAFF, post=STAFF, owner="sam"),  # an empty POST: the form's errors
    Row("webhooks:endpoint", "endpoint", STAFF, owner="sam"),
    Row("webhooks:endpoint_edit", "endpoint", STAFF, post=STAFF, owner="sam"),
    Row("webhooks:endpoint_active", "endpoint", post=STAFF_ACT, owner="sam"),
    Row("webhooks:endpoint_rotate", "endpoint", post=STAFF_ACT, owner="sam"),
    Row("webhooks:endpoint_ping", "endpoint", post=STAFF_ACT, owner="sam"),
    Row("webhooks:delivery", "endpoint delivery", STAFF, owner="sam"),
    Row("webhooks:delivery", "endpoint other_delivery", everyone(404), owner="sam",
        variant="another endpoint's delivery"),
    Row("webhooks:delivery_resend", "endpoint delivery", post=STAFF_ACT, owner="sam"),
    Row("webhooks:delivery_resend", "endpoint other_delivery", post=everyone(404), owner="sam",
        variant="another endpoint's delivery"),
    # data rights: everyone's own data and erasure; staff carry out erin's request
    Row("privacy:overview", "", everyone(200)),
    Row("privacy:download", "", everyone(200)),
    Row("privacy:erase", "", everyone(200), post=everyone(200)),  # an empty POST: the form's errors
    Row("privacy:erase_cancel", "", everyone(405), post=everyone(302)),  # nothing to cancel: a message
    Row("privacy:staff_list", "", everyone(404) | {"staff": 200}, owner="sam"),
    Row("privacy:staff_erase", "erasure", everyone(404) | {"staff": 200}, post=everyone(404) | {"staff": 302},
        owner="sam"),
    # staff's one-time sign-in link when the identity provider is down (people/sso.py)
    Row("break_glass", "=not-a-token", everyone(400, anonymous=400), post=everyone(400, anonymous=400),
        variant="forged link"),
    Row("reports:subscription", "", post=everyone(404) | {"hr": 302, "staff": 302, "owner": 302}, owner="hana"),
    # SCIM provisioning (docs/scim.md): a bearer token with the scope scim only, never a session
    # (every method without one: scim/tests/test_authentication.py; no forms to fuzz)
    *[
        Row(f"scim:{name}", args, everyone(401, anonymous=401))
        for name, args in [
            ("service_provider_config", ""), ("resource_types", ""), ("resource_type", "=User"), ("schemas", ""),
            ("schema", "=urn:ietf:params:scim:schemas:core:2.0:User"), ("users", ""), ("users_search", ""),
            ("search", ""), ("user", "=1"), ("not_found", "=Groups"),
        ]
    ],
    # The REST API takes bearer tokens only: a browser's session is no credential there (401 for all);
    # its permission table, token by token, is api/tests/test_permissions.py. Its schema and docs are public.
    Row("api:schema", "", PUBLIC),
    Row("api:docs", "", PUBLIC),
    *[Row(f"api:{name}", args, everyone(401, anonymous=401)) for name, args in [
        ("programmes", ""), ("programme", "p1"), ("participants", "p1"), ("participant_decision", "p1 finn_p1"),
        ("enrolment", "p1"), ("runs", "p1"), ("run", "p1 run_1"), ("run_publish", "p1 run_1"), ("matches", ""),
        ("match", "pair_a"), ("meetings", "pair_a"), ("goals", "pair_a"), ("figures", ""),
        ("export", "=matches =csv"), ("people", ""), ("person", "alice"), ("audit_events", ""),
    ]],
    # The API tokens page: everyone's own tokens; an empty POST is the form's errors (400).
    Row("api_tokens:list", "", SIGNED_IN, post=everyone(400)),
    Row("api_tokens:revoke", "token_alice", everyone(404) | {"participant": 200, "owner": 200},
        post=everyone(404) | {"participant": 302, "owner": 302}),
    Row("api_tokens:service_account_new", "", post=everyone(404) | {"staff": 400}, owner="sam"),
]
# fmt: on

# Links that are secrets: whoever holds one sees someone's page or data without signing in,
# so what they show is never stored in a cache (test_security_cache.py).
SECRET_LINK_ARGS = {"invitation_token", "calendar_token", "unsubscribe_token"}
SECRET_ROWS = [row for row in ROWS if SECRET_LINK_ARGS & set(row.args.split())]


# -- admin and allauth: rules, not rows -------------------------------------------

ADMIN_ROLES = ("anonymous", "participant", "hr", "coordinator", "staff")
# Arguments of allauth's URLs that take any: a made-up key is refused with a page, not an error.
ACCOUNT_ARGS = {
    "account_confirm_email": ["not-a-key"],
    "account_reset_password_from_key": ["1", "not-a-key"],
    # single sign-on, for a provider that is not configured (404 is then an answer, not an error)
    **{
        name: ["no-such-idp"]
        for name in (
            "saml_acs",
            "saml_finish_acs",
            "saml_sls",
            "saml_metadata",
            "saml_login",
            "openid_connect_login",
            "openid_connect_callback",
        )
    },
}


def url_patterns():
    """Every URL pattern of the project: (name with namespaces or None, route)."""

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield name, prefix + str(pattern.pattern), pattern

    return [(name, route, pattern) for name, route, pattern in walk(get_resolver().url_patterns, "", None)]


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def is_account(route: str, pattern: URLPattern) -> bool:
    """allauth's pages (and its redirects from old addresses); our own views under
    accounts/, such as break-glass, have rows."""
    under_accounts = route.startswith("accounts/") or route.startswith("^accounts/")
    return under_accounts and not pattern.callback.__module__.startswith(("people.", "mentoring."))


# -- the database's fingerprint ---------------------------------------------------------

# Tables that change on any request: the sessions.
# Sessions, and stored health judged again when a page reads a stale row (a cache of a
# computation, engagement.stored, not a change anyone made).
UNWATCHED_TABLES = {"django_session", "engagement_pairhealth"}


def watched_tables() -> list[str]:
    return sorted(set(connection.introspection.table_names()) - UNWATCHED_TABLES)


def fingerprint(tables: list[str]) -> dict:
    """What has been written to each table. On PostgreSQL, the current
    transaction's own counts of inserted, updated and deleted rows per table
    (pg_stat_xact_user_tables: one cheap query, and an UPDATE that writes the
    same values counts too); elsewhere a hash of every row of every table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
            wanted = set(tables)
            return {name: counts for name, *counts in cursor.fetchall() if name in wanted}
        found = {}
        for name in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")  # noqa: S608 (names from introspection)
            rows = sorted(repr(row) for row in cursor.fetchall())
            found[name] = hashlib.md5("|".join(rows).encode(), usedforsecurity=False).hexdigest()
        return found


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


# -- the world -------------------------------------------------------------------

ROSTER_CSV = b"name,email,role\nNew Person,new.person@example.org,mentee\n"


def build_world() -> SimpleNamespace:
    """Two programmes with a pair each (P1 has two), their goals, meetings, recaps
    and actions, a run with proposals, requests, circles, a library, office hours,
    roster imports, an invitation and the tokens of mail links."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api.services import token_create
    from circles import services as circles
    from dropin.booking import session_book
    from dropin.models import HelperOffer
    from matching.models import Match, MatchingSettings, MatchRequest, MatchRun, PairRule, Proposal
    from matching.tests.factories import enrol, make_person
    from notifications import services as notifications
    from notifications.kinds import all_kinds
    from people.attributes import default_lists_add
    from people.models import Attribute, AttributeOption
    from people.tests.factories import UserFactory
    from privacy import services as privacy
    from programmes import roster
    from programmes import services as programmes
    from programmes.models import Coordinator
    from programmes.tests.factories import make_programme
    from reports.models import ReportScope
    from sessions_log import recaps
    from sessions_log import services as sessions
    from sessions_log.models import ActionItem, Agreement, Goal, Meeting, OfficeHourSlot, Resource
    from webhooks.models import Delivery, Endpoint, Event

    w = SimpleNamespace()
    now = timezone.now()
    w.alice = make_person("Alice Adams", email="alice@example.org", seniority=2, topics=["Leadership"])
    w.bob = make_person("Bob Brown", email="bob@example.org", seniority=5, skills=["Leadership"])
    w.carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    w.cody = UserFactory(email="cody@example.org", full_name="Cody Cole", is_coordinator=True)
    w.dan = make_person("Dan Dale", email="dan@example.org", seniority=2)
    w.erin = make_person("Erin Evans", email="erin@example.org", seniority=5)
    w.finn = make_person("Finn Fay", email="finn@example.org", seniority=2, topics=["Leadership"])
    w.gus = make_person("Gus Gray", email="gus@example.org", seniority=5, skills=["Leadership"])
    w.ivan = make_person("Ivan Ives", email="ivan@example.org", seniority=2, topics=["Leadership"])
    w.jay = make_person("Jay Jones", email="jay@example.org", seniority=1, topics=["Leadership"])
    w.olga = UserFactory(email="olga@example.org", full_name="Olga Olsen", is_coordinator=True)
    w.oscar = make_person("Oscar Ortiz", email="oscar@example.org", seniority=5)
    w.otto = make_person("Otto Olm", email="otto@example.org", seniority=2)
    w.hana = UserFactory(email="hana@example.org", full_name="Hana Haddad", is_hr=True)
    w.sam = UserFactory(email="sam@example.org", full_name="Sam Support", is_staff=True, is_superuser=True)
    w.hugo = UserFactory(email="hugo@example.org", full_name="Hugo Hale", is_hr=True)  # scoped to P1 below
    # the self-description lists (a flushed test database has lost the migration's)
    default_lists_add(Attribute, AttributeOption)
    w.attribute = Attribute.objects.get(key="gender_identity")
    w.attribute_option = w.attribute.options.order_by("position").first()

    start = timezone.localdate() - timedelta(days=60)
    w.p1 = make_programme(w.carol, name="Mentoring", status="running", matching_mode="both", starts_on=start,
                          ends_on=start + timedelta(days=180))  # fmt: skip
    Coordinator.objects.create(programme=w.p1, user=w.cody, added_by=w.carol)
    w.p2 = make_programme(w.olga, name="Leadership", status="running")
    w.p3 = make_programme(w.carol, name="Office hours", kind="office_hours", status="running")
    w.p_oh2 = make_programme(w.olga, name="Other office hours", kind="office_hours", status="running")
    w.p_open = make_programme(w.olga, name="Open to all", status="open")
    for programme in (w.p1, w.p2):
        MatchingSettings.objects.get_or_create(programme=programme)
    ReportScope.objects.create(user=w.hugo, programme=w.p1, granted_by=w.sam)
    # Two staff networks: nina leads network_1 (which co-sponsors P1, alice a member), ned leads network_2.
    from networks.tests.factories import make_network

    w.nina = UserFactory(email="nina@example.org", full_name="Nina Nash")
    w.ned = UserFactory(email="ned@example.org", full_name="Ned North")
    w.network_1 = make_network("Women's network", leads=[w.nina], members=[w.alice])
    w.network_2 = make_network("Pride network", leads=[w.ned])
    w.p1.sponsor_networks.add(w.network_1)

    w.alice_p1, w.bob_p1 = enrol(w.p1, w.alice, "mentee"), enrol(w.p1, w.bob, "mentor")
    w.dan_p1, w.erin_p1 = enrol(w.p1, w.dan, "mentee"), enrol(w.p1, w.erin, "mentor")
    w.finn_p1, w.gus_p1 = enrol(w.p1, w.finn, "mentee"), enrol(w.p1, w.gus, "mentor", capacity=2)
    w.ivan_p1, w.jay_p1 = enrol(w.p1, w.ivan, "mentee"), enrol(w.p1, w.jay, "mentee")
    w.otto_p2, w.oscar_p2 = enrol(w.p2, w.otto, "mentee"), enrol(w.p2, w.oscar, "mentor")
    created = now - timedelta(days=30)
    w.pair_a = Match.objects.create(programme=w.p1, mentee=w.alice_p1, mentor=w.bob_p1, created_at=created)
    w.pair_b = Match.objects.create(programme=w.p1, mentee=w.dan_p1, mentor=w.erin_p1, created_at=created)
    w.pair_c = Match.objects.create(programme=w.p2, mentee=w.otto_p2, mentor=w.oscar_p2, created_at=created)

    # goals, meetings, a recap with an action, for pairs a and b
    def meeting(match, starts_at, status):
        return Meeting.objects.create(match=match, programme=match.programme, mentee=match.mentee,
                                      mentor=match.mentor, starts_at=starts_at, status=status)  # fmt: skip

    w.goal_a = Goal.objects.create(match=w.pair_a, owner=w.alice_p1, objective="Speak up", measure="Two talks")
    w.goal_b = Goal.objects.create(match=w.pair_b, owner=w.dan_p1, objective="Plan", measure="A plan")
    w.meeting_a_held = meeting(w.pair_a, now - timedelta(days=2), Meeting.Status.HELD)
    w.meeting_a_next = meeting(w.pair_a, now + timedelta(days=5), Meeting.Status.SCHEDULED)
    w.meeting_b = meeting(w.pair_b, now + timedelta(days=6), Meeting.Status.SCHEDULED)
    recaps.recap_write(meeting=w.meeting_a_held, author=w.alice, discussed="Talks", visibility="coordinator",
                       actions=[(w.alice_p1, "Draft a talk", None)])  # fmt: skip
    w.action_a = ActionItem.objects.get(match=w.pair_a)
    w.action_b = ActionItem.objects.create(match=w.pair_b, owner=w.dan_p1, description="Write it", created_by=w.dan)

    # agreements proposed by the mentees, waiting for their mentors' signatures
    def agreement(match, by):
        return Agreement.objects.create(
            match=match, version=1, mentee_wants="Grow", mentor_wants="Learn", every_days=14, minutes=60,
            ground_rules="Ours", shared_with_coordinator="That we meet", if_not_working="Say so",
            review_on=(now + timedelta(days=60)).date(), proposed_by=by, mentee_signed_at=now,
        )  # fmt: skip

    w.agreement_a, w.agreement_b = agreement(w.pair_a, w.alice), agreement(w.pair_b, w.dan)

    # a run ready for review, rules, choice requests
    w.run_1 = MatchRun.objects.create(programme=w.p1, status=MatchRun.Status.READY, started_by=w.carol)
    w.proposal_1 = Proposal.objects.create(run=w.run_1, mentee=w.finn_p1, mentor=w.gus_p1, score=0.8)
    w.run_2 = MatchRun.objects.create(programme=w.p2, status=MatchRun.Status.READY, started_by=w.olga)
    w.proposal_2 = Proposal.objects.create(run=w.run_2, mentee=w.otto_p2, mentor=w.oscar_p2, score=0.7)
    w.rule_1 = PairRule.objects.create(programme=w.p1, mentee=w.finn_p1, mentor=w.gus_p1, kind="lock")
    w.rule_2 = PairRule.objects.create(programme=w.p2, mentee=w.otto_p2, mentor=w.oscar_p2, kind="forbid")
    w.request_1 = MatchRequest.objects.create(
        programme=w.p1,
        mentee=w.finn_p1,
        mentor=w.gus_p1,
        rank=1,
        status="pending",
        sent_at=now,
        expires_at=now + timedelta(days=5),
    )
    MatchRequest.objects.create(
        programme=w.p1,
        mentee=w.jay_p1,
        mentor=w.gus_p1,
        rank=1,
        status="pending",
        sent_at=now,
        expires_at=now + timedelta(days=5),
    )  # gus may rank finn and jay
    w.request_2 = MatchRequest.objects.create(
        programme=w.p2,
        mentee=w.otto_p2,
        mentor=w.oscar_p2,
        rank=1,
        status="pending",
        sent_at=now,
        expires_at=now + timedelta(days=5),
    )

    # circles: a post and a reply in the mentors' circles of P1 and P2; P1's mentees' circle is open
    mentors_1 = circles.mentors_circle_get_or_create(programme=w.p1)
    w.post_1 = circles.post_create(circle=mentors_1, by=w.bob, title="Hello", body="How do you start?")
    w.reply_1 = circles.reply_create(post=w.post_1, by=w.erin, body="With goals.")
    circles.circle_open(programme=w.p1, by=w.carol)
    mentors_2 = circles.mentors_circle_get_or_create(programme=w.p2)
    w.post_2 = circles.post_create(circle=mentors_2, by=w.oscar, title="Hi", body="Anyone?")
    w.reply_2 = circles.reply_create(post=w.post_2, by=w.olga, body="Here.")

    # the libraries
    w.resource_1 = Resource.objects.create(programme=w.p1, title="A book", added_by=w.bob)
    w.resource_2 = Resource.objects.create(programme=w.p2, title="Another book", added_by=w.olga)
    w.resource_3 = Resource.objects.create(programme=w.p1, title="The coordinator's book", added_by=w.carol)

    # office hours: bob mentors in P3, alice and dan are its mentees; alice booked one slot
    w.bob_p3 = enrol(w.p3, w.bob, "mentor")
    w.alice_p3, w.dan_p3 = enrol(w.p3, w.alice, "mentee"), enrol(w.p3, w.dan, "mentee")
    w.oscar_oh2 = enrol(w.p_oh2, w.oscar, "mentor")
    w.slot_booked = OfficeHourSlot.objects.create(programme=w.p3, mentor=w.bob_p3, starts_at=now + timedelta(days=3))
    HelperOffer.objects.get_or_create(user=w.bob, defaults={"about": "Leadership and data"})
    w.booking = session_book(slot=w.slot_booked, user=w.alice, purpose="Planning my first team offsite.")
    w.slot_free = OfficeHourSlot.objects.create(programme=w.p3, mentor=w.bob_p3, starts_at=now + timedelta(days=4))
    w.slot_other = OfficeHourSlot.objects.create(programme=w.p_oh2, mentor=w.oscar_oh2,
                                                 starts_at=now + timedelta(days=4))  # fmt: skip
    # drop-in help: bob's weekly time and away day in P3, and alice's request waiting for his answer
    from dropin.models import SessionRequest
    from dropin.tests.factories import make_one_off
    from sessions_log.models import AwayDay, WeeklyAvailability

    w.availability_bob = WeeklyAvailability.objects.create(
        helper=w.bob_p3, weekday=3, starts_at="12:00", ends_at="13:00", zone="Europe/London",
        until=timezone.localdate() + timedelta(days=60),
    )  # fmt: skip
    w.away_bob = AwayDay.objects.create(user=w.bob, on=timezone.localdate() + timedelta(days=10))
    w.request_bob = make_one_off(w.bob_p3, w.alice_p3, starts_at=now + timedelta(days=6),
                                 answer=SessionRequest.Answer.PENDING).session_request  # fmt: skip
    # one-off sessions: alice's booking with bob in P3 (with an action of hers), and one in olga's P_OH2
    w.one_off = w.booking
    w.one_off_action = ActionItem.objects.create(meeting=w.one_off, owner=w.alice_p3, description="Try it",
                                                 created_by=w.alice)  # fmt: skip
    w.otto_oh2 = enrol(w.p_oh2, w.otto, "mentee")
    w.one_off_other = Meeting.objects.create(programme=w.p_oh2, mentor=w.oscar_oh2, mentee=w.otto_oh2,
                                             starts_at=now - timedelta(days=1), minutes=30)  # fmt: skip

    # roster imports, an invitation, the tokens of mail links
    w.roster_1 = roster.roster_parse(programme=w.p1, uploaded_file=SimpleUploadedFile("r.csv", ROSTER_CSV),
                                     filename="r.csv", by=w.carol)  # fmt: skip
    w.roster_2 = roster.roster_parse(programme=w.p2, uploaded_file=SimpleUploadedFile("r.csv", ROSTER_CSV),
                                     filename="r.csv", by=w.olga)  # fmt: skip
    (w.invitation,) = programmes.invitations_create(programme=w.p1, people=[("ivy@example.org", "mentee")],
                                                    by=w.carol)  # fmt: skip
    w.invitation_token = w.invitation.token
    w.unsubscribe_token = notifications.unsubscribe_token(w.alice.pk, next(k for k in all_kinds() if k.optional).key)
    w.calendar_token = sessions.calendar_feed_for(user=w.alice).token
    # erin asked for her data to be erased (staff may carry it out now)
    w.erasure = privacy.erasure_request(user=w.erin)
    # webhooks: two endpoints, a succeeded delivery to each
    w.endpoint = Endpoint.objects.create(url="https://hooks.example.org/a", event_kinds=["match.ended"],
                                         created_by=w.sam)  # fmt: skip
    other_endpoint = Endpoint.objects.create(url="https://hooks.example.org/b", event_kinds=["match.ended"])
    event = Event.objects.create(kind="match.ended", payload={"match_id": w.pair_a.pk})
    w.delivery, w.other_delivery = (
        Delivery.objects.create(endpoint=endpoint, event=event, status="succeeded", attempts=1, succeeded_at=now)
        for endpoint in (w.endpoint, other_endpoint)
    )
    # an API token of alice's (the tokens page's revoke link)
    w.token_alice, _key = token_create(user=w.alice, name="Mine", scopes=["programmes:read"],
                                       expires_at=now + timedelta(days=30))  # fmt: skip
    # messages: a message in pair_a's private thread; an unsent announcement in P1 and in P2
    from conversations.models import Announcement
    from conversations.services import message_post

    message_post(match=w.pair_a, kind="pair", by=w.bob, body="See you on Tuesday")
    w.announcement_1 = Announcement.objects.create(programme=w.p1, author=w.carol, audience="mentees",
                                                   subject="Kick-off", body="On Friday.")  # fmt: skip
    w.announcement_2 = Announcement.objects.create(programme=w.p2, author=w.olga, audience="everyone",
                                                   subject="Welcome", body="Hello.")  # fmt: skip
    # outcomes: an objective and a statement of P1, and of P2 (another tenant's)
    from outcomes.models import AssessmentStatement, Objective

    w.objective_1 = Objective.objects.create(programme=w.p1, measure="goal_achieved", target=70, position=1)
    w.objective_2 = Objective.objects.create(programme=w.p2, measure="goal_achieved", target=70, position=1)
    w.statement_1 = AssessmentStatement.objects.create(programme=w.p1, text="I speak up", position=1)
    w.statement_2 = AssessmentStatement.objects.create(programme=w.p2, text="I speak up", position=1)
    # gwen: a guest from outside (programmes.guests), a mentee of P2 only
    from programmes.models import Guest, Participant

    w.gwen = UserFactory(email="gwen@partner.example", full_name="Gwen Green", is_guest=True)
    Guest.objects.create(user=w.gwen, programme=w.p2, organisation="Leeds University", invited_by=w.olga)
    w.gwen_p2 = enrol(w.p2, w.gwen, "mentee")
    Participant.objects.filter(pk=w.gwen_p2.pk).update(source=Participant.Source.GUEST)
    # nominations: oscar also leads network_1 (co-sponsoring P_open too) and manages otto; erin also leads
    # network_2 (dan a member); oscar put alice forward for P_open
    from networks.models import NetworkMembership
    from people.models import Profile
    from programmes.tests.factories import make_nomination

    w.network_1.leads.add(w.oscar)
    w.network_2.leads.add(w.erin)
    NetworkMembership.objects.create(network=w.network_2, user=w.dan, visible_to_leads=True)
    w.p_open.sponsor_networks.add(w.network_1, w.network_2)
    Profile.objects.filter(user=w.otto).update(manager=w.oscar)
    w.nomination_1 = make_nomination(w.p_open, w.alice, by=w.oscar, network=w.network_1, note="Private note")
    # staff networks: lena also leads network_1 (co-sponsoring P1; finn a member too), and a channel post in
    # P1's mentors' circle (by bob) is its; leo also leads network_2, which sponsors nothing of carol's
    w.lena = UserFactory(email="lena@example.org", full_name="Lena Lead")
    w.leo = UserFactory(email="leo@example.org", full_name="Leo Lead")
    w.network_1.leads.add(w.lena)
    w.network_2.leads.add(w.leo)
    NetworkMembership.objects.create(network=w.network_1, user=w.finn, visible_to_leads=True)
    w.post_channel = circles.post_create(circle=mentors_1, by=w.bob, title="Network", body="Our event",
                                         network=w.network_1)  # fmt: skip
    w.today = date.today()
    return w
