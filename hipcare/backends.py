from django.contrib.auth.backends import ModelBackend

from hipcare.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Patients log in with the e-mail address they were invited with; staff may use a username.

    Both are looked up by their normalised spelling (User.objects.by_login), the same account the
    lock-out counts failures against (hipcare/lockout.py)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        users = list(User.objects.by_login(username)[:2])
        if len(users) != 1:
            User().set_password(password)  # same work as a real check, against timing attacks
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
