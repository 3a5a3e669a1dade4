"""Demo accounts shown by `make run`. Development only: the password is printed on screen."""

DEMO_PASSWORD = "hipcare-demo"
# The demo physios' and admin's authenticator key (hex, as django-otp stores it): add the base32
# form printed by seed_demo to an authenticator app, or run `manage.py otp_code physio`.
DEMO_TOTP_KEY = "6869706361726520646f6d6f206b6579203230"

# Two clinics, so a newcomer sees the boundary: nobody at one sees the other's patients.
CLINICS = ["Aarhus Hofteklinik", "Odense Fysioterapi"]

ADMIN = {
    "username": "admin",
    "first_name": "Anne",
    "last_name": "Admin",
    "email": "admin@example.org",
}
# The clinic admin of the first clinic: runs its physios and reads its access log, no health data.
CLINIC_ADMIN = {
    "username": "clinicadmin",
    "first_name": "Lise",
    "last_name": "Dam",
    "email": "lise@example.org",
    "clinic": 0,
}
# Each physio: their clinic (index into CLINICS).
PHYSIOS = [
    {
        "username": "physio",
        "first_name": "Mette",
        "last_name": "Holm",
        "email": "mette@example.org",
        "clinic": 0,
    },
    {
        "username": "physio2",
        "first_name": "Jonas",
        "last_name": "Berg",
        "email": "jonas@example.org",
        "clinic": 0,
    },
    {
        "username": "physio3",
        "first_name": "Sara",
        "last_name": "Kjær",
        "email": "sara@example.org",
        "clinic": 1,
    },
]
# Jonas covered for Mette last week (days counted back from today), and opened her patients.
COVER = {"covering": 1, "absent": 0, "from_days_ago": 9, "until_days_ago": 5}
# Each patient: treating physio (index into PHYSIOS; the patient joins that physio's clinic),
# condition code, affected side, story. "erasure" asked to be deleted: the clinic admin decides.
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
    {
        "username": "patient7",
        "first_name": "Henrik",
        "last_name": "Olsen",
        "email": "henrik@example.org",
        "physio": 2,
        "condition": "osteoarthritis",
        "side": "left",
        "story": "doing_well",
        "born": "1958-08-21",
    },
    {
        "username": "patient8",
        "first_name": "Maja",
        "last_name": "Friis",
        "email": "maja@example.org",
        "physio": 2,
        "condition": "fai",
        "side": "right",
        "story": "struggling",
        "born": "1988-03-14",
    },
    {
        "username": "patient10",
        "first_name": "Inge",
        "last_name": "Lund",
        "email": "inge@example.org",
        "physio": 0,
        "condition": "osteoarthritis",
        "side": "right",
        "story": "ended_flat",
        "born": "1951-04-19",
    },
    {
        "username": "patient9",
        "first_name": "Erik",
        "last_name": "Vestergaard",
        "email": "erik@example.org",
        "physio": 1,
        "condition": "bursitis",
        "side": "left",
        "story": "ended",
        "born": "1955-12-02",
        "erasure": True,
    },
]
