// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IInvestorRegistry} from "./IInvestorRegistry.sol";

/// @title ICorporateActions
/// @notice Interest, distributions and redemptions of Kabuto security tokens paid on-chain in
/// the yen coin. Entitlements are computed on-chain from the token's record-date snapshots
/// (interest, distributions) or current balances (redemption, which burns what it pays for),
/// so a wrong holder list can skip nobody's money for good and overpay no one.
///
/// Life of a payment: Declared -> Funded -> Closed. Holders are paid by agent batches or by
/// claiming; each holder at most once. A frozen holder's net is held and released once
/// unfrozen (or to the investor's recovered wallet). After the deadline the unpaid, unheld
/// rest returns to the payer. At all times funded = paid + withheld + held + reclaimed + unpaid.
///
/// Money for an investor goes only to the investor's current wallet in the platform registry
/// (whichever of its wallets held the units), and tax follows the investor's tax status there.
interface ICorporateActions {
    enum PaymentKind {
        Interest,
        Distribution,
        Redemption
    }

    enum PaymentStatus {
        None,
        Declared, // announced; amounts fixed; not yet funded
        Funded, // yen in the contract; payable from the payment date
        Closed // deadline passed and the unpaid rest reclaimed; only held amounts remain
    }

    /// @notice How a bond's coupon period becomes a fraction of a year (stated per bond).
    enum DayCount {
        RegularPeriodsEqual, // a regular period pays rate / couponsPerYear; an odd one Actual/365 (Fixed)
        Actual365Fixed // every period pays rate x days / 365
    }

    /// @notice Which way a scheduled payment day that is not a business day moves (the term
    /// sheet's rule; JP bonds: the preceding bank business day, 前銀行営業日). The amount follows
    /// the unadjusted schedule unless the bond's amounts are adjusted ({setPaymentConvention}).
    enum BusinessDayConvention {
        Preceding,
        Following,
        ModifiedFollowing,
        Unadjusted // paid on the scheduled day itself
    }

    enum EntryState {
        Unpaid,
        Paid,
        Held // net withheld from a frozen holder, waiting for release
    }

    /// @dev Withholding rates of one tax status in millionths; each part truncated to the yen on
    /// its own (Japanese practice: 15.315% national + 5% local for resident individuals).
    struct Withholding {
        uint32 nationalRate;
        uint32 localRate;
    }

    /// @dev One holder's settlement of one payment, as paid (or held): who the investor is, how
    /// it was taxed, and the amounts (gross = nationalTax + localTax + net). What a paying agent
    /// files with its withholding reports.
    struct HolderAmounts {
        bytes32 investorId; // zero for a holder the registry does not know
        IInvestorRegistry.TaxStatus taxStatus;
        uint256 units;
        uint256 gross;
        uint256 nationalTax;
        uint256 localTax;
        uint256 net;
    }

    /// @dev Seven slots; the amounts are uint128 (3.4e38 yen is far beyond any issue).
    struct Payment {
        // slot 0: 20 + 1 + 1 + 4 + 5 = 31 bytes
        address token;
        PaymentKind kind;
        PaymentStatus status;
        uint32 recordIndex; // token record date (interest, distribution); 0 and unused for redemption
        uint40 paymentDate; // payable from this time
        // slot 1: 20 + 5 + 4 = 29 bytes
        address payer; // funded it; receives what is reclaimed
        uint40 deadline; // after it the unpaid rest may be reclaimed and claims stop
        uint32 taxSchedule; // withholding schedule in force at declaration (0: none)
        // slot 2: yen per unit = amountNumerator / amountDenominator, exact
        uint128 amountNumerator;
        uint128 amountDenominator;
        // slot 3: fraction of each holding redeemed (redemption; 1/1 for interest and distributions)
        uint128 callNumerator;
        uint128 callDenominator;
        // slot 4
        uint128 funded;
        uint128 paid; // net yen delivered to holders (released held amounts included)
        // slot 5
        uint128 withheld; // tax sent to the tax account
        uint128 held; // net yen held for frozen holders, not yet released
        // slot 6
        uint128 reclaimed;
        uint128 units; // units paid for (redemption: units burned)
    }

    error CorporateZeroAddress();
    error CorporateNotTokenAgent(address token, address caller);
    error CorporateWrongTokenKind(address token);
    error CorporateWrongPaymentToken(address token, address termsPaymentToken);
    error CorporateUnknownPayment(uint256 id);
    error CorporateWrongStatus(uint256 id, PaymentStatus status);
    error CorporateBeforePaymentDate(uint256 id, uint40 paymentDate);
    error CorporateDeadlineNotPassed(uint256 id, uint40 deadline);
    error CorporateInvalidDates(uint40 paymentDate, uint40 deadline);
    error CorporateInvalidCoupon(address token, uint256 couponIndex, uint256 couponCount);
    error CorporateCouponAlreadyDeclared(address token, uint256 couponIndex, uint256 id);
    error CorporateRecordDateMismatch(address token, uint256 recordIndex, uint40 tokenDate, uint40 termsDate);
    error CorporateInvalidFraction(uint256 numerator, uint256 denominator);
    error CorporateInvalidAmount(uint256 amountPerUnit);
    error CorporateInvalidWithholding(uint32 nationalRate, uint32 localRate);
    error CorporateNothingToFund(uint256 id, uint256 required, uint256 funded);
    error CorporateUnderfunded(uint256 id, uint256 needed, uint256 available);
    error CorporateNothingToClaim(uint256 id, address holder);
    error CorporateNotHeld(uint256 id, address holder);
    error CorporateHolderFrozen(uint256 id, address holder);
    error CorporateNotRecoveredWallet(address lostWallet, address newWallet);
    error CorporateTransferFailed(uint256 id, address recipient, uint256 amount);
    error CorporateNotPlatformToken(address token);
    error CorporateNotCurrentWallet(uint256 id, address caller, address currentWallet);
    error CorporatePaymentDateOffSchedule(uint40 scheduledDate, uint40 paymentDate, BusinessDayConvention convention);
    error CorporateCouponOutOfOrder(address token, uint256 couponIndex);
    error CorporateNotNonResident(bytes32 investorId, IInvestorRegistry.TaxStatus taxStatus);

    event TaxAccountSet(address indexed taxAccount);
    event WithholdingScheduleSet(uint32 indexed schedule, Withholding[5] rates);
    event DayCountSet(address indexed token, DayCount dayCount);
    event PaymentConventionSet(address indexed token, BusinessDayConvention convention, bool amountAdjusted);
    /// @notice A treaty rate replaces the national rate for a non-resident investor's payments of
    /// `token` (`applies` false: back to the schedule's rate); no local tax either way.
    event TreatyRateSet(address indexed token, bytes32 indexed investorId, uint32 nationalRate, bool applies, address agent);
    event PaymentDeclared(
        uint256 indexed id,
        address indexed token,
        PaymentKind kind,
        uint32 recordIndex,
        uint128 amountNumerator,
        uint128 amountDenominator,
        uint128 callNumerator,
        uint128 callDenominator,
        uint40 paymentDate,
        uint40 deadline,
        uint32 taxSchedule
    );
    /// @notice The coupon behind an interest payment: its period in JST days and the convention used.
    event CouponDeclared(uint256 indexed id, uint256 indexed couponIndex, uint256 periodDays, bool regular, DayCount dayCount);
    event PaymentFunded(uint256 indexed id, address indexed payer, uint256 amount, uint256 funded);
    /// @notice `holder`'s entitlement was paid to `recipient`, the investor's current wallet.
    event HolderPaid(uint256 indexed id, address indexed holder, address indexed recipient, HolderAmounts amounts);
    /// @notice `holder`'s net is held (the holder or its current wallet `recipient` is frozen, or
    /// the coin refused `recipient`); the tax was withheld.
    event HolderPaymentHeld(uint256 indexed id, address indexed holder, address indexed recipient, HolderAmounts amounts);
    event HeldPaymentReleased(uint256 indexed id, address indexed holder, address indexed recipient, uint256 net);
    /// @notice The tax one batch (or claim) withheld, sent to the tax account in one transfer.
    event TaxWithheld(uint256 indexed id, address indexed taxAccount, uint256 nationalTax, uint256 localTax);
    event UnpaidReclaimed(uint256 indexed id, address indexed payer, uint256 amount);

    // ---- configuration ----
    /// @notice Where withheld tax goes (admin).
    function setTaxAccount(address taxAccount) external;

    /// @notice Starts a new withholding schedule (one entry per IInvestorRegistry.TaxStatus,
    /// admin); payments declared from now on use it, earlier ones keep theirs.
    function setWithholding(Withholding[5] calldata rates) external returns (uint32 schedule);

    /// @notice The bond's day-count convention (token agent); RegularPeriodsEqual by default.
    function setDayCount(address token, DayCount dayCount) external;

    /// @notice The bond's business-day convention and whether its amounts follow the moved
    /// payment days (token agent, from the term sheet); Preceding, not adjusted by default.
    function setPaymentConvention(address token, BusinessDayConvention convention, bool amountAdjusted) external;

    /// @notice The treaty rate (millionths) that replaces the national rate for the non-resident
    /// investor `investorId`'s payments of `token` (token agent: the paying agent holds the
    /// investor's treaty form). `applies` false removes it.
    function setTreatyRate(address token, bytes32 investorId, uint32 nationalRate, bool applies) external;

    // ---- declaration (token agents) ----
    /// @notice Declares coupon `couponIndex` of a bond, payable to holders of record at the
    /// token's record date `recordIndex` (which must equal the coupon's record date in the terms)
    /// from `paymentDate`: the scheduled date of the terms moved by the bond's business-day
    /// convention (a weekday within 7 days of it, on the convention's side).
    function declareInterest(address token, uint256 couponIndex, uint32 recordIndex, uint40 paymentDate, uint40 deadline)
        external
        returns (uint256 id);

    /// @notice Declares a distribution of `amountPerUnit` yen to the holders of record at `recordIndex`.
    function declareDistribution(address token, uint32 recordIndex, uint256 amountPerUnit, uint40 paymentDate, uint40 deadline)
        external
        returns (uint256 id);

    /// @notice Declares the redemption of the whole issue at maturity at the terms' redemption
    /// value, payable from `paymentDate` (the maturity date moved by the business-day convention).
    function declareMaturityRedemption(address token, uint40 paymentDate, uint40 deadline) external returns (uint256 id);

    /// @notice Declares an early (call) redemption of `callNumerator / callDenominator` of every
    /// holding (1/1 = full) at `pricePerUnit` yen; each holder's units are truncated.
    function declareCall(
        address token,
        uint128 callNumerator,
        uint128 callDenominator,
        uint256 pricePerUnit,
        uint40 paymentDate,
        uint40 deadline
    ) external returns (uint256 id);

    // ---- funding and payment ----
    /// @notice Pulls from the caller (a token agent: the paying agent) what the payment still needs.
    function fund(uint256 id) external returns (uint256 amount);

    /// @notice Pays the listed holders (token agent). Already paid, held and empty entries are
    /// skipped, so an interrupted batch can simply be sent again.
    function payBatch(uint256 id, address[] calldata holders) external;

    /// @notice Pays the caller's investor its entitlement (the caller's own and that of the
    /// wallet its latest replacement retired). Only the investor's current wallet may claim.
    function claim(uint256 id) external;

    /// @notice Releases a held payment to the holder's investor's current wallet once neither
    /// it nor the holder is frozen (anyone).
    function releaseHeld(uint256 id, address holder) external;

    /// @notice Pays an unpaid or held entitlement of a lost wallet to the investor's current
    /// wallet `newWallet` (token agent); the registry must show `newWallet` as that wallet.
    function payToRecoveredWallet(uint256 id, address lostWallet, address newWallet) external;

    /// @notice After the deadline, returns the unpaid, unheld rest to the payer and closes the payment.
    function reclaimUnpaid(uint256 id) external returns (uint256 amount);

    // ---- views ----
    function paymentToken() external view returns (address);

    function taxAccount() external view returns (address);

    function registry() external view returns (address);

    function withholding(uint32 schedule, IInvestorRegistry.TaxStatus taxStatus) external view returns (Withholding memory);

    function currentTaxSchedule() external view returns (uint32);

    function dayCountOf(address token) external view returns (DayCount);

    function paymentConventionOf(address token) external view returns (BusinessDayConvention convention, bool amountAdjusted);

    /// @notice The treaty rate set for the investor's payments of `token`, if any.
    function treatyRateOf(address token, bytes32 investorId) external view returns (bool applies, uint32 nationalRate);

    function payment(uint256 id) external view returns (Payment memory);

    function paymentCount() external view returns (uint256);

    function entryOf(uint256 id, address holder) external view returns (EntryState state, uint256 heldNet);

    /// @notice What `holder` would receive now: units counted, gross, tax and net.
    function entitlementOf(uint256 id, address holder)
        external
        view
        returns (uint256 units, uint256 gross, uint256 tax, uint256 net);

    /// @notice The same in full: the investor, its tax status and the tax by component; the
    /// recipient is the investor's current wallet. All zero once settled or with nothing due.
    function amountsOf(uint256 id, address holder) external view returns (HolderAmounts memory amounts, address recipient);

    /// @notice Funded yen neither paid, withheld, held nor reclaimed (unclaimed entitlements and
    /// rounding residue).
    function unpaidOf(uint256 id) external view returns (uint256);
}
