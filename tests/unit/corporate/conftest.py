"""The corporate-actions platform: a real registry, yen coin (eligibility mode on), security
token and CorporateActions, with accounts named by role. Dates are JST days counted from the
chain's clock when the fixture is built, so tests do not depend on one another's time travel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fixtures.platform import deploy_registry, deploy_token, onboard

from kabuto import onchain_types as onchain
from kabuto.business_days import adjust
from kabuto.coupons import BondTerms, Withholding, jst_day, jst_midnight
from kabuto.coupons import end_of_jst_day as record_time
from kabuto.onchain_types import BusinessDayConvention, Category, InvestorClass, Kind, TaxStatus

GENERAL = InvestorClass.GENERAL
QII = InvestorClass.QUALIFIED_INSTITUTIONAL
# The platform schedule by tax status (Undeclared, ResidentIndividual, DomesticCorporation,
# NonResident, Exempt): kabuto.coupons.WITHHOLDING_BY_STATUS.
PLATFORM_RATES = [(153_150, 50_000), (153_150, 50_000), (153_150, 0), (153_150, 0), (0, 0)]
# The tests' default: an investor's tax status follows its class (onboarded with it).
STATUS_OF_CLASS = {
    InvestorClass.GENERAL: TaxStatus.RESIDENT_INDIVIDUAL,
    InvestorClass.SPECIFIED: TaxStatus.RESIDENT_INDIVIDUAL,
    InvestorClass.QUALIFIED_INSTITUTIONAL: TaxStatus.EXEMPT,
    InvestorClass.SPECIALLY_PERMITTED: TaxStatus.DOMESTIC_CORPORATION,
}
NEVER_EXPIRES = 2**40 - 1  # the tests travel past a year: KYC must not lapse on the way


@dataclass
class Platform:
    """Contracts and the operations tests need, in the roles' names."""

    chain: Any
    registry: Any
    yen: Any
    token: Any
    corp: Any
    admin: Any
    agent: Any
    tax_office: Any
    terms: BondTerms | None
    record_days: list[date]
    payment_days: list[date]
    onboarded: set[str] = field(default_factory=set)

    def onboard(self, wallet: Any, klass: int = GENERAL, status: TaxStatus | None = None) -> None:
        address = str(wallet)
        if address in self.onboarded:
            return
        investor_id = onboard(
            self.registry, self.admin, wallet, InvestorClass(klass), kyc_expiry=NEVER_EXPIRES
        )
        status = status if status is not None else STATUS_OF_CLASS[InvestorClass(klass)]
        if status != TaxStatus.UNDECLARED:  # else registered without one, as registerInvestor does
            self.registry.setTaxStatus(investor_id, int(status), sender=self.admin)
        self.onboarded.add(address)

    def issue(
        self, holders: dict[Any, int], klass: int = GENERAL, status: TaxStatus | None = None
    ) -> None:
        for holder, units in holders.items():
            self.onboard(holder, klass, status)
            self.token.issue(holder, units, b"", sender=self.agent)

    def travel(self, timestamp: int) -> None:
        """Mines a block at `timestamp` (the chain's clock never goes back)."""
        if timestamp > self.chain.pending_timestamp:
            self.chain.mine(timestamp=timestamp)

    def after_record_date(self, index: int) -> None:
        self.travel(record_time(self.record_days[index]) + 1)

    def on_payment_date(self, index: int) -> None:
        self.travel(jst_midnight(self.payment_days[index]))

    def balances(self, holders: Sequence[Any]) -> list[int]:
        return [self.yen.balanceOf(h) for h in holders]

    def declare_interest(self, coupon: int, deadline_days: int = 30) -> int:
        """Declares coupon `coupon`, payable on its scheduled day (a weekday in these tests'
        schedules unless the test says otherwise: see `payment_day`)."""
        deadline = jst_midnight(self.payment_days[coupon] + timedelta(days=deadline_days))
        receipt = self.corp.declareInterest(
            self.token, coupon, coupon, self.payment_day(coupon), deadline, sender=self.agent
        )
        return receipt.return_value

    def payment_day(self, coupon: int) -> int:
        """The coupon's scheduled day moved to a business day (preceding, the default)."""
        return jst_midnight(adjust(self.payment_days[coupon], BusinessDayConvention.PRECEDING))

    def declare_redemption(self, deadline_days: int = 30) -> int:
        maturity = self.payment_days[-1]
        deadline = jst_midnight(maturity + timedelta(days=deadline_days))
        pay_day = jst_midnight(adjust(maturity, BusinessDayConvention.PRECEDING))
        return self.corp.declareMaturityRedemption(
            self.token, pay_day, deadline, sender=self.agent
        ).return_value

    def declare_and_fund_interest(self, coupon: int, deadline_days: int = 30) -> int:
        deadline = jst_midnight(self.payment_days[coupon] + timedelta(days=deadline_days))
        receipt = self.corp.declareInterest(
            self.token, coupon, coupon, self.payment_day(coupon), deadline, sender=self.agent
        )
        payment_id = receipt.return_value
        self.after_record_date(coupon)
        self.corp.fund(payment_id, sender=self.agent)
        return payment_id


@pytest.fixture(scope="session")
def admin(deployer):
    return deployer


@pytest.fixture(scope="session")
def agent(accounts):
    """The paying agent: agent of the token, holder of the yen that funds payments."""
    return accounts[1]


@pytest.fixture(scope="session")
def tax_office(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def investors(accounts):
    return accounts[3:9]


@pytest.fixture
def today(chain) -> date:
    return jst_day(chain.pending_timestamp)


@dataclass
class Cash:
    """Registry and yen coin shared by a module's tests (each test's changes are rolled back)."""

    registry: Any
    yen: Any


@pytest.fixture(scope="module")
def cash(project, admin, agent, tax_office, investors, outsider):
    # Requests every session-scoped account first, so Ape's isolation never has to rebase.
    registry = deploy_registry(admin)
    yen = admin.deploy(project.YenCoin, "Kabuto Yen", "JPYK", admin, registry)
    yen.grantRole(yen.MASTER_MINTER_ROLE(), admin, sender=admin)
    yen.grantRole(yen.BLOCKLISTER_ROLE(), admin, sender=admin)
    yen.configureMinter(admin, 10**15, sender=admin)
    for system in (agent, tax_office):
        yen.setSystemAccount(system, True, sender=admin)
    yen.setEligibilityRequired(True, sender=admin)
    yen.mint(agent, 10**12, sender=admin)
    return Cash(registry, yen)


def _deploy_platform(project, chain, cash, admin, agent, tax_office, onchain_terms, **extra):
    registry, yen = cash.registry, cash.yen
    bond = isinstance(onchain_terms, onchain.BondTerms)
    token = deploy_token(
        admin,
        registry,
        category=Category.CLASS1 if bond else Category.CLASS2,
        kind=Kind.BOND if bond else Kind.BENEFICIARY,
        terms=onchain_terms,
        agent=agent,
        compliance=admin,
        platform_admin=admin,
    )
    corp = admin.deploy(project.CorporateActions, yen, registry, admin, tax_office)
    token.grantRole(token.AGENT_ROLE(), corp, sender=admin)
    yen.setSystemAccount(corp, True, sender=admin)
    yen.approve(corp, 2**256 - 1, sender=agent)
    corp.setWithholding(PLATFORM_RATES, sender=admin)
    return Platform(chain, registry, yen, token, corp, admin, agent, tax_office, **extra)


@pytest.fixture
def make_bond(project, chain, cash, admin, agent, tax_office):
    """Deploys a bond (100,000 yen units, 0.35% a year, two coupons a year by default) whose
    record date is `record_lag` days before each payment date."""

    def make(
        issue: date,
        payments: Sequence[date],
        face_value: int = 100_000,
        coupon_rate: int = 3_500,
        coupons_per_year: int = 2,
        redemption_value: int = 100_000,
        record_lag: int = 7,
        record_days: Sequence[date] | None = None,
    ) -> Platform:
        record_days = list(record_days or [d - timedelta(days=record_lag) for d in payments])
        terms = BondTerms(
            face_value=face_value,
            coupon_rate=coupon_rate,
            coupons_per_year=coupons_per_year,
            issue_date=jst_midnight(issue),
            maturity_date=jst_midnight(payments[-1]),
            redemption_value=redemption_value,
            interest_payment_dates=tuple(jst_midnight(d) for d in payments),
        )

        onchain_terms = onchain.BondTerms(
            face_value=face_value,
            coupon_rate=coupon_rate,
            coupons_per_year=coupons_per_year,
            issue_date=terms.issue_date,
            maturity_date=terms.maturity_date,
            redemption_value=redemption_value,
            interest_payment_dates=terms.interest_payment_dates,
            interest_record_dates=tuple(record_time(d) for d in record_days),
            payment_token=str(cash.yen),
        )
        return _deploy_platform(
            project,
            chain,
            cash,
            admin,
            agent,
            tax_office,
            onchain_terms,
            terms=terms,
            record_days=record_days,
            payment_days=list(payments),
        )

    return make


@pytest.fixture
def make_fund(project, chain, cash, admin, agent, tax_office):
    """Deploys a beneficiary interest (1,000,000 yen per unit) with distribution record dates."""

    def make(record_days: Sequence[date], payment_days: Sequence[date]) -> Platform:
        onchain_terms = onchain.BeneficiaryTerms(
            issue_price=1_000_000,
            distribution_record_dates=tuple(record_time(d) for d in record_days),
            distribution_payment_dates=tuple(jst_midnight(d) for d in payment_days),
            payment_token=str(cash.yen),
        )
        return _deploy_platform(
            project,
            chain,
            cash,
            admin,
            agent,
            tax_office,
            onchain_terms,
            terms=None,
            record_days=list(record_days),
            payment_days=list(payment_days),
        )

    return make


@pytest.fixture
def withholding_of():
    """The reference withholding of an investor onboarded by `Platform.onboard` with class
    `klass` and no explicit status (mirrors PLATFORM_RATES and STATUS_OF_CLASS)."""

    def of(klass: int) -> Withholding:
        national, local = PLATFORM_RATES[int(STATUS_OF_CLASS[InvestorClass(klass)])]
        return Withholding(national=national, local=local)

    return of
