// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ILockReceiver
/// @notice A lock address that is a contract and must account for every lock it receives
/// (the settlement contracts). The token calls it in the same transaction as the lock, so a
/// lock and what it is for (e.g. a delivery instruction) come into being together or not at all.
interface ILockReceiver {
    /// @notice `account` locked `value` units of the calling token to this contract, with `data`.
    /// @return The selector of this function, to confirm the lock was understood; anything
    /// else (or a revert) makes the token revert the lock.
    function onTokensLocked(address account, uint256 value, bytes calldata data) external returns (bytes4);
}
