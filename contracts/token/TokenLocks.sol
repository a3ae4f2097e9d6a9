// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILockReceiver} from "../../interfaces/ILockReceiver.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenCore} from "./TokenCore.sol";

/// @title TokenLocks
/// @notice Locks of a holder's units to a venue, an escrow or the settlement contract (ibet
/// names): lock / unlock / forceLock / forceUnlock. Locked units stay in the holder's balance
/// (the legal holding) but leave its free balance; only an issuer-authorised lock address may
/// hold locks, and only it (or the agent, forcibly) releases them.
abstract contract TokenLocks is TokenCore {
    using SafeCast for uint256;

    /// Lock addresses are few and chosen by the issuer: recovery and the per-account total
    /// iterate over them, so their number is capped.
    uint256 public constant MAX_LOCK_ADDRESSES = 16;

    error TokenTooManyLockAddresses(uint256 max);
    /// A lock address moved `value` locked for `lostWallet` to its new wallet in a recovery.
    event LockRecovered(address indexed lockAddress, address indexed lostWallet, address indexed newWallet, uint256 value);

    /// @inheritdoc ISecurityToken
    function authorizeLockAddress(address lockAddress, bool authorized, bool carriesApproval)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (lockAddress == address(0)) revert TokenUnauthorizedLockAddress(lockAddress);
        LockAddress storage entry = _lockAddresses[lockAddress];
        if (!entry.listed) {
            if (_lockAddressList.length >= MAX_LOCK_ADDRESSES) revert TokenTooManyLockAddresses(MAX_LOCK_ADDRESSES);
            _lockAddressList.push(lockAddress);
            entry.listed = true;
        }
        entry.authorized = authorized;
        entry.carriesApproval = carriesApproval;
        emit LockAddressAuthorized(lockAddress, authorized, carriesApproval);
    }

    /// @inheritdoc ISecurityToken
    /// @dev An address already listed was authorised with its locks in the lock map (or was the
    /// settlement lock address before): refused, since map locks would be read from the account
    /// word afterwards and strand. The lock map keeps no per-address total (that would cost every
    /// venue lock and unlock a write), hence "listed" rather than "holds map locks".
    function setSettlementLockAddress(address lockAddress) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address previous = _settlementLockAddress;
        if (previous != address(0)) {
            LockAddress storage old = _lockAddresses[previous];
            if (old.accountWordTotal != 0) revert TokenSettlementLockAddressInUse(previous, old.accountWordTotal);
            old.inAccountWord = false;
        }
        if (lockAddress != address(0)) {
            LockAddress storage entry = _lockAddresses[lockAddress];
            if (entry.listed) revert TokenSettlementLockAddressRefused(lockAddress);
            entry.inAccountWord = true;
        }
        _settlementLockAddress = lockAddress;
        emit SettlementLockAddressSet(previous, lockAddress);
    }

    /// @inheritdoc ISecurityToken
    function settlementLockedTotal() external view returns (uint256) {
        _extensionView();
    }

    function isAuthorizedLockAddress(address) external view returns (bool, bool) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    function settlementLockAddress() external view returns (address) {
        return _settlementLockAddress;
    }

    function lockedOf(address, address) external view returns (uint256) {
        _extensionView();
    }

    function totalLockedOf(address) external view returns (uint256) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    /// @dev The holder must be an eligible investor with an unfrozen wallet and enough free
    /// balance; the token must not be paused. Emits {Locked}.
    function lock(address lockAddress, uint256 value, bytes calldata data) external {
        bool inAccountWord = _requireAuthorized(lockAddress);
        _requireAllowed(_lockRestriction(msg.sender), msg.sender, lockAddress, value);
        _encumber(msg.sender, value, lockAddress);
        _addLock(inAccountWord, lockAddress, msg.sender, value);
        emit Locked(lockAddress, msg.sender, value, data);
        if (lockAddress.code.length != 0) _notifyLockReceiver(lockAddress, msg.sender, value, data);
    }

    /// @dev A contract lock address (the settlement contracts) learns of each lock in the same
    /// transaction, so a lock and what it is for (a delivery instruction) exist together or not at
    /// all. Called last (checks-effects-interactions); a refusal reverts the whole lock.
    function _notifyLockReceiver(address lockAddress, address account, uint256 value, bytes calldata data) private {
        if (ILockReceiver(lockAddress).onTokensLocked(account, value, data) != ILockReceiver.onTokensLocked.selector) {
            revert TokenUnauthorizedLockAddress(lockAddress);
        }
    }

    /// @inheritdoc ISecurityToken
    /// @dev To another investor the move passes every rule; on an approval-required token only a
    /// lock address that carries the approval may unlock to someone else. Emits {Unlocked}.
    function unlock(address account, address recipient, uint256 value, bytes calldata data) external {
        LockAddress storage entry = _lockAddresses[msg.sender];
        Path path = entry.carriesApproval ? Path.Approved : Path.Transfer;
        _releaseLock(entry.inAccountWord, msg.sender, account, recipient, value, path);
        emit Unlocked(msg.sender, account, recipient, value, data);
    }

    /// @inheritdoc ISecurityToken
    /// @dev Seizure: locks free units of `account` without its consent. Emits {ForceLocked}.
    function forceLock(address lockAddress, address account, uint256 value, bytes calldata data)
        external
        onlyRole(AGENT_ROLE)
    {
        bool inAccountWord = _requireAuthorized(lockAddress);
        _encumber(account, value, lockAddress);
        _addLock(inAccountWord, lockAddress, account, value);
        emit ForceLocked(lockAddress, account, value, data);
        // A seizure to a contract lock address is accounted for like any lock: the settlement
        // contract refuses units that no instruction owns.
        if (lockAddress.code.length != 0) _notifyLockReceiver(lockAddress, account, value, data);
    }

    /// @inheritdoc ISecurityToken
    /// @dev To another investor this is a forced transfer (recipient rules apply). Emits {ForceUnlocked}.
    function forceUnlock(address lockAddress, address account, address recipient, uint256 value, bytes calldata data)
        external
        onlyRole(AGENT_ROLE)
    {
        _releaseLock(_lockAddresses[lockAddress].inAccountWord, lockAddress, account, recipient, value, Path.Forced);
        emit ForceUnlocked(lockAddress, account, recipient, value, data);
    }

    /// Moves every lock of `lostWallet` to `newWallet` (recovery); the encumbered total moves with
    /// the account in {_update}.
    function _moveLocks(address lostWallet, address newWallet) internal {
        uint256 count = _lockAddressList.length;
        for (uint256 i = 0; i < count; ++i) {
            address lockAddress = _lockAddressList[i];
            bool inAccountWord = _lockAddresses[lockAddress].inAccountWord;
            uint256 value = _lockedOf(inAccountWord, lockAddress, lostWallet);
            if (value != 0) {
                _setLocked(inAccountWord, lockAddress, lostWallet, 0);
                _setLocked(inAccountWord, lockAddress, newWallet, _lockedOf(inAccountWord, lockAddress, newWallet) + value);
                emit LockRecovered(lockAddress, lostWallet, newWallet, value);
            }
        }
    }

    function _setLocked(bool inAccountWord, address lockAddress, address account, uint256 value) private {
        if (inAccountWord) _accounts[account].settlementLocked = value.toUint40();
        else _locked[lockAddress][account] = value;
    }

    function _addLock(bool inAccountWord, address lockAddress, address account, uint256 value) private {
        _setLocked(inAccountWord, lockAddress, account, _lockedOf(inAccountWord, lockAddress, account) + value);
        if (inAccountWord) _lockAddresses[lockAddress].accountWordTotal += value.toUint96();
    }

    /// Reverts unless `lockAddress` may receive new locks; returns where its locks are kept.
    function _requireAuthorized(address lockAddress) private view returns (bool inAccountWord) {
        LockAddress storage entry = _lockAddresses[lockAddress];
        if (!entry.authorized) revert TokenUnauthorizedLockAddress(lockAddress);
        return entry.inAccountWord;
    }

    /// A holder locking its own units must be an eligible investor with an unfrozen wallet.
    function _lockRestriction(address account) private view returns (Restriction) {
        if (_config.paused) return Restriction.TokenPaused;
        (uint256 investor,) = _investorRecords(account, address(0));
        return _partyRestriction(investor, _accounts[account].walletFrozen, true);
    }

    /// Releases `value` of `account`'s lock at `lockAddress`: back to the free balance when
    /// recipient == account, otherwise moved to `recipient` through {_move} under `path`.
    function _releaseLock(bool inAccountWord, address lockAddress, address account, address recipient, uint256 value, Path path)
        private
    {
        if (value == 0) revert TokenZeroValue();
        uint256 locked = _lockedOf(inAccountWord, lockAddress, account);
        if (locked < value) revert TokenInsufficientLocked(lockAddress, account, locked, value);
        // Underflow not possible: locked >= value was checked above.
        unchecked {
            _setLocked(inAccountWord, lockAddress, account, locked - value);
        }
        // Checked: the total includes this account's lock.
        if (inAccountWord) _lockAddresses[lockAddress].accountWordTotal -= uint96(value);
        if (recipient == account) {
            _release(account, value);
        } else {
            _move(account, recipient, value, path, value);
        }
    }
}
