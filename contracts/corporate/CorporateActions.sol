// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICorporateActions} from "../../interfaces/ICorporateActions.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {IPlatformTokens} from "../../interfaces/IPlatformTokens.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {JstCalendar} from "./JstCalendar.sol";

/// @title CorporateActions
/// @notice Pays interest, distributions and redemptions of Kabuto security tokens in the yen
/// coin, exactly, to the holders of record. See docs/corporate-actions.md.
/// @dev Entitlements are never taken from the caller: each is computed here from the token's
/// record-date snapshot (or, for a redemption, from the balance it burns), so the holder list a
/// batch carries decides only the order of payment. Redemptions need the token's agent role.
/// Tokens must be the platform's (listed in the registry); who is paid and how they are taxed
/// comes from that registry, never from one a token names: a holder's money goes to its
/// investor's current wallet, taxed by the investor's tax status.
contract CorporateActions is ICorporateActions, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    uint256 private constant _RATE_SCALE = 1_000_000;
    uint256 private constant _DAYS_PER_YEAR = 365;
    /// A payment day moves at most this many days from its scheduled day (a long holiday run).
    uint256 private constant _MAX_SHIFT_DAYS = 7;
    uint256 private constant _TAX_STATUSES = 5;

    /// @dev One slot per holder and payment: written once when the holder is first settled.
    struct Entry {
        EntryState state;
        uint128 heldNet;
    }

    /// @dev One coupon as declared: its amount per unit and how it was derived.
    struct Coupon {
        uint256 numerator;
        uint256 denominator;
        uint256 periodDays;
        uint40 end;
        bool regular;
        DayCount dayCount;
    }

    /// @dev A bond's business-day convention (one slot per token).
    struct Convention {
        BusinessDayConvention convention;
        bool amountAdjusted;
    }

    /// @dev What one batch (or claim) moved, written to the payment once at the end.
    struct Totals {
        uint256 paid;
        uint256 nationalTax;
        uint256 localTax;
        uint256 held;
        uint256 units;
    }

    IERC20 private immutable _YEN;
    IInvestorRegistry private immutable _REGISTRY;
    address private _taxAccount;
    uint32 private _currentTaxSchedule;
    uint256 private _paymentCount;
    mapping(uint32 schedule => mapping(IInvestorRegistry.TaxStatus taxStatus => Withholding)) private _withholding;
    mapping(address token => DayCount) private _dayCount;
    mapping(address token => Convention) private _convention;
    /// Treaty rate + 1 (0: none) per token and investor.
    mapping(address token => mapping(bytes32 investorId => uint256)) private _treatyRate;
    mapping(address token => mapping(uint256 couponIndex => uint256 id)) private _couponPayment;
    mapping(uint256 id => Payment) private _payments;
    mapping(uint256 id => mapping(address holder => Entry)) private _entries;

    constructor(IERC20 yen, IInvestorRegistry registry_, address admin, address initialTaxAccount) {
        if (
            address(yen) == address(0) || address(registry_) == address(0) || admin == address(0)
                || initialTaxAccount == address(0)
        ) {
            revert CorporateZeroAddress();
        }
        _YEN = yen;
        _REGISTRY = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _taxAccount = initialTaxAccount;
        emit TaxAccountSet(initialTaxAccount);
    }

    // ---- configuration ----

    /// @inheritdoc ICorporateActions
    function setTaxAccount(address newTaxAccount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTaxAccount == address(0)) revert CorporateZeroAddress();
        _taxAccount = newTaxAccount;
        emit TaxAccountSet(newTaxAccount);
    }

    /// @inheritdoc ICorporateActions
    function setWithholding(Withholding[5] calldata rates) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint32 schedule) {
        schedule = _currentTaxSchedule + 1;
        for (uint256 i = 0; i < _TAX_STATUSES; ++i) {
            Withholding calldata w = rates[i];
            if (uint256(w.nationalRate) + w.localRate > _RATE_SCALE) revert CorporateInvalidWithholding(w.nationalRate, w.localRate);
            _withholding[schedule][IInvestorRegistry.TaxStatus(i)] = w;
        }
        _currentTaxSchedule = schedule;
        emit WithholdingScheduleSet(schedule, rates);
    }

    /// @inheritdoc ICorporateActions
    function setDayCount(address token, DayCount dayCount) external {
        _onlyTokenAgent(token);
        _dayCount[token] = dayCount;
        emit DayCountSet(token, dayCount);
    }

    /// @inheritdoc ICorporateActions
    function setPaymentConvention(address token, BusinessDayConvention convention, bool amountAdjusted) external {
        _onlyTokenAgent(token);
        _convention[token] = Convention(convention, amountAdjusted);
        emit PaymentConventionSet(token, convention, amountAdjusted);
    }

    /// @inheritdoc ICorporateActions
    function setTreatyRate(address token, bytes32 investorId, uint32 nationalRate, bool applies) external {
        _onlyTokenAgent(token);
        if (applies) {
            IInvestorRegistry.TaxStatus status = _REGISTRY.taxStatusOf(investorId);
            if (status != IInvestorRegistry.TaxStatus.NonResident) revert CorporateNotNonResident(investorId, status);
            if (nationalRate > _RATE_SCALE) revert CorporateInvalidWithholding(nationalRate, 0);
        }
        _treatyRate[token][investorId] = applies ? uint256(nationalRate) + 1 : 0;
        emit TreatyRateSet(token, investorId, nationalRate, applies, msg.sender);
    }

    // ---- declaration ----

    /// @inheritdoc ICorporateActions
    function declareInterest(address token, uint256 couponIndex, uint32 recordIndex, uint40 paymentDate, uint40 deadline)
        external
        returns (uint256 id)
    {
        ISecurityToken.BondTerms memory t = _bondTerms(token);
        _checkCoupon(token, t, couponIndex, recordIndex);
        Convention memory convention = _convention[token];
        _checkPaymentDate(t.interestPaymentDates[couponIndex], paymentDate, convention.convention);
        Coupon memory c = _coupon(token, t, couponIndex, convention.amountAdjusted, paymentDate);
        id = _declare(token, PaymentKind.Interest, recordIndex, c.numerator, c.denominator, 1, 1, paymentDate, deadline);
        _couponPayment[token][couponIndex] = id;
        emit CouponDeclared(id, couponIndex, c.periodDays, c.regular, c.dayCount);
    }

    /// @inheritdoc ICorporateActions
    function declareDistribution(address token, uint32 recordIndex, uint256 amountPerUnit, uint40 paymentDate, uint40 deadline)
        external
        returns (uint256 id)
    {
        _onlyPlatformTokenAgent(token);
        ISecurityToken st = ISecurityToken(token);
        if (st.kind() != ISecurityToken.Kind.Beneficiary) revert CorporateWrongTokenKind(token);
        _checkPaymentToken(token, st.beneficiaryTerms().paymentToken);
        if (amountPerUnit == 0) revert CorporateInvalidAmount(amountPerUnit);
        uint40 recordDate = st.recordDate(recordIndex);
        if (paymentDate < recordDate) revert CorporateInvalidDates(recordDate, paymentDate);
        id = _declare(token, PaymentKind.Distribution, recordIndex, amountPerUnit, 1, 1, 1, paymentDate, deadline);
    }

    /// @inheritdoc ICorporateActions
    function declareMaturityRedemption(address token, uint40 paymentDate, uint40 deadline) external returns (uint256 id) {
        ISecurityToken.BondTerms memory t = _bondTerms(token);
        if (t.redemptionValue == 0) revert CorporateInvalidAmount(0);
        _checkPaymentDate(t.maturityDate, paymentDate, _convention[token].convention);
        id = _declare(token, PaymentKind.Redemption, 0, t.redemptionValue, 1, 1, 1, paymentDate, deadline);
    }

    /// @inheritdoc ICorporateActions
    function declareCall(
        address token,
        uint128 callNumerator,
        uint128 callDenominator,
        uint256 pricePerUnit,
        uint40 paymentDate,
        uint40 deadline
    ) external returns (uint256 id) {
        _onlyPlatformTokenAgent(token);
        if (callNumerator == 0 || callNumerator > callDenominator) revert CorporateInvalidFraction(callNumerator, callDenominator);
        if (pricePerUnit == 0) revert CorporateInvalidAmount(pricePerUnit);
        id = _declare(token, PaymentKind.Redemption, 0, pricePerUnit, 1, callNumerator, callDenominator, paymentDate, deadline);
    }

    // ---- funding and payment ----

    /// @inheritdoc ICorporateActions
    function fund(uint256 id) external nonReentrant returns (uint256 amount) {
        Payment storage p = _existing(id);
        _onlyTokenAgent(p.token);
        if (p.status != PaymentStatus.Declared && p.status != PaymentStatus.Funded) revert CorporateWrongStatus(id, p.status);
        uint256 required = _required(p);
        uint256 funded = p.funded;
        if (required <= funded) revert CorporateNothingToFund(id, required, funded);
        // Overflow not possible: required > funded was just checked.
        unchecked {
            amount = required - funded;
        }
        if (p.payer == address(0)) p.payer = msg.sender;
        p.funded = required.toUint128();
        p.status = PaymentStatus.Funded;
        emit PaymentFunded(id, msg.sender, amount, required);
        _YEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ICorporateActions
    function payBatch(uint256 id, address[] calldata holders) external nonReentrant {
        Payment memory p = _payable(id);
        _onlyTokenAgent(p.token);
        Totals memory totals;
        uint256 length = holders.length;
        for (uint256 i = 0; i < length; ++i) {
            _settle(id, p, holders[i], totals);
        }
        _commit(id, totals);
    }

    /// @inheritdoc ICorporateActions
    /// @dev A lost key cannot claim; the investor's current wallet also collects what its
    /// latest replaced wallet was owed (older ones through the agent's batch).
    function claim(uint256 id) external nonReentrant {
        Payment memory p = _payable(id);
        (bytes32 investorId, address current,) = _REGISTRY.payeeOf(msg.sender);
        if (investorId != bytes32(0) && current != msg.sender) revert CorporateNotCurrentWallet(id, msg.sender, current);
        Totals memory totals;
        _settle(id, p, msg.sender, totals);
        if (investorId != bytes32(0)) {
            address previous = _REGISTRY.previousWalletOf(investorId);
            if (previous != address(0)) _settle(id, p, previous, totals);
        }
        if (totals.units == 0) revert CorporateNothingToClaim(id, msg.sender);
        _commit(id, totals);
    }

    /// @inheritdoc ICorporateActions
    function releaseHeld(uint256 id, address holder) external nonReentrant {
        Payment storage p = _existing(id);
        address recipient = _recipientOf(holder);
        _requireNotFrozen(id, p.token, holder, recipient);
        _release(id, p, holder, recipient);
    }

    /// @inheritdoc ICorporateActions
    function payToRecoveredWallet(uint256 id, address lostWallet, address newWallet) external nonReentrant {
        Payment storage p = _existing(id);
        _onlyTokenAgent(p.token);
        if (lostWallet == newWallet || _recipientOf(lostWallet) != newWallet) {
            revert CorporateNotRecoveredWallet(lostWallet, newWallet);
        }
        if (_entries[id][lostWallet].state == EntryState.Held) {
            _requireNotFrozen(id, p.token, lostWallet, newWallet);
            _release(id, p, lostWallet, newWallet);
            return;
        }
        Payment memory pm = _payable(id);
        Totals memory totals;
        _settle(id, pm, lostWallet, totals);
        if (totals.units == 0) revert CorporateNothingToClaim(id, lostWallet);
        _commit(id, totals);
    }

    /// @inheritdoc ICorporateActions
    function reclaimUnpaid(uint256 id) external nonReentrant returns (uint256 amount) {
        Payment storage p = _existing(id);
        _onlyTokenAgent(p.token);
        if (p.status != PaymentStatus.Funded) revert CorporateWrongStatus(id, p.status);
        if (block.timestamp <= p.deadline) revert CorporateDeadlineNotPassed(id, p.deadline);
        amount = _unpaid(p);
        p.reclaimed += amount.toUint128();
        p.status = PaymentStatus.Closed;
        address payer = p.payer;
        emit UnpaidReclaimed(id, payer, amount);
        if (amount != 0) _YEN.safeTransfer(payer, amount);
    }

    // ---- views ----

    /// @inheritdoc ICorporateActions
    function paymentToken() external view returns (address) {
        return address(_YEN);
    }

    /// @inheritdoc ICorporateActions
    function taxAccount() external view returns (address) {
        return _taxAccount;
    }

    /// @inheritdoc ICorporateActions
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc ICorporateActions
    function withholding(uint32 schedule, IInvestorRegistry.TaxStatus taxStatus) external view returns (Withholding memory) {
        return _withholding[schedule][taxStatus];
    }

    /// @inheritdoc ICorporateActions
    function currentTaxSchedule() external view returns (uint32) {
        return _currentTaxSchedule;
    }

    /// @inheritdoc ICorporateActions
    function dayCountOf(address token) external view returns (DayCount) {
        return _dayCount[token];
    }

    /// @inheritdoc ICorporateActions
    function paymentConventionOf(address token) external view returns (BusinessDayConvention, bool) {
        Convention memory c = _convention[token];
        return (c.convention, c.amountAdjusted);
    }

    /// @inheritdoc ICorporateActions
    function treatyRateOf(address token, bytes32 investorId) external view returns (bool applies, uint32 nationalRate) {
        uint256 stored = _treatyRate[token][investorId];
        if (stored != 0) return (true, uint32(stored - 1));
    }

    /// @inheritdoc ICorporateActions
    function payment(uint256 id) external view returns (Payment memory) {
        return _payments[id];
    }

    /// @inheritdoc ICorporateActions
    function paymentCount() external view returns (uint256) {
        return _paymentCount;
    }

    /// @inheritdoc ICorporateActions
    function entryOf(uint256 id, address holder) external view returns (EntryState state, uint256 heldNet) {
        Entry storage e = _entries[id][holder];
        return (e.state, e.heldNet);
    }

    /// @inheritdoc ICorporateActions
    function entitlementOf(uint256 id, address holder)
        external
        view
        returns (uint256 units, uint256 gross, uint256 tax, uint256 net)
    {
        (HolderAmounts memory a,) = _amountsNow(id, holder);
        return (a.units, a.gross, a.nationalTax + a.localTax, a.net);
    }

    /// @inheritdoc ICorporateActions
    function amountsOf(uint256 id, address holder) external view returns (HolderAmounts memory, address) {
        return _amountsNow(id, holder);
    }

    /// @inheritdoc ICorporateActions
    function unpaidOf(uint256 id) external view returns (uint256) {
        return _unpaid(_existing(id));
    }

    // ---- internals ----

    function _declare(
        address token,
        PaymentKind kind,
        uint32 recordIndex,
        uint256 amountNumerator,
        uint256 amountDenominator,
        uint128 callNumerator,
        uint128 callDenominator,
        uint40 paymentDate,
        uint40 deadline
    ) private returns (uint256 id) {
        if (deadline <= paymentDate) revert CorporateInvalidDates(paymentDate, deadline);
        id = ++_paymentCount;
        // Principal is not taxed here; interest and distributions use the schedule in force now.
        uint32 taxSchedule = kind == PaymentKind.Redemption ? 0 : _currentTaxSchedule;
        Payment storage p = _payments[id];
        p.token = token;
        p.kind = kind;
        p.status = PaymentStatus.Declared;
        p.recordIndex = recordIndex;
        p.paymentDate = paymentDate;
        p.deadline = deadline;
        p.taxSchedule = taxSchedule;
        p.amountNumerator = amountNumerator.toUint128();
        p.amountDenominator = amountDenominator.toUint128();
        p.callNumerator = callNumerator;
        p.callDenominator = callDenominator;
        emit PaymentDeclared(
            id,
            token,
            kind,
            recordIndex,
            p.amountNumerator,
            p.amountDenominator,
            callNumerator,
            callDenominator,
            paymentDate,
            deadline,
            taxSchedule
        );
    }

    /// @dev What `holder`'s entry would settle for now, and the wallet it would go to.
    function _amountsNow(uint256 id, address holder) private view returns (HolderAmounts memory a, address recipient) {
        Payment memory p = _payments[id];
        if (p.status == PaymentStatus.None) revert CorporateUnknownPayment(id);
        if (!_settleable(p, _entries[id][holder].state)) return (a, address(0));
        recipient = _amounts(p, holder, a);
    }

    /// @dev Fills `a` with `holder`'s entitlement under `p`, taxed by the status of the investor
    /// `holder` belongs to (whichever of its wallets it is); returns that investor's current
    /// wallet (`holder` itself when the registry does not know it).
    function _amounts(Payment memory p, address holder, HolderAmounts memory a) private view returns (address recipient) {
        (a.units, a.gross) = _entitlement(p, holder);
        (a.investorId, recipient, a.taxStatus) = _REGISTRY.payeeOf(holder);
        if (a.investorId == bytes32(0)) recipient = holder;
        (a.nationalTax, a.localTax) = _tax(p, a.investorId, a.taxStatus, a.gross);
        a.net = a.gross - a.nationalTax - a.localTax;
    }

    /// @dev Computes, records and pays one holder's entitlement to its investor's current
    /// wallet. Nothing happens for a holder already settled or with nothing due.
    function _settle(uint256 id, Payment memory p, address holder, Totals memory totals) private {
        Entry storage e = _entries[id][holder];
        if (!_settleable(p, e.state)) return;
        HolderAmounts memory a;
        address recipient = _amounts(p, holder, a);
        if (a.gross == 0) return;
        uint256 committed = uint256(p.paid) + p.withheld + p.held + totals.paid + totals.nationalTax + totals.localTax
            + totals.held + a.gross;
        if (committed > p.funded) revert CorporateUnderfunded(id, committed, p.funded);
        totals.nationalTax += a.nationalTax;
        totals.localTax += a.localTax;
        totals.units += a.units;
        if (p.kind == PaymentKind.Redemption) ISecurityToken(p.token).redeem(holder, a.units, "");
        _deliver(id, p.token, e, holder, recipient, a, totals);
    }

    /// @dev Marks the entry paid and sends the net; a frozen holder or recipient, or a recipient
    /// the yen coin refuses, is held instead (the batch goes on).
    function _deliver(
        uint256 id,
        address token,
        Entry storage e,
        address holder,
        address recipient,
        HolderAmounts memory a,
        Totals memory totals
    ) private {
        bool held = _frozen(token, holder, recipient);
        if (!held) {
            if (e.state == EntryState.Unpaid) e.state = EntryState.Paid;
            held = !_YEN.trySafeTransfer(recipient, a.net);
        }
        if (held) {
            e.state = EntryState.Held;
            e.heldNet += a.net.toUint128();
            totals.held += a.net;
            emit HolderPaymentHeld(id, holder, recipient, a);
        } else {
            totals.paid += a.net;
            emit HolderPaid(id, holder, recipient, a);
        }
    }

    /// @dev Adds a batch's totals to the payment and sends the tax it withheld in one transfer.
    function _commit(uint256 id, Totals memory totals) private {
        Payment storage p = _payments[id];
        uint256 withheld = totals.nationalTax + totals.localTax;
        p.paid += totals.paid.toUint128();
        p.withheld += withheld.toUint128();
        p.held += totals.held.toUint128();
        p.units += totals.units.toUint128();
        if (withheld != 0) {
            address account = _taxAccount;
            emit TaxWithheld(id, account, totals.nationalTax, totals.localTax);
            _YEN.safeTransfer(account, withheld);
        }
    }

    function _release(uint256 id, Payment storage p, address holder, address recipient) private {
        Entry storage e = _entries[id][holder];
        if (e.state != EntryState.Held) revert CorporateNotHeld(id, holder);
        uint128 net = e.heldNet;
        e.state = EntryState.Paid;
        e.heldNet = 0;
        p.held -= net;
        p.paid += net;
        emit HeldPaymentReleased(id, holder, recipient, net);
        _YEN.safeTransfer(recipient, net);
    }

    /// @dev A full redemption is guarded by the burn itself (what is paid for no longer exists),
    /// so a holder who receives units later is settled again; everything else settles once.
    function _settleable(Payment memory p, EntryState state) private pure returns (bool) {
        if (state == EntryState.Unpaid) return true;
        return p.kind == PaymentKind.Redemption && p.callNumerator == p.callDenominator;
    }

    /// @dev Units counted and gross yen, truncated once per holder.
    function _entitlement(Payment memory p, address holder) private view returns (uint256 units, uint256 gross) {
        ISecurityToken st = ISecurityToken(p.token);
        if (p.kind == PaymentKind.Redemption) {
            // The token redeems free units only: a holder with frozen, pending or locked units
            // beyond what is called is left unpaid (visible) until they are released.
            uint256 free = st.freeBalanceOf(holder);
            units = p.callNumerator == p.callDenominator ? free : st.balanceOf(holder) * p.callNumerator / p.callDenominator;
            if (units > free) units = 0;
        } else {
            units = st.balanceOfAtRecordDate(holder, p.recordIndex);
        }
        gross = units * p.amountNumerator / p.amountDenominator;
    }

    /// @dev What the payment needs in total: the truncated amount for all units, which is never
    /// below the sum of the per-holder truncated amounts. A redemption counts what it already
    /// paid plus the units still outstanding.
    function _required(Payment storage p) private view returns (uint256) {
        ISecurityToken st = ISecurityToken(p.token);
        if (p.kind != PaymentKind.Redemption) {
            return st.totalSupplyAtRecordDate(p.recordIndex) * p.amountNumerator / p.amountDenominator;
        }
        uint256 outstanding = st.totalSupply() * p.callNumerator / p.callDenominator;
        return uint256(p.paid) + p.withheld + p.held + outstanding * p.amountNumerator / p.amountDenominator;
    }

    /// @dev Tax on one holder's whole gross for the payment, each component truncated to the
    /// yen: the schedule's rates for the tax status, a treaty rate replacing a non-resident's
    /// national rate where the paying agent set one.
    function _tax(Payment memory p, bytes32 investorId, IInvestorRegistry.TaxStatus status, uint256 gross)
        private
        view
        returns (uint256 national, uint256 local)
    {
        if (p.taxSchedule == 0) return (0, 0);
        Withholding memory w = _withholding[p.taxSchedule][status];
        uint256 nationalRate = w.nationalRate;
        if (status == IInvestorRegistry.TaxStatus.NonResident) {
            uint256 treaty = _treatyRate[p.token][investorId];
            if (treaty != 0) nationalRate = treaty - 1;
        }
        return (gross * nationalRate / _RATE_SCALE, gross * w.localRate / _RATE_SCALE);
    }

    /// @dev The current wallet of `holder`'s investor (`holder` itself if not an investor).
    function _recipientOf(address holder) private view returns (address) {
        (bytes32 investorId, address current,) = _REGISTRY.payeeOf(holder);
        return investorId == bytes32(0) ? holder : current;
    }

    function _frozen(address token, address holder, address recipient) private view returns (bool) {
        ISecurityToken st = ISecurityToken(token);
        return st.isFrozen(holder) || (recipient != holder && st.isFrozen(recipient));
    }

    function _requireNotFrozen(uint256 id, address token, address holder, address recipient) private view {
        if (ISecurityToken(token).isFrozen(holder)) revert CorporateHolderFrozen(id, holder);
        if (recipient != holder && ISecurityToken(token).isFrozen(recipient)) revert CorporateHolderFrozen(id, recipient);
    }

    function _unpaid(Payment storage p) private view returns (uint256) {
        return uint256(p.funded) - p.paid - p.withheld - p.held - p.reclaimed;
    }

    function _existing(uint256 id) private view returns (Payment storage p) {
        p = _payments[id];
        if (p.status == PaymentStatus.None) revert CorporateUnknownPayment(id);
    }

    function _payable(uint256 id) private view returns (Payment memory p) {
        p = _payments[id];
        if (p.status != PaymentStatus.Funded) {
            if (p.status == PaymentStatus.None) revert CorporateUnknownPayment(id);
            revert CorporateWrongStatus(id, p.status);
        }
        if (block.timestamp < p.paymentDate) revert CorporateBeforePaymentDate(id, p.paymentDate);
    }

    function _bondTerms(address token) private view returns (ISecurityToken.BondTerms memory t) {
        _onlyPlatformTokenAgent(token);
        if (ISecurityToken(token).kind() != ISecurityToken.Kind.Bond) revert CorporateWrongTokenKind(token);
        t = ISecurityToken(token).bondTerms();
        _checkPaymentToken(token, t.paymentToken);
    }

    /// @dev The coupon exists, is not declared yet, and `recordIndex` is its record date on the token.
    function _checkCoupon(address token, ISecurityToken.BondTerms memory t, uint256 couponIndex, uint32 recordIndex)
        private
        view
    {
        uint256 count = t.interestPaymentDates.length;
        if (couponIndex >= count || t.interestRecordDates.length != count || t.couponsPerYear == 0 || 12 % t.couponsPerYear != 0) {
            revert CorporateInvalidCoupon(token, couponIndex, count);
        }
        uint256 existing = _couponPayment[token][couponIndex];
        if (existing != 0) revert CorporateCouponAlreadyDeclared(token, couponIndex, existing);
        uint40 tokenDate = ISecurityToken(token).recordDate(recordIndex);
        if (tokenDate != t.interestRecordDates[couponIndex]) {
            revert CorporateRecordDateMismatch(token, recordIndex, tokenDate, t.interestRecordDates[couponIndex]);
        }
    }

    /// @dev Coupon per unit = face x rate x fraction, kept exact as numerator / denominator:
    /// a regular period is 1 / couponsPerYear of a year, an odd one days / 365 (Actual/365 Fixed).
    /// Periods follow the terms' scheduled (unadjusted) dates: a payment day moved to a business
    /// day neither makes a regular period odd nor changes its days, unless the bond's amounts
    /// are adjusted, when the days run between the actual payment days.
    function _coupon(
        address token,
        ISecurityToken.BondTerms memory t,
        uint256 couponIndex,
        bool amountAdjusted,
        uint40 paymentDate
    ) private view returns (Coupon memory c) {
        uint40 start = couponIndex == 0 ? t.issueDate : t.interestPaymentDates[couponIndex - 1];
        c.end = t.interestPaymentDates[couponIndex];
        if (c.end <= start) revert CorporateInvalidDates(start, c.end);
        c.regular = JstCalendar.isWholeMonths(start, c.end, 12 / t.couponsPerYear);
        if (amountAdjusted) {
            if (couponIndex != 0) {
                uint256 previous = _couponPayment[token][couponIndex - 1];
                if (previous == 0) revert CorporateCouponOutOfOrder(token, couponIndex);
                start = _payments[previous].paymentDate;
            }
            c.periodDays = JstCalendar.daysBetween(start, paymentDate);
        } else {
            c.periodDays = JstCalendar.daysBetween(start, c.end);
        }
        DayCount dayCount = _dayCount[token];
        c.dayCount = dayCount;
        uint256 base = t.faceValue * t.couponRate;
        if (c.regular && dayCount == DayCount.RegularPeriodsEqual) {
            (c.numerator, c.denominator) = (base, _RATE_SCALE * t.couponsPerYear);
        } else {
            (c.numerator, c.denominator) = (base * c.periodDays, _RATE_SCALE * _DAYS_PER_YEAR);
        }
    }

    function _checkPaymentToken(address token, address termsPaymentToken) private view {
        if (termsPaymentToken != address(0) && termsPaymentToken != address(_YEN)) {
            revert CorporateWrongPaymentToken(token, termsPaymentToken);
        }
    }

    /// @dev The paying agent moves the scheduled day to a business day by the term sheet's rule
    /// (it knows the bank holidays); the contract checks the side, the distance and the weekday.
    function _checkPaymentDate(uint40 scheduled, uint40 paymentDate, BusinessDayConvention convention) private pure {
        uint256 s = JstCalendar.dayOf(scheduled);
        uint256 d = JstCalendar.dayOf(paymentDate);
        bool ok;
        if (convention == BusinessDayConvention.Unadjusted) {
            ok = d == s;
        } else {
            bool before = d <= s && s - d <= _MAX_SHIFT_DAYS;
            bool later = d >= s && d - s <= _MAX_SHIFT_DAYS;
            if (convention == BusinessDayConvention.Preceding) ok = before;
            else if (convention == BusinessDayConvention.Following) ok = later;
            else ok = before || later;
            ok = ok && JstCalendar.isWeekday(d);
        }
        if (!ok) revert CorporatePaymentDateOffSchedule(scheduled, paymentDate, convention);
    }

    function _onlyTokenAgent(address token) private view {
        if (!ISecurityToken(token).isAgent(msg.sender)) revert CorporateNotTokenAgent(token, msg.sender);
    }

    /// @dev Declarations: only the platform's own tokens, then their agents.
    function _onlyPlatformTokenAgent(address token) private view {
        if (!IPlatformTokens(address(_REGISTRY)).isPlatformToken(token)) revert CorporateNotPlatformToken(token);
        _onlyTokenAgent(token);
    }
}
