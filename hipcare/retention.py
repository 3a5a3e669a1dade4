"""How long hipcare keeps what, and why. Defaults, tunable per clinic or installation.

Sources (docs/data-rights.md quotes them):
- Danish physiotherapists must keep a patient record for at least 5 years after its latest entry
  (journalføringsbekendtgørelsen § 15, stk. 2; doctors and some others 10 years). A clinic elsewhere
  sets its own period on its Clinic row.
- The access log is kept as long as the record it protects (product rule), so a patient can still
  ask who looked at the record while it exists; the old Danish security order asked for at least
  6 months and allowed up to 5 years.
"""

from django.utils.translation import gettext_lazy as _

# The clinical record of a patient who asked to be erased, when the clinic keeps it.
RECORD_RETENTION_YEARS = 5
RECORD_RETENTION_YEARS_MAX = 30
RECORD_RETENTION_REASON = _(
    "Danish rules for physiotherapists: a patient record is kept for at least 5 years after its "
    "latest entry (journalføringsbekendtgørelsen § 15)."
)

# The access log (hipcare.AccessEvent), for the whole installation: settings.ACCESS_LOG_RETENTION_DAYS.
ACCESS_LOG_RETENTION_DAYS = 5 * 365
# The least it may be set to: the database refuses to delete younger entries whatever the
# application asks (hipcare/migrations/0007 repeats the figure), so a mistake or an attacker with
# the application's connection cannot wipe recent looks. Six months, the old Danish minimum.
ACCESS_LOG_RETENTION_MIN_DAYS = 180
