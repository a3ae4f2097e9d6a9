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

    /// A lock address moved `value` locked for `lostWallet` to its new wallet in a recovery.
    event LockRecovered(address indexed lockAddress, address indexed lostWallet, address indexed newWallet, uint256 value);

    /// @inheritdoc ISecurityToken
    /// @dev Run by the token's extension (rarely called). Emits {LockAddressAuthorized}.
    function authorizeLockAddress(address, bool, bool) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _extension();
    }

    /// @inheritdoc ISecurityToken
    /// @dev Run by the token's extension (rarely called): TokenExtension.setSettlementLockAddress
    /// explains the generations. Emits {SettlementLockAddressSet}.
    function setSettlementLockAddress(address) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _extension();
    }

    /// @notice Every address ever named the settlement lock address, oldest first.
    function settlementLockAddresses() external view returns (address[] memory) {
        _extensionView();
    }

    function isAuthorizedLockAddress(address) external view returns (bool, bool) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    function settlementLockAddress() external view returns (address) {
        return _settlementLockAddress;
    }

    /// @dev In the token, not its extension: the DvP contract asks it on every acceptance.
    function lockedOf(address lockAddress, address account) external view returns (uint256) {
        return _lockedOf(_lockAddresses[lockAddress], lockAddress, account);
    }

    function totalLockedOf(address) external view returns (uint256) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    /// @dev The holder must be an eligible investor with an unfrozen wallet and enough free
    /// balance; the token must not be paused. Emits {Locked}.
    function lock(address lockAddress, uint256 value, bytes calldata data) external {
        LockAddress memory entry = _requireAuthorized(lockAddress);
        _requireAllowed(_lockRestriction(msg.sender), msg.sender, lockAddress, value);
        _encumber(msg.sender, value, lockAddress);
        _addLock(entry, lockAddress, msg.sender, value);
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
        LockAddress memory entry = _lockAddresses[msg.sender];
        Path path = entry.carriesApproval ? Path.Approved : Path.Transfer;
        _releaseLock(entry, msg.sender, account, recipient, value, path);
        emit Unlocked(msg.sender, account, recipient, value, data);
    }

    /// @inheritdoc ISecurityToken
    /// @dev Seizure: locks free units of `account` without its consent. Emits {ForceLocked}.
    function forceLock(address lockAddress, address account, uint256 value, bytes calldata data)
        external
        onlyRole(AGENT_ROLE)
    {
        LockAddress memory entry = _requireAuthorized(lockAddress);
        _encumber(account, value, lockAddress);
        _addLock(entry, lockAddress, account, value);
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
        _releaseLock(_lockAddresses[lockAddress], lockAddress, account, recipient, value, Path.Forced);
        emit ForceUnlocked(lockAddress, account, recipient, value, data);
    }

    /// Moves every lock of `lostWallet` to `newWallet` (recovery); the encumbered total moves with
    /// the account in {_update}. Both account words are settled first, so only the current
    /// settlement lock address's locks are left in account words.
    function _moveLocks(address lostWallet, address newWallet) internal {
        _settleAccountWord(lostWallet);
        _settleAccountWord(newWallet);
        uint256 count = _lockAddressList.length;
        for (uint256 i = 0; i < count; ++i) {
            address lockAddress = _lockAddressList[i];
            LockAddress memory entry = _lockAddresses[lockAddress];
            uint256 value = _lockedOf(entry, lockAddress, lostWallet);
            if (value != 0) {
                if (entry.inAccountWord) {
                    _accounts[lostWallet].settlementLocked = 0;
                    _setAccountWordLock(newWallet, entry.generation, _lockedOf(entry, lockAddress, newWallet) + value);
                } else {
                    _locked[lockAddress][lostWallet] = 0;
                    _locked[lockAddress][newWallet] += value;
                }
                emit LockRecovered(lockAddress, lostWallet, newWallet, value);
            }
        }
    }

    /// After a replacement of the settlement lock address, moves what `account`'s word holds
    /// for an earlier one (tagged with its generation) into the lock map under that address, so
    /// the word is free for the current one. What each address has locked does not change. Run
    /// only where a word may be older than the current generation: a lock to the current
    /// address finding an older tag, a release by a replaced address, a recovery.
    function _settleAccountWord(address account) private {
        Account storage acc = _accounts[account];
        uint256 value = acc.settlementLocked;
        if (value == 0) return;
        address owner = _settlementLockAddresses[acc.settlementGeneration - 1];
        if (_lockAddresses[owner].inAccountWord) return; // the current one's: nothing to move
        acc.settlementLocked = 0;
        _locked[owner][account] += value;
    }

    /// `account`'s word: `value` locked to the settlement lock address of `generation`.
    function _setAccountWordLock(address account, uint8 generation, uint256 value) private {
        Account storage acc = _accounts[account];
        acc.settlementLocked = value.toUint32();
        acc.settlementGeneration = generation;
    }

    /// A new lock: in the account word for the current settlement lock address (moving an
    /// earlier address's lock out of the word first), in the lock map for any other.
    function _addLock(LockAddress memory entry, address lockAddress, address account, uint256 value) private {
        if (entry.inAccountWord) {
            Account storage acc = _accounts[account];
            if (acc.settlementGeneration == entry.generation) {
                acc.settlementLocked = (uint256(acc.settlementLocked) + value).toUint32();
            } else {
                _settleAccountWord(account); // the holder's first lock under this generation
                _setAccountWordLock(account, entry.generation, value);
            }
        } else {
            _locked[lockAddress][account] += value;
        }
    }

    /// Reverts unless `lockAddress` may receive new locks; returns its entry.
    function _requireAuthorized(address lockAddress) private view returns (LockAddress memory entry) {
        entry = _lockAddresses[lockAddress];
        if (!entry.authorized) revert TokenUnauthorizedLockAddress(lockAddress);
    }

    /// A holder locking its own units must be an eligible investor with an unfrozen wallet.
    function _lockRestriction(address account) private view returns (Restriction) {
        if (_config.paused) return Restriction.TokenPaused;
        (uint256 investor,) = _investorRecords(account, address(0));
        return _partyRestriction(investor, _accounts[account].walletFrozen, true);
    }

    /// Releases `value` of `account`'s lock at `lockAddress`: back to the free balance when
    /// recipient == account, otherwise moved to `recipient` through {_move} under `path`. The
    /// current settlement lock address releases from the account word; any other address from
    /// the lock map, after moving its part of the word there (a replaced settlement address).
    function _releaseLock(LockAddress memory entry, address lockAddress, address account, address recipient, uint256 value, Path path)
        private
    {
        if (value == 0) revert TokenZeroValue();
        uint256 locked = _lockedOf(entry, lockAddress, account);
        if (locked < value) revert TokenInsufficientLocked(lockAddress, account, locked, value);
        // Underflow not possible: locked >= value was checked above.
        unchecked {
            if (entry.inAccountWord) {
                _accounts[account].settlementLocked = uint32(locked - value);
            } else {
                if (entry.generation != 0) _settleAccountWord(account);
                _locked[lockAddress][account] = locked - value;
            }
        }
        if (recipient == account) {
            _release(account, value);
        } else {
            _move(account, recipient, value, path, value);
        }
    }
}
