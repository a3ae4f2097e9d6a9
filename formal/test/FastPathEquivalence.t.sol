// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenCore} from "../../contracts/token/TokenCore.sol";
import {EngineToken} from "../src/EngineToken.sol";
import {FastToken} from "../src/FastToken.sol";
import {RawState} from "../src/RawState.sol";
import {SymbolicRegistry} from "../src/SymbolicRegistry.sol";

/// The cheatcodes used (forge's and halmos's `vm` address).
interface IVm {
    function assume(bool condition) external pure;
    function prank(address sender) external;
    function warp(uint256 timestamp) external;
}

/// @title FastPathEquivalence
/// @notice The symbolic proof of docs/assurance.md, run by `make prove` (halmos). For every
/// sender, recipient, amount, encumbered part, path, time, both registry records and every
/// config and account word the token can hold: when the fast path ({TokenCore-_fastMove})
/// accepts a movement, the full rule engine's {TokenCore-_restriction} returns Success for it on
/// the same state, and the engine's movement ({TokenCore-_update}) succeeds and leaves the same
/// config word, supply word, both account words and the same balance-history lengths.
contract FastPathEquivalence {
    IVm private constant VM = IVm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 private constant _UINT96 = type(uint96).max;

    SymbolicRegistry private _registry;
    FastToken private _fast;
    EngineToken private _engine;

    function setUp() public {
        _registry = new SymbolicRegistry();
        ISecurityToken.Rules memory rules;
        _fast = new FastToken(address(_registry), rules);
        _engine = new EngineToken(address(_registry), rules);
    }

    /// `transfer(to, value)` by `from`: the fast path with the direct-transfer flags.
    // solhint-disable-next-line func-name-mixedcase
    function check_transfer(
        address from,
        address to,
        uint256 value,
        uint256 cfg,
        uint256 fromWord,
        uint256 toWord,
        uint256 fromRecord,
        uint256 toRecord,
        uint40 time
    ) public {
        _arrange(from, to, cfg, fromWord, toWord, fromRecord, toRecord, time);
        VM.prank(from);
        try _fast.transfer(to, value) {} catch {
            return; // refused by the engine: the property speaks of accepted movements only
        }
        if (!_fast.fastAccepted()) return;
        _assertEngineAgrees(from, to, value, TokenCore.Path.Transfer, 0);
        VM.prank(from);
        try _engine.transfer(to, value) {} catch {
            assert(false); // the engine refused (or reverted on) what the fast path accepted
        }
        _assertSameWords(from, to);
    }

    /// {TokenCore-_move} on every holder-movement path (transferFrom, an approved application,
    /// unlock, forced unlock), with an encumbered part taken out of the sender.
    // solhint-disable-next-line func-name-mixedcase
    function check_move(
        address from,
        address to,
        uint256 value,
        uint8 path,
        uint256 fromEncumbered,
        uint256 cfg,
        uint256 fromWord,
        uint256 toWord,
        uint256 fromRecord,
        uint256 toRecord,
        uint40 time
    ) public {
        VM.assume(
            path == uint8(TokenCore.Path.Transfer) || path == uint8(TokenCore.Path.Approved)
                || path == uint8(TokenCore.Path.Forced)
        );
        // Callers guarantee: the encumbered part is part of the amount and of the encumbered units.
        VM.assume(fromEncumbered <= value && fromEncumbered <= (fromWord >> 96) & _UINT96);
        _arrange(from, to, cfg, fromWord, toWord, fromRecord, toRecord, time);
        TokenCore.Path p = TokenCore.Path(path);
        _fast.move(from, to, value, p, fromEncumbered);
        if (!_fast.fastAccepted()) return;
        _assertEngineAgrees(from, to, value, p, fromEncumbered);
        try _engine.move(from, to, value, p, fromEncumbered) {} catch {
            assert(false); // the engine refused (or reverted on) what the fast path accepted
        }
        _assertSameWords(from, to);
    }

    /// The same symbolic state in both tokens, within what the token can hold (see
    /// docs/assurance.md, "Assumptions").
    function _arrange(
        address from,
        address to,
        uint256 cfg,
        uint256 fromWord,
        uint256 toWord,
        uint256 fromRecord,
        uint256 toRecord,
        uint40 time
    ) private {
        // Config: the three bools are 0 or 1; allowedClasses names the four classes only (setRules).
        VM.assume((cfg >> 8) & 0xff <= 1 && (cfg >> 16) & 0xff <= 1 && (cfg >> 24) & 0xff <= 1);
        VM.assume(cfg & 0xff < 16);
        // Accounts: walletFrozen is 0 or 1, encumbered <= balance.
        VM.assume((fromWord >> 208) & 0xff <= 1 && (toWord >> 208) & 0xff <= 1);
        uint256 fromBalance = fromWord & _UINT96;
        uint256 toBalance = toWord & _UINT96;
        VM.assume((fromWord >> 96) & _UINT96 <= fromBalance && (toWord >> 96) & _UINT96 <= toBalance);
        // Two distinct holders' balances are part of a uint96 total supply, and each non-zero
        // holding is counted in holderCount.
        VM.assume(from != to || fromWord == toWord);
        if (from != to) {
            VM.assume(fromBalance + toBalance <= _UINT96);
            uint256 holders = (fromBalance != 0 ? 1 : 0) + (toBalance != 0 ? 1 : 0);
            VM.assume((cfg >> 56) & 0xffffff >= holders);
        }
        _registry.set(fromRecord, toRecord);
        _fast.setWords(cfg, from, fromWord, to, toWord);
        _engine.setWords(cfg, from, fromWord, to, toWord);
        VM.warp(time);
    }

    function _assertEngineAgrees(address from, address to, uint256 value, TokenCore.Path path, uint256 enc)
        private
        view
    {
        assert(_engine.restriction(from, to, value, path, enc) == ISecurityToken.Restriction.Success);
    }

    function _assertSameWords(address from, address to) private view {
        uint256[7] memory a = RawState(address(_fast)).words(from, to);
        uint256[7] memory b = RawState(address(_engine)).words(from, to);
        // Unrolled: halmos bounds loops (2 iterations by default).
        assert(a[0] == b[0]); // config
        assert(a[1] == b[1]); // supply
        assert(a[2] == b[2]); // sender's account word
        assert(a[3] == b[3]); // recipient's account word
        assert(a[4] == b[4]); // sender's balance history length
        assert(a[5] == b[5]); // recipient's balance history length
        assert(a[6] == b[6]); // supply history length
    }
}
