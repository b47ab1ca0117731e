from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from . import services
from .models import ConsentEvent, Department, Profile, SeniorityLevel, Tag, User

# Self-description answers (AttributeAnswer) are deliberately not registered: their
# values are for the matcher and k >= 5 figures only, and support staff have no
# reason to browse them. Withdrawal is done by the person (people:demographics);
# the lists themselves are edited on people:attributes, audited.


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_coordinator", "is_hr", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_coordinator", "is_hr", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Roles", {"fields": ["is_active", "is_coordinator", "is_hr", "is_staff", "is_superuser"]}),
        ("Django permissions", {"classes": ["collapse"], "fields": ["groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    def save_model(self, request, obj, form, change):
        before = services.roles_of(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)  # the admin's view holds one transaction around both
        services.role_changes_record(user=obj, before=before, by=request.user, request=request)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "profile_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profile_count=Count("profile"))

    @admin.display(description="profiles", ordering="profile_count")
    def profile_count(self, obj: Department) -> int:
        return obj.profile_count


@admin.register(SeniorityLevel)
class SeniorityLevelAdmin(admin.ModelAdmin):
    list_display = ["rank", "name"]
    list_display_links = ["name"]
    ordering = ["rank"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Coordinators curate tags at /people/tags/ (with rename and merge); this is for support."""

    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "job_title", "seniority", "location", "updated_at"]
    list_select_related = ["user", "department", "seniority"]
    list_filter = ["department", "seniority", "meeting_format"]
    search_fields = ["user__email", "user__full_name", "job_title"]
    autocomplete_fields = ["user", "manager", "skills", "topics"]
    readonly_fields = ["updated_at"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    """The consent record is evidence: it can be read, never written or edited here."""

    list_display = ["user", "action", "at"]
    list_select_related = ["user"]
    list_filter = ["action"]
    search_fields = ["user__email", "user__full_name"]
    readonly_fields = ["user", "action", "wording", "at"]
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
