// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenOperations} from "./TokenOperations.sol";

/// @title TokenApprovals
/// @notice Issuer-approved transfers (ibet names): the holder applies, the amount becomes pending
/// (out of the free balance, so it cannot be spent twice), the issuer's agent approves (every rule
/// checked again, the move is atomic) or rejects, the applicant may cancel, and after an optional
/// expiry anyone may release it back. See docs/approvals-and-locks.md for the state machine.
abstract contract TokenApprovals is TokenOperations {
    error TokenApplicationExpired(uint256 id, uint40 expiry);

    /// The low bits of an application's record that hold its ApplicationStatus (6 values).
    bytes32 private constant _STATUS_BITS = bytes32(uint256(7));

    constructor() {
        _book.opened = true;
    }

    event ApplicationExpiryPeriodSet(uint40 period);

    /// @inheritdoc ISecurityToken
    /// @dev The applicant and the recipient must pass every rule except the approval itself.
    /// Stores one slot (the fields' hash and the status); the fields go in {TransferApplied}.
    function applyForTransfer(address to, uint256 value, bytes calldata data) external returns (uint256 id) {
        if (value == 0) revert TokenZeroValue();
        _requireAllowed(_restrictionFor(msg.sender, to, value, Path.Approved), msg.sender, to, value);
        _encumber(msg.sender, value, to);
        ApplicationBook memory book = _book;
        id = book.count;
        uint40 expiry = book.expiryPeriod == 0 ? 0 : uint40(block.timestamp) + book.expiryPeriod;
        _applications[id] = _fieldsHash(msg.sender, to, value, expiry) | bytes32(uint256(ApplicationStatus.Pending));
        _book.count = book.count + 1;
        emit TransferApplied(id, msg.sender, to, value, expiry, data);
    }

    /// @inheritdoc ISecurityToken
    function approveTransfer(Application calldata app, bytes calldata data) external onlyRole(AGENT_ROLE) {
        _approve(app, data);
    }

    /// @inheritdoc ISecurityToken
    function batchApproveTransfer(Application[] calldata apps, bytes calldata data) external onlyRole(AGENT_ROLE) {
        for (uint256 i = 0; i < apps.length; ++i) {
            _approve(apps[i], data);
        }
    }

    /// @inheritdoc ISecurityToken
    function rejectTransfer(Application calldata app, bytes calldata data) external onlyRole(AGENT_ROLE) {
        (address holder, bytes32 fields) = _pending(app);
        _close(app, holder, fields, ApplicationStatus.Rejected);
        emit TransferRejected(app.id, app.applicant, app.to, app.value, data);
    }

    /// @inheritdoc ISecurityToken
    /// @dev Only the wallet holding the amount: the applicant, or after a recovery its new wallet
    /// (a lost key cannot cancel).
    function cancelTransfer(Application calldata app, bytes calldata data) external {
        (address holder, bytes32 fields) = _pending(app);
        if (msg.sender != holder) revert TokenNotApplicant(app.id, msg.sender);
        _close(app, holder, fields, ApplicationStatus.Cancelled);
        emit TransferCancelled(app.id, app.applicant, app.to, app.value, data);
    }

    /// @inheritdoc ISecurityToken
    function releaseExpiredTransfer(Application calldata app) external {
        (address holder, bytes32 fields) = _pending(app);
        uint40 expiry = uint40(app.expiry); // the applied uint40: _pending checked it against the hash
        if (expiry == 0 || block.timestamp <= expiry) revert TokenApplicationNotExpired(app.id, expiry);
        _close(app, holder, fields, ApplicationStatus.Expired);
        emit TransferExpired(app.id, app.applicant, app.to, app.value);
    }

    /// @dev Applies to applications filed afterwards. Emits {ApplicationExpiryPeriodSet}.
    function setApplicationExpiryPeriod(uint40 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _book.expiryPeriod = period;
        emit ApplicationExpiryPeriodSet(period);
    }

    function application(uint256) external view returns (ApplicationRecord memory) {
        _extensionView();
    }

    function applicationCount() external view returns (uint256) {
        _extensionView();
    }

    /// @notice Units of `account` in pending applications: what is encumbered but neither
    /// frozen nor locked.
    function pendingOf(address) external view returns (uint256) {
        _extensionView();
    }

    function _approve(Application calldata app, bytes calldata data) private {
        (address holder, ) = _pending(app);
        uint40 expiry = uint40(app.expiry); // the applied uint40: _pending checked it against the hash
        if (expiry != 0 && block.timestamp > expiry) revert TokenApplicationExpired(app.id, expiry);
        uint256 value = app.value;
        address to = app.to;
        // An approved application's record is cleared (its refund pays a part of the approval);
        // a cleared record below the count reads as Approved (TokenExtension.application).
        delete _applications[app.id];
        _move(holder, to, value, Path.Approved, value);
        emit TransferApproved(app.id, app.applicant, to, value, data);
    }

    /// The hash of an application's fields with the low 3 bits cleared for its status.
    function _fieldsHash(address applicant, address to, uint256 value, uint256 expiry) private pure returns (bytes32) {
        return keccak256(abi.encode(applicant, to, value, expiry)) & ~_STATUS_BITS;
    }

    /// Checks that `app` is a pending application with exactly these fields; returns the wallet
    /// now holding its amount (the applicant, or the wallet a recovery moved the applicant's
    /// holding to) and the fields' hash.
    function _pending(Application calldata app) private view returns (address holder, bytes32 fields) {
        uint256 id = app.id;
        bytes32 record = _applications[id];
        if (record == 0) {
            if (id < _book.count) revert TokenApplicationNotPending(id, ApplicationStatus.Approved);
            revert TokenUnknownApplication(id);
        }
        holder = app.applicant;
        uint256 value = app.value;
        fields = _fieldsHash(holder, app.to, value, app.expiry);
        if (record & ~_STATUS_BITS != fields) revert TokenApplicationMismatch(id);
        ApplicationStatus status = ApplicationStatus(uint8(uint256(record & _STATUS_BITS)));
        if (status != ApplicationStatus.Pending) revert TokenApplicationNotPending(id, status);
        // A pending amount is part of its holder's encumbered amount, so an applicant holding less
        // was recovered since (the account word is read by the approval anyway: the common case
        // pays no extra slot). Where the amount went is the explicit record of each recovery
        // (TokenStorage._recoveries), followed while the application predates it.
        if (_accounts[holder].encumbered < value) {
            Recovery memory rec = _recoveries[holder];
            while (rec.to != address(0) && id < rec.applicationsBefore) {
                holder = rec.to;
                rec = _recoveries[holder];
            }
        }
    }

    /// Records the decision and returns the application's amount to its holder's free balance.
    function _close(Application calldata app, address holder, bytes32 fields, ApplicationStatus status) private {
        _applications[app.id] = fields | bytes32(uint256(status));
        _release(holder, app.value);
    }
}
