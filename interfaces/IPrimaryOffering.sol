// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IPrimaryOffering
/// @notice Primary offerings (subscription, allotment, delivery against payment) of Kabuto
/// security tokens. One contract serves every offering of every token; an offering is known by
/// its id. The issuer (an agent or admin of the token) opens a subscription window, eligible
/// investors apply, the issuer closes the window and allots, and each allotment settles
/// atomically: the subscriber's yen moves to the issuer's proceeds account and the units are
/// issued in the same transaction, or neither happens. See docs/offering.md.
///
/// Applications are kept per investor (the registry's investor id), not per wallet: the
/// maximum per investor holds across wallets, and an allotment follows a replaced wallet.
interface IPrimaryOffering {
    enum OfferingStatus {
        None, // never opened
        Open, // applications accepted between start and end
        Closed, // window closed by the issuer: allotment and settlement
        Finalized, // done: unallotted applications released, unsettled allotments lapsed
        Cancelled // called off before anything settled: every application released
    }

    enum ApplicationStatus {
        None, // never applied
        Applied, // waiting for allotment
        Cancelled, // withdrawn by the investor while the window was open
        Allotted, // allotted units waiting for payment
        Settled, // paid and issued (final)
        Released, // not allotted when the offering was finalized, or the offering was cancelled
        Lapsed // allotted but not settled when the offering was finalized or cancelled
    }

    /// @notice What the issuer fixes when opening an offering.
    /// `paymentToken` / `pricePerUnit` zero: taken from the token's term sheet (bond face value or
    /// beneficiary issue price, and its payment token). A term sheet naming a payment token
    /// cannot be overridden by another one.
    struct OfferingTerms {
        address token; // the ISecurityToken; this contract must hold its AGENT_ROLE
        address paymentToken; // IERC20 the subscribers pay in (the yen coin)
        address proceedsAccount; // the issuer's receiving account for the payments
        uint256 pricePerUnit; // in payment-token units (yen) per security unit
        uint256 offeredUnits; // the most that can be allotted in total
        uint256 minUnits; // minimum subscription (and allotment) per investor
        uint256 maxUnits; // maximum subscription per investor
        uint40 start; // first second applications are accepted
        uint40 end; // applications are accepted strictly before this time
    }

    /// @notice Everything known about an offering (terms resolved from the term sheet).
    struct OfferingView {
        OfferingTerms terms;
        OfferingStatus status;
        uint256 appliedUnits; // units in applications currently Applied or Allotted
        uint256 allottedUnits; // units allotted (settled or not)
        uint256 settledUnits; // units paid for and issued by this offering
        uint256 applicationCount; // applications ever filed (re-applications included)
    }

    struct ApplicationView {
        address wallet; // the investor's current wallet in the registry
        uint256 appliedUnits;
        uint256 allottedUnits;
        ApplicationStatus status; // effective status (Released / Lapsed once the offering ended)
    }

    error OfferingUnknown(uint256 offeringId);
    error OfferingNotIssuer(address token, address caller);
    error OfferingNotTokenAgent(address token);
    error OfferingInvalidTerms(string reason);
    error OfferingPaymentTokenMismatch(address termSheet, address given);
    error OfferingWrongStatus(uint256 offeringId, OfferingStatus status, OfferingStatus required);
    error OfferingWindowNotOpen(uint256 offeringId, uint40 start, uint40 end, uint256 time);
    error OfferingUnitsOutOfRange(uint256 offeringId, uint256 units, uint256 minUnits, uint256 maxUnits);
    error OfferingInvestorRestricted(uint256 offeringId, address wallet, uint8 code);
    error OfferingNotRegistered(address wallet);
    error OfferingApplicationExists(uint256 offeringId, bytes32 investorId);
    error OfferingWrongApplicationStatus(uint256 offeringId, bytes32 investorId, ApplicationStatus status);
    error OfferingAllotmentExceedsApplied(uint256 offeringId, bytes32 investorId, uint256 allotted, uint256 applied);
    error OfferingAllotmentBelowMinimum(uint256 offeringId, bytes32 investorId, uint256 allotted, uint256 minUnits);
    error OfferingOverAllotted(uint256 offeringId, uint256 allotted, uint256 offered);
    error OfferingHasSettlements(uint256 offeringId, uint256 settledUnits);
    error OfferingNotSubscriberOrIssuer(uint256 offeringId, bytes32 investorId, address caller);
    error OfferingArrayLengthMismatch(uint256 investors, uint256 units);
    error OfferingOnlySelf(address caller);
    error OfferingNotPlatformToken(address token);

    event OfferingOpened(uint256 indexed offeringId, address indexed token, address indexed issuer, OfferingTerms terms);
    event Applied(uint256 indexed offeringId, bytes32 indexed investorId, address indexed wallet, uint256 units);
    event ApplicationCancelled(uint256 indexed offeringId, bytes32 indexed investorId, address indexed wallet, uint256 units);
    event OfferingClosed(uint256 indexed offeringId, address indexed issuer, uint256 appliedUnits, uint256 offeredUnits);
    event Allotted(uint256 indexed offeringId, bytes32 indexed investorId, uint256 units, uint256 appliedUnits);
    /// @notice `payment` (= price * units) moved from `wallet` to the proceeds account and
    /// `units` were issued to `wallet`, in one transaction.
    event AllotmentSettled(
        uint256 indexed offeringId, bytes32 indexed investorId, address indexed wallet, uint256 units, uint256 payment
    );
    /// @notice In a batch, this allotment could not settle (no yen, no allowance, token refused):
    /// nothing moved for it and it stays Allotted. `reason` is the revert data.
    event AllotmentSettlementFailed(uint256 indexed offeringId, bytes32 indexed investorId, bytes reason);
    event OfferingFinalized(uint256 indexed offeringId, address indexed issuer, uint256 allottedUnits, uint256 settledUnits);
    event OfferingCancelled(uint256 indexed offeringId, address indexed issuer);

    /// @notice Opens an offering; the caller must be an agent or admin of `terms.token`.
    /// Emits {OfferingOpened}.
    function openOffering(OfferingTerms calldata terms) external returns (uint256 offeringId);

    /// @notice Applies for `units` while the window is open. The caller's wallet must be able to
    /// receive `units` from an issue (ERC-1404 code 0) and `units` must be within min / max.
    /// One live application per investor; cancel and re-apply to change it. Emits {Applied}.
    function applyForOffering(uint256 offeringId, uint256 units) external;

    /// @notice {applyForOffering} with an EIP-2612 permit for the payment token (spender: this contract).
    /// A permit that fails (e.g. already used by a front-runner) is ignored: the allowance is
    /// what settlement needs.
    function applyForOfferingWithPermit(
        uint256 offeringId,
        uint256 units,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice The investor withdraws its application while the window is open.
    /// Emits {ApplicationCancelled}.
    function cancelApplication(uint256 offeringId) external;

    /// @notice Ends the subscription window (early or after `end`). Issuer only. Emits {OfferingClosed}.
    function closeOffering(uint256 offeringId) external;

    /// @notice Allots units to applications (Closed offerings, issuer only, in as many batches as
    /// needed). Each allotment is between the minimum and the applied units; the total allotted
    /// never exceeds the units offered. Emits {Allotted} per investor.
    function allot(uint256 offeringId, bytes32[] calldata investorIds, uint256[] calldata units) external;

    /// @notice Settles one allotment: pulls price * units from the investor's wallet to the
    /// proceeds account and issues the units to it, atomically. By the issuer or the subscriber.
    /// Emits {AllotmentSettled}.
    function settle(uint256 offeringId, bytes32 investorId) external;

    /// @notice Settles many allotments (issuer only). Already settled ones are skipped, ones that
    /// fail are reported by {AllotmentSettlementFailed} and left Allotted: rerunning is safe.
    /// Returns how many settled in this call.
    function settleBatch(uint256 offeringId, bytes32[] calldata investorIds) external returns (uint256 settled);

    /// @notice Ends allotment and settlement: applications not allotted are released, allotments
    /// not settled lapse. Issuer only. Emits {OfferingFinalized}.
    function finalizeOffering(uint256 offeringId) external;

    /// @notice Calls the whole offering off (Open or Closed, nothing settled yet). Issuer only.
    /// Emits {OfferingCancelled}.
    function cancelOffering(uint256 offeringId) external;

    function offering(uint256 offeringId) external view returns (OfferingView memory);

    function applicationOf(uint256 offeringId, bytes32 investorId) external view returns (ApplicationView memory);

    function offeringCount() external view returns (uint256);
}
