"""Admin for support staff: find a circle, a post or a reply, and see who hid it
and why. Moderation itself happens on the circle pages, through the services."""

from django.contrib import admin

from .models import Circle, Post, Reply


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["programme", "audience", "is_open", "opened_by", "created_at"]
    list_filter = ["audience", "is_open"]
    search_fields = ["programme__name", "programme__cohort"]
    raw_id_fields = ["programme", "opened_by"]
    list_select_related = ["programme", "opened_by"]


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    fields = ["created_at", "author", "body", "hidden_at", "hidden_by", "hidden_reason"]
    readonly_fields = ["created_at", "author", "hidden_at", "hidden_by"]
    raw_id_fields = ["author", "hidden_by"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "circle", "author", "by_coordinator", "created_at", "is_pinned", "is_locked", "hidden_at"]
    list_filter = ["circle__audience", "is_pinned", "is_locked", ("hidden_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "author__email", "author__full_name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["circle", "author", "hidden_by"]
    readonly_fields = ["created_at", "edited_at"]
    list_select_related = ["circle__programme", "author"]
    inlines = [ReplyInline]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "post", "author", "created_at", "hidden_at"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter)]
    search_fields = ["body", "author__email", "author__full_name", "post__title"]
    raw_id_fields = ["post", "author", "hidden_by"]
    readonly_fields = ["created_at"]
    list_select_related = ["post", "author"]
