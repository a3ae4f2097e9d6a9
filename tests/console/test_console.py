"""The console in headless Chromium against the real service process (see conftest.py): each
role logs in and opens each page (allowed or refused as kabuto.console.access says), the
issuer approves one application and rejects another (a reason is required), a bad investors
CSV shows its row error before anything is sent, a good one runs as a job to the end, and the
register downloaded from the page is byte for byte what export_register writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from console_support import INV_003, INV_004, RECORD_DAY, log_in

from kabuto.console.access import NAV, PAGE_ROLES
from kabuto.ops.accounts import address_of
from kabuto.ops.approvals import application
from kabuto.ops.chain import load_platform
from kabuto.ops.export import export_register
from kabuto.service.auth import Role

pytestmark = pytest.mark.usefixtures("console")
# every form control a person can use has a label (by <label for>, aria-label or aria-labelledby)
UNLABELLED = """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.id || e.name)"""


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
                assert page.evaluate(UNLABELLED) == [], (role, name)
                page.screenshot(path=str(screenshots / f"{role.value}-{name}.png"))
            else:
                assert response.status == 403, (role, name)
                assert (
                    page.locator("#page-error").inner_text()
                    == "この役割ではこのページを表示できません"
                )
        assert len(shown) == sum(role in PAGE_ROLES[n] for n in NAV)
        page.context.close()


def test_the_language_switch_and_english_labels(console, browser, screenshots):
    page = log_in(browser, console, Role.AUDITOR)
    page.goto(f"{console.url}/console/tokens/PROTRUST1")
    assert page.locator("h2#h-register").inner_text() == "原簿"
    assert "受益者の氏名又は名称" in page.locator("#register thead").inner_text()
    page.locator("#lang-switch").focus()
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_url("**/console/tokens/PROTRUST1")
    assert page.locator("h2#h-register").inner_text() == "Register"
    assert "Beneficiary name" in page.locator("#register thead").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(screenshots / "auditor-token-PROTRUST1-en.png"), full_page=True)
    page.context.close()


def _wait_for_job(page, timeout_ms: int = 180_000) -> str:
    """Waits on a job page until its status (updated by the page's script) is final."""
    page.wait_for_function(
        "['succeeded', 'failed'].includes(document.getElementById('job').dataset.status)",
        timeout=timeout_ms,
    )
    return page.locator("#job-status").inner_text()


def test_register_downloads_are_byte_for_byte_export_registers(
    console, browser, tmp_path, screenshots
):
    page = log_in(browser, console, Role.ISSUER)
    page.goto(f"{console.url}/console/tokens/STBOND1")
    page.screenshot(path=str(screenshots / "issuer-token-STBOND1.png"), full_page=True)
    assert "山田 太郎" in page.locator("#register").inner_text()  # INV-001, decrypted
    assert page.locator("#holder-count").inner_text().startswith("10")
    downloads, names = {}, {}
    for ext in ("csv", "json"):
        link = page.locator(f"#download-{ext}")
        block = int(link.get_attribute("href").rsplit("block=", 1)[1])
        with page.expect_download() as info:
            link.click()
        downloads[ext] = Path(info.value.path()).read_bytes()
        names[ext] = info.value.suggested_filename
    # the register at a record date (chosen in the page), and its download
    page.get_by_label("時点").select_option(label="基準日 2027-06-30")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**record=0**")
    assert "山田 太郎" in page.locator("#register").inner_text()
    link = page.locator("#download-csv")
    assert link.get_attribute("href").endswith("record_date=2027-06-30")
    with page.expect_download() as info:
        link.click()
    at_record_date = Path(info.value.path()).read_bytes()
    page.context.close()
    with console.connect():
        platform = load_platform(console.deployments)
        report = export_register(
            platform, "STBOND1", address_of("issuer"), tmp_path, console.keys, block=block
        )
        record = export_register(
            platform,
            "STBOND1",
            address_of("issuer"),
            tmp_path / "record",
            console.keys,
            record_date=date.fromisoformat(RECORD_DAY),
        )
    assert at_record_date == record.csv_path.read_bytes()
    assert report.reconciled
    assert (names["csv"], names["json"]) == (report.csv_path.name, report.json_path.name)
    assert downloads["csv"] == report.csv_path.read_bytes()
    assert downloads["json"] == report.json_path.read_bytes()
    assert "山田 太郎".encode() in downloads["csv"]


def test_roles_without_personal_data_get_no_names(console, browser):
    page = log_in(browser, console, Role.COMPLIANCE)
    page.goto(f"{console.url}/console/tokens/STBOND1")
    register = page.locator("#register").inner_text()
    assert "INV-001" in register and "山田" not in register
    response = page.request.get(f"{console.url}/console/tokens/STBOND1/register.csv")
    assert response.status == 200
    assert "INV-001" in response.text() and "山田" not in response.text()
    page.context.close()
    page = log_in(browser, console, Role.REGISTRAR)  # no register at all (as the API)
    page.goto(f"{console.url}/console/tokens/STBOND1")
    assert page.locator("#register").count() == 0
    assert page.request.get(f"{console.url}/console/tokens/STBOND1/register.csv").status == 403
    page.context.close()


def test_issuer_rejects_with_a_reason_only_and_approves(console, browser, screenshots):
    page = log_in(browser, console, Role.ISSUER)
    page.goto(f"{console.url}/console/queues")
    rejected, approved = console.applications["reject"], console.applications["approve"]
    row = page.locator(f"#app-PROTRUST1-{rejected}")
    with page.expect_navigation():
        row.get_by_role("button", name="却下").click()  # no reason
    assert page.locator("[role=alert]").inner_text() == "却下には理由が必要です"
    page.screenshot(path=str(screenshots / "issuer-queues-reason-required.png"))
    row = page.locator(f"#app-PROTRUST1-{rejected}")
    row.get_by_label("却下理由").fill("保有者数の確認待ち / holder count under review")
    row.get_by_role("button", name="却下").click()
    page.wait_for_url("**/console/jobs/*")
    assert _wait_for_job(page) == "succeeded"
    page.goto(f"{console.url}/console/queues")
    page.locator(f"#app-PROTRUST1-{approved}").get_by_role("button", name="承認").click()
    page.wait_for_url("**/console/jobs/*")
    assert _wait_for_job(page) == "succeeded"
    page.context.close()
    with console.connect():
        token = load_platform(console.deployments).token("PROTRUST1")
        assert application(token, rejected).status_name == "Rejected"
        assert application(token, approved).status_name == "Approved"
    console.wait_indexed()
    page = log_in(browser, console, Role.AUDITOR)
    page.goto(f"{console.url}/console/queues")
    assert page.locator("#applications tbody tr[id]").count() == 0
    page.context.close()


def test_corporate_actions_totals_reconcile_and_show_who_is_held(console, browser, screenshots):
    page = log_in(browser, console, Role.PAYING_AGENT)
    page.goto(f"{console.url}/console/corporate")
    row = page.locator("#payments tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "STBOND1" and cells[3] == "2027-06-30"
    funded, paid, withheld, held, unpaid = (int(c.lstrip("¥").replace(",", "")) for c in cells[4:9])
    assert funded == paid + withheld + held + unpaid and funded > 0 and held > 0
    assert cells[9] == "照合一致"
    assert "0x15d34A" in page.locator("#held").inner_text()
    assert "凍結" in page.locator("#held").inner_text()
    assert page.locator("svg.chart").count() == 2  # STBOND1 and PROTRUST1 (not the yen coin)
    calendar = page.locator("#calendar").inner_text()
    assert "2027-06-30\tSTBOND1\t基準日" in calendar and "2027-07-15\tSTBOND1\t支払日" in calendar
    page.screenshot(path=str(screenshots / "paying_agent-corporate-payment.png"), full_page=True)
    page.context.close()


def _upload_investors(page, rows: list[str]) -> None:
    """Chooses an investors CSV of `rows` on the jobs page (keyboard-reachable form) and sends it."""
    header = "investor_id,class,tax_status,country,kyc_expiry,wallet,name,address"
    data = ("\n".join([header, *rows]) + "\n").encode()
    page.set_input_files(
        "#onboard-investors",
        files=[{"name": "new-investors.csv", "mimeType": "text/csv", "buffer": data}],
    )
    page.locator("#form-onboard").get_by_role("button", name="検証して実行").click()


def test_a_bad_investors_csv_shows_its_row_error_and_sends_nothing(console, browser, screenshots):
    head = console.chain_height()
    page = log_in(browser, console, Role.REGISTRAR)
    page.goto(f"{console.url}/console/jobs")
    _upload_investors(
        page,
        [
            f"INV-101,General,ResidentIndividual,392,2030-03-31,{_wallet(13)},青木 一,東京都",
            f"INV-102,Retail,ResidentIndividual,392,2030-03-31,{_wallet(14)},青木 二,東京都",
        ],
    )
    errors = page.locator("#input-errors")
    errors.wait_for()
    text = errors.inner_text()
    assert "new-investors.csv" in text and "3" in text and "class" in text and "Retail" in text
    page.screenshot(path=str(screenshots / "registrar-jobs-row-error.png"))
    page.context.close()
    assert console.chain_height() == head, "a transaction was sent"


def test_a_bad_executions_file_and_a_bad_term_sheet_show_their_errors(console, browser):
    head = console.chain_height()
    page = log_in(browser, console, Role.AGENT)  # the venue agent settles executions
    page.goto(f"{console.url}/console/jobs")
    executions = (
        "trade_id,seller_wallet,buyer_wallet,symbol,quantity,yen_amount\n"
        f"T-1,{INV_003},{INV_004},STBOND1,5,500150\n"
        f"T-2,{INV_003},{INV_004},STBOND1,-5,500150\n"
    ).encode()
    page.set_input_files(
        "#settle_batch-executions",
        files=[{"name": "day.csv", "mimeType": "text/csv", "buffer": executions}],
    )
    page.locator("#form-settle_batch").get_by_role("button", name="検証して実行").click()
    errors = page.locator("#input-errors")
    errors.wait_for()
    assert "day.csv\t3\tquantity" in errors.inner_text()
    page.context.close()
    page = log_in(browser, console, Role.ISSUER)
    page.goto(f"{console.url}/console/jobs")
    page.set_input_files(
        "#issue-term_sheet",
        files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": b"symbol: 1x\n"}],
    )
    page.set_input_files(
        "#issue-allocation",
        files=[{"name": "alloc.csv", "mimeType": "text/csv", "buffer": b"investor_id,units\n"}],
    )
    page.locator("#form-issue").get_by_role("button", name="検証して実行").click()
    page.locator("#input-errors").wait_for()
    assert "bad.yaml" in page.locator("#input-errors").inner_text()
    page.context.close()
    assert console.chain_height() == head, "a transaction was sent"


def test_a_good_investors_csv_runs_as_a_job_to_the_end(console, browser, screenshots):
    page = log_in(browser, console, Role.REGISTRAR)
    page.goto(f"{console.url}/console/jobs")
    soon = "2027-07-30"  # within 30 days of the chain's date (2027-07-15)
    _upload_investors(
        page,
        [
            f"INV-101,General,ResidentIndividual,392,{soon},{_wallet(13)},青木 一郎,東京都港区1-1",
            f"INV-102,Specified,DomesticCorporation,392,2031-03-31,{_wallet(14)},株式会社あおき,大阪府大阪市1-1",
        ],
    )
    page.wait_for_url("**/console/jobs/*")
    page.reload()  # the progress is the service's: a reload shows the same job
    assert page.locator("#job-progress").count() == 1
    assert _wait_for_job(page) == "succeeded"
    done, total = page.eval_on_selector("#job-progress", "bar => [bar.value, bar.max]")
    assert done == total == 2, (done, total)
    page.screenshot(path=str(screenshots / "registrar-job-done.png"))
    page.context.close()
    console.wait_indexed()
    page = log_in(browser, console, Role.ISSUER)
    page.goto(f"{console.url}/console/investors?q=INV-10")
    table = page.locator("#investors").inner_text()
    assert "INV-101" in table and "INV-102" in table and "株式会社あおき" in table
    assert page.locator("#investors .kyc-soon").count() == 1
    page.goto(f"{console.url}/console/investors?q=青木")  # by name (decrypted for the issuer)
    assert page.locator("#investors tbody tr").count() == 1
    page.goto(f"{console.url}/console/investors/INV-101")
    assert "30日以内に期限" in page.locator("#kyc").inner_text()
    assert "InvestorRegistered" in page.locator("#audit").inner_text()
    page.screenshot(path=str(screenshots / "issuer-investor.png"))
    page.context.close()


def _wallet(index: int) -> str:
    from kabuto.ops.accounts import test_account

    # beyond Ape's ten funded accounts too, whatever ran before in this worker
    return str(test_account(index).address)
