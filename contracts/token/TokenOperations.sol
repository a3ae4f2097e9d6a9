// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenLocks} from "./TokenLocks.sol";

/// @title TokenOperations
/// @notice Issuer-side operations with role separation: issue / redeem (single and bulk),
/// forced transfer, lost-key recovery, wallet and partial freezes, pause, and the issuer's rules.
/// @dev Pause blocks holder movements (transfer, applications, approvals, lock, unlock) but not
/// agent operations (issue, redeem, forced transfer, recovery, force lock/unlock), as in ERC-3643.
abstract contract TokenOperations is TokenLocks {
    event Paused(address indexed operator);
    event Unpaused(address indexed operator);

    // ---------------------------------------------------------------- rules

    /// @inheritdoc ISecurityToken
    function setRules(Rules calldata newRules) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRules(newRules);
    }

    /// @dev The category's profile bounds the rules: ExcludedClass2 admits only professional
    /// classes and always requires approval; QII-only resale exists for Class 1 only.
    function _setRules(Rules memory r) internal {
        bool invalid = r.allowedClasses >> 4 != 0 || r.holderCap > type(uint24).max || r.maxBalance > type(uint48).max
            || (r.minHolding != 0 && r.maxBalance != 0 && r.minHolding > r.maxBalance)
            || (r.qiiResaleOnly && _CATEGORY != Category.Class1);
        if (_CATEGORY == Category.ExcludedClass2) {
            uint8 general = uint8(1) << uint8(IInvestorRegistry.InvestorClass.General);
            invalid = invalid || r.allowedClasses & general != 0 || !r.approvalRequired;
        }
        if (invalid) revert TokenInvalidRules();
        Config storage cfg = _config;
        cfg.allowedClasses = r.allowedClasses;
        cfg.qiiResaleOnly = r.qiiResaleOnly;
        cfg.approvalRequired = r.approvalRequired;
        cfg.holderCap = uint24(r.holderCap);
        cfg.maxBalance = uint48(r.maxBalance);
        cfg.minHolding = r.minHolding;
        cfg.lockUpUntil = r.lockUpUntil;
        emit RulesUpdated(r);
    }

    // ---------------------------------------------------------------- issue and redeem

    /// @inheritdoc ISecurityToken
    function issueLimit() external view returns (uint256) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    function totalIssued() external view returns (uint256) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    /// @dev Emits {IssueLimitSet}.
    function setIssueLimit(uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _extension();
    }

    /// @inheritdoc ISecurityToken
    /// @dev The recipient must be eligible under the rules (class, cap, max balance, minimum
    /// holding). Emits {Transfer} and {Issued}.
    function issue(address to, uint256 value, bytes calldata data) external onlyRole(AGENT_ROLE) {
        _issue(to, value, data);
    }

    function batchIssue(address[] calldata to, uint256[] calldata values, bytes calldata data)
        external
        onlyRole(AGENT_ROLE)
    {
        _batch(to, values, data, true);
    }

    /// @inheritdoc ISecurityToken
    /// @dev Redeems free units only (release locks, applications and freezes first). Redeeming the
    /// whole supply marks the issue redeemed: nothing can be issued or moved afterwards.
    function redeem(address from, uint256 value, bytes calldata data) external onlyRole(AGENT_ROLE) {
        _redeem(from, value, data);
    }

    function batchRedeem(address[] calldata from, uint256[] calldata values, bytes calldata data)
        external
        onlyRole(AGENT_ROLE)
    {
        _batch(from, values, data, false);
    }

    function _batch(address[] calldata accounts, uint256[] calldata values, bytes calldata data, bool issuing) private {
        if (accounts.length != values.length) revert TokenArrayLengthMismatch(accounts.length, values.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            if (issuing) _issue(accounts[i], values[i], data);
            else _redeem(accounts[i], values[i], data);
        }
    }

    /// The fast path when it applies, else the full rule engine: both end in the same state and
    /// events (tests/unit/token/test_differential.py).
    function _issue(address to, uint256 value, bytes calldata data) private {
        if (!_fastIssue(to, value)) {
            if (value == 0) revert TokenZeroValue();
            _update(address(0), to, value, Path.Issue, 0);
        }
        emit Issued(msg.sender, to, value, data);
    }

    function _redeem(address from, uint256 value, bytes calldata data) private {
        if (value == 0) revert TokenZeroValue();
        _update(from, address(0), value, Path.Redeem, 0);
        emit Redeemed(msg.sender, from, value, data);
    }

    // ---------------------------------------------------------------- forced transfer and recovery

    /// @inheritdoc ISecurityToken
    /// @dev Skips the sender's checks (frozen wallet, lock-up, eligibility); the recipient must be
    /// eligible. Takes free units first, then frozen ones (emitting {TokensUnfrozen}; never to the
    /// same wallet: only compliance unfreezes); pending
    /// and locked units are released through their own flows first. Emits {ForcedTransfer}.
    function forcedTransfer(address from, address to, uint256 value, ForcedTransferReason reason, bytes calldata data)
        external
        onlyRole(AGENT_ROLE)
        returns (bool)
    {
        if (value == 0) revert TokenZeroValue();
        Account memory acc = _account(from);
        uint256 free = acc.balance - acc.encumbered;
        uint256 fromFrozen;
        // Frozen units are taken only to move them to another wallet: forced to the same wallet
        // they would simply become free, undoing a compliance freeze the agent may not undo.
        if (value > free && from != to) {
            fromFrozen = value - free;
            uint256 frozen = _frozenTokens[from];
            if (fromFrozen > frozen) revert TransferRestricted(Restriction.InsufficientFreeBalance, from, to, value);
            // Underflow not possible: fromFrozen <= frozen was checked above.
            unchecked {
                _frozenTokens[from] = frozen - fromFrozen;
            }
            emit TokensUnfrozen(from, fromFrozen);
        }
        _update(from, to, value, Path.Forced, fromFrozen);
        emit ForcedTransfer(msg.sender, from, to, value, reason, data);
        return true;
    }

    /// @inheritdoc ISecurityToken
    /// @dev The registry must already show `newWallet` as the investor's wallet and `lostWallet`
    /// as the one it replaced. The whole balance moves with its frozen, pending and locked parts
    /// and the wallet freeze; the holder count does not change. Emits {RecoverySuccess}.
    function recoveryAddress(address lostWallet, address newWallet) external onlyRole(AGENT_ROLE) returns (bool) {
        bytes32 investorId = _REGISTRY.recoveryOf(lostWallet, newWallet);
        if (investorId == bytes32(0)) revert TokenRecoveryNotRegistered(lostWallet, newWallet);
        Account memory lost = _account(lostWallet);
        if (lost.balance == 0) revert TokenZeroValue();

        _update(lostWallet, newWallet, lost.balance, Path.Recovery, lost.encumbered);
        // The whole balance moved free ({_update} took it out of the lost wallet's encumbered
        // part); the same parts are encumbered again on the new wallet.
        if (lost.encumbered != 0) _encumber(newWallet, lost.encumbered, newWallet);
        if (lost.walletFrozen) {
            _accounts[newWallet].walletFrozen = true;
            delete _accounts[lostWallet].walletFrozen;
            emit AddressFrozen(newWallet, true, msg.sender);
        }
        uint256 frozen = _frozenTokens[lostWallet];
        if (frozen != 0) {
            delete _frozenTokens[lostWallet];
            _frozenTokens[newWallet] += frozen;
        }
        _moveLocks(lostWallet, newWallet);
        // The applications pending now (ids below the count) are held by newWallet from now on.
        _recoveries[lostWallet] = Recovery(newWallet, _book.count);
        emit RecoverySuccess(lostWallet, newWallet, investorId);
        return true;
    }

    // ---------------------------------------------------------------- freezes and pause

    /// @dev Emits {AddressFrozen}.
    function setAddressFrozen(address account, bool frozen) external onlyRole(COMPLIANCE_ROLE) {
        _accounts[account].walletFrozen = frozen;
        emit AddressFrozen(account, frozen, msg.sender);
    }

    /// @dev Freezes free units of `account`. Emits {TokensFrozen}.
    function freezePartialTokens(address account, uint256 value) external onlyRole(COMPLIANCE_ROLE) {
        _encumber(account, value, address(0));
        _frozenTokens[account] += value;
        emit TokensFrozen(account, value);
    }

    /// @dev Emits {TokensUnfrozen}.
    function unfreezePartialTokens(address account, uint256 value) external onlyRole(COMPLIANCE_ROLE) {
        if (value == 0) revert TokenZeroValue();
        uint256 frozen = _frozenTokens[account];
        if (value > frozen) revert TokenInsufficientFrozen(account, frozen, value);
        // Underflow not possible: value <= frozen was checked above.
        unchecked {
            _frozenTokens[account] = frozen - value;
        }
        _release(account, value);
        emit TokensUnfrozen(account, value);
    }

    function pause() external onlyRole(COMPLIANCE_ROLE) {
        _config.paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyRole(COMPLIANCE_ROLE) {
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc ISecurityToken
    function isAgent(address account) external view returns (bool) {
        return hasRole(AGENT_ROLE, account);
    }
}
