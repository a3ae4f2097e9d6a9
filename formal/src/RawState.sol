// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TokenCore} from "../../contracts/token/TokenCore.sol";

/// @title RawState
/// @notice PROOF HARNESS ONLY (formal/, never deployed): writes and reads the token's raw
/// storage words (the config word and account words the fast path's assembly reads), exposes
/// {TokenCore-_move} and {TokenCore-_restriction}, and records whether {TokenCore-_fastMove}
/// accepted the last movement.
abstract contract RawState is TokenCore {
    /// Whether the last {_fastMove} moved the units (kept in a slot no compared word uses).
    bool public fastAccepted;

    function setWords(uint256 cfg, address from, uint256 fromWord, address to, uint256 toWord) external {
        bytes32 fromSlot = _accountSlot(from);
        bytes32 toSlot = _accountSlot(to);
        assembly ("memory-safe") {
            sstore(_config.slot, cfg)
            sstore(fromSlot, fromWord)
            sstore(toSlot, toWord)
        }
    }

    /// The words a movement may write: config, supply, both accounts, and the lengths of the
    /// balance histories (a checkpoint pushes to them) of both parties and of the supply.
    function words(address from, address to) external view returns (uint256[7] memory w) {
        bytes32 fromSlot = _accountSlot(from);
        bytes32 toSlot = _accountSlot(to);
        uint256 cfg;
        uint256 supply;
        uint256 f;
        uint256 t;
        assembly ("memory-safe") {
            cfg := sload(_config.slot)
            supply := sload(_supply.slot)
            f := sload(fromSlot)
            t := sload(toSlot)
        }
        w = [
            cfg,
            supply,
            f,
            t,
            _balanceHistory[from]._checkpoints.length,
            _balanceHistory[to]._checkpoints.length,
            _supplyHistory._checkpoints.length
        ];
    }

    /// {TokenCore-_move}: the fast path, else the full engine ({TokenCore-_update}).
    function move(address from, address to, uint256 value, Path path, uint256 fromEncumbered) external {
        fastAccepted = false;
        _move(from, to, value, path, fromEncumbered);
    }

    /// The rule engine on the current state, as {TokenCore-_update} calls it.
    function restriction(address from, address to, uint256 value, Path path, uint256 fromEncumbered)
        external
        view
        returns (Restriction)
    {
        return _restriction(from, to, value, path, fromEncumbered, _loadConfig(), _account(from), _account(to));
    }

    function _accountSlot(address account) private pure returns (bytes32 slot) {
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, _accounts.slot)
            slot := keccak256(0x00, 0x40)
        }
    }
}
