#!/usr/bin/env python3
"""Browser tests of the web app: Debian's Chromium driven by Python Playwright (never
`playwright install`: the browser is the system's), against a real `dabba serve --demo` on a
fresh database. Several browser contexts at once (a customer on a phone, the owner on a
desktop) act on the same orders through the pages, with no reloads.

    python3 web/tests/run.py                 # every scenario
    python3 web/tests/run.py --only main     # one scenario

Each page visited is checked for console errors and scanned with axe-core (vendored here only,
its hash checked); screenshots at phone and desktop sizes go to target/screenshots/.
"""

import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, ".ci"))
from server import DEMO, ApiError, call, login, start, stop  # noqa: E402

AXE = os.path.join(HERE, "vendor", "axe.min.js")
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"
SHOTS = os.path.join(ROOT, "target", "screenshots")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def ensure_playwright():
    try:
        import playwright  # noqa: F401
    except ImportError:
        import subprocess
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "playwright==1.65.2"], check=True)


class Harness:
    """The server, the browser, the pages' console errors and the accessibility findings."""

    def __init__(self, pw, base):
        self.base = base
        self.browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        self.errors = []
        self.findings = []
        self.scanned = set()
        self.expected = []
        with open(AXE, "rb") as f:
            data = f.read()
        assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "web/tests/vendor/axe.min.js is not the vendored axe-core 4.10.3"
        self.axe = data.decode()

    def context(self, who, viewport):
        ctx = self.browser.new_context(viewport=viewport, base_url=self.base)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        # Chromium logs every 4xx answer as "Failed to load resource"; those are judged by the
        # response itself below, so an API refusal a scenario provokes on purpose is not an error.
        page.on("console", lambda m: self.errors.append(f"[{who}] console {m.type}: {m.text}")
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: self.errors.append(f"[{who}] page error: {e}"))
        page.on("response", lambda r: self.response(who, r))
        return page

    def expect(self, method, path, status):
        """A refusal the scenario provokes on purpose (an unknown offer code, say)."""
        self.expected.append((method, path, status))

    def response(self, who, r):
        if r.status < 400 or not r.url.startswith(self.base):
            return
        path = r.url[len(self.base):].split("?")[0]
        want = (r.request.method, path, r.status)
        if want in self.expected:
            self.expected.remove(want)
        else:
            self.errors.append(f"[{who}] unexpected {r.status} for {r.request.method} {r.url}")

    def check(self, page, name):
        """Axe scan (serious and critical count) and screenshots at both sizes, once per name."""
        page.wait_for_load_state("networkidle")
        if name in self.scanned:
            return
        self.scanned.add(name)
        page.evaluate(self.axe + "\n;0")
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
        for v in result:
            if v["impact"] in ("serious", "critical"):
                self.findings.append(f"{name}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}")
        os.makedirs(SHOTS, exist_ok=True)
        size = page.viewport_size
        for label, vp in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(vp)
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{label}.png"), full_page=True)
        page.set_viewport_size(size)

    def close(self):
        self.browser.close()


def demo_login(page, role_button):
    page.goto("/")
    page.click(f"[data-role={role_button}]")


def owner_setup(base):
    """The demo owner's restaurant, open around the clock (CI runs at any hour), with an offer."""
    token = login(base, DEMO["restaurant"])
    r = call(base, "GET", "/api/v1/restaurants/mine", token=token)[0]
    day = {"open": "00:00", "close": "23:59"}
    call(base, "PATCH", f"/api/v1/restaurants/{r['restaurant_id']}", {"operating_hours": {d: day for d in
         ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}}, token=token)
    try:
        call(base, "POST", "/api/v1/offers", {"code": "THALI10", "discount_type": "PERCENTAGE", "discount_value": 10,
             "applicable_to": "RESTAURANT", "restaurant_ids": [r["restaurant_id"]], "description": "10% off"}, token=token)
    except ApiError as e:
        if e.status != 409:
            raise
    return token, r


def approved(base, name, phone, role):
    """A new user with the role, approved by the demo admin: their id and a token."""
    admin = login(base, DEMO["admin"])
    call(base, "POST", "/api/v1/auth/register", {"name": name, "phone": phone, "password": "a-long-secret-1", "role": role})
    user_id = next(u["user_id"] for u in call(base, "GET", "/api/v1/admin/users/pending", token=admin) if u["phone"] == phone)
    call(base, "POST", f"/api/v1/admin/users/{user_id}/approve", {}, token=admin)
    return user_id, login(base, phone, "a-long-secret-1")


def second_kitchen(base, lat, lng):
    """A second owner's kitchen at the point, open around the clock, with one dish; its id."""
    _, owner = approved(base, "Asha Owner", "+917811100031", "RESTAURANT")
    day = {"open": "00:00", "close": "00:00"}
    r = call(base, "POST", "/api/v1/restaurants", {
        "name": "Night Owl Idli", "cuisines": ["South Indian"], "latitude": lat, "longitude": lng,
        "address": {"line1": "3 MG Road", "city": "Bengaluru"}, "cost_for_two": 30000, "avg_preparation_minutes": 15,
        "delivery_radius_km": 5.0, "min_order_value": 0, "is_veg": True, "timezone": "Asia/Kolkata",
        "operating_hours": {d: day for d in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}},
        token=owner)
    c = call(base, "POST", f"/api/v1/restaurants/{r['restaurant_id']}/categories", {"name": "Tiffin"}, token=owner)
    call(base, "POST", f"/api/v1/restaurants/{r['restaurant_id']}/items",
         {"category_id": c["category_id"], "name": "Idli", "price": 6000, "is_veg": True}, token=owner)
    return r["restaurant_id"]


def sign_up(page, phone, h=None):
    page.goto("/#/signup")
    page.wait_for_selector("input[name=name]")
    if h:
        h.check(page, "signup")
    page.fill("input[name=name]", "Asha Test")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", "a-long-secret-1")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"#/place$"))


def set_address(page, lat, lng):
    page.wait_for_selector("input[name=latitude]")
    # The pin is dragged first, then the coordinates typed exactly.
    box = page.locator("svg.map.pick").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2 - 20, steps=5)
    page.mouse.up()
    moved = page.input_value("input[name=latitude]")
    assert moved != "", "dragging the pin fills the coordinates"
    page.fill("input[name=latitude]", f"{lat:.6f}")
    page.fill("input[name=longitude]", f"{lng:.6f}")
    page.fill("input[name=address_line1]", "12, 4th Cross, Test Layout")
    page.click("form button[type=submit]")
    page.wait_for_selector("ul.cards li")


def scenario_main(h, base):
    """Sign-up, map address, suggestion, customised dish, offer, card payment; the owner accepts
    and marks ready on the live board while the customer's page moves; a rider moved through the
    API drives the customer's map and ETA; delivery with the OTP read from the page; rating."""
    owner_token, r = owner_setup(base)
    rid = r["restaurant_id"]
    owner = h.context("owner", DESKTOP)
    demo_login(owner, "RESTAURANT")
    owner.wait_for_url(re.compile(rf"#/kitchen/{rid}$"))
    owner.wait_for_selector(".board")
    h.check(owner, "owner-board")

    # The owner adds a dish with a required choice, and one that is sold out.
    owner.click("text=Edit menu")
    owner.wait_for_selector("button:has-text('Add a dish')")
    owner.locator("button:has-text('Add a dish')").first.click()
    owner.fill("dialog input[name=name]", "Test Thali")
    owner.fill("dialog input[name=price]", "250")
    owner.fill("dialog input[name=group_name]", "Size")
    owner.check("dialog input[name=group_required]")
    owner.locator("dialog input[name=option_label]").nth(0).fill("Regular")
    owner.locator("dialog input[name=option_label]").nth(1).fill("Large")
    owner.locator("dialog input[name=option_price]").nth(1).fill("50")
    owner.click("dialog button[type=submit]")
    owner.wait_for_selector("li.menu-item:has-text('Test Thali')")
    owner.locator("button:has-text('Add a dish')").first.click()
    owner.fill("dialog input[name=name]", "Sold Out Shake")
    owner.fill("dialog input[name=price]", "120")
    owner.fill("dialog input[name=stock]", "0")
    owner.click("dialog button[type=submit]")
    owner.wait_for_selector("li.menu-item:has-text('Sold Out Shake')")
    h.check(owner, "owner-menu")
    owner.click("text=← Orders")
    owner.wait_for_selector(".board")

    customer = h.context("customer", PHONE)
    sign_up(customer, "+919811100001", h)
    customer.wait_for_selector("input[name=latitude]")
    h.check(customer, "place")
    set_address(customer, r["latitude"] + 0.004, r["longitude"] + 0.003)
    h.check(customer, "home")

    # Found through a suggestion.
    customer.fill("input[name=q]", r["name"][:6])
    customer.wait_for_selector(f"#suggestions li:has-text('{r['name']}')")
    customer.locator(f"#suggestions li:has-text('{r['name']}')").first.dispatch_event("mousedown")
    customer.wait_for_url(re.compile(rf"#/r/{rid}$"))
    customer.wait_for_selector("li.item:has-text('Test Thali')")
    sold = customer.locator("li.item:has-text('Sold Out Shake') button.add")
    assert sold.is_disabled() and "Sold out" in sold.inner_text(), "a dish out of stock is shown as sold out"
    h.check(customer, "restaurant")

    # A required choice left empty is refused in the dialog; then Large is chosen.
    customer.locator("li.item:has-text('Test Thali') button.add").click()
    customer.click("dialog button[type=submit]")
    assert "Choose one in “Size”" in customer.inner_text("dialog .form-error"), customer.inner_text("dialog")
    customer.check("dialog label:has-text('Large') input")
    customer.click("dialog button[type=submit]")
    customer.wait_for_selector("#toasts .toast:has-text('added')")

    customer.goto("/#/cart")
    customer.wait_for_selector("h1:has-text('Your cart')")
    # An offer that does not exist is refused with the server's reason; then the real one applies.
    h.expect("POST", "/api/v1/cart/apply-offer", 404)
    customer.fill("input[name=promo_code]", "NOSUCH1")
    customer.click("form.offer-form button[type=submit]")
    customer.wait_for_selector("form.offer-form .form-error:not([hidden])")
    assert customer.inner_text("form.offer-form .form-error").strip(), "the refusal says why"
    customer.fill("input[name=promo_code]", "THALI10")
    customer.click("form.offer-form button[type=submit]")
    customer.wait_for_selector("text=THALI10 applied")
    assert "Large" in customer.inner_text("ul.lines"), "the chosen option is in the cart"
    h.check(customer, "cart")

    # Card, on the sandbox's pay page; a double click places one order.
    customer.check("input[value=CARD]")
    btn = customer.locator("form.checkout button[type=submit]")
    btn.dblclick()
    customer.wait_for_url(re.compile(r"/sandbox/pay/"))
    customer.fill("input[name=card_number]", "4111111111111111")
    customer.fill("input[name=expiry]", "12/30")
    customer.fill("input[name=cvv]", "123")
    customer.click("button[value=pay]")
    customer.wait_for_selector("text=Payment successful")
    customer.click("text=Return to Dabba")
    customer.wait_for_url(re.compile(r"#/order/[0-9a-f-]{36}$"))
    order_id = customer.url.rsplit("/", 1)[1]
    orders = call(base, "GET", "/api/v1/orders", token=customer_token(customer))
    assert len(orders) == 1, f"one order placed, not {len(orders)}"
    customer.wait_for_selector(".stepper-line li.now[data-status=CONFIRMED]")
    h.check(customer, "order")

    # The owner's board shows it without a reload, with a banner; accept, then ready.
    owner.wait_for_selector(f"li.ticket[data-order='{order_id}'][data-status=CONFIRMED]")
    owner.wait_for_selector(".banner:has-text('New order')")
    owner.click(f"li.ticket[data-order='{order_id}'] [data-action=accept]")
    customer.wait_for_selector(".stepper-line li.now[data-status=PREPARING]")
    owner.click(f"li.ticket[data-order='{order_id}'] [data-action=ready]")
    customer.wait_for_selector(".stepper-line li.now[data-status=READY]")

    # A rider, moved through the API, moves the customer's marker and ETA.
    rider = login(base, DEMO["rider"])
    drive_rider(base, rider, order_id, r, customer)
    otp = customer.get_attribute("[data-otp]", "data-otp")
    call(base, "PUT", f"/api/v1/delivery/orders/{order_id}/status", {"status": "DELIVERED", "otp": otp}, token=rider)
    customer.wait_for_selector("form.rate")
    customer.check("fieldset:has-text('Food') input[value='5']")
    customer.check("fieldset:has-text('Delivery') input[value='4']")
    customer.click("form.rate button[type=submit]")
    customer.wait_for_selector("text=You rated the food 5★")
    h.check(customer, "order-delivered")
    call(base, "POST", "/api/v1/delivery/available", {"available": False, "lat": r["latitude"], "lng": r["longitude"]}, token=rider)

    # The owner's payouts show the delivered order's net, as the API states it, and the review.
    statement = call(base, "GET", f"/api/v1/restaurants/{rid}/payouts", token=owner_token)
    owner.click("text=Payouts and reviews")
    owner.wait_for_selector(f"[data-net='{statement['net']}']")
    assert statement["net"] > 0 and statement["orders"] >= 1, statement
    owner.wait_for_selector("#reviews-title ~ ul li:has-text('5★ food')")
    assert owner.locator("svg.chart rect").count() >= 3, "a bar per measure"
    h.check(owner, "owner-payouts")
    return customer, owner, r, owner_token


def customer_token(page):
    import json
    return json.loads(page.evaluate("localStorage.getItem('dabba.session')"))["token"]


def drive_rider(base, rider, order_id, r, customer):
    """The rider goes online at the restaurant, takes the offer, picks up and rides toward the
    customer; the marker on the customer's map follows each fix."""
    lat, lng = r["latitude"], r["longitude"]
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "SCOOTER", "vehicle_number": "KA01AB1234"}, token=rider)
    call(base, "POST", "/api/v1/delivery/available", {"available": True, "lat": lat, "lng": lng}, token=rider)
    deadline = time.time() + 20
    while time.time() < deadline:
        offers = call(base, "GET", "/api/v1/delivery/orders/available", token=rider)
        if any(o["order_id"] == order_id for o in offers):
            break
        time.sleep(0.3)
    call(base, "POST", f"/api/v1/delivery/orders/{order_id}/accept", token=rider)
    call(base, "PUT", f"/api/v1/delivery/orders/{order_id}/status", {"status": "PICKED_UP"}, token=rider)
    call(base, "PUT", f"/api/v1/delivery/orders/{order_id}/status", {"status": "OUT_FOR_DELIVERY"}, token=rider)
    seen = []
    for i in range(1, 4):
        # About 11 m a second: a plausible ride, so no fix is filtered out as a jump.
        at = {"lat": lat + 0.0001 * i, "lng": lng + 0.00008 * i}
        call(base, "POST", "/api/v1/delivery/location", {**at, "order_id": order_id}, token=rider)
        customer.wait_for_function("([lat]) => Math.abs(Number(document.querySelector('.marker.rider')?.getAttribute('data-lat')) - lat) < 1e-6",
                                   arg=[at["lat"]])
        seen.append(customer.get_attribute(".marker.rider", "transform"))
        time.sleep(1.1)
    assert len(set(seen)) == 3, f"the marker moved with each fix: {seen}"
    assert customer.locator(".trail").count() == 1, "the route's trail is drawn"
    assert customer.get_attribute(".eta", "data-seconds") is not None, "the ETA counts down"


def add_first_dish(page, rid):
    """Adds the restaurant's first dish that needs no choices; its name."""
    page.goto(f"/#/r/{rid}")
    item = page.locator("li.item:not(.unavailable):not(:has-text('Customisable'))").first
    name = item.locator("h3").inner_text()
    item.locator("button.add").click()
    return name


def scenario_more(h, base):
    """The one-restaurant rule, a wallet top-up by UPI, a cancellation with its fee stated first,
    a reorder after a price change, and pausing, which takes the restaurant off the home."""
    owner_token, r = owner_setup(base)
    rid = r["restaurant_id"]
    customer = h.context("customer2", PHONE)
    sign_up(customer, "+919811100002")
    set_address(customer, r["latitude"] + 0.003, r["longitude"] - 0.002)
    # Another restaurant open now, whatever the hour CI runs at: a new kitchen next door, open
    # around the clock (at 2 am the demo city's near ones may all be closed).
    other = f"#/r/{second_kitchen(base, r['latitude'] + 0.001, r['longitude'])}"

    # One restaurant per cart: asked, and "Keep" keeps the cart as it was.
    dish = add_first_dish(customer, rid)
    customer.wait_for_selector("#toasts .toast:has-text('added')")
    customer.goto("/" + other)
    h.expect("POST", "/api/v1/cart/items", 409)
    customer.locator("li.item:not(.unavailable):not(:has-text('Customisable')) button.add").first.click()
    customer.wait_for_selector("dialog:has-text('Replace your cart?')")
    h.check(customer, "replace-cart")
    customer.click("dialog button:has-text('Keep')")
    customer.goto("/#/cart")
    customer.wait_for_selector(f"ul.lines:has-text('{dish}')")

    # A search's results, from the box.
    customer.goto("/#/")
    customer.fill("input[name=q]", "pizza")
    customer.press("input[name=q]", "Enter")
    customer.wait_for_url(re.compile(r"#/search\?"))
    customer.wait_for_selector("ul.dishes li.dish-hit")
    h.check(customer, "search")

    # A declined card leaves the order waiting for payment; the order page pays it another way.
    customer.goto(f"/#/r/{rid}")
    customer.locator("li.item:not(.unavailable):not(:has-text('Customisable')) button.add").first.click()
    customer.wait_for_selector("#toasts .toast:has-text('added')")
    customer.goto("/#/cart")
    customer.check("input[value=CARD]")
    customer.click("form.checkout button[type=submit]")
    customer.wait_for_url(re.compile(r"/sandbox/pay/"))
    customer.fill("input[name=card_number]", "4000000000000002")
    customer.fill("input[name=expiry]", "12/30")
    customer.fill("input[name=cvv]", "123")
    customer.click("button[value=pay]")
    customer.wait_for_selector("text=Payment declined")
    customer.click("text=Return to Dabba")
    customer.wait_for_selector("button:has-text('Pay now')")
    h.check(customer, "pay-again")
    customer.select_option("form[aria-label='Pay for this order'] select[name=method]", "UPI")
    customer.click("button:has-text('Pay now')")
    customer.wait_for_url(re.compile(r"/sandbox/pay/"))
    customer.fill("input[name=upi_id]", "success@dabba")
    customer.click("button[value=pay]")
    customer.click("text=Return to Dabba")
    customer.wait_for_selector(".stepper-line li.now[data-status=CONFIRMED]")
    paid_order = customer.url.rsplit("/", 1)[1]
    call(base, "PUT", f"/api/v1/orders/{paid_order}/cancel", {}, token=customer_token(customer))
    dish = add_first_dish(customer, rid)
    customer.wait_for_selector("#toasts .toast:has-text('added')")

    # The wallet, topped up through the UPI pay page.
    customer.goto("/#/account")
    customer.fill("input[name=amount]", "500")
    customer.select_option("select[name=method]", "UPI")
    customer.click("button:has-text('Add money')")
    customer.wait_for_url(re.compile(r"/sandbox/pay/"))
    customer.fill("input[name=upi_id]", "success@dabba")
    customer.click("button[value=pay]")
    customer.click("text=Return to Dabba")
    customer.wait_for_url(re.compile(r"#/account$"))
    customer.wait_for_selector(".balance[data-balance='50000']")
    h.check(customer, "account")

    # Cash order; the kitchen starts cooking; the page states the fee before cancelling.
    customer.goto("/#/cart")
    customer.check("input[value=COD]")
    customer.click("form.checkout button[type=submit]")
    customer.wait_for_url(re.compile(r"#/order/[0-9a-f-]{36}$"))
    order_id = customer.url.rsplit("/", 1)[1]
    call(base, "PATCH", f"/api/v1/restaurants/{rid}/orders/{order_id}/status",
         {"status": "PREPARING", "estimated_preparation_minutes": 15}, token=owner_token)
    customer.wait_for_selector(".stepper-line li.now[data-status=PREPARING]")
    fee = call(base, "GET", f"/api/v1/orders/{order_id}", token=customer_token(customer))["cancellation"]["fee"]
    assert fee > 0, "cooking has started: cancelling costs a fee"
    customer.click("button:has-text('Cancel order')")
    text = customer.inner_text("dialog")
    rupees = f"₹{fee // 100:,}.{fee % 100:02d}"
    assert rupees in text and "you owe it" in text, f"the dialog states the fee {rupees}, owed (cash): {text}"
    h.check(customer, "cancel-dialog")
    customer.check("dialog input[value='Taking too long']")
    customer.click("dialog button:has-text('Cancel and pay')")
    customer.wait_for_selector(".stepper-line li.cancelled")
    assert call(base, "GET", f"/api/v1/orders/{order_id}", token=customer_token(customer))["cancel_reason"] == "Taking too long"
    assert rupees in customer.inner_text("main"), "the fee kept is shown"

    # The dish's price changes; ordering again says so.
    menu = call(base, "GET", f"/api/v1/restaurants/{rid}/menu")
    item = next(i for c in menu["categories"] for i in c["items"] if i["name"] == dish)
    call(base, "PATCH", f"/api/v1/restaurants/{rid}/items/{item['item_id']}", {"price": item["price"] + 1000}, token=owner_token)
    customer.click("button:has-text('Order again')")
    customer.wait_for_selector("dialog:has-text('Some things changed')")
    assert dish in customer.inner_text("dialog"), customer.inner_text("dialog")
    customer.click("dialog button:has-text('See the cart')")
    customer.wait_for_selector("h1:has-text('Your cart')")
    customer.goto("/#/orders")
    customer.wait_for_selector("ul.orders li a")
    h.check(customer, "orders")

    # Paused, the restaurant leaves the customer's home; resumed, it comes back.
    owner = h.context("owner2", DESKTOP)
    demo_login(owner, "RESTAURANT")
    owner.wait_for_selector("button:has-text('Pause orders')")
    owner.click("button:has-text('Pause orders')")
    owner.wait_for_selector("button:has-text('Resume orders')")
    customer.goto("/#/")
    customer.wait_for_selector("ul.cards li")
    assert customer.locator(f"ul.cards a[href='#/r/{rid}']").count() == 0, "a paused restaurant is not listed"
    owner.click("button:has-text('Resume orders')")
    owner.wait_for_selector("button:has-text('Pause orders')")
    customer.reload()
    customer.wait_for_selector(f"ul.cards a[href='#/r/{rid}']")


def scenario_weight(h, base):
    """What the first screen costs a phone on a cold cache: every request the page makes until
    it is idle, by the bytes that crossed the wire (compressed), against the ~150 KB budget."""
    page = h.context("weight", PHONE)
    sizes = []
    page.on("requestfinished", lambda r: sizes.append((r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
    page.goto("/", wait_until="networkidle")
    page.wait_for_selector("[data-role=CUSTOMER]")
    h.check(page, "login")
    total = sum(n for _, n in sizes)
    assets = [u for u, _ in sizes if "/app/" in u]
    print(f"     first screen: {len(sizes)} requests, {total / 1024:.1f} KB on the wire "
          f"({len(assets)} assets, all preloaded from the page)")
    assert total <= 150 * 1024, f"the first screen weighs {total} bytes"
    html = call(base, "GET", "/api/v1/demo")  # the one API call of the first screen
    assert html["accounts"], "the demo accounts are offered"


def scenario_rider(h, base):
    """The rider's page on a phone with its position emulated: online, the position streams over
    the socket, an offer card arrives and is accepted, the page waits for READY before pickup,
    and delivery takes the customer's code (a wrong one is refused with the API's message)."""
    owner_token, r = owner_setup(base)
    rid = r["restaurant_id"]
    lat, lng = r["latitude"] + 0.0005, r["longitude"] + 0.0005
    ctx = h.browser.new_context(viewport=PHONE, base_url=base, geolocation={"latitude": lat, "longitude": lng},
                                permissions=["geolocation"])
    rider = ctx.new_page()
    rider.set_default_timeout(20000)
    rider.on("console", lambda m: h.errors.append(f"[rider] console: {m.text}")
             if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    rider.on("pageerror", lambda e: h.errors.append(f"[rider] page error: {e}"))
    rider.on("response", lambda resp: h.response("rider", resp))
    try:
        call(base, "GET", "/api/v1/delivery/profile", token=login(base, DEMO["rider"]))
    except ApiError as e:
        assert e.status == 404, e
        h.expect("GET", "/api/v1/delivery/profile", 404)  # the page asks for the vehicle then
    rider.goto("/")
    rider.click("[data-role=DELIVERY]")
    rider.wait_for_url(re.compile(r"#/ride$"))
    rider_token = customer_token(rider)
    # The demo rider may have no vehicle yet: the page asks for it first.
    rider.wait_for_selector("[data-duty], p.warn:has-text('Add your vehicle')")
    if rider.locator("[data-duty]").count() == 0:
        rider.fill("input[name=vehicle_number]", "KA01AB1234")
        rider.click("button:has-text('Save vehicle')")
    rider.click("[data-duty=offline]")
    rider.wait_for_selector("[data-duty=online]")
    h.check(rider, "rider-online")

    # A customer orders (cash) through the API; the offer reaches the rider's page.
    cust = call(base, "POST", "/api/v1/auth/register", {"name": "Ravi Test", "phone": "+919811100003", "password": "a-long-secret-1"})["token"]
    addr = call(base, "POST", "/api/v1/users/addresses", {"address_line1": "7 Test Road", "city": "Bengaluru", "address_type": "HOME",
                "latitude": r["latitude"] + 0.006, "longitude": r["longitude"] + 0.004}, token=cust)
    menu = call(base, "GET", f"/api/v1/restaurants/{rid}/menu")
    item = next(i for c in menu["categories"] for i in c["items"] if i["is_available"] and not i["customizations"] and (i["stock"] is None or i["stock"] > 0))
    call(base, "POST", "/api/v1/cart/items", {"restaurant_id": rid, "item_id": item["item_id"], "quantity": 2, "replace_cart": True}, token=cust)
    order = call(base, "POST", "/api/v1/orders", {"address_id": addr["address_id"], "payment_method": "COD"}, token=cust,
                 headers={"idempotency-key": "rider-scenario-1"})
    oid = order["order_id"]
    card = rider.wait_for_selector(f"[data-offer='{oid}']")
    assert "to pick up" in card.inner_text(), card.inner_text()
    h.check(rider, "rider-offer")
    rider.click(f"[data-offer='{oid}'] [data-action=accept]")
    rider.wait_for_selector(f"[data-job='{oid}']")
    pick = rider.locator("[data-step=PICKED_UP]")
    assert pick.is_disabled(), "no pickup before the kitchen marks it ready"
    assert "not marked it ready" in rider.inner_text(".job")
    assert order["total_amount"] > 0 and "in cash" in rider.inner_text(".job .cash"), "cash to collect is shown"

    # The position streamed over the socket reaches live state: the kitchen sees the rider coming.
    ctx.set_geolocation({"latitude": lat + 0.0002, "longitude": lng})
    call(base, "PATCH", f"/api/v1/restaurants/{rid}/orders/{oid}/status", {"status": "PREPARING", "estimated_preparation_minutes": 5}, token=owner_token)
    deadline = time.time() + 15
    arrival = None
    while time.time() < deadline and arrival is None:
        board = call(base, "GET", f"/api/v1/restaurants/{rid}/orders?limit=10", token=owner_token)
        arrival = next((o.get("rider_arrival") for o in board if o["order_id"] == oid), None)
        time.sleep(0.3)
    assert arrival, "the rider's streamed position reached the kitchen's arrival estimate"

    call(base, "PATCH", f"/api/v1/restaurants/{rid}/orders/{oid}/status", {"status": "READY"}, token=owner_token)
    rider.wait_for_selector("[data-step=PICKED_UP]:not([disabled])")
    rider.click("[data-step=PICKED_UP]")
    rider.click("[data-step=OUT_FOR_DELIVERY]")
    rider.wait_for_selector("input[name=otp]")
    h.check(rider, "rider-deliver")
    otp = call(base, "GET", f"/api/v1/orders/{oid}", token=cust)["delivery_otp"]
    wrong = "0000" if otp != "0000" else "1111"
    h.expect("PUT", f"/api/v1/delivery/orders/{oid}/status", 422)
    rider.fill("input[name=otp]", wrong)
    rider.click("[data-step=DELIVERED]")
    rider.wait_for_selector(".otp-form .form-error:not([hidden])")
    rider.fill("input[name=otp]", otp)
    rider.click("[data-step=DELIVERED]")
    rider.wait_for_function("() => !document.querySelector('[data-job]')")
    assert call(base, "GET", f"/api/v1/orders/{oid}", token=cust)["status"] in ("DELIVERED", "COMPLETED")
    earned = call(base, "GET", "/api/v1/delivery/earnings", token=rider_token)["total"]
    rider.wait_for_selector(f"[data-earned='{earned}']")
    h.check(rider, "rider-earnings")
    rider.click("[data-duty=online]")
    rider.wait_for_selector("[data-duty=offline]")


def pay_sandbox(base, url, fields):
    """Submits the sandbox's pay page as a browser's form would."""
    import urllib.parse
    import urllib.request
    data = urllib.parse.urlencode({"action": "pay", **fields}).encode()
    with urllib.request.urlopen(urllib.request.Request(base + url if url.startswith("/") else url, data=data, method="POST"), timeout=15) as r:
        assert r.status == 200, r.status


def rider_ready(base, token, lat, lng, plate):
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "SCOOTER", "vehicle_number": plate}, token=token)
    call(base, "POST", "/api/v1/delivery/available", {"available": True, "lat": lat, "lng": lng}, token=token)


def scenario_ops(h, base):
    """The admin's live map and dispatch board follow an order and its rider without a reload;
    the admin reassigns it by hand, and bans a restaurant (it leaves the customers' listing),
    then unbans it."""
    owner_token, r = owner_setup(base)
    rid, lat, lng = r["restaurant_id"], r["latitude"], r["longitude"]
    admin_token = login(base, DEMO["admin"])
    rider_a = login(base, DEMO["rider"])
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "SCOOTER", "vehicle_number": "KA01AB1234"}, token=rider_a)
    call(base, "POST", "/api/v1/delivery/available", {"available": False, "lat": lat, "lng": lng}, token=rider_a)
    admin = h.context("admin", DESKTOP)
    demo_login(admin, "ADMIN")
    admin.wait_for_url(re.compile(r"#/ops$"))
    admin.wait_for_selector("svg.map.city")
    h.check(admin, "ops")

    cust = call(base, "POST", "/api/v1/auth/register", {"name": "Meera Test", "phone": "+919811100004", "password": "a-long-secret-1"})["token"]
    addr = call(base, "POST", "/api/v1/users/addresses", {"address_line1": "9 Test Road", "city": "Bengaluru", "address_type": "HOME",
                "latitude": lat + 0.005, "longitude": lng - 0.004}, token=cust)
    menu = call(base, "GET", f"/api/v1/restaurants/{rid}/menu")
    item = next(i for c in menu["categories"] for i in c["items"] if i["is_available"] and not i["customizations"] and (i["stock"] is None or i["stock"] > 0))
    call(base, "POST", "/api/v1/cart/items", {"restaurant_id": rid, "item_id": item["item_id"], "quantity": 2, "replace_cart": True}, token=cust)
    oid = call(base, "POST", "/api/v1/orders", {"address_id": addr["address_id"], "payment_method": "COD"}, token=cust,
               headers={"idempotency-key": "ops-scenario-1"})["order_id"]
    # No rider online: the order waits, on the map and on the board.
    admin.wait_for_selector(f"g.order.waiting[data-order='{oid}']")
    admin.wait_for_selector(f"[data-waiting='{oid}']")

    # A second rider comes online at the restaurant and takes the offer: the order changes colour.
    phone_b = "+917811100005"
    call(base, "POST", "/api/v1/auth/register", {"name": "Kiran Rider", "phone": phone_b, "password": "a-long-secret-1", "role": "DELIVERY"})
    pending = call(base, "GET", "/api/v1/admin/users/pending", token=admin_token)
    b_id = next(u["user_id"] for u in pending if u["phone"] == phone_b)
    call(base, "POST", f"/api/v1/admin/users/{b_id}/approve", {}, token=admin_token)
    rider_b = login(base, phone_b, "a-long-secret-1")
    rider_ready(base, rider_b, lat, lng, "KA02CD5678")
    deadline = time.time() + 20
    while time.time() < deadline:
        if any(o["order_id"] == oid for o in call(base, "GET", "/api/v1/delivery/orders/available", token=rider_b)):
            break
        time.sleep(0.3)
    call(base, "POST", f"/api/v1/delivery/orders/{oid}/accept", token=rider_b)
    admin.wait_for_selector(f"g.order:not(.waiting)[data-order='{oid}']")
    admin.wait_for_selector(f"circle[data-rider='{b_id}'][data-state=ON_JOB]")
    before = admin.get_attribute(f"circle[data-rider='{b_id}']", "data-lat")
    call(base, "POST", "/api/v1/delivery/location", {"lat": lat + 0.0002, "lng": lng + 0.0001, "order_id": oid}, token=rider_b)
    admin.wait_for_function("([id, before]) => { const c = document.querySelector(`circle[data-rider='${id}']`); return c && c.getAttribute('data-lat') !== before; }",
                            arg=[b_id, before])

    # Reassigned by hand to the demo rider, who comes online near the restaurant.
    call(base, "POST", "/api/v1/delivery/available", {"available": True, "lat": lat + 0.001, "lng": lng}, token=rider_a)
    a_id = call(base, "GET", "/api/v1/delivery/profile", token=rider_a)["user_id"]
    admin.wait_for_selector(f"circle[data-rider='{a_id}'][data-state=AVAILABLE]")
    admin.fill("input[name=order_id]", oid)
    admin.click("form[aria-label='Find an order'] button[type=submit]")
    admin.wait_for_selector(f"[data-detail='{oid}']")
    admin.click(f"[data-detail='{oid}'] button:has-text('Reassign')")
    admin.click(f"dialog button[data-rider='{a_id}']")
    admin.wait_for_selector("#toasts .toast:has-text('given to rider')")
    assert call(base, "GET", f"/api/v1/orders/{oid}", token=admin_token)["rider_id"] == a_id, "the page's reassignment is in the API"
    h.check(admin, "ops-detail")

    # Banned from the page, the restaurant leaves the customers' listing; unbanned, it is back.
    near = f"/api/v1/restaurants?lat={lat + 0.002}&lng={lng}&limit=50"
    assert any(x["restaurant_id"] == rid for x in call(base, "GET", near)["restaurants"])
    admin.click(f"[data-detail='{oid}'] button:has-text('Ban restaurant')")
    admin.fill("dialog input[name=reason]", "Hygiene complaint under review")
    admin.click("dialog button[type=submit]")
    admin.wait_for_selector(f"[data-detail='{oid}'] button:has-text('Unban restaurant')")
    assert "Hygiene complaint" in admin.inner_text(f"[data-detail='{oid}']")
    assert all(x["restaurant_id"] != rid for x in call(base, "GET", near)["restaurants"]), "a banned restaurant is not listed"
    admin.click(f"[data-detail='{oid}'] button:has-text('Unban restaurant')")
    admin.wait_for_selector(f"[data-detail='{oid}'] button:has-text('Ban restaurant')")
    deadline = time.time() + 10
    while not any(x["restaurant_id"] == rid for x in call(base, "GET", near)["restaurants"]):
        assert time.time() < deadline, "unbanned, it is listed again"
        time.sleep(0.2)
    assert admin.get_attribute("[data-ledger]", "data-ledger") == "true", "the ledger check passes"

    # Half of a card order refunded from the page.
    call(base, "POST", "/api/v1/cart/items", {"restaurant_id": rid, "item_id": item["item_id"], "quantity": 1, "replace_cart": True}, token=cust)
    start = call(base, "POST", "/api/v1/orders", {"address_id": addr["address_id"], "payment_method": "CARD"}, token=cust,
                 headers={"idempotency-key": "ops-scenario-card"})
    pay_sandbox(base, start["payment"]["gateway_url"], {"card_number": "4111111111111111", "expiry": "12/30", "cvv": "123"})
    card = start["order_id"]
    admin.fill("input[name=order_id]", card)
    admin.click("form[aria-label='Find an order'] button[type=submit]")
    admin.wait_for_selector(f"[data-detail='{card}'] [data-payment] button:has-text('Refund')")
    admin.click(f"[data-detail='{card}'] [data-payment] button:has-text('Refund')")
    half = start["total_amount"] // 2
    assert admin.input_value("dialog input[name=amount]") == f"{half // 100}.{half % 100:02d}", "half is offered"
    admin.click("dialog button[type=submit]")
    admin.wait_for_selector(f"[data-detail='{card}'] [data-refunded='{half}']")
    paid = call(base, "GET", f"/api/v1/admin/orders/{card}/payments", token=admin_token)[0]
    assert paid["refunded"] == half, paid
    assert call(base, "GET", "/api/v1/admin/ledger/check", token=admin_token)["ok"], "every paisa explained after the refund"
    # Leave the city as it was: both orders cancelled (the card one, half refunded already, gets
    # the rest back and every paisa is still explained), both riders offline.
    call(base, "PUT", f"/api/v1/orders/{oid}/cancel", {}, token=cust)
    call(base, "PUT", f"/api/v1/orders/{card}/cancel", {}, token=cust)
    paid = call(base, "GET", f"/api/v1/admin/orders/{card}/payments", token=admin_token)[0]
    assert paid["refunded"] <= paid["captured"] and paid["refunded"] > half, paid
    assert call(base, "GET", "/api/v1/admin/ledger/check", token=admin_token)["ok"], "every paisa explained after the cancellation"
    for t in (rider_a, rider_b):
        call(base, "POST", "/api/v1/delivery/available", {"available": False, "lat": lat, "lng": lng}, token=t)

    # The customer banned from the order's page: signed out at once; unbanned, they sign in again.
    admin.click(f"[data-detail='{card}'] button:has-text('Ban customer')")
    admin.fill("dialog input[name=reason]", "Chargeback fraud under review")
    admin.click("dialog button[type=submit]")
    admin.wait_for_selector(f"[data-detail='{card}'] [data-banned]")
    try:
        call(base, "GET", "/api/v1/users/profile", token=cust)
        raise AssertionError("a banned customer's session still works")
    except ApiError as e:
        assert e.status in (401, 403), e
    admin.click(f"[data-detail='{card}'] [data-banned] button:has-text('Unban')")
    admin.wait_for_selector(f"[data-detail='{card}'] [data-banned]", state="detached")
    assert login(base, "+919811100004", "a-long-secret-1"), "unbanned, they sign in again"


def rider_context(h, who, base, lat, lng):
    ctx = h.browser.new_context(viewport=PHONE, base_url=base, geolocation={"latitude": lat, "longitude": lng}, permissions=["geolocation"])
    page = ctx.new_page()
    page.set_default_timeout(20000)
    page.on("console", lambda m: h.errors.append(f"[{who}] console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: h.errors.append(f"[{who}] page error: {e}"))
    page.on("response", lambda resp: h.response(who, resp))
    return ctx, page


def go_online(page, phone, password):
    page.goto("/#/login")
    page.fill("input[name=login]", phone)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"#/ride$"))
    page.click("[data-duty=offline]")
    page.wait_for_selector("[data-duty=online]")


def scenario_four(h, base):
    """Four browser contexts at once carry one order from checkout to rating, with no reloads: the
    customer orders; the offer goes to the nearest rider, who lets it lapse, so it is withdrawn
    from their page and reaches the second rider's; the owner accepts and marks it ready; the
    rider, whose phone moves along a path, picks up, rides and delivers with the code read from
    the customer's page; the customer and the admin see the rider move and the order change."""
    owner_token, r = owner_setup(base)
    rid, lat, lng = r["restaurant_id"], r["latitude"], r["longitude"]
    # Two riders with vehicles. Both would be at the counter before the food is ready, and the
    # batch dispatcher then offers the order to the one with the shorter ride: the demo rider,
    # nearer.
    rider_a = login(base, DEMO["rider"])
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "SCOOTER", "vehicle_number": "KA01AB1234"}, token=rider_a)
    phone_b = "+917811100006"
    b_id, token_b = approved(base, "Sunil Rider", phone_b, "DELIVERY")
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "MOTORCYCLE", "vehicle_number": "KA03EF9012"}, token=token_b)
    # Earlier scenarios' riders are elsewhere: only these two are online here.
    ctx_a, ra = rider_context(h, "riderA", base, lat + 0.0003, lng)
    ctx_b, rb = rider_context(h, "riderB", base, lat + 0.0010, lng + 0.0008)
    go_online(ra, DEMO["rider"], "dabba-demo")
    go_online(rb, phone_b, "a-long-secret-1")

    owner = h.context("owner4", DESKTOP)
    demo_login(owner, "RESTAURANT")
    owner.wait_for_selector(".board")
    admin = h.context("admin4", DESKTOP)
    demo_login(admin, "ADMIN")
    admin.wait_for_selector("svg.map.city")

    customer = h.context("customer4", PHONE)
    sign_up(customer, "+919811100007")
    set_address(customer, lat + 0.006, lng + 0.004)
    add_first_dish(customer, rid)
    customer.wait_for_selector("#toasts .toast:has-text('added')")
    customer.goto("/#/cart")
    customer.check("input[value=COD]")
    customer.click("form.checkout button[type=submit]")
    customer.wait_for_url(re.compile(r"#/order/[0-9a-f-]{36}$"))
    oid = customer.url.rsplit("/", 1)[1]

    # The nearest rider lets the offer lapse: it leaves their page and reaches the other's.
    ra.wait_for_selector(f"[data-offer='{oid}']")
    ra.wait_for_selector(f"[data-offer='{oid}']", state="detached", timeout=30000)
    rb.wait_for_selector(f"[data-offer='{oid}']", timeout=30000)
    rb.click(f"[data-offer='{oid}'] [data-action=accept]")
    rb.wait_for_selector(f"[data-job='{oid}']")
    customer.wait_for_selector(".partner:has-text('Sunil Rider')")
    admin.wait_for_selector(f"circle[data-rider='{b_id}'][data-state=ON_JOB]")

    owner.wait_for_selector(f"li.ticket[data-order='{oid}'] [data-action=accept]")
    owner.click(f"li.ticket[data-order='{oid}'] [data-action=accept]")
    customer.wait_for_selector(".stepper-line li.now[data-status=PREPARING]")
    owner.click(f"li.ticket[data-order='{oid}'] [data-action=ready]")
    customer.wait_for_selector(".stepper-line li.now[data-status=READY]")
    rb.wait_for_selector("[data-step=PICKED_UP]:not([disabled])")
    rb.click("[data-step=PICKED_UP]")
    rb.click("[data-step=OUT_FOR_DELIVERY]")
    customer.wait_for_selector(".stepper-line li.now[data-status=OUT_FOR_DELIVERY]")
    admin.wait_for_selector(f"g.order.st-out_for_delivery[data-order='{oid}']")

    # The rider's phone moves toward the customer; both other pages follow.
    # About 13 m a step, a step a second and a bit: a plausible ride (the server drops jumps).
    path = [(lat + 0.0001 * i, lng + 0.00007 * i) for i in range(1, 5)]
    seen_customer, seen_admin = set(), set()
    for plat, plng in path:
        ctx_b.set_geolocation({"latitude": plat, "longitude": plng})
        customer.wait_for_function("([lat]) => Math.abs(Number(document.querySelector('.marker.rider')?.getAttribute('data-lat')) - lat) < 1e-6", arg=[plat])
        admin.wait_for_function("([id, lat]) => Math.abs(Number(document.querySelector(`circle[data-rider='${id}']`)?.getAttribute('data-lat')) - lat) < 1e-6", arg=[b_id, plat])
        seen_customer.add(customer.get_attribute(".marker.rider", "transform"))
        seen_admin.add(admin.get_attribute(f"circle[data-rider='{b_id}']", "cx"))
        time.sleep(1.2)
    assert len(seen_customer) == len(path) and len(seen_admin) >= 2, (seen_customer, seen_admin)
    h.check(customer, "four-customer")
    h.check(admin, "four-admin")

    otp = customer.get_attribute("[data-otp]", "data-otp")
    rb.fill("input[name=otp]", otp)
    rb.click("[data-step=DELIVERED]")
    customer.wait_for_selector("form.rate")
    customer.check("fieldset:has-text('Food') input[value='4']")
    customer.check("fieldset:has-text('Delivery') input[value='5']")
    customer.click("form.rate button[type=submit]")
    customer.wait_for_selector("text=You rated the food 4★")
    admin.wait_for_selector(f"g.order[data-order='{oid}']", state="detached")
    ra.click("[data-duty=online]")
    rb.click("[data-duty=online]")
    ra.wait_for_selector("[data-duty=offline]")
    rb.wait_for_selector("[data-duty=offline]")


def scenario_cut(h, base):
    """The rider's connection is cut for a few seconds while they ride: their page keeps the
    fixes, says it is offline, and sends them in order once back; the customer's trail has every
    point, no jump."""
    owner_token, r = owner_setup(base)
    rid, lat, lng = r["restaurant_id"], r["latitude"], r["longitude"]
    phone = "+917811100008"
    _, token = approved(base, "Arjun Rider", phone, "DELIVERY")
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "BICYCLE", "vehicle_number": "CYCLE-1"}, token=token)
    ctx, rp = rider_context(h, "riderCut", base, lat + 0.0002, lng)
    # The rider's socket goes through this switch: while it is off, connections are refused
    # and the open one is closed, as a tunnel or a dead zone would.
    state = {"blocked": False, "open": []}

    def on_socket(ws):
        if state["blocked"]:
            ws.close()
            return
        ws.connect_to_server()
        state["open"].append(ws)
    rp.route_web_socket(re.compile(r"/ws/rider"), on_socket)
    go_online(rp, phone, "a-long-secret-1")

    customer = h.context("customerCut", PHONE)
    sign_up(customer, "+919811100009")
    set_address(customer, lat + 0.004, lng + 0.003)
    add_first_dish(customer, rid)
    customer.wait_for_selector("#toasts .toast:has-text('added')")
    customer.goto("/#/cart")
    customer.check("input[value=COD]")
    customer.click("form.checkout button[type=submit]")
    customer.wait_for_url(re.compile(r"#/order/[0-9a-f-]{36}$"))
    oid = customer.url.rsplit("/", 1)[1]
    rp.wait_for_selector(f"[data-offer='{oid}'] [data-action=accept]")
    rp.click(f"[data-offer='{oid}'] [data-action=accept]")
    for body in ({"status": "PREPARING", "estimated_preparation_minutes": 5}, {"status": "READY"}):
        call(base, "PATCH", f"/api/v1/restaurants/{rid}/orders/{oid}/status", body, token=owner_token)
    rp.wait_for_selector("[data-step=PICKED_UP]:not([disabled])")
    rp.click("[data-step=PICKED_UP]")
    rp.click("[data-step=OUT_FOR_DELIVERY]")
    customer.wait_for_selector(".stepper-line li.now[data-status=OUT_FOR_DELIVERY]")

    def step(i):
        # About 7 m a step on a bicycle, a step a second and a bit: all plausible.
        at = (lat + 0.0002 + 0.00006 * i, lng + 0.00003 * i)
        ctx.set_geolocation({"latitude": at[0], "longitude": at[1]})
        time.sleep(1.2)
        return at
    first = step(1)
    customer.wait_for_function("([lat]) => Math.abs(Number(document.querySelector('.marker.rider')?.getAttribute('data-lat')) - lat) < 1e-6", arg=[first[0]])
    state["blocked"] = True
    for ws in state.pop("open"):
        ws.close()
    state["open"] = []
    rp.wait_for_selector(".conn:not([hidden])")
    cut = [step(i) for i in range(2, 5)]
    # Nothing reached the customer while the rider was cut off.
    shown = float(customer.get_attribute(".marker.rider", "data-lat"))
    assert abs(shown - first[0]) < 1e-6, "the customer saw nothing during the cut"
    assert "kept" in rp.inner_text(".conn"), rp.inner_text(".conn")
    h.check(rp, "rider-offline")
    state["blocked"] = False
    # The page reconnects by itself (with its backoff) and sends what it kept, in order.
    customer.wait_for_function("([lat]) => Math.abs(Number(document.querySelector('.marker.rider')?.getAttribute('data-lat')) - lat) < 1e-6",
                               arg=[cut[-1][0]], timeout=40000)
    points = customer.get_attribute("polyline.trail", "data-points").split()
    drawn = [tuple(float(v) for v in p.split(",")) for p in points]
    want = [first] + cut
    idx = [next((k for k, d in enumerate(drawn) if abs(d[0] - w[0]) < 1e-6 and abs(d[1] - w[1]) < 1e-6), None) for w in want]
    assert None not in idx and idx == sorted(idx), f"every point, in order, on the trail: {want} in {drawn}"
    rp.wait_for_selector(".conn[hidden]", state="attached")
    assert rp.evaluate("JSON.parse(localStorage.getItem('dabba.fixes') || '[]').length") == 0, "nothing left unsent"
    # Delivered with the code from the customer's page; the rider goes offline.
    rp.fill("input[name=otp]", customer.get_attribute("[data-otp]", "data-otp"))
    rp.click("[data-step=DELIVERED]")
    customer.wait_for_selector("form.rate")
    rp.click("[data-duty=online]")
    rp.wait_for_selector("[data-duty=offline]")


def scenario_find(h, base):
    """The admin's dashboard shows the API's figures for today; support finds a customer by phone,
    bans them with a reason (the banned list shows it) and unbans them; finds their orders and
    opens one with its ledger lines and the rider's kept route."""
    admin_token = login(base, DEMO["admin"])
    page = h.context("admin-find", DESKTOP)
    demo_login(page, "ADMIN")
    page.wait_for_url(re.compile(r"#/ops$"))
    page.click("#bar a:has-text('Dashboard')")
    page.wait_for_selector("[data-figure=orders]")
    start, end = page.evaluate("() => { const d = new Date(); return [new Date(d.getFullYear(), d.getMonth(), d.getDate()).toISOString(),"
                               " new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).toISOString()]; }")
    want = call(base, "GET", f"/api/v1/admin/dashboard?from={start}&to={end}", token=admin_token)
    shown = {k: page.get_attribute(f"[data-figure={k}]", "data-value") for k in ["orders", "delivered", "cancelled", "gmv", "riders_peak"]}
    assert shown == {"orders": str(want["orders"]), "delivered": str(want["delivered"]), "cancelled": str(want["cancelled"]),
                     "gmv": str(want["gmv"]), "riders_peak": str(want["riders_online_peak"])}, (shown, want)
    assert want["delivered"] >= 1 and want["cancelled"] >= 1, want
    assert page.locator("svg.chart rect.bar-orders").count() >= 1
    h.check(page, "dashboard")

    page.click("#bar a:has-text('Find')")
    people = page.locator("form[aria-label=People]")
    people.locator("input[name=q]").fill("9811100007")
    people.locator("button[type=submit]").click()
    row = people.locator("li[data-user]")
    row.wait_for()
    uid = row.get_attribute("data-user")
    row.locator("button:has-text('Ban')").click()
    page.fill("dialog input[name=reason]", "Abusive calls to riders")
    page.click("dialog button[type=submit]")
    people.locator(f"li[data-user='{uid}'] .warn:has-text('Abusive calls to riders')").wait_for()
    banned = call(base, "GET", "/api/v1/admin/users?banned=true", token=admin_token)
    assert [u["ban_reason"] for u in banned if u["user_id"] == uid] == ["Abusive calls to riders"], banned
    people.locator("input[name=banned]").check()
    people.locator("input[name=q]").fill("")
    people.locator("button[type=submit]").click()
    people.locator(f"li[data-user='{uid}'] button:has-text('Unban')").click()
    people.locator("li.muted:has-text('Nothing found')").wait_for()
    assert not call(base, "GET", "/api/v1/admin/users?banned=true", token=admin_token), "unbanned from the page"

    orders = page.locator("form[aria-label=Orders]")
    orders.locator("input[name=phone]").fill("+919811100007")
    orders.locator("button[type=submit]").click()
    first = orders.locator("li[data-found-order]").first
    first.wait_for()
    oid = first.get_attribute("data-found-order")
    first.locator("a:has-text('Open')").click()
    page.wait_for_selector(f"[data-detail='{oid}']")
    lines = int(page.get_attribute(f"[data-detail='{oid}'] [data-ledger-lines]", "data-ledger-lines"))
    assert lines == len(call(base, "GET", f"/api/v1/admin/orders/{oid}/ledger", token=admin_token)) and lines > 0
    assert int(page.get_attribute(f"[data-detail='{oid}'] [data-route]", "data-route")) >= 1, "the rider's kept route"
    h.check(page, "find")


def scenario_bundle(h, base):
    """Two customers order from one kitchen while one rider is online: the rider's page shows one
    card for both, accepting it gives them both, listed as drop 1 and drop 2, each delivered with
    its own customer's code."""
    owner_token, r = owner_setup(base)
    rid, lat, lng = r["restaurant_id"], r["latitude"], r["longitude"]
    phone = "+917811100009"
    _, token = approved(base, "Meena Rider", phone, "DELIVERY")
    call(base, "PUT", "/api/v1/delivery/profile", {"vehicle_type": "SCOOTER", "vehicle_number": "KA05GH3456"}, token=token)
    menu = call(base, "GET", f"/api/v1/restaurants/{rid}/menu")
    item = next(i for c in menu["categories"] for i in c["items"] if i["is_available"] and not i["customizations"] and (i["stock"] is None or i["stock"] > 0))
    orders = []
    for n, (dlat, dlng) in enumerate([(0.006, 0.004), (0.009, 0.002)]):
        cust = call(base, "POST", "/api/v1/auth/register", {"name": f"Bundle Customer {n}", "phone": f"+91981110002{n}", "password": "a-long-secret-1"})["token"]
        addr = call(base, "POST", "/api/v1/users/addresses", {"address_line1": f"{n + 3} Test Road", "city": "Bengaluru", "address_type": "HOME",
                    "latitude": lat + dlat, "longitude": lng + dlng}, token=cust)
        call(base, "POST", "/api/v1/cart/items", {"restaurant_id": rid, "item_id": item["item_id"], "quantity": 1, "replace_cart": True}, token=cust)
        o = call(base, "POST", "/api/v1/orders", {"address_id": addr["address_id"], "payment_method": "COD"}, token=cust,
                 headers={"idempotency-key": f"bundle-scenario-{n}"})
        orders.append((o["order_id"], cust))
    # Both orders wait with nobody online; the one rider who comes is offered both together.
    ctx, rider = rider_context(h, "riderBundle", base, lat + 0.0003, lng)
    go_online(rider, phone, "a-long-secret-1")
    first, second = orders[0][0], orders[1][0]
    card = rider.wait_for_selector(f"[data-bundle='{first} {second}']")
    rider.wait_for_function("() => document.querySelector('.offer-card h2')?.textContent.startsWith('2 orders')")
    assert rider.locator(".offer-card").count() == 1, "one card for the bundle"
    assert "km to the customers" in card.inner_text(), card.inner_text()
    h.check(rider, "rider-bundle-offer")
    card.query_selector("[data-action=accept]").click()
    rider.wait_for_selector(f"[data-job='{second}']")
    assert rider.inner_text(f"[data-job='{first}'] h2").startswith("Drop 1 of 2"), rider.inner_text(f"[data-job='{first}'] h2")
    for oid, _ in orders:
        call(base, "PATCH", f"/api/v1/restaurants/{rid}/orders/{oid}/status", {"status": "PREPARING", "estimated_preparation_minutes": 5}, token=owner_token)
        call(base, "PATCH", f"/api/v1/restaurants/{rid}/orders/{oid}/status", {"status": "READY"}, token=owner_token)
    for oid, _ in orders:
        rider.wait_for_selector(f"[data-job='{oid}'] [data-step=PICKED_UP]:not([disabled])")
        rider.click(f"[data-job='{oid}'] [data-step=PICKED_UP]")
        rider.click(f"[data-job='{oid}'] [data-step=OUT_FOR_DELIVERY]")
        rider.wait_for_selector(f"[data-job='{oid}'] input[name=otp]")
    h.check(rider, "rider-bundle-drops")
    for oid, cust in orders:
        otp = call(base, "GET", f"/api/v1/orders/{oid}", token=cust)["delivery_otp"]
        rider.fill(f"[data-job='{oid}'] input[name=otp]", otp)
        rider.click(f"[data-job='{oid}'] [data-step=DELIVERED]")
        rider.wait_for_selector(f"[data-job='{oid}']", state="detached")
    assert rider.locator("[data-job]").count() == 0
    assert call(base, "GET", "/api/v1/delivery/earnings", token=login(base, phone, "a-long-secret-1"))["deliveries"] == 2
    rider.click("[data-duty=online]")
    rider.wait_for_selector("[data-duty=offline]")


SCENARIOS = {"weight": scenario_weight, "main": scenario_main, "more": scenario_more, "rider": scenario_rider,
             "ops": scenario_ops, "four": scenario_four, "find": scenario_find, "cut": scenario_cut,
             "bundle": scenario_bundle}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", choices=sorted(SCENARIOS))
    args = p.parse_args()
    ensure_playwright()
    from playwright.sync_api import sync_playwright
    workdir = tempfile.mkdtemp(prefix="dabba-web-")
    # Offers lapse after 5 s (the shortest allowed), so a rider ignoring one is quick to test;
    # every browser and API client of the run shares 127.0.0.1, like a city behind one NAT, so
    # the per-address limits are those of a busy office, not of one phone.
    server, base = start(workdir, extra_env={
        "DABBA_OFFER_TIMEOUT_SECONDS": "5", "DABBA_DISPATCH_LEAD_SECONDS": "86400", "DABBA_LIMIT_LOGIN_PER_IP": "1000", "DABBA_LIMIT_LOGIN_PER_ACCOUNT": "100",
        "DABBA_LIMIT_REGISTER_PER_IP": "100", "DABBA_LIMIT_PAY_PAGE_PER_IP": "100"})
    failed = []
    try:
        with sync_playwright() as pw:
            h = Harness(pw, base)
            for name, run in SCENARIOS.items():
                if args.only and name != args.only:
                    continue
                try:
                    run(h, base)
                    print(f"ok   {name}")
                except Exception:
                    failed.append(name)
                    print(f"FAIL {name}\n{traceback.format_exc()}")
            h.close()
    finally:
        stop(server)
    if h.errors:
        failed.append("console")
        print("console errors:\n  " + "\n  ".join(h.errors))
    if h.findings:
        failed.append("accessibility")
        print("accessibility (serious or critical):\n  " + "\n  ".join(h.findings))
    print(f"screenshots in {SHOTS}; server log in {workdir}/server.log")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
