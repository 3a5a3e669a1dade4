"""{% pwa_user_key %}: the account's name in this browser's storage (hipcare/pwa.py)."""

from django import template

from hipcare.pwa import device_key

register = template.Library()


@register.simple_tag(takes_context=True)
def pwa_user_key(context):
    """A patient's key; empty for anyone else (the phone keeps nothing of their pages)."""
    user = context.get("user")
    if user is None or not user.is_authenticated or not user.is_patient:
        return ""
    return device_key(user)
