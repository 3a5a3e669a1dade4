"""Screenshots of every page at phone and desktop width, for looking at what we built.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 screenshots/
"""

import sys
import time
from pathlib import Path

from django_otp.oath import totp
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hipcare.demo import DEMO_TOTP_KEY  # noqa: E402

BASE, OUT = sys.argv[1].rstrip("/"), Path(sys.argv[2])
PASSWORD = "hipcare-demo"
PAGES = {
    "physio": ["/caseload/", "/caseload/?scope=clinic", "/covers/", "/patients/add/",
               "/catalogue/", "/catalogue/knee-to-chest/", "/catalogue/?condition=3",
               "PATIENT_DETAIL", "COLLEAGUE_PATIENT", "ASSIGN", "HANDOUT"],
    "patient2": ["/today/", "/my-program/", "/history/"],
    "patient": ["/today/", "/history/", "/my-data/", "/my-data/access/", "/account/erase/"],
    "clinicadmin": ["/clinic/", "/clinic/access-log/", "/clinic/erasures/"],
}  # fmt: skip
WIDTHS = {"phone": 390, "desktop": 1280}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for user, paths in PAGES.items():
            for label, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(f"{BASE}/accounts/login/")
                page.get_by_label("E-mail or username").fill(user)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_load_state()
                while "/two-factor/" in page.url:  # the demo physios' and admin's app
                    page.get_by_label("Code").fill(f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}")
                    page.get_by_role("button", name="Continue").click()
                    page.wait_for_load_state()
                    if "/two-factor/" in page.url:  # a code is used once: wait for the next
                        time.sleep(30 - time.time() % 30 + 1)
                for path in paths:
                    if path == "COLLEAGUE_PATIENT":  # Jonas treats Lars: "not your patient"
                        page.goto(f"{BASE}/caseload/?scope=clinic")
                        page.get_by_role("link", name="Lars Andersen").click()
                    elif path in ("PATIENT_DETAIL", "ASSIGN", "HANDOUT"):
                        page.goto(f"{BASE}/caseload/")
                        page.get_by_role("link", name="Peter Nielsen").click()
                        if path == "ASSIGN":
                            page.get_by_role("link", name="Assign a new program").click()
                        if path == "HANDOUT":
                            page.get_by_role("link", name="Printable handout").click()
                    else:
                        page.goto(BASE + path)
                    name = (
                        f"{user}{path.strip('/').replace('/', '_').replace('?', '_')}-{label}.png"
                    )
                    page.screenshot(path=OUT / name.lower(), full_page=True)
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
