"""The Delivery problems page in Chromium on a phone (390 px) and a laptop: nothing wider than
the screen with a long address and a long server message, and "Allow again" works by touch."""

from datetime import datetime, timezone

from followups.models import DeliveryEvent, SuppressedAddress

from ..e2e.pages import log_in

LONG = "accounts.receivable.department.of.the.northwind.trading.company" + "x" * 40 + "@mail.example"


def _width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_the_page_fits_a_phone_and_a_laptop_and_allow_again_works(live_server, browser, screenshot, org, approver):
    when = datetime(2026, 12, 3, 10, 15, tzinfo=timezone.utc)
    event = DeliveryEvent.objects.create(organization=org, source="smtp2go", event_id="e1", kind="bounce_hard",
                                         address=LONG, occurred_at=when,
                                         detail="550 5.1.1 <" + LONG + ">: Recipient address rejected: " + "y" * 120)
    SuppressedAddress.objects.create(organization=org, address=LONG, reason="bounce_hard", since=when, event=event,
                                     customer="Northwind Trading Company International Holdings")
    page = browser.new_page()
    log_in(page, live_server, "alice", "pw-alice")
    for size in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/dashboard/follow-ups/delivery/")
        width, screen = _width(page)
        assert width <= screen, f"the page is {width} px wide on a {screen} px screen"
        screenshot(page, f"delivery-problems-{size['width']}")
    page.get_by_role("button", name="Allow again").click()
    assert page.locator(".messages").inner_text().startswith(LONG + " may be emailed again")
    assert _width(page)[0] <= 390
