"""Indexes for "Find someone to learn from" (dropin.directory, bench/directory_search.py).

Free slots by site and time: "has a free slot in the next N days", "video" (site
'') and "in person at my site" look them up once for the whole search, as a
range over this index rather than slot by slot per person. It is on a
sessions_log table, so it is plain SQL here (the model's state is unchanged)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dropin", "0001_initial"),
        ("sessions_log", "0006_weekly_availability_and_one_off_actions"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS dropin_free_slot_site_starts "
            "ON sessions_log_officehourslot (site, starts_at) WHERE booked_by_id IS NULL",
            "DROP INDEX IF EXISTS dropin_free_slot_site_starts",
        ),
    ]
