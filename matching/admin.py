from django.contrib import admin

from .models import (
    Match,
    MatchingSettings,
    MatchRequest,
    MatchRun,
    MentorRanking,
    PairRule,
    Proposal,
    UnmatchedMentee,
)


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(admin.ModelAdmin):
    list_display = ["programme", "candidates_per_mentee", "periodic", "publish_directly", "allow_rematch_with_previous"]
    list_filter = ["periodic", "publish_directly", "allow_rematch_with_previous"]
    search_fields = ["programme__name", "programme__cohort"]
    raw_id_fields = ["programme"]
    list_select_related = ["programme"]


@admin.register(PairRule)
class PairRuleAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "kind", "programme", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["mentee__user__email", "mentee__user__full_name", "mentor__user__email", "mentor__user__full_name"]
    raw_id_fields = ["programme", "mentee", "mentor", "created_by"]
    list_select_related = ["programme", "mentee__user", "mentee__programme", "mentor__user", "mentor__programme",
                           "created_by"]  # fmt: skip


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    """Runs are the engine's record: support reads them, the console changes them."""

    list_display = ["pk", "programme", "number", "status", "attempt", "trigger", "started_by", "created_at",
                    "finished_at", "published_at"]  # fmt: skip
    list_filter = ["status", "trigger"]
    search_fields = ["programme__name"]
    raw_id_fields = ["programme", "started_by"]
    # A stopped worker's run is retried or failed by the sweeper (docs/matching.md), never by hand. The
    # stats keep how long the engine took (seconds, phase_seconds): for support, not the console.
    readonly_fields = ["number", "created_at", "started_at", "finished_at", "published_at", "stats", "error", "attempt",
                       "queued_at", "sent_at", "lease_expires_at"]  # fmt: skip
    list_select_related = ["programme", "started_by"]
    date_hierarchy = "created_at"


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "score", "source", "run"]
    list_filter = ["source"]
    search_fields = ["mentee__user__email", "mentee__user__full_name", "mentor__user__email", "mentor__user__full_name"]
    raw_id_fields = ["run", "mentee", "mentor"]
    list_select_related = ["run__programme", "mentee__user", "mentee__programme", "mentor__user", "mentor__programme"]


@admin.register(UnmatchedMentee)
class UnmatchedMenteeAdmin(admin.ModelAdmin):
    list_display = ["mentee", "reason", "run"]
    search_fields = ["mentee__user__email", "mentee__user__full_name", "reason"]
    raw_id_fields = ["run", "mentee"]
    list_select_related = ["run__programme", "mentee__user", "mentee__programme"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "programme", "status", "created_at", "ended_at", "end_reason",
                    "rematch_requested"]  # fmt: skip
    list_filter = ["status", "end_reason", "rematch_requested"]
    search_fields = ["mentee__user__email", "mentee__user__full_name", "mentor__user__email", "mentor__user__full_name"]
    raw_id_fields = ["programme", "mentee", "mentor", "run", "ended_by"]
    list_select_related = ["programme", "mentee__user", "mentee__programme", "mentor__user", "mentor__programme"]
    date_hierarchy = "created_at"


@admin.register(MatchRequest)
class MatchRequestAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "rank", "status", "programme", "sent_at", "expires_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["mentee__user__email", "mentee__user__full_name", "mentor__user__email", "mentor__user__full_name"]
    raw_id_fields = ["programme", "mentee", "mentor"]
    list_select_related = ["programme", "mentee__user", "mentee__programme", "mentor__user", "mentor__programme"]


@admin.register(MentorRanking)
class MentorRankingAdmin(admin.ModelAdmin):
    list_display = ["mentor", "rank", "mentee", "programme"]
    search_fields = ["mentor__user__email", "mentor__user__full_name", "mentee__user__email"]
    raw_id_fields = ["programme", "mentor", "mentee"]
    list_select_related = ["programme", "mentor__user", "mentor__programme", "mentee__user", "mentee__programme"]
