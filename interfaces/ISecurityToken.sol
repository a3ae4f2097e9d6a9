// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC1404} from "./IERC1404.sol";
import {IERC1643} from "./IERC1643.sol";

/// @title ISecurityToken
/// @notice A permissioned security under FIEA rules: an ERC-20 (decimals 0: one unit is one
/// bond or one beneficiary unit) whose every balance change passes the same rule check, with
/// ERC-1404 codes, issuer approvals, locks to venues, record dates and issuer operations.
///
/// Balances: `balanceOf` is everything the holder owns (the legal holding). Parts of it may be
/// encumbered: frozen by compliance, pending in a transfer application, or locked to a venue,
/// escrow or the settlement contract. Only the free part can be transferred.
interface ISecurityToken is IERC20Metadata, IERC1404, IERC1643 {
    /// FIEA category, fixed at deployment; it decides the rule profile.
    enum Category {
        Class1, // tokenized securities display rights (bonds, shares, certificate-issuing trusts)
        Class2, // electronic records transfer rights (trust beneficial interests, fund interests)
        ExcludedClass2 // professional classes only; every transfer needs the issuer's approval
    }

    enum Kind {
        Bond,
        Beneficiary
    }

    /// ERC-1404 restriction codes; `detectTransferRestriction` returns `uint8(code)`.
    enum Restriction {
        Success,
        TokenPaused,
        SenderNotRegistered,
        SenderNotActive,
        SenderKycExpired,
        RecipientNotRegistered,
        RecipientNotActive,
        RecipientKycExpired,
        RecipientClassNotAllowed,
        HolderCapReached,
        MaxBalanceExceeded,
        BelowMinimumHolding,
        LockUpPeriod,
        QiiResaleOnly,
        ApprovalRequired,
        SenderFrozen,
        RecipientFrozen,
        InsufficientFreeBalance,
        TokenRedeemed,
        InvalidRecipient
    }

    /// Why a forced transfer happened (kept with the event for the audit trail).
    enum ForcedTransferReason {
        CourtOrder,
        Inheritance,
        Correction,
        Other
    }

    enum ApplicationStatus {
        None,
        Pending,
        Approved,
        Rejected,
        Cancelled,
        Expired
    }

    /// @dev The issuer's transfer rules; packed with the holder count in one slot.
    struct Rules {
        uint8 allowedClasses; // bit i set: IInvestorRegistry.InvestorClass(i) may receive
        uint32 holderCap; // maximum number of investors holding at once; 0 = no cap
        uint64 maxBalance; // maximum units one investor may hold; 0 = no maximum
        uint32 minHolding; // a holding may not be left or become non-zero below this; 0 = none
        uint40 lockUpUntil; // no transfers between investors before this time
        bool qiiResaleOnly; // Class 1 QII private placement: resale only to QIIs
        bool approvalRequired; // every transfer goes through apply / approve
    }

    /// The fields of a transfer application, exactly as {TransferApplied} emitted them (`id`,
    /// `from` as `applicant`, `to`, `expiry`, `value`). The token stores only their hash with the
    /// status (one slot per application), so every decision on an application passes them back
    /// and is refused ({TokenApplicationMismatch}) if any differs from what was applied for.
    /// `applicant` (not `from`): a field named after a Python keyword breaks Ape's decoding.
    /// Field order and widths (expiry 256 bits, value 96) are chosen for the selectors they give:
    /// the legacy dispatcher splits the sorted selector table, and these keep the path to
    /// transfer, transferFrom, lock and unlock as short as before (their gas unchanged).
    struct Application {
        uint256 id;
        address applicant;
        address to;
        uint256 expiry; // 0: never expires (the uint40 of TransferApplied)
        uint96 value;
    }

    /// What the token stores of an application ({application}).
    struct ApplicationRecord {
        ApplicationStatus status;
        bytes32 fieldsHash; // of (applicant, to, value, expiry), low 3 bits cleared; 0 once approved
    }

    struct BondTerms {
        uint256 faceValue; // yen per unit
        uint32 couponRate; // annual, in millionths (0.35% = 3500)
        uint8 couponsPerYear; // 2 for semi-annual
        uint40 issueDate;
        uint40 maturityDate;
        uint256 redemptionValue; // yen per unit at maturity
        uint40[] interestPaymentDates;
        uint40[] interestRecordDates;
        address paymentToken;
    }

    struct BeneficiaryTerms {
        uint256 issuePrice; // yen per unit
        uint40[] distributionRecordDates;
        uint40[] distributionPaymentDates;
        address paymentToken;
    }

    error TransferRestricted(Restriction code, address from, address to, uint256 value);
    error TokenUnauthorizedLockAddress(address lockAddress);
    error TokenInsufficientLocked(address lockAddress, address account, uint256 locked, uint256 needed);
    error TokenInsufficientFrozen(address account, uint256 frozen, uint256 needed);
    error TokenUnknownApplication(uint256 id);
    error TokenApplicationNotPending(uint256 id, ApplicationStatus status);
    error TokenApplicationNotExpired(uint256 id, uint40 expiry);
    error TokenNotApplicant(uint256 id, address caller);
    /// The fields passed for application `id` are not the ones it was filed with.
    error TokenApplicationMismatch(uint256 id);
    error TokenInvalidRules();
    error TokenRecoveryNotRegistered(address lostWallet, address newWallet);
    error TokenArrayLengthMismatch(uint256 accounts, uint256 values);
    error TokenRecordDateNotAfterLast(uint40 recordDate, uint40 last);
    error TokenRecordDateNotPassed(uint256 index);
    error TokenZeroValue();
    error TokenIssueLimitExceeded(uint256 limit, uint256 wouldBe);
    error TokenIssueLimitBelowIssued(uint256 limit, uint256 issued);
    error TokenSettlementLockAddressRefused(address lockAddress);

    event Issued(address indexed operator, address indexed to, uint256 value, bytes data);
    event Redeemed(address indexed operator, address indexed from, uint256 value, bytes data);
    event ForcedTransfer(
        address indexed operator, address indexed from, address indexed to, uint256 value, ForcedTransferReason reason, bytes data
    );
    event RecoverySuccess(address indexed lostWallet, address indexed newWallet, bytes32 indexed investorId);
    event AddressFrozen(address indexed account, bool indexed frozen, address indexed operator);
    event TokensFrozen(address indexed account, uint256 value);
    event TokensUnfrozen(address indexed account, uint256 value);
    event RulesUpdated(Rules rules);
    event TransferApplied(uint256 indexed id, address indexed from, address indexed to, uint256 value, uint40 expiry, bytes data);
    event TransferApproved(uint256 indexed id, address indexed from, address indexed to, uint256 value, bytes data);
    event TransferRejected(uint256 indexed id, address indexed from, address indexed to, uint256 value, bytes data);
    event TransferCancelled(uint256 indexed id, address indexed from, address indexed to, uint256 value, bytes data);
    event TransferExpired(uint256 indexed id, address indexed from, address indexed to, uint256 value);
    event IssueLimitSet(uint256 limit);
    event SettlementLockAddressSet(address indexed previous, address indexed current);
    event LockAddressAuthorized(address indexed lockAddress, bool authorized, bool carriesApproval);
    event Locked(address indexed lockAddress, address indexed account, uint256 value, bytes data);
    event Unlocked(address indexed lockAddress, address indexed account, address indexed recipient, uint256 value, bytes data);
    event ForceLocked(address indexed lockAddress, address indexed account, uint256 value, bytes data);
    event ForceUnlocked(address indexed lockAddress, address indexed account, address indexed recipient, uint256 value, bytes data);
    event RecordDateScheduled(uint256 indexed index, uint40 recordDate);
    event TermsUpdated(Kind kind);
    event TokenRedeemedAll(address indexed operator);

    // ---- profile and rules ----
    function category() external view returns (Category);

    function kind() external view returns (Kind);

    function registry() external view returns (address);

    function rules() external view returns (Rules memory);

    function setRules(Rules calldata newRules) external;

    function holderCount() external view returns (uint256);

    // ---- balances ----
    /// @notice What the holder can transfer now: balance minus frozen, pending and locked.
    function freeBalanceOf(address account) external view returns (uint256);

    function frozenTokensOf(address account) external view returns (uint256);

    function pendingOf(address account) external view returns (uint256);

    function lockedOf(address lockAddress, address account) external view returns (uint256);

    function totalLockedOf(address account) external view returns (uint256);

    function isFrozen(address account) external view returns (bool);

    // ---- issuer and agent operations ----
    /// @notice The most units that may ever be issued (the term sheet's total issue amount), 0 for
    /// no limit. It counts every unit ever issued, not the current supply: redeemed units do not
    /// make room.
    function issueLimit() external view returns (uint256);

    /// @notice Every unit ever issued (what the issue limit counts).
    function totalIssued() external view returns (uint256);

    /// @notice DEFAULT_ADMIN_ROLE. Cannot be set below what is already issued; 0 lifts the limit.
    /// Issuing beyond the limit reverts {TokenIssueLimitExceeded}.
    function setIssueLimit(uint256 limit) external;

    function issue(address to, uint256 value, bytes calldata data) external;

    function batchIssue(address[] calldata to, uint256[] calldata values, bytes calldata data) external;

    function redeem(address from, uint256 value, bytes calldata data) external;

    function batchRedeem(address[] calldata from, uint256[] calldata values, bytes calldata data) external;

    function forcedTransfer(address from, address to, uint256 value, ForcedTransferReason reason, bytes calldata data)
        external
        returns (bool);

    /// @notice Moves everything of a lost wallet (free, frozen, locked and pending) to the
    /// investor's new wallet, which the registry must already have recorded.
    function recoveryAddress(address lostWallet, address newWallet) external returns (bool);

    function setAddressFrozen(address account, bool frozen) external;

    function freezePartialTokens(address account, uint256 value) external;

    function unfreezePartialTokens(address account, uint256 value) external;

    function pause() external;

    function unpause() external;

    function paused() external view returns (bool);

    /// @notice True when a transfer needs the issuer's approval (always for excluded Class 2,
    /// otherwise as the rules say): what a settlement contract checks before it delivers.
    function approvalRequired() external view returns (bool);

    // ---- issuer-approved transfers (ibet names) ----
    function applyForTransfer(address to, uint256 value, bytes calldata data) external returns (uint256 id);

    /// @notice Approves a pending application (agent): every rule is checked again and its amount
    /// moves from the applicant (or the wallet a recovery moved the applicant's holding to) to
    /// `app.to`. `app` must be the application's fields as {TransferApplied} emitted them.
    /// @dev Reverts {TokenUnknownApplication}, {TokenApplicationMismatch} (a field altered),
    /// {TokenApplicationNotPending} (decided already), {TokenApplicationExpired} or the rule's
    /// {TransferRestricted}. Emits {Transfer} and {TransferApproved}.
    function approveTransfer(Application calldata app, bytes calldata data) external;

    /// @notice Approves `apps` in order, each exactly as {approveTransfer} would (same checks,
    /// same state, same events); all or nothing: one refused application reverts the batch.
    function batchApproveTransfer(Application[] calldata apps, bytes calldata data) external;

    /// @notice Rejects a pending application (agent): its amount is free again for its holder.
    /// @dev Reverts as {approveTransfer} for unknown, altered or decided applications. Emits
    /// {TransferRejected}.
    function rejectTransfer(Application calldata app, bytes calldata data) external;

    /// @notice The wallet holding a pending application's amount (the applicant, or after a
    /// recovery its new wallet) withdraws it. Emits {TransferCancelled}.
    function cancelTransfer(Application calldata app, bytes calldata data) external;

    /// @notice After its expiry, anyone may return an application's amount to its holder.
    /// Emits {TransferExpired}.
    function releaseExpiredTransfer(Application calldata app) external;

    function setApplicationExpiryPeriod(uint40 period) external;

    /// @notice The status of application `id` and the hash of its fields
    /// (keccak256(abi.encode(applicant, to, value, expiry)) with the low 3 bits cleared: the
    /// status's bits in storage; 0 once approved: the approval clears the record). The fields
    /// themselves are in its {TransferApplied} event.
    /// @dev Reverts {TokenUnknownApplication} for an id never issued.
    function application(uint256 id) external view returns (ApplicationRecord memory);

    function applicationCount() external view returns (uint256);

    // ---- locks to venues, escrows and the settlement contract (ibet names) ----
    /// @notice `carriesApproval`: this lock address enforces the issuer's approval itself (the
    /// settlement contract), so it may unlock to another investor on approval-required tokens.
    function authorizeLockAddress(address lockAddress, bool authorized, bool carriesApproval) external;

    function isAuthorizedLockAddress(address lockAddress) external view returns (bool authorized, bool carriesApproval);

    /// @notice The settlement lock address (the platform's DvP contract), named by the admin with
    /// {setSettlementLockAddress}: its locks are kept in each holder's account word, so a
    /// delivery instruction's lock writes no new storage slot. 0 until named.
    function settlementLockAddress() external view returns (address);

    /// @notice Names the settlement lock address (DEFAULT_ADMIN_ROLE). Refused for an address
    /// already authorised as a lock address (it may hold locks in the lock map) or already the
    /// current one. Replacing the current one is safe at any time: what holders locked to it
    /// stays locked to it, and it still releases it (see docs/settlement.md). The new address
    /// needs {authorizeLockAddress} to receive locks. Emits {SettlementLockAddressSet}.
    function setSettlementLockAddress(address lockAddress) external;

    /// @notice Every address ever named the settlement lock address, oldest first (at most 255).
    function settlementLockAddresses() external view returns (address[] memory);

    /// @notice Every address ever authorised as a lock address, in authorisation order.
    function lockAddresses() external view returns (address[] memory);

    function lock(address lockAddress, uint256 value, bytes calldata data) external;

    /// @notice Called by the lock address: releases `value` of `account`'s lock to `recipient`
    /// (the account itself, or an eligible investor under every rule).
    function unlock(address account, address recipient, uint256 value, bytes calldata data) external;

    function forceLock(address lockAddress, address account, uint256 value, bytes calldata data) external;

    function forceUnlock(address lockAddress, address account, address recipient, uint256 value, bytes calldata data)
        external;

    // ---- record dates (corporate actions) ----
    /// @notice Adds a record date; each must be later than the last one scheduled.
    function scheduleRecordDate(uint40 recordDate) external returns (uint256 index);

    function recordDate(uint256 index) external view returns (uint40);

    function recordDateCount() external view returns (uint256);

    /// @notice `account`'s balance (everything it owned) at the end of record date `index`.
    function balanceOfAtRecordDate(address account, uint256 index) external view returns (uint256);

    function totalSupplyAtRecordDate(uint256 index) external view returns (uint256);

    // ---- terms ----
    function bondTerms() external view returns (BondTerms memory);

    function beneficiaryTerms() external view returns (BeneficiaryTerms memory);

    /// @notice True once the issue has been redeemed in full; no unit can move afterwards.
    function isRedeemed() external view returns (bool);

    /// @notice Role check outside contracts rely on (the settlement contract asks whether the
    /// caller may approve on the issuer's behalf).
    function isAgent(address account) external view returns (bool);
}
