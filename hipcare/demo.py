"""Demo accounts shown by `make run`. Development only: the password is printed on screen."""

DEMO_PASSWORD = "hipcare-demo"
# The demo physios' and admin's authenticator key (hex, as django-otp stores it): add the base32
# form printed by seed_demo to an authenticator app, or run `manage.py otp_code physio`.
DEMO_TOTP_KEY = "6869706361726520646f6d6f206b6579203230"

ADMIN = {
    "username": "admin",
    "first_name": "Anne",
    "last_name": "Admin",
    "email": "admin@example.org",
}
PHYSIOS = [
    {
        "username": "physio",
        "first_name": "Mette",
        "last_name": "Holm",
        "email": "mette@example.org",
    },
    {
        "username": "physio2",
        "first_name": "Jonas",
        "last_name": "Berg",
        "email": "jonas@example.org",
    },
]
# Each patient: treating physio (index into PHYSIOS), condition code, affected side, story.
PATIENTS = [
    {
        "username": "patient",
        "first_name": "Karen",
        "last_name": "Jensen",
        "email": "karen@example.org",
        "physio": 0,
        "condition": "osteoarthritis",
        "side": "right",
        "story": "hard_session",
        "born": "1956-04-12",
    },
    {
        "username": "patient2",
        "first_name": "Peter",
        "last_name": "Nielsen",
        "email": "peter@example.org",
        "physio": 0,
        "condition": "bursitis",
        "side": "left",
        "story": "struggling",
        "born": "1964-09-03",
    },
    {
        "username": "patient3",
        "first_name": "Sofie",
        "last_name": "Larsen",
        "email": "sofie@example.org",
        "physio": 0,
        "condition": "fai",
        "side": "right",
        "story": "stopped",
        "born": "1991-01-27",
    },
    {
        "username": "patient4",
        "first_name": "Lars",
        "last_name": "Andersen",
        "email": "lars@example.org",
        "physio": 1,
        "condition": "osteoarthritis",
        "side": "both",
        "story": "doing_well",
        "born": "1949-11-30",
    },
    {
        "username": "patient5",
        "first_name": "Ole",
        "last_name": "Madsen",
        "email": "ole@example.org",
        "physio": 0,
        "condition": "osteoarthritis",
        "side": "left",
        "story": "ended",
        "born": "1952-06-18",
    },
    {
        "username": "patient6",
        "first_name": "Birgitte",
        "last_name": "Poulsen",
        "email": "birgitte@example.org",
        "physio": 0,
        "condition": "bursitis",
        "side": "right",
        "story": "stop_today",
        "born": "1960-02-09",
    },
]
