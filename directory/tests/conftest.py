"""An organisation the HR export describes: Finance and Sales, four levels, and
people with profiles. bob mentors alice in carol's running programme.

`hr_file(tmp_path, rows)` writes an export; each row is a dict of its columns
(missing keys are empty cells), so a test reads as the file it feeds."""

import csv
from pathlib import Path

import pytest

from matching.models import Match
from matching.tests.factories import enrol, make_person, seniority_level
from programmes.tests.factories import make_programme

HEADER = [
    "employee_id", "email", "full_name", "department", "job_title", "manager_email", "seniority", "status",
    "hire_date", "leave_date",
]  # fmt: skip


def hr_file(folder: Path, rows: list[dict], *, header: list[str] = HEADER, name: str = "hr.csv") -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def person_row(user, employee_id: str, **values) -> dict:
    """The row of someone as the organisation has them now (their profile), with changes."""
    profile = user.profile
    return {
        "employee_id": employee_id, "email": user.email, "full_name": user.full_name,
        "department": profile.department.name if profile.department else "", "job_title": profile.job_title,
        "manager_email": profile.manager.email if profile.manager else "",
        "seniority": profile.seniority.name if profile.seniority else "", **values,
    }  # fmt: skip


@pytest.fixture
def levels(db):
    return {rank: seniority_level(rank) for rank in (1, 2, 3, 4)}  # Associate, Analyst, Senior, Manager


@pytest.fixture
def org(levels, carol, alice, bob):
    """dana manages erin; alice and bob have profiles; bob mentors alice."""
    from people.models import Profile

    dana = make_person("Dana Diaz", email="dana@example.org", seniority=4, department="Finance")
    erin = make_person("Erin Evans", email="erin@example.org", seniority=2, department="Finance", manager=dana)
    Profile.objects.create(user=alice, seniority=levels[1], department=dana.profile.department, job_title="Analyst")
    Profile.objects.create(user=bob, seniority=levels[3], department=dana.profile.department, job_title="Controller")
    programme = make_programme(carol, status="running", name="Spring mentoring")
    match = Match.objects.create(
        programme=programme, mentee=enrol(programme, alice, "mentee"), mentor=enrol(programme, bob, "mentor")
    )
    return {"dana": dana, "erin": erin, "alice": alice, "bob": bob, "programme": programme, "match": match}


def everyone(org) -> list[dict]:
    """The organisation's export as it stands: nothing to change."""
    return [
        person_row(org["dana"], "E1"), person_row(org["erin"], "E2"),
        person_row(org["alice"], "E3"), person_row(org["bob"], "E4"),
    ]  # fmt: skip
