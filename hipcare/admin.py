from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from hipcare.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "physio", "is_staff"]
    list_filter = ["role", "is_staff", "is_active"]
    list_select_related = ["physio"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Care"), {"fields": ["role", "physio", "date_of_birth", "condition", "affected_side"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Care"), {"fields": ["email", "role", "physio"]}),
    ]
