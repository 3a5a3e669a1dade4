"""Existing usernames and e-mail addresses in the one spelling User.save() now stores (see
hipcare.models.normalise_username and normalise_email; copied here, as a migration must not change
when the code does).

- Usernames: a name already in its normal spelling keeps it; the others take theirs in the order
  they were created, and when two spellings meet (`Karen` and `karen`) the later one is renamed
  `karen-2` (before, neither could log in by that name: the log-in found two accounts).
- E-mail addresses: the case-insensitive unique constraint already keeps `A@x` and `a@x` apart, so
  lower case never collides; removing surrounding spaces may (`a@x` and ` a@x`). Then the address
  already spelled that way, or else the older account, keeps it; the other is left as it was and
  reported, for a person to settle.
"""

import unicodedata

from django.db import migrations


def _username(value):
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _email(value):
    return (value or "").strip().lower()


def _usernames(rows):
    """rows: (pk, username) in creation order. Returns {pk: new username} for those that change."""
    # A name already in its normal spelling is its row's: those are claimed first.
    taken = {username for _, username in rows if _username(username) == username}
    changes = {}
    for pk, username in rows:
        target = _username(username)
        if target == username:
            continue
        if target in taken:
            base, n = target[:140], 2
            while f"{base}-{n}" in taken:
                n += 1
            target = f"{base}-{n}"
        taken.add(target)
        changes[pk] = target
    return changes


def _emails(rows):
    """rows: (pk, email) in creation order. Returns ({pk: new email}, [pks left as they were])."""
    # The constraint compares lower(email), so a row whose lower case is already the normal
    # spelling holds that address; the others claim theirs in creation order.
    taken = {_email(email) for _, email in rows if email and email.lower() == _email(email)}
    changes, left = {}, []
    for pk, email in rows:
        target = _email(email)
        if not email or target == email:
            continue
        if email.lower() != target:  # spaces to remove: the address may be someone else's
            if target in taken:
                left.append(pk)
                continue
            taken.add(target)
        changes[pk] = target
    return changes, left


def normalise_usernames_and_emails(apps, schema_editor):
    User = apps.get_model("hipcare", "User")
    users = User.objects.order_by("date_joined", "pk")
    for pk, username in _usernames(list(users.values_list("pk", "username"))).items():
        User.objects.filter(pk=pk).update(username=username)
    emails, left = _emails(list(users.values_list("pk", "email")))
    for pk, email in emails.items():
        User.objects.filter(pk=pk).update(email=email)
    if left:
        print(
            "\n  E-mail left as it was (without its spaces it is another account's): users "
            + ", ".join(str(pk) for pk in sorted(left))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hipcare", "0002_invitation"),
    ]

    operations = [
        migrations.RunPython(normalise_usernames_and_emails, migrations.RunPython.noop),
    ]
