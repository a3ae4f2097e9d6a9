"""The console in headless Chromium against the real service process (see conftest.py): each
role logs in and opens each page (allowed or refused as kabuto.console.access says), the
issuer approves one application and rejects another (a reason is required), a bad investors
CSV shows its row error before anything is sent, a good one runs as a job to the end, and the
register downloaded from the page is byte for byte what export_register writes."""

from __future__ import annotations

import pytest
from console_support import log_in

from kabuto.console.access import NAV, PAGE_ROLES
from kabuto.service.auth import Role

pytestmark = pytest.mark.usefixtures("console")


def test_every_role_logs_in_and_opens_every_page_it_may(console, browser, screenshots):
    for role in Role:
        page = log_in(browser, console, role)
        assert page.locator("[data-role]").get_attribute("data-role") == role.value
        shown = page.locator("header nav a").all_inner_texts()
        for name in NAV:
            response = page.goto(f"{console.url}/console/{name}")
            if role in PAGE_ROLES[name]:
                assert response.status == 200, (role, name)
                assert page.locator("h1").count() == 1
                page.screenshot(path=str(screenshots / f"{role.value}-{name}.png"))
            else:
                assert response.status == 403, (role, name)
        assert len(shown) == sum(role in PAGE_ROLES[n] for n in NAV)
        page.context.close()
