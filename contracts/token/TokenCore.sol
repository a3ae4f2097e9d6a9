// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IERC1404} from "../../interfaces/IERC1404.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenExtension} from "./TokenExtension.sol";
import {TokenStorage} from "./TokenStorage.sol";

/// @title TokenCore
/// @notice ERC-20 core of a Kabuto security token: the rule engine {_restriction}, the movement
/// hook {_update} that applies it, the fast path {_fastMove} for the common holder movement
/// (proven against the engine: docs/assurance.md), ERC-1404 answers, lazy record-date checkpoints,
/// the one owner of encumbrances, and the delegation of rarely called functions to the token's
/// TokenExtension. State: TokenStorage.
/// @dev Storage is laid out for the hot path (see docs/security-token.md): a transfer reads the
/// token's config slot, each party's account slot and one registry staticcall, and writes the two
/// account slots. Details of encumbrances (frozen, pending, locked) live in other mappings that
/// only the operations creating them touch.
abstract contract TokenCore is ISecurityToken, IERC20Errors, TokenStorage {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    /// Issue, redeem, forced transfer, recovery, approve/reject applications, force (un)lock.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// Wallet and partial freezes, pause.
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");

    /// How a balance change came about: decides which rule groups apply (see {_restriction}).
    /// Transfer and Approved are holder movements; the rest are issuer/agent operations.
    enum Path {
        Transfer, // transfer / transferFrom / unlock by a lock address that does not carry approval
        Approved, // issuer-approved application, or unlock by a lock address that carries approval
        Issue,
        Redeem,
        Forced,
        Recovery
    }

    /// Field offsets in the registry's packed investor record.
    uint256 private constant _CLASS_SHIFT = 64;
    uint256 private constant _STATUS_SHIFT = 72;
    uint256 private constant _KYC_EXPIRY_SHIFT = 96;
    /// Field offsets in the stored {Config} and {Account} words (Solidity packs a struct's
    /// fields from the low-order bits in declaration order); read by {_fastMove}.
    uint256 private constant _CFG_HOLDER_CAP_SHIFT = 32;
    uint256 private constant _CFG_HOLDER_COUNT_SHIFT = 56;
    uint256 private constant _CFG_MAX_BALANCE_SHIFT = 80;
    uint256 private constant _CFG_LOCK_UP_SHIFT = 160;
    uint256 private constant _CFG_NEXT_RECORD_SHIFT = 200;
    uint256 private constant _CFG_PASSED_SHIFT = 240;
    /// qiiResaleOnly, paused, minHolding: a holder movement needs the full rule engine.
    uint256 private constant _CFG_SLOW_WHEN_APPROVED = (0xff << 8) | (0xff << 24) | (0xffffffff << 128);
    /// The same, plus approvalRequired for a direct transfer.
    uint256 private constant _CFG_SLOW = _CFG_SLOW_WHEN_APPROVED | (0xff << 16);
    uint256 private constant _CFG_MIN_HOLDING_SHIFT = 128;
    /// Field offsets in the stored {Supply} word; read by {_fastIssue}.
    uint256 private constant _SUP_ISSUED_SHIFT = 96;
    uint256 private constant _SUP_LIMIT_SHIFT = 160;
    uint256 private constant _SUP_RECORD_SHIFT = 224;
    uint256 private constant _SUP_REDEEMED_SHIFT = 240;
    uint256 private constant _ACC_ENCUMBERED_SHIFT = 96;
    uint256 private constant _ACC_RECORD_SHIFT = 192;
    uint256 private constant _ACC_FROZEN_BIT = 1 << 208;
    /// keccak256("Transfer(address,address,uint256)"): {Transfer} as the fast path emits it.
    bytes32 private constant _TRANSFER_EVENT = 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef;
    /// IInvestorRegistry.packedInvestorsOf.selector, left-aligned in a word (a literal: inline
    /// assembly reads only number constants; the constructor checks it against the interface).
    uint256 private constant _PACKED_INVESTORS_OF = 0xdf21eefd << 224;
    uint256 private constant _UINT8 = 0xff;
    uint256 private constant _UINT24 = 0xffffff;
    uint256 private constant _UINT16 = 0xffff;
    uint256 private constant _UINT32 = 0xffffffff;
    uint256 private constant _UINT40 = 0xffffffffff;
    uint256 private constant _UINT48 = 0xffffffffffff;
    uint256 private constant _UINT64 = 0xffffffffffffffff;
    uint256 private constant _UINT96 = 0xffffffffffffffffffffffff;

    IInvestorRegistry internal immutable _REGISTRY;
    /// The token's own TokenExtension (created by the constructor): the rarely called functions,
    /// run on this token's storage by {_extension}.
    address private immutable _EXTENSION;
    Category internal immutable _CATEGORY;
    Kind internal immutable _KIND;

    error TokenInvalidRegistry(address registry);

    constructor(string memory name_, string memory symbol_, Category category_, Kind kind_, address registry_) {
        if (registry_.code.length == 0) revert TokenInvalidRegistry(registry_);
        assert(bytes32(_PACKED_INVESTORS_OF) == IInvestorRegistry.packedInvestorsOf.selector);
        _name = name_;
        _symbol = symbol_;
        _CATEGORY = category_;
        _KIND = kind_;
        _REGISTRY = IInvestorRegistry(registry_);
        _EXTENSION = address(new TokenExtension());
    }

    // ---------------------------------------------------------------- ERC-20

    function name() external view returns (string memory) {
        return _name;
    }

    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice One unit is one bond / one beneficiary unit.
    function decimals() external pure returns (uint8) {
        return 0;
    }

    function totalSupply() external view returns (uint256) {
        return _supply.totalSupply;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(spender);
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @dev Emits {Transfer}; reverts with {TransferRestricted} when a rule refuses it.
    function transfer(address to, uint256 value) external returns (bool) {
        if (!_fastMove(msg.sender, to, value, 0, _CFG_SLOW)) _update(msg.sender, to, value, Path.Transfer, 0);
        return true;
    }

    /// @dev A zero-value movement the holder did not make is refused ({TokenZeroValue}): the
    /// token's events are the register's source, and a stranger's Transfer(holder, x, 0) is the
    /// address-poisoning pattern.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        if (value == 0 && msg.sender != from) revert TokenZeroValue();
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            // Underflow not possible: allowed >= value was checked above.
            unchecked {
                _allowances[from][msg.sender] = allowed - value;
            }
        }
        _move(from, to, value, Path.Transfer, 0);
        return true;
    }

    // ---------------------------------------------------------------- profile, rules, balances

    function category() external view returns (Category) {
        return _CATEGORY;
    }

    function kind() external view returns (Kind) {
        return _KIND;
    }

    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    function rules() external view returns (Rules memory) {
        Config memory cfg = _loadConfig();
        return Rules(
            cfg.allowedClasses,
            cfg.holderCap,
            cfg.maxBalance,
            cfg.minHolding,
            cfg.lockUpUntil,
            cfg.qiiResaleOnly,
            cfg.approvalRequired
        );
    }

    function holderCount() external view returns (uint256) {
        return _config.holderCount;
    }

    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @dev Excluded Class 2 rules always have approvalRequired set (see TokenOperations._setRules).
    function approvalRequired() external view returns (bool) {
        return _config.approvalRequired;
    }

    function isRedeemed() external view returns (bool) {
        return _supply.redeemed;
    }

    function freeBalanceOf(address account) external view returns (uint256) {
        Account memory acc = _account(account);
        return acc.balance - acc.encumbered;
    }

    function frozenTokensOf(address account) external view returns (uint256) {
        return _frozenTokens[account];
    }

    function isFrozen(address account) external view returns (bool) {
        return _accounts[account].walletFrozen;
    }

    // ---------------------------------------------------------------- ERC-1404

    /// @inheritdoc IERC1404
    /// @dev from = 0 answers for an issue, anything else for a direct transfer.
    function detectTransferRestriction(address from, address to, uint256 value) external view returns (uint8) {
        return uint8(_restrictionFor(from, to, value, from == address(0) ? Path.Issue : Path.Transfer));
    }

    /// @inheritdoc IERC1404
    function messageForTransferRestriction(uint8) external view returns (string memory) {
        _extensionView();
    }

    // ---------------------------------------------------------------- record dates

    /// @inheritdoc ISecurityToken
    function scheduleRecordDate(uint40) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256) {
        _extension();
    }

    function recordDate(uint256) external view returns (uint40) {
        _extensionView();
    }

    function recordDateCount() external view returns (uint256) {
        _extensionView();
    }

    /// @inheritdoc ISecurityToken
    function balanceOfAtRecordDate(address, uint256) external view returns (uint256) {
        _extensionView();
    }

    function totalSupplyAtRecordDate(uint256) external view returns (uint256) {
        _extensionView();
    }

    /// @notice Every address ever authorised as a lock address (TokenExtension).
    function lockAddresses() external view returns (address[] memory) {
        _extensionView();
    }

    // ---------------------------------------------------------------- the extension

    /// @dev Runs the current call's function in this token's TokenExtension on this token's
    /// storage (DELEGATECALL with the same calldata) and ends the call with what it returned or
    /// reverted with. Callers check roles first; the extension's code is fixed at deployment.
    function _extension() internal {
        address extension = _EXTENSION;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), extension, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @dev {_extension} for a view function: the extension's views only read (a DELEGATECALL is
    /// not a view operation to the compiler, hence the cast of the function's type).
    function _extensionView() internal view {
        _asView(_extension)();
    }

    function _asView(function() internal fn) private pure returns (function() internal view viewFn) {
        assembly ("memory-safe") {
            viewFn := fn
        }
    }

    /// Moves the passed-count over every record date that block.timestamp has gone past.
    function _advanceRecordDates(Config memory cfg) private view {
        uint256 count = _recordDates.length;
        uint16 passed = cfg.passedRecordCount;
        uint40 next = cfg.nextRecordDate;
        while (next != 0 && block.timestamp > next) {
            ++passed;
            next = passed < count ? _recordDates[passed] : 0;
        }
        cfg.passedRecordCount = passed;
        cfg.nextRecordDate = next;
    }

    /// Persists `balance` as the holding from record date `fromIndex` on (skips a first zero).
    function _checkpoint(Checkpoints.Trace208 storage history, uint32 fromIndex, uint96 balance) private {
        if (balance != 0 || history.length() != 0) history.push(fromIndex, balance);
    }

    // ---------------------------------------------------------------- the movement hook

    /// @dev Every balance change flows through here except the holder movements {_fastMove}
    /// performs itself (only those for which {_restriction} returns Success, writing and emitting
    /// what this would: the differential test compares both). It applies the rules for `path`, keeps the
    /// holder count, the lazy record-date checkpoints and the supply, and emits {Transfer}.
    /// `fromEncumbered` is the part of `value` taken out of the sender's encumbered amount
    /// (a pending application, a lock, frozen units in a forced transfer, everything in recovery);
    /// callers guarantee fromEncumbered <= the sender's encumbered amount and <= value.
    function _update(address from, address to, uint256 value, Path path, uint256 fromEncumbered) internal {
        Config memory cfg = _loadConfig();
        Account memory f = _account(from);
        Account memory t = _account(to);
        _requireAllowed(_restriction(from, to, value, path, fromEncumbered, cfg, f, t), from, to, value);

        uint16 passedBefore = cfg.passedRecordCount;
        if (cfg.nextRecordDate != 0 && block.timestamp > cfg.nextRecordDate) _advanceRecordDates(cfg);
        uint24 countBefore = cfg.holderCount;

        if (from == to) {
            // Nothing moves, but an encumbered part taken for it (an application to oneself,
            // frozen units forced to the same wallet) returns to the free balance.
            // Underflow not possible: callers keep fromEncumbered <= encumbered.
            unchecked {
                if (fromEncumbered != 0) _accounts[from].encumbered = f.encumbered - uint96(fromEncumbered);
            }
        } else {
            if (from == address(0)) {
                _changeSupply(value, true, cfg.passedRecordCount);
            } else {
                Account storage fs = _accounts[from];
                if (f.lastRecordCount < cfg.passedRecordCount) {
                    _checkpoint(_balanceHistory[from], f.lastRecordCount, f.balance);
                    fs.lastRecordCount = cfg.passedRecordCount;
                }
                // Underflow not possible: _restriction checked value - fromEncumbered <= balance -
                // encumbered, and callers keep fromEncumbered <= encumbered.
                unchecked {
                    fs.balance = f.balance - uint96(value);
                    if (fromEncumbered != 0) fs.encumbered = f.encumbered - uint96(fromEncumbered);
                }
                if (f.balance == value && value != 0) --cfg.holderCount;
            }
            if (to == address(0)) {
                _changeSupply(value, false, cfg.passedRecordCount);
            } else {
                Account storage ts = _accounts[to];
                if (t.lastRecordCount < cfg.passedRecordCount) {
                    _checkpoint(_balanceHistory[to], t.lastRecordCount, t.balance);
                    ts.lastRecordCount = cfg.passedRecordCount;
                }
                // Overflow not possible: a balance never exceeds totalSupply, a checked uint96.
                unchecked {
                    ts.balance = t.balance + uint96(value);
                }
                if (t.balance == 0 && value != 0) ++cfg.holderCount;
            }
        }
        if (cfg.holderCount != countBefore) _config.holderCount = cfg.holderCount;
        if (cfg.passedRecordCount != passedBefore) {
            _config.passedRecordCount = cfg.passedRecordCount;
            _config.nextRecordDate = cfg.nextRecordDate;
        }
        emit Transfer(from, to, value);
    }

    /// @dev A movement out of a holder's units (Path.Transfer, Path.Approved, or Path.Forced for a
    /// forced unlock): the fast path when it applies, else the full rule engine in {_update}. Both
    /// end in the same state and events; the fast path demands every rule of Path.Transfer, which
    /// includes whatever Approved and Forced check. `transfer` calls {_fastMove} itself (one
    /// internal call less on the operation the gas targets measure).
    function _move(address from, address to, uint256 value, Path path, uint256 fromEncumbered) internal {
        uint256 slowFlags = path == Path.Approved ? _CFG_SLOW_WHEN_APPROVED : _CFG_SLOW;
        if (!_fastMove(from, to, value, fromEncumbered, slowFlags)) _update(from, to, value, path, fromEncumbered);
    }

    /// @dev The common case of a holder movement, on the raw storage words (see the field offsets
    /// above): both parties active, unexpired, unfrozen, the recipient's class allowed, within the
    /// holder cap and the maximum balance; none of `slowFlags` set in the config (pause, QII-only
    /// resale, minimum holding, approval on a direct transfer), no running lock-up and no record
    /// date passed since either account last moved (a checkpoint due). It only SUCCEEDS where
    /// {_restriction} returns Success, and then writes and emits exactly what {_update} would; in
    /// any other case it returns false before writing anything and the full engine decides (and
    /// names the refusal). The eligible transfer is what the gas targets measure
    /// (docs/performance.md), hence words, OR-ed conditions and few branches.
    /// Virtual only so that the differential test's SecurityTokenSlowPath (contracts/testing/)
    /// can decline every movement and run the same scenarios on the rule engine alone.
    function _fastMove(address from, address to, uint256 value, uint256 fromEncumbered, uint256 slowFlags)
        internal
        virtual
        returns (bool moved)
    {
        address registry_ = address(_REGISTRY);
        // One pass that `break`s out (moved stays false) at the first condition the full engine
        // must look at.
        assembly ("memory-safe") {
            for {} 1 {} {
                let cfg := sload(_config.slot)
                {
                    let next := and(shr(_CFG_NEXT_RECORD_SHIFT, cfg), _UINT40)
                    if or(
                        or(and(cfg, slowFlags), gt(and(shr(_CFG_LOCK_UP_SHIFT, cfg), _UINT40), timestamp())),
                        or(and(iszero(iszero(next)), gt(timestamp(), next)), or(or(iszero(value), iszero(to)), eq(from, to)))
                    ) { break }
                }
                mstore(0x20, _accounts.slot)
                mstore(0x00, from)
                let fromSlot := keccak256(0x00, 0x40)
                let f := sload(fromSlot)
                mstore(0x00, to)
                let toSlot := keccak256(0x00, 0x40)
                let t := sload(toSlot)
                {
                    // A frozen wallet, too few free units, or a checkpoint due: an account behind
                    // the passed record count, except a recipient still at count 0 holding nothing
                    // (its history is empty).
                    let passed := shr(_CFG_PASSED_SHIFT, cfg)
                    let toCount := and(shr(_ACC_RECORD_SHIFT, t), _UINT16)
                    if or(
                        or(and(or(f, t), _ACC_FROZEN_BIT), lt(and(shr(_ACC_RECORD_SHIFT, f), _UINT16), passed)),
                        or(
                            and(lt(toCount, passed), iszero(iszero(or(toCount, and(t, _UINT96))))),
                            gt(sub(value, fromEncumbered), sub(and(f, _UINT96), and(shr(_ACC_ENCUMBERED_SHIFT, f), _UINT96)))
                        )
                    ) { break }
                }
                {
                    // Both records in one staticcall ({IInvestorRegistry-packedInvestorsOf}): both
                    // Active and unexpired, the recipient's class in allowedClasses.
                    let ptr := mload(0x40)
                    mstore(ptr, _PACKED_INVESTORS_OF)
                    mstore(add(ptr, 0x04), from)
                    mstore(add(ptr, 0x24), to)
                    if iszero(staticcall(gas(), registry_, ptr, 0x44, ptr, 0x40)) {
                        returndatacopy(ptr, 0, returndatasize())
                        revert(ptr, returndatasize())
                    }
                    let fr := mload(ptr)
                    let tr := mload(add(ptr, 0x20))
                    if iszero(
                        and(
                            and(
                                and(eq(and(shr(_STATUS_SHIFT, fr), _UINT8), 1), eq(and(shr(_STATUS_SHIFT, tr), _UINT8), 1)),
                                and(
                                    iszero(gt(timestamp(), and(shr(_KYC_EXPIRY_SHIFT, fr), _UINT40))),
                                    iszero(gt(timestamp(), and(shr(_KYC_EXPIRY_SHIFT, tr), _UINT40)))
                                )
                            ),
                            and(iszero(lt(returndatasize(), 0x40)), and(shr(and(shr(_CLASS_SHIFT, tr), _UINT8), and(cfg, _UINT8)), 1))
                        )
                    ) { break }
                }
                let joins := iszero(and(t, _UINT96))
                let leaves := eq(and(f, _UINT96), value)
                {
                    // A new holder while the sender stays must fit the cap (no cap: the count's
                    // own width, where the full engine's checked increment would fail).
                    let cap := and(shr(_CFG_HOLDER_CAP_SHIFT, cfg), _UINT24)
                    if iszero(cap) { cap := _UINT24 }
                    let maxBalance := and(shr(_CFG_MAX_BALANCE_SHIFT, cfg), _UINT48)
                    if or(
                        and(and(joins, iszero(leaves)), iszero(lt(and(shr(_CFG_HOLDER_COUNT_SHIFT, cfg), _UINT24), cap))),
                        and(iszero(iszero(maxBalance)), gt(add(and(t, _UINT96), value), maxBalance))
                    ) { break }
                }
                // No field underflows or overflows: value <= balance and fromEncumbered <=
                // encumbered (checked above / kept by callers); a balance stays below totalSupply,
                // a uint96; the holder count moves by at most one within its width. A first-time
                // recipient starts at the passed record count.
                sstore(fromSlot, sub(sub(f, value), shl(_ACC_ENCUMBERED_SHIFT, fromEncumbered)))
                {
                    let received := add(t, value)
                    if iszero(and(shr(_ACC_RECORD_SHIFT, t), _UINT16)) {
                        received := or(received, shl(_ACC_RECORD_SHIFT, shr(_CFG_PASSED_SHIFT, cfg)))
                    }
                    sstore(toSlot, received)
                }
                if xor(joins, leaves) { sstore(_config.slot, add(cfg, shl(_CFG_HOLDER_COUNT_SHIFT, sub(joins, leaves)))) }
                mstore(0x00, value)
                log3(0x00, 0x20, _TRANSFER_EVENT, from, to) // emit Transfer(from, to, value)
                moved := 1
                break
            }
        }
    }

    /// @dev The common case of an issue, on the raw storage words, as {_fastMove} is for a holder
    /// movement: no record date passed since the supply and the recipient last changed (no
    /// checkpoint due), the issue not redeemed, within the issue limit and the counters' widths,
    /// the recipient active, unexpired, unfrozen, of an allowed class, within the holder cap,
    /// the maximum balance and at or above the minimum holding. It only SUCCEEDS where
    /// {_restriction} returns Success for Path.Issue and {_changeSupply} would not revert, and
    /// then writes and emits exactly what {_update} would (the supply word, the recipient's
    /// account word, the holder count, {Transfer}); in any other case it returns false before
    /// writing anything and {_update} decides (and names the refusal). Issue to a new holder is
    /// a gas target (docs/performance.md). Virtual for the differential test's
    /// SecurityTokenSlowPath, which declines every issue.
    function _fastIssue(address to, uint256 value) internal virtual returns (bool done) {
        address registry_ = address(_REGISTRY);
        assembly ("memory-safe") {
            for {} 1 {} {
                let cfg := sload(_config.slot)
                let sup := sload(_supply.slot)
                let passed := shr(_CFG_PASSED_SHIFT, cfg)
                {
                    // A record date gone past (the engine advances the count), a supply
                    // checkpoint due, the issue redeemed, a zero value or recipient.
                    let next := and(shr(_CFG_NEXT_RECORD_SHIFT, cfg), _UINT40)
                    if or(
                        or(and(iszero(iszero(next)), gt(timestamp(), next)), lt(and(shr(_SUP_RECORD_SHIFT, sup), _UINT16), passed)),
                        or(and(shr(_SUP_REDEEMED_SHIFT, sup), _UINT8), or(iszero(value), iszero(to)))
                    ) { break }
                }
                {
                    // The value and the issued count after it within uint64 (so the sum cannot
                    // wrap) and the issue limit (0: none). The supply never exceeds the issued
                    // count, so it then fits its uint96 too.
                    let issuedAfter := add(and(shr(_SUP_ISSUED_SHIFT, sup), _UINT64), value)
                    let limit := and(shr(_SUP_LIMIT_SHIFT, sup), _UINT64)
                    if or(shr(64, or(value, issuedAfter)), and(iszero(iszero(limit)), gt(issuedAfter, limit))) { break }
                }
                mstore(0x20, _accounts.slot)
                mstore(0x00, to)
                let toSlot := keccak256(0x00, 0x40)
                let t := sload(toSlot)
                let held := and(t, _UINT96)
                let toCount := and(shr(_ACC_RECORD_SHIFT, t), _UINT16)
                {
                    // A frozen wallet, a checkpoint due (as in {_fastMove}), below the minimum
                    // holding (received is never 0) or above the maximum balance (0: none).
                    let received := add(held, value)
                    let maxBalance := and(shr(_CFG_MAX_BALANCE_SHIFT, cfg), _UINT48)
                    if or(
                        or(and(t, _ACC_FROZEN_BIT), and(lt(toCount, passed), iszero(iszero(or(toCount, held))))),
                        or(
                            lt(received, and(shr(_CFG_MIN_HOLDING_SHIFT, cfg), _UINT32)),
                            and(iszero(iszero(maxBalance)), gt(received, maxBalance))
                        )
                    ) { break }
                }
                {
                    // The recipient's record ({IInvestorRegistry-packedInvestorsOf} with no
                    // sender, as the engine asks for an issue): Active, unexpired, its class in
                    // allowedClasses.
                    let ptr := mload(0x40)
                    mstore(ptr, _PACKED_INVESTORS_OF)
                    mstore(add(ptr, 0x04), 0)
                    mstore(add(ptr, 0x24), to)
                    if iszero(staticcall(gas(), registry_, ptr, 0x44, ptr, 0x40)) {
                        returndatacopy(ptr, 0, returndatasize())
                        revert(ptr, returndatasize())
                    }
                    let tr := mload(add(ptr, 0x20))
                    if iszero(
                        and(
                            and(eq(and(shr(_STATUS_SHIFT, tr), _UINT8), 1), iszero(gt(timestamp(), and(shr(_KYC_EXPIRY_SHIFT, tr), _UINT40)))),
                            and(iszero(lt(returndatasize(), 0x40)), and(shr(and(shr(_CLASS_SHIFT, tr), _UINT8), and(cfg, _UINT8)), 1))
                        )
                    ) { break }
                }
                let joins := iszero(held)
                {
                    // A new holder must fit the cap (no cap: the count's own width, where the
                    // engine's checked increment would fail).
                    let cap := and(shr(_CFG_HOLDER_CAP_SHIFT, cfg), _UINT24)
                    if iszero(cap) { cap := _UINT24 }
                    if and(joins, iszero(lt(and(shr(_CFG_HOLDER_COUNT_SHIFT, cfg), _UINT24), cap))) { break }
                }
                // No field overflows: the sums were checked above and a balance stays below the
                // supply. A first-time recipient starts at the passed record count.
                sstore(_supply.slot, add(add(sup, value), shl(_SUP_ISSUED_SHIFT, value)))
                {
                    let word := add(t, value)
                    if iszero(toCount) { word := or(word, shl(_ACC_RECORD_SHIFT, passed)) }
                    sstore(toSlot, word)
                }
                if joins { sstore(_config.slot, add(cfg, shl(_CFG_HOLDER_COUNT_SHIFT, 1))) }
                mstore(0x00, value)
                log3(0x00, 0x20, _TRANSFER_EVENT, 0, to) // emit Transfer(address(0), to, value)
                done := 1
                break
            }
        }
    }

    /// The registry's packed records of `from` and `to` (0 for the zero address), for the rule
    /// engine and locks; {_fastMove} makes the same call in assembly.
    function _investorRecords(address from, address to) internal view returns (uint256, uint256) {
        return _REGISTRY.packedInvestorsOf(from, to);
    }

    /// Issue (increase) or redeem `value`; an issue counts towards the issue limit, which
    /// counts every unit ever issued (the term sheet's total issue amount), not the supply.
    function _changeSupply(uint256 value, bool increase, uint16 passed) private {
        Supply memory s = _supply;
        if (s.lastRecordCount < passed) {
            _checkpoint(_supplyHistory, s.lastRecordCount, s.totalSupply);
            s.lastRecordCount = passed;
        }
        if (increase) {
            uint256 issued = s.issued + value;
            if (s.issueLimit != 0 && issued > s.issueLimit) revert TokenIssueLimitExceeded(s.issueLimit, issued);
            s.issued = issued.toUint64();
            s.totalSupply = (s.totalSupply + value).toUint96();
        } else {
            s.totalSupply -= uint96(value);
            if (s.totalSupply == 0) {
                s.redeemed = true;
                emit TokenRedeemedAll(msg.sender);
            }
        }
        _supply = s;
    }

    /// Evaluates the rules for a movement of free units that has not happened yet.
    function _restrictionFor(address from, address to, uint256 value, Path path) internal view returns (Restriction) {
        return _restriction(from, to, value, path, 0, _loadConfig(), _account(from), _account(to));
    }

    function _loadConfig() internal view returns (Config memory) {
        return _config;
    }

    /// The account's slot in memory; the zero address (issue / redeem side) is never read.
    function _account(address account) internal view returns (Account memory acc) {
        if (account != address(0)) acc = _accounts[account];
    }

    function _requireAllowed(Restriction code, address from, address to, uint256 value) internal pure {
        if (code != Restriction.Success) revert TransferRestricted(code, from, to, value);
    }

    // ---------------------------------------------------------------- encumbrances
    // Account.encumbered (frozen + pending + locked) is written only here, in {_update} (the
    // part of a movement taken out of it) and in {_fastMove}: every other part of the token
    // calls these two checked helpers.

    /// Moves `value` free units of `account` into its encumbered part (freeze, lock, application,
    /// a recovered wallet's encumbrances). `to` is the counterparty named in the refusal (the
    /// lock address or recipient; 0 for a freeze).
    function _encumber(address account, uint256 value, address to) internal {
        if (value == 0) revert TokenZeroValue();
        Account memory acc = _account(account);
        if (value > acc.balance - acc.encumbered) {
            revert TransferRestricted(Restriction.InsufficientFreeBalance, account, to, value);
        }
        // Overflow not possible: value <= balance - encumbered, so the sum <= balance.
        unchecked {
            _accounts[account].encumbered = acc.encumbered + uint96(value);
        }
    }

    /// Returns `value` encumbered units of `account` to its free balance (unfreeze, unlock to
    /// itself, a closed application). Checked: reverts rather than underflow.
    function _release(address account, uint256 value) internal {
        _accounts[account].encumbered -= value.toUint96();
    }

    /// @dev The rule engine shared by every path and by {detectTransferRestriction}, so a refusal
    /// carries the same code whichever way it was reached. Returns the first rule that fails.
    function _restriction(
        address from,
        address to,
        uint256 value,
        Path path,
        uint256 fromEncumbered,
        Config memory cfg,
        Account memory f,
        Account memory t
    ) internal view returns (Restriction) {
        bool holderMove = path <= Path.Approved;
        if (holderMove && cfg.paused) return Restriction.TokenPaused;
        if (path == Path.Transfer && cfg.approvalRequired) return Restriction.ApprovalRequired;
        if (path == Path.Issue && _supply.redeemed) return Restriction.TokenRedeemed;
        bool receives = path != Path.Redeem;
        if (receives && to == address(0)) return Restriction.InvalidRecipient;

        if (holderMove || receives) {
            (uint256 fi, uint256 ti) =
                _investorRecords(holderMove ? from : address(0), receives ? to : address(0));
            if (holderMove) {
                Restriction c = _partyRestriction(fi, f.walletFrozen, true);
                if (c != Restriction.Success) return c;
            }
            if (receives) {
                Restriction c = _partyRestriction(ti, t.walletFrozen, false);
                if (c != Restriction.Success) return c;
                uint8 class = uint8(ti >> _CLASS_SHIFT);
                if ((cfg.allowedClasses >> class) & 1 == 0) return Restriction.RecipientClassNotAllowed;
                if (
                    cfg.qiiResaleOnly && (holderMove || path == Path.Forced)
                        && class != uint8(IInvestorRegistry.InvestorClass.QualifiedInstitutional)
                ) return Restriction.QiiResaleOnly;
            }
        }
        if (holderMove && block.timestamp < cfg.lockUpUntil) return Restriction.LockUpPeriod;
        if (from != address(0) && value - fromEncumbered > f.balance - f.encumbered) {
            return Restriction.InsufficientFreeBalance;
        }
        if (from == to) return Restriction.Success;
        return _holdingRestriction(from, value, path, cfg, f, t);
    }

    /// Registered, active, KYC unexpired, wallet not frozen: the same four checks for either side.
    /// `record` is the registry's packed record (see {IInvestorRegistry-packedInvestorsOf}).
    function _partyRestriction(uint256 record, bool walletFrozen, bool sender) internal view returns (Restriction) {
        uint8 status = uint8(record >> _STATUS_SHIFT);
        if (status == uint8(IInvestorRegistry.Status.None)) {
            return sender ? Restriction.SenderNotRegistered : Restriction.RecipientNotRegistered;
        }
        if (status != uint8(IInvestorRegistry.Status.Active)) {
            return sender ? Restriction.SenderNotActive : Restriction.RecipientNotActive;
        }
        if (block.timestamp > uint40(record >> _KYC_EXPIRY_SHIFT)) {
            return sender ? Restriction.SenderKycExpired : Restriction.RecipientKycExpired;
        }
        if (walletFrozen) return sender ? Restriction.SenderFrozen : Restriction.RecipientFrozen;
        return Restriction.Success;
    }

    /// Minimum holding, holder cap and maximum balance after the move.
    function _holdingRestriction(
        address from,
        uint256 value,
        Path path,
        Config memory cfg,
        Account memory f,
        Account memory t
    ) private pure returns (Restriction) {
        uint256 min = cfg.minHolding;
        if (min != 0) {
            if (path <= Path.Approved) {
                uint256 remaining = f.balance - value;
                if (remaining != 0 && remaining < min) return Restriction.BelowMinimumHolding;
            }
            if (path != Path.Redeem && path != Path.Recovery) {
                uint256 received = t.balance + value;
                if (received != 0 && received < min) return Restriction.BelowMinimumHolding;
            }
        }
        if (path == Path.Redeem) return Restriction.Success;
        if (cfg.holderCap != 0 && t.balance == 0 && value != 0) {
            bool senderLeaves = from != address(0) && f.balance == value;
            if (!senderLeaves && cfg.holderCount >= cfg.holderCap) return Restriction.HolderCapReached;
        }
        if (cfg.maxBalance != 0 && t.balance + value > cfg.maxBalance) return Restriction.MaxBalanceExceeded;
        return Restriction.Success;
    }
}
