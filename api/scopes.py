"""What a token may be used for. A token carries a set of scopes; an API operation
names the one scope it needs (read or write per area). A scope never widens what
the token's person may do in the browser: it only narrows it."""

SCOPES: dict[str, str] = {
    "programmes:read": "Read programmes and their participants",
    "programmes:write": "Enrol people and change programmes",
    "matching:read": "Read match runs and matches",
    "matching:write": "Run and publish matching",
    "sessions:read": "Read meetings and goals (dates, statuses; never what anyone wrote)",
    "reports:read": "Read HR figures and download exports",
    "people:read": "Read people (staff)",
    "audit:read": "Read the audit log (staff)",
    "scim": "Provision people through SCIM 2.0 (staff service accounts)",
}
