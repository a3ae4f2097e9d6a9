// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICorporateActions} from "../../interfaces/ICorporateActions.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {JstCalendar} from "./JstCalendar.sol";

/// @title CorporateActions
/// @notice Pays interest, distributions and redemptions of Kabuto security tokens in the yen
/// coin, exactly, to the holders of record. See docs/corporate-actions.md.
/// @dev Entitlements are never taken from the caller: each is computed here from the token's
/// record-date snapshot (or, for a redemption, from the balance it burns), so the holder list a
/// batch carries decides only the order of payment. Redemptions need the token's agent role.
contract CorporateActions is ICorporateActions, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    uint256 private constant _RATE_SCALE = 1_000_000;
    uint256 private constant _DAYS_PER_YEAR = 365;

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

    /// @dev One holder's settlement being computed.
    struct Line {
        address holder;
        address recipient;
        uint256 units;
        uint256 gross;
        uint256 tax;
    }

    /// @dev What one batch (or claim) moved, written to the payment once at the end.
    struct Totals {
        uint256 paid;
        uint256 withheld;
        uint256 held;
        uint256 units;
    }

    IERC20 private immutable _YEN;
    address private _taxAccount;
    uint32 private _currentTaxSchedule;
    uint256 private _paymentCount;
    mapping(uint32 schedule => mapping(IInvestorRegistry.InvestorClass class => Withholding)) private _withholding;
    mapping(address token => DayCount) private _dayCount;
    mapping(address token => mapping(uint256 couponIndex => uint256 id)) private _couponPayment;
    mapping(uint256 id => Payment) private _payments;
    mapping(uint256 id => mapping(address holder => Entry)) private _entries;

    constructor(IERC20 yen, address admin, address initialTaxAccount) {
        if (address(yen) == address(0) || admin == address(0) || initialTaxAccount == address(0)) {
            revert CorporateZeroAddress();
        }
        _YEN = yen;
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
    function setWithholding(Withholding[4] calldata rates) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint32 schedule) {
        schedule = _currentTaxSchedule + 1;
        for (uint256 i = 0; i < 4; ++i) {
            Withholding calldata w = rates[i];
            if (uint256(w.nationalRate) + w.localRate > _RATE_SCALE) revert CorporateInvalidWithholding(w.nationalRate, w.localRate);
            _withholding[schedule][IInvestorRegistry.InvestorClass(i)] = w;
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

    // ---- declaration ----

    /// @inheritdoc ICorporateActions
    function declareInterest(address token, uint256 couponIndex, uint32 recordIndex, uint40 deadline)
        external
        returns (uint256 id)
    {
        ISecurityToken.BondTerms memory t = _bondTerms(token);
        _checkCoupon(token, t, couponIndex, recordIndex);
        Coupon memory c = _coupon(t, couponIndex, _dayCount[token]);
        id = _declare(token, PaymentKind.Interest, recordIndex, c.numerator, c.denominator, 1, 1, c.end, deadline);
        _couponPayment[token][couponIndex] = id;
        emit CouponDeclared(id, couponIndex, c.periodDays, c.regular, c.dayCount);
    }

    /// @inheritdoc ICorporateActions
    function declareDistribution(address token, uint32 recordIndex, uint256 amountPerUnit, uint40 paymentDate, uint40 deadline)
        external
        returns (uint256 id)
    {
        _onlyTokenAgent(token);
        ISecurityToken st = ISecurityToken(token);
        if (st.kind() != ISecurityToken.Kind.Beneficiary) revert CorporateWrongTokenKind(token);
        _checkPaymentToken(token, st.beneficiaryTerms().paymentToken);
        if (amountPerUnit == 0) revert CorporateInvalidAmount(amountPerUnit);
        uint40 recordDate = st.recordDate(recordIndex);
        if (paymentDate < recordDate) revert CorporateInvalidDates(recordDate, paymentDate);
        id = _declare(token, PaymentKind.Distribution, recordIndex, amountPerUnit, 1, 1, 1, paymentDate, deadline);
    }

    /// @inheritdoc ICorporateActions
    function declareMaturityRedemption(address token, uint40 deadline) external returns (uint256 id) {
        ISecurityToken.BondTerms memory t = _bondTerms(token);
        if (t.redemptionValue == 0) revert CorporateInvalidAmount(0);
        id = _declare(token, PaymentKind.Redemption, 0, t.redemptionValue, 1, 1, 1, t.maturityDate, deadline);
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
        _onlyTokenAgent(token);
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
        address registry = _registryFor(p);
        Totals memory totals;
        uint256 length = holders.length;
        for (uint256 i = 0; i < length; ++i) {
            _settle(id, p, registry, holders[i], holders[i], totals);
        }
        _commit(id, totals);
    }

    /// @inheritdoc ICorporateActions
    function claim(uint256 id) external nonReentrant {
        Payment memory p = _payable(id);
        Totals memory totals;
        _settle(id, p, _registryFor(p), msg.sender, msg.sender, totals);
        if (totals.units == 0) revert CorporateNothingToClaim(id, msg.sender);
        _commit(id, totals);
    }

    /// @inheritdoc ICorporateActions
    function releaseHeld(uint256 id, address holder) external nonReentrant {
        Payment storage p = _existing(id);
        if (ISecurityToken(p.token).isFrozen(holder)) revert CorporateHolderFrozen(id, holder);
        _release(id, p, holder, holder);
    }

    /// @inheritdoc ICorporateActions
    function payToRecoveredWallet(uint256 id, address lostWallet, address newWallet) external nonReentrant {
        Payment storage p = _existing(id);
        _onlyTokenAgent(p.token);
        IInvestorRegistry registry = IInvestorRegistry(ISecurityToken(p.token).registry());
        if (registry.recoveryOf(lostWallet, newWallet) == bytes32(0)) {
            revert CorporateNotRecoveredWallet(lostWallet, newWallet);
        }
        if (ISecurityToken(p.token).isFrozen(newWallet)) revert CorporateHolderFrozen(id, newWallet);
        if (_entries[id][lostWallet].state == EntryState.Held) {
            _release(id, p, lostWallet, newWallet);
            return;
        }
        // A redemption's units moved with the recovery itself: the new wallet is paid as a holder.
        if (p.kind == PaymentKind.Redemption) revert CorporateNothingToClaim(id, lostWallet);
        Payment memory pm = _payable(id);
        Totals memory totals;
        _settle(id, pm, address(registry), lostWallet, newWallet, totals);
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
    function withholding(uint32 schedule, IInvestorRegistry.InvestorClass class) external view returns (Withholding memory) {
        return _withholding[schedule][class];
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
        Payment memory p = _payments[id];
        if (p.status == PaymentStatus.None) revert CorporateUnknownPayment(id);
        if (!_settleable(p, _entries[id][holder].state)) return (0, 0, 0, 0);
        (units, gross) = _entitlement(p, holder);
        tax = _tax(p.taxSchedule, _registryFor(p), holder, gross);
        net = gross - tax;
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

    /// @dev Computes, records and pays one holder's entitlement to `recipient` (the holder, or
    /// its recovered wallet). Nothing happens for a holder already settled or with nothing due.
    function _settle(
        uint256 id,
        Payment memory p,
        address registry,
        address holder,
        address recipient,
        Totals memory totals
    ) private {
        Entry storage e = _entries[id][holder];
        if (!_settleable(p, e.state)) return;
        Line memory line = Line(holder, recipient, 0, 0, 0);
        (line.units, line.gross) = _entitlement(p, holder);
        if (line.gross == 0) return;
        line.tax = _tax(p.taxSchedule, registry, recipient, line.gross);
        uint256 committed = uint256(p.paid) + p.withheld + p.held + totals.paid + totals.withheld + totals.held + line.gross;
        if (committed > p.funded) revert CorporateUnderfunded(id, committed, p.funded);
        totals.withheld += line.tax;
        totals.units += line.units;
        if (p.kind == PaymentKind.Redemption) ISecurityToken(p.token).redeem(holder, line.units, "");
        _deliver(id, p.token, e, line, totals);
    }

    /// @dev Marks the entry paid and sends the net; a frozen recipient, or one the yen coin
    /// refuses, is held instead (the batch goes on).
    function _deliver(uint256 id, address token, Entry storage e, Line memory line, Totals memory totals) private {
        uint256 net = line.gross - line.tax;
        bool held = ISecurityToken(token).isFrozen(line.recipient);
        if (!held) {
            if (e.state == EntryState.Unpaid) e.state = EntryState.Paid;
            held = !_YEN.trySafeTransfer(line.recipient, net);
        }
        if (held) {
            e.state = EntryState.Held;
            e.heldNet += net.toUint128();
            totals.held += net;
            emit HolderPaymentHeld(id, line.holder, line.units, line.gross, line.tax, net);
        } else {
            totals.paid += net;
            emit HolderPaid(id, line.holder, line.recipient, line.units, line.gross, line.tax, net);
        }
    }

    /// @dev Adds a batch's totals to the payment and sends the tax it withheld in one transfer.
    function _commit(uint256 id, Totals memory totals) private {
        Payment storage p = _payments[id];
        p.paid += totals.paid.toUint128();
        p.withheld += totals.withheld.toUint128();
        p.held += totals.held.toUint128();
        p.units += totals.units.toUint128();
        if (totals.withheld != 0) {
            address account = _taxAccount;
            emit TaxWithheld(id, account, totals.withheld);
            _YEN.safeTransfer(account, totals.withheld);
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

    function _tax(uint32 schedule, address registry, address recipient, uint256 gross) private view returns (uint256) {
        if (schedule == 0) return 0;
        IInvestorRegistry.InvestorClass investorClass = IInvestorRegistry(registry).investorOf(recipient).investorClass;
        Withholding memory w = _withholding[schedule][investorClass];
        return gross * w.nationalRate / _RATE_SCALE + gross * w.localRate / _RATE_SCALE;
    }

    function _unpaid(Payment storage p) private view returns (uint256) {
        return uint256(p.funded) - p.paid - p.withheld - p.held - p.reclaimed;
    }

    function _registryFor(Payment memory p) private view returns (address) {
        return p.taxSchedule == 0 ? address(0) : ISecurityToken(p.token).registry();
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
        _onlyTokenAgent(token);
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
    function _coupon(ISecurityToken.BondTerms memory t, uint256 couponIndex, DayCount dayCount)
        private
        pure
        returns (Coupon memory c)
    {
        uint40 start = couponIndex == 0 ? t.issueDate : t.interestPaymentDates[couponIndex - 1];
        c.end = t.interestPaymentDates[couponIndex];
        if (c.end <= start) revert CorporateInvalidDates(start, c.end);
        c.periodDays = JstCalendar.daysBetween(start, c.end);
        c.regular = JstCalendar.isWholeMonths(start, c.end, 12 / t.couponsPerYear);
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

    function _onlyTokenAgent(address token) private view {
        if (!ISecurityToken(token).isAgent(msg.sender)) revert CorporateNotTokenAgent(token, msg.sender);
    }
}
