// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {IPlatformTokens} from "../../interfaces/IPlatformTokens.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {IPrimaryOffering} from "../../interfaces/IPrimaryOffering.sol";

/// @title PrimaryOffering
/// @notice Subscription, allotment and delivery-against-payment of new security units, for any
/// number of offerings of any number of tokens. The contract never holds yen or units: a
/// settlement moves the subscriber's yen straight to the issuer's proceeds account and issues
/// the units to the subscriber in the same call, so both happen or neither does.
/// @dev The contract needs AGENT_ROLE on each token it offers; it only ever uses it to issue an
/// allotment that was applied for, allotted by that token's issuer and paid for, capped by the
/// units the issuer offered. Every entry point is nonReentrant (tokens and payment tokens are
/// outside contracts). Units are stored in 48 bits, as the token's own maximum balance.
/// Offerings are of the platform's tokens only (listed in the registry, checked when opening
/// and when settling), and subscribers are found in the platform's registry, never in one a
/// token names: no other contract can make this one pull a subscriber's yen.
contract PrimaryOffering is IPrimaryOffering, ReentrancyGuard {
    using SafeERC20 for IERC20;

    IInvestorRegistry private immutable _REGISTRY;

    /// @dev Slot 0: 20 + 5 + 5 + 1 bytes; slot 1: 20 + 12; slot 2: 20 + 6 + 6; slot 3: 4 * 6 + 8.
    struct Offering {
        ISecurityToken token;
        uint40 start;
        uint40 end;
        OfferingStatus status;
        IERC20 paymentToken;
        uint96 pricePerUnit;
        address proceedsAccount;
        uint48 minUnits;
        uint48 maxUnits;
        uint48 offeredUnits;
        uint48 appliedUnits; // in applications now Applied or Allotted
        uint48 allottedUnits;
        uint48 settledUnits;
        uint64 applicationCount;
    }

    /// @dev One slot: 6 + 6 + 1 bytes.
    struct Application {
        uint48 appliedUnits;
        uint48 allottedUnits;
        ApplicationStatus status;
    }

    Offering[] private _offerings;
    mapping(uint256 offeringId => mapping(bytes32 investorId => Application)) private _applications;

    constructor(IInvestorRegistry registry_) {
        if (address(registry_) == address(0)) revert OfferingInvalidTerms("registry is zero");
        _REGISTRY = registry_;
    }

    /// @notice The registry this contract takes the platform's tokens and investors from.
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    // ---------------------------------------------------------------- issuer: open

    /// @inheritdoc IPrimaryOffering
    function openOffering(OfferingTerms calldata terms) external nonReentrant returns (uint256 offeringId) {
        ISecurityToken token = ISecurityToken(terms.token);
        if (address(token) == address(0)) revert OfferingInvalidTerms("token is zero");
        _requirePlatformToken(token);
        _requireIssuer(token);
        if (!token.isAgent(address(this))) revert OfferingNotTokenAgent(address(token));
        (uint256 price, address paymentToken) = _resolvePrice(token, terms.pricePerUnit, terms.paymentToken);
        _validate(terms, price, paymentToken);

        offeringId = _offerings.length;
        // Narrowing casts are safe: _validate bounded price to 96 bits and units to 48 bits.
        _offerings.push(
            Offering({
                token: token,
                start: terms.start,
                end: terms.end,
                status: OfferingStatus.Open,
                paymentToken: IERC20(paymentToken),
                pricePerUnit: uint96(price),
                proceedsAccount: terms.proceedsAccount,
                minUnits: uint48(terms.minUnits),
                maxUnits: uint48(terms.maxUnits),
                offeredUnits: uint48(terms.offeredUnits),
                appliedUnits: 0,
                allottedUnits: 0,
                settledUnits: 0,
                applicationCount: 0
            })
        );
        emit OfferingOpened(offeringId, address(token), msg.sender, _termsOf(_offerings[offeringId]));
    }

    // ---------------------------------------------------------------- investors

    /// @inheritdoc IPrimaryOffering
    function applyForOffering(uint256 offeringId, uint256 units) external nonReentrant {
        _apply(offeringId, units);
    }

    /// @inheritdoc IPrimaryOffering
    function applyForOfferingWithPermit(
        uint256 offeringId,
        uint256 units,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        IERC20 paymentToken = _offering(offeringId).paymentToken;
        // A permit already used (front-run) reverts; the allowance it set is what counts.
        try IERC20Permit(address(paymentToken)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
        _apply(offeringId, units);
    }

    /// @inheritdoc IPrimaryOffering
    function cancelApplication(uint256 offeringId) external nonReentrant {
        Offering storage o = _offering(offeringId);
        _requireWindowOpen(offeringId, o);
        bytes32 investorId = _investorIdOf(msg.sender);
        Application storage a = _application(offeringId, investorId, ApplicationStatus.Applied);
        uint48 units = a.appliedUnits;
        a.status = ApplicationStatus.Cancelled;
        // Underflow not possible: appliedUnits sums the units of every Applied application.
        unchecked {
            o.appliedUnits -= units;
        }
        emit ApplicationCancelled(offeringId, investorId, msg.sender, units);
    }

    // ---------------------------------------------------------------- issuer: close, allot, end

    /// @inheritdoc IPrimaryOffering
    function closeOffering(uint256 offeringId) external nonReentrant {
        Offering storage o = _issuerOffering(offeringId);
        _requireStatus(offeringId, o, OfferingStatus.Open);
        o.status = OfferingStatus.Closed;
        emit OfferingClosed(offeringId, msg.sender, o.appliedUnits, o.offeredUnits);
    }

    /// @inheritdoc IPrimaryOffering
    function allot(uint256 offeringId, bytes32[] calldata investorIds, uint256[] calldata units)
        external
        nonReentrant
    {
        if (investorIds.length != units.length) revert OfferingArrayLengthMismatch(investorIds.length, units.length);
        Offering storage o = _issuerOffering(offeringId);
        _requireStatus(offeringId, o, OfferingStatus.Closed);
        uint256 minUnits = o.minUnits;
        uint256 total = o.allottedUnits;
        for (uint256 i = 0; i < investorIds.length; ++i) {
            bytes32 investorId = investorIds[i];
            uint256 allotted = units[i];
            Application storage a = _application(offeringId, investorId, ApplicationStatus.Applied);
            uint256 applied = a.appliedUnits;
            if (allotted > applied) revert OfferingAllotmentExceedsApplied(offeringId, investorId, allotted, applied);
            if (allotted < minUnits) revert OfferingAllotmentBelowMinimum(offeringId, investorId, allotted, minUnits);
            total += allotted;
            // Narrowing cast is safe: allotted <= applied, a 48-bit value.
            a.allottedUnits = uint48(allotted);
            a.status = ApplicationStatus.Allotted;
            emit Allotted(offeringId, investorId, allotted, applied);
        }
        if (total > o.offeredUnits) revert OfferingOverAllotted(offeringId, total, o.offeredUnits);
        // Narrowing cast is safe: total <= offeredUnits, a 48-bit value.
        o.allottedUnits = uint48(total);
    }

    /// @inheritdoc IPrimaryOffering
    function finalizeOffering(uint256 offeringId) external nonReentrant {
        Offering storage o = _issuerOffering(offeringId);
        _requireStatus(offeringId, o, OfferingStatus.Closed);
        o.status = OfferingStatus.Finalized;
        emit OfferingFinalized(offeringId, msg.sender, o.allottedUnits, o.settledUnits);
    }

    /// @inheritdoc IPrimaryOffering
    function cancelOffering(uint256 offeringId) external nonReentrant {
        Offering storage o = _issuerOffering(offeringId);
        OfferingStatus status = o.status;
        if (status != OfferingStatus.Open && status != OfferingStatus.Closed) {
            revert OfferingWrongStatus(offeringId, status, OfferingStatus.Closed);
        }
        if (o.settledUnits != 0) revert OfferingHasSettlements(offeringId, o.settledUnits);
        o.status = OfferingStatus.Cancelled;
        emit OfferingCancelled(offeringId, msg.sender);
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc IPrimaryOffering
    function settle(uint256 offeringId, bytes32 investorId) external nonReentrant {
        Offering storage o = _offering(offeringId);
        if (!_isIssuer(o.token) && _walletOf(investorId) != msg.sender) {
            revert OfferingNotSubscriberOrIssuer(offeringId, investorId, msg.sender);
        }
        _settle(offeringId, o, investorId);
    }

    /// @inheritdoc IPrimaryOffering
    function settleBatch(uint256 offeringId, bytes32[] calldata investorIds)
        external
        nonReentrant
        returns (uint256 settled)
    {
        Offering storage o = _issuerOffering(offeringId);
        _requireStatus(offeringId, o, OfferingStatus.Closed);
        for (uint256 i = 0; i < investorIds.length; ++i) {
            bytes32 investorId = investorIds[i];
            if (_applications[offeringId][investorId].status == ApplicationStatus.Settled) continue;
            // The self-call is the boundary that undoes both legs of one failing allotment only.
            try this.settleFromBatch(offeringId, investorId) {
                ++settled;
            } catch (bytes memory reason) {
                emit AllotmentSettlementFailed(offeringId, investorId, reason);
            }
        }
    }

    /// @notice Settles one allotment of a running {settleBatch}; callable by this contract only.
    /// @dev Not nonReentrant itself: the batch holds the guard, which is checked to be held.
    function settleFromBatch(uint256 offeringId, bytes32 investorId) external {
        if (msg.sender != address(this) || !_reentrancyGuardEntered()) revert OfferingOnlySelf(msg.sender);
        _settle(offeringId, _offerings[offeringId], investorId);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPrimaryOffering
    function offering(uint256 offeringId) external view returns (OfferingView memory) {
        Offering storage o = _offering(offeringId);
        return OfferingView({
            terms: _termsOf(o),
            status: o.status,
            appliedUnits: o.appliedUnits,
            allottedUnits: o.allottedUnits,
            settledUnits: o.settledUnits,
            applicationCount: o.applicationCount
        });
    }

    /// @inheritdoc IPrimaryOffering
    function applicationOf(uint256 offeringId, bytes32 investorId) external view returns (ApplicationView memory) {
        Offering storage o = _offering(offeringId);
        Application memory a = _applications[offeringId][investorId];
        ApplicationStatus status = a.status;
        bool ended = o.status == OfferingStatus.Finalized || o.status == OfferingStatus.Cancelled;
        if (ended && status == ApplicationStatus.Applied) status = ApplicationStatus.Released;
        if (ended && status == ApplicationStatus.Allotted) status = ApplicationStatus.Lapsed;
        return ApplicationView({
            wallet: _walletOf(investorId),
            appliedUnits: a.appliedUnits,
            allottedUnits: a.allottedUnits,
            status: status
        });
    }

    function offeringCount() external view returns (uint256) {
        return _offerings.length;
    }

    // ---------------------------------------------------------------- internals

    function _apply(uint256 offeringId, uint256 units) private {
        Offering storage o = _offering(offeringId);
        _requireWindowOpen(offeringId, o);
        if (units < o.minUnits || units > o.maxUnits) {
            revert OfferingUnitsOutOfRange(offeringId, units, o.minUnits, o.maxUnits);
        }
        ISecurityToken token = o.token;
        uint8 code = token.detectTransferRestriction(address(0), msg.sender, units);
        if (code != 0) revert OfferingInvestorRestricted(offeringId, msg.sender, code);
        bytes32 investorId = _investorIdOf(msg.sender);
        Application storage a = _applications[offeringId][investorId];
        // While the window is open an application is None, Applied or Cancelled.
        if (a.status == ApplicationStatus.Applied) revert OfferingApplicationExists(offeringId, investorId);
        // Narrowing cast is safe: units <= maxUnits, a 48-bit value.
        a.appliedUnits = uint48(units);
        a.status = ApplicationStatus.Applied;
        o.appliedUnits += uint48(units);
        ++o.applicationCount;
        emit Applied(offeringId, investorId, msg.sender, units);
    }

    /// @dev Effects first (Settled, settledUnits), then the two legs; a revert of either undoes all.
    function _settle(uint256 offeringId, Offering storage o, bytes32 investorId) private {
        _requireStatus(offeringId, o, OfferingStatus.Closed);
        Application storage a = _application(offeringId, investorId, ApplicationStatus.Allotted);
        uint48 units = a.allottedUnits;
        a.status = ApplicationStatus.Settled;
        // Overflow not possible: settledUnits <= allottedUnits <= offeredUnits, a 48-bit value.
        unchecked {
            o.settledUnits += units;
        }
        ISecurityToken token = o.token;
        _requirePlatformToken(token);
        address wallet = _walletOf(investorId);
        uint256 payment = uint256(o.pricePerUnit) * units;
        o.paymentToken.safeTransferFrom(wallet, o.proceedsAccount, payment);
        token.issue(wallet, units, abi.encode(offeringId, investorId));
        emit AllotmentSettled(offeringId, investorId, wallet, units, payment);
    }

    /// @dev Zero price or payment token: the term sheet's (bond face value or beneficiary issue
    /// price). A term sheet that names a payment token cannot be overridden by another one.
    function _resolvePrice(ISecurityToken token, uint256 price, address paymentToken)
        private
        view
        returns (uint256, address)
    {
        uint256 sheetPrice;
        address sheetToken;
        if (token.kind() == ISecurityToken.Kind.Bond) {
            ISecurityToken.BondTerms memory bond = token.bondTerms();
            (sheetPrice, sheetToken) = (bond.faceValue, bond.paymentToken);
        } else {
            ISecurityToken.BeneficiaryTerms memory beneficiary = token.beneficiaryTerms();
            (sheetPrice, sheetToken) = (beneficiary.issuePrice, beneficiary.paymentToken);
        }
        if (paymentToken == address(0)) paymentToken = sheetToken;
        if (sheetToken != address(0) && sheetToken != paymentToken) {
            revert OfferingPaymentTokenMismatch(sheetToken, paymentToken);
        }
        return (price == 0 ? sheetPrice : price, paymentToken);
    }

    function _validate(OfferingTerms calldata t, uint256 price, address paymentToken) private view {
        if (paymentToken == address(0)) revert OfferingInvalidTerms("no payment token");
        if (t.proceedsAccount == address(0)) revert OfferingInvalidTerms("no proceeds account");
        if (price == 0 || price > type(uint96).max) revert OfferingInvalidTerms("price out of range");
        if (t.offeredUnits == 0 || t.offeredUnits > type(uint48).max) revert OfferingInvalidTerms("offered out of range");
        if (t.minUnits == 0 || t.minUnits > t.maxUnits || t.maxUnits > t.offeredUnits) {
            revert OfferingInvalidTerms("need 0 < minUnits <= maxUnits <= offeredUnits");
        }
        if (t.start >= t.end || t.end <= block.timestamp) revert OfferingInvalidTerms("window must end after start and now");
    }

    function _termsOf(Offering storage o) private view returns (OfferingTerms memory) {
        return OfferingTerms({
            token: address(o.token),
            paymentToken: address(o.paymentToken),
            proceedsAccount: o.proceedsAccount,
            pricePerUnit: o.pricePerUnit,
            offeredUnits: o.offeredUnits,
            minUnits: o.minUnits,
            maxUnits: o.maxUnits,
            start: o.start,
            end: o.end
        });
    }

    function _offering(uint256 offeringId) private view returns (Offering storage) {
        if (offeringId >= _offerings.length) revert OfferingUnknown(offeringId);
        return _offerings[offeringId];
    }

    /// @dev The offering, after checking that the caller is an issuer of its token.
    function _issuerOffering(uint256 offeringId) private view returns (Offering storage o) {
        o = _offering(offeringId);
        _requireIssuer(o.token);
    }

    /// @dev The issuer side of a token: its agents and its admin (DEFAULT_ADMIN_ROLE).
    function _isIssuer(ISecurityToken token) private view returns (bool) {
        return token.isAgent(msg.sender) || IAccessControl(address(token)).hasRole(bytes32(0), msg.sender);
    }

    function _requireIssuer(ISecurityToken token) private view {
        if (!_isIssuer(token)) revert OfferingNotIssuer(address(token), msg.sender);
    }

    function _requireStatus(uint256 offeringId, Offering storage o, OfferingStatus required) private view {
        if (o.status != required) revert OfferingWrongStatus(offeringId, o.status, required);
    }

    /// @dev The application of `investorId`, which must be in status `required`.
    function _application(uint256 offeringId, bytes32 investorId, ApplicationStatus required)
        private
        view
        returns (Application storage a)
    {
        a = _applications[offeringId][investorId];
        if (a.status != required) revert OfferingWrongApplicationStatus(offeringId, investorId, a.status);
    }

    function _requireWindowOpen(uint256 offeringId, Offering storage o) private view {
        _requireStatus(offeringId, o, OfferingStatus.Open);
        if (block.timestamp < o.start || block.timestamp >= o.end) {
            revert OfferingWindowNotOpen(offeringId, o.start, o.end, block.timestamp);
        }
    }

    /// @dev A delisted token starts no offering and settles no more allotments.
    function _requirePlatformToken(ISecurityToken token) private view {
        if (!IPlatformTokens(address(_REGISTRY)).isPlatformToken(address(token))) {
            revert OfferingNotPlatformToken(address(token));
        }
    }

    /// @dev Investors come from the platform's registry (every platform token reads the same).
    function _investorIdOf(address wallet) private view returns (bytes32 investorId) {
        investorId = _REGISTRY.investorIdOf(wallet);
        if (investorId == bytes32(0)) revert OfferingNotRegistered(wallet);
    }

    function _walletOf(bytes32 investorId) private view returns (address) {
        return _REGISTRY.walletOf(investorId);
    }
}
