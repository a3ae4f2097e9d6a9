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

    constructor() {
        _book.opened = true;
    }

    event ApplicationExpiryPeriodSet(uint40 period);

    /// @inheritdoc ISecurityToken
    /// @dev The applicant and the recipient must pass every rule except the approval itself.
    /// Emits {TransferApplied}.
    function applyForTransfer(address to, uint256 value, bytes calldata data) external returns (uint256 id) {
        if (value == 0) revert TokenZeroValue();
        _requireAllowed(_restrictionFor(msg.sender, to, value, Path.Approved), msg.sender, to, value);
        _encumber(msg.sender, value, to);
        ApplicationBook memory book = _book;
        id = book.count;
        uint40 expiry = book.expiryPeriod == 0 ? 0 : uint40(block.timestamp) + book.expiryPeriod;
        _applications[id] = StoredApplication(msg.sender, uint96(value), to, expiry, ApplicationStatus.Pending);
        _book.count = book.count + 1;
        emit TransferApplied(id, msg.sender, to, value, expiry, data);
    }

    /// @inheritdoc ISecurityToken
    /// @dev Every rule is checked again (KYC may have lapsed, the cap filled). Emits {Transfer}
    /// and {TransferApproved}.
    function approveTransfer(uint256 id, bytes calldata data) external onlyRole(AGENT_ROLE) {
        _approve(id, data);
    }

    /// @dev All or nothing: one failing application reverts the batch.
    function batchApproveTransfer(uint256[] calldata ids, bytes calldata data) external onlyRole(AGENT_ROLE) {
        for (uint256 i = 0; i < ids.length; ++i) {
            _approve(ids[i], data);
        }
    }

    /// @dev Emits {TransferRejected}.
    function rejectTransfer(uint256 id, bytes calldata data) external onlyRole(AGENT_ROLE) {
        (StoredApplication storage app, address holder) = _pending(id);
        _close(app, holder, ApplicationStatus.Rejected);
        emit TransferRejected(id, app.from, app.to, app.value, data);
    }

    /// @dev Only the wallet holding the amount: the applicant, or after a recovery its new wallet
    /// (a lost key cannot cancel). Emits {TransferCancelled}.
    function cancelTransfer(uint256 id, bytes calldata data) external {
        (StoredApplication storage app, address holder) = _pending(id);
        if (msg.sender != holder) revert TokenNotApplicant(id, msg.sender);
        _close(app, holder, ApplicationStatus.Cancelled);
        emit TransferCancelled(id, app.from, app.to, app.value, data);
    }

    /// @inheritdoc ISecurityToken
    /// @dev Emits {TransferExpired}.
    function releaseExpiredTransfer(uint256 id) external {
        (StoredApplication storage app, address holder) = _pending(id);
        if (app.expiry == 0 || block.timestamp <= app.expiry) revert TokenApplicationNotExpired(id, app.expiry);
        _close(app, holder, ApplicationStatus.Expired);
        emit TransferExpired(id, app.from, app.to, app.value);
    }

    /// @dev Applies to applications filed afterwards. Emits {ApplicationExpiryPeriodSet}.
    function setApplicationExpiryPeriod(uint40 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _book.expiryPeriod = period;
        emit ApplicationExpiryPeriodSet(period);
    }

    function application(uint256) external view returns (Application memory) {
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

    function _approve(uint256 id, bytes calldata data) private {
        (StoredApplication storage app, address holder) = _pending(id);
        uint40 expiry = app.expiry;
        if (expiry != 0 && block.timestamp > expiry) revert TokenApplicationExpired(id, expiry);
        app.status = ApplicationStatus.Approved;
        address to = app.to;
        uint256 value = app.value;
        _move(holder, to, value, Path.Approved, value);
        emit TransferApproved(id, app.from, to, value, data);
    }

    /// The pending application `id` and the wallet now holding its amount (the applicant, or the
    /// wallet a recovery moved the applicant's holding to).
    function _pending(uint256 id) private view returns (StoredApplication storage app, address holder) {
        app = _applications[id];
        ApplicationStatus status = app.status;
        if (status == ApplicationStatus.None) revert TokenUnknownApplication(id);
        if (status != ApplicationStatus.Pending) revert TokenApplicationNotPending(id, status);
        holder = app.from;
        // A pending amount is part of its holder's encumbered amount, so an applicant holding less
        // was recovered since (the account word is read by the approval anyway: the common case
        // pays no extra slot). Where the amount went is the explicit record of each recovery
        // (TokenStorage._recoveries), followed while the application predates it.
        if (_accounts[holder].encumbered < app.value) {
            Recovery memory rec = _recoveries[holder];
            while (rec.to != address(0) && id < rec.applicationsBefore) {
                holder = rec.to;
                rec = _recoveries[holder];
            }
        }
    }

    /// Returns the application's amount to its holder's free balance.
    function _close(StoredApplication storage app, address holder, ApplicationStatus status) private {
        app.status = status;
        _release(holder, app.value);
    }
}
