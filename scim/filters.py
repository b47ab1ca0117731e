"""SCIM filters (RFC 7644 3.4.2.2) turned into a Django Q over `selectors.users_visible()`.

A small recursive-descent parser for the whole grammar (`and`, `or`, `not (...)`,
parentheses, `pr`, the comparison operators, value paths such as
`emails[type eq "work"].value eq "x"`) over the attributes this server keeps.
Anything else is refused with 400 invalidFilter, never silently widened:
a filter that matched everyone could make a provider link the wrong person.
"""

import json
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from .errors import ScimError
from .schema import split_urn


@dataclass(frozen=True)
class Field:
    lookup: str  # the ORM path on the annotated queryset
    kind: str  # string | boolean | datetime | id
    case_exact: bool = False


# Filterable attributes, lower-cased, without their schema URN.
CORE_FIELDS = {
    "id": Field("pk", "id"),
    "username": Field("scim_user_name", "string"),
    "externalid": Field("scim_identity__external_id", "string", case_exact=True),
    "active": Field("is_active", "boolean"),
    "emails": Field("email", "string"),
    "emails.value": Field("email", "string"),
    "emails.type": Field("scim_email_type", "string"),
    "name.formatted": Field("full_name", "string"),
    "name.givenname": Field("scim_identity__given_name", "string"),
    "name.familyname": Field("scim_identity__family_name", "string"),
    "title": Field("profile__job_title", "string"),
    "meta.created": Field("scim_created", "datetime"),
    "meta.lastmodified": Field("scim_modified", "datetime"),
}
ENTERPRISE_FIELDS = {
    "employeenumber": Field("roster_entry__employee_id", "string", case_exact=True),
    "department": Field("profile__department__name", "string"),
    "manager": Field("profile__manager_id", "id"),
    "manager.value": Field("profile__manager_id", "id"),
}
OPERATORS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][\w$-]*(\.[A-Za-z$][\w$-]*)?$")
TOKEN = re.compile(r'\s*(?:(\()|(\))|(\[)|(\])|("(?:[^"\\]|\\.)*")|([^\s()\[\]"]+))')
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def _tokens(text: str) -> list[tuple[str, object]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _invalid(f"The filter cannot be read from character {position + 1}.")
        position = match.end()
        lp, rp, lb, rb, string, word = match.groups()
        if string is not None:
            try:
                tokens.append(("value", json.loads(string)))
            except ValueError:
                raise _invalid(f"The string {string} is not valid JSON.") from None
        else:
            tokens.append(("word", word) if word is not None else ("punct", lp or rp or lb or rb))
    return tokens


def resolve(path: str) -> Field:
    """The Field for an attribute path, or invalidFilter."""
    schema, rest = split_urn(path)
    if path.lower().startswith("urn:") and schema is None:
        raise _invalid(f"Unknown schema in the attribute {path!r}.")
    if not ATTRIBUTE_NAME.match(rest):
        raise _invalid(f"{path!r} is not an attribute path.")
    name = rest.lower()
    if schema != "enterprise" and name in CORE_FIELDS:
        return CORE_FIELDS[name]
    if schema != "core" and name in ENTERPRISE_FIELDS:
        return ENTERPRISE_FIELDS[name]
    raise _invalid(f"Filtering on {path!r} is not supported.")


def _comparison(field: Field, operator: str, value) -> Q:
    if operator == "pr":
        present = Q(**{f"{field.lookup}__isnull": False})
        return present & ~Q(**{field.lookup: ""}) if field.kind == "string" else present
    if value is None:  # "attr eq null": not present
        if operator == "eq":
            return ~_comparison(field, "pr", None)
        if operator == "ne":
            return _comparison(field, "pr", None)
        raise _invalid(f"null can only be compared with eq or ne, not {operator}.")
    negate = operator == "ne"
    operator = "eq" if negate else operator
    if field.kind == "boolean":
        if not isinstance(value, bool) or operator != "eq":
            raise _invalid("A boolean attribute is compared with eq or ne and true or false.")
        q = Q(**{field.lookup: value})
    elif field.kind == "id":
        if operator != "eq" or not isinstance(value, str | int) or isinstance(value, bool):
            raise _invalid("An id is compared with eq or ne and a string.")
        q = Q(**{field.lookup: int(value)}) if str(value).isdigit() and len(str(value)) < 19 else Q(pk__in=[])
    elif field.kind == "datetime":
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None or operator not in {"eq", "gt", "ge", "lt", "le"}:
            raise _invalid("A date is compared with eq, ne, gt, ge, lt or le and an xsd:dateTime string.")
        suffix = {"eq": "", "gt": "__gt", "ge": "__gte", "lt": "__lt", "le": "__lte"}[operator]
        q = Q(**{f"{field.lookup}{suffix}": moment})
    else:
        if not isinstance(value, str):
            raise _invalid(f"{value!r} is compared with a string attribute; quote it.")
        insensitive = "" if field.case_exact else "i"
        lookup = {
            "eq": f"{insensitive}exact", "co": f"{insensitive}contains", "sw": f"{insensitive}startswith",
            "ew": f"{insensitive}endswith", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte",
        }[operator]  # fmt: skip
        q = Q(**{f"{field.lookup}__{lookup}": value})
    return ~q if negate else q


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        if token[0] is None:
            raise _invalid("The filter ends too early.")
        self.position += 1
        return token

    def keyword(self, *words: str) -> str | None:
        kind, value = self.peek()
        if kind == "word" and value.lower() in words:
            self.position += 1
            return value.lower()
        return None

    def expect(self, punct: str) -> None:
        kind, value = self.take()
        if (kind, value) != ("punct", punct):
            raise _invalid(f"Expected {punct!r} in the filter.")

    def parse(self) -> Q:
        if not self.tokens:
            raise _invalid("The filter is empty.")
        q = self.disjunction("")
        if self.position != len(self.tokens):
            raise _invalid(f"Unexpected {self.tokens[self.position][1]!r} in the filter.")
        return q

    def disjunction(self, prefix: str) -> Q:
        q = self.conjunction(prefix)
        while self.keyword("or"):
            q = q | self.conjunction(prefix)
        return q

    def conjunction(self, prefix: str) -> Q:
        q = self.factor(prefix)
        while self.keyword("and"):
            q = q & self.factor(prefix)
        return q

    def factor(self, prefix: str) -> Q:
        if self.keyword("not"):
            self.expect("(")
            q = self.disjunction(prefix)
            self.expect(")")
            return ~q
        if self.peek() == ("punct", "("):
            self.take()
            q = self.disjunction(prefix)
            self.expect(")")
            return q
        kind, path = self.take()
        if kind != "word":
            raise _invalid(f"Expected an attribute name, found {path!r}.")
        if self.peek() == ("punct", "["):
            if prefix:
                raise _invalid("A value path cannot hold another one.")
            self.take()
            inner = self.disjunction(path)
            self.expect("]")
            kind, sub = self.peek()
            if kind == "word" and sub.startswith("."):
                self.take()
                return inner & self.comparison(f"{path}{sub}")
            return inner
        return self.comparison(f"{prefix}.{path}" if prefix else path)

    def comparison(self, path: str) -> Q:
        field = resolve(path)
        kind, operator = self.take()
        operator = str(operator).lower()
        if kind != "word" or (operator not in OPERATORS and operator != "pr"):
            raise _invalid(f"Unknown operator {operator!r}.")
        if operator == "pr":
            return _comparison(field, "pr", None)
        kind, value = self.take()
        if kind == "word":
            lowered = value.lower()
            if lowered in {"true", "false"}:
                value = lowered == "true"
            elif lowered == "null":
                value = None
            elif NUMBER.match(value):
                value = json.loads(value)
            else:
                raise _invalid(f"{value!r} is not a value: quote strings.")
        elif kind != "value":
            raise _invalid(f"Expected a value after {operator}.")
        return _comparison(field, operator, value)


def parse_filter(text: str) -> Q:
    """The Q for a SCIM filter; ScimError(400, invalidFilter) when it cannot be read or is not supported."""
    if len(text) > 2000:
        raise _invalid("The filter is too long.")
    if "\x00" in text:
        raise _invalid("The filter holds a NUL character.")
    return _Parser(text).parse()
