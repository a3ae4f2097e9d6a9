// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ERC20Authorizations} from "./ERC20Authorizations.sol";
import {IYenCoin} from "../../interfaces/IYenCoin.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";

/// @title YenCoin
/// @notice A trust-type yen stablecoin: 1 unit = 1 yen (decimals 0), minted by the trust bank's
/// minters within allowances, redeemed by burning with a bank account reference. Pause, blocklist
/// (freeze) with seizure of frozen balances, rescue of stray tokens, EIP-2612 permit and EIP-3009
/// signed transfers. Optionally only holders eligible in the investor registry (plus system
/// accounts such as the settlement contract) may hold it. See docs/yen-coin.md.
/// @dev Every balance change flows through the one `_update` override; seizure alone calls
/// `ERC20._update` directly after applying its own checks (its sender is frozen by definition).
contract YenCoin is ERC20Permit, ERC20Authorizations, AccessControl, ReentrancyGuard, IYenCoin {
    using SafeERC20 for IERC20;

    bytes32 public constant MASTER_MINTER_ROLE = keccak256("MASTER_MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant BLOCKLISTER_ROLE = keccak256("BLOCKLISTER_ROLE");
    bytes32 public constant SEIZER_ROLE = keccak256("SEIZER_ROLE");
    bytes32 public constant RESCUER_ROLE = keccak256("RESCUER_ROLE");

    /// @dev What the transfer path reads once per movement. Fits into a single slot (20 + 1 + 1 bytes).
    struct Config {
        IInvestorRegistry registry;
        bool paused;
        bool eligibilityRequired;
    }

    /// @dev Per-account flags read on every movement. Fits into a single slot (1 + 1 bytes).
    struct AccountFlags {
        bool frozen;
        bool system; // exempt from the eligibility check (settlement contract, bank treasury, paying agents)
    }

    /// @dev A minter's state. Fits into a single slot (16 + 1 bytes).
    struct MinterState {
        uint128 allowance;
        bool active;
    }

    Config private _config;
    mapping(address account => AccountFlags) private _flags;
    mapping(address minter => MinterState) private _minters;
    uint256 private _redemptionCount;

    /// @param name_ token name, also the EIP-712 domain name (version "1")
    /// @param admin receives DEFAULT_ADMIN_ROLE and hands out every other role
    /// @param registry_ the investor registry (zero to run open until one is set)
    constructor(string memory name_, string memory symbol_, address admin, IInvestorRegistry registry_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        if (admin == address(0)) revert YenZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _config.registry = registry_;
        emit RegistryChanged(IInvestorRegistry(address(0)), registry_);
    }

    modifier onlyMinter() {
        if (!_minters[msg.sender].active) revert YenNotMinter(msg.sender);
        _;
    }

    /// @notice One unit is one yen.
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 0;
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    // ------------------------------------------------------------------ supply

    /// @inheritdoc IYenCoin
    function configureMinter(address minter, uint256 allowance) external onlyRole(MASTER_MINTER_ROLE) {
        if (minter == address(0)) revert YenZeroAddress();
        if (allowance > type(uint128).max) revert YenMinterAllowanceTooLarge(allowance);
        _minters[minter] = MinterState({allowance: uint128(allowance), active: true});
        emit MinterConfigured(minter, allowance, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function removeMinter(address minter) external onlyRole(MASTER_MINTER_ROLE) {
        if (!_minters[minter].active) revert YenNotMinter(minter);
        delete _minters[minter];
        emit MinterRemoved(minter, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function isMinter(address account) external view returns (bool) {
        return _minters[account].active;
    }

    /// @inheritdoc IYenCoin
    function minterAllowance(address minter) external view returns (uint256) {
        return _minters[minter].allowance;
    }

    /// @inheritdoc IYenCoin
    /// @dev Requirements: caller is an unfrozen minter, 0 < amount <= its allowance, and `to`
    /// may receive. Emits {Mint} and {Transfer}.
    function mint(address to, uint256 amount) external onlyMinter {
        if (amount == 0) revert YenZeroAmount();
        if (_flags[msg.sender].frozen) revert YenAccountFrozen(msg.sender);
        uint256 allowance = _minters[msg.sender].allowance;
        if (amount > allowance) revert YenMintAllowanceExceeded(msg.sender, allowance, amount);
        // Cannot underflow and fits in 128 bits: amount <= allowance <= type(uint128).max.
        _minters[msg.sender].allowance = uint128(allowance - amount);
        _mint(to, amount);
        emit Mint(msg.sender, to, amount);
    }

    /// @inheritdoc IYenCoin
    function burn(uint256 amount) external onlyMinter {
        if (amount == 0) revert YenZeroAmount();
        _burn(msg.sender, amount);
        emit Burn(msg.sender, amount);
    }

    /// @inheritdoc IYenCoin
    /// @dev The holder must be able to send (not paused, not frozen, eligible in eligibility mode).
    /// Emits {Transfer} (to zero) and {RedemptionRequested}.
    function redeem(uint256 amount, bytes32 bankAccountRef) external returns (uint256 redemptionId) {
        if (amount == 0) revert YenZeroAmount();
        if (bankAccountRef == bytes32(0)) revert YenMissingBankAccountRef();
        redemptionId = ++_redemptionCount;
        _burn(msg.sender, amount);
        emit RedemptionRequested(msg.sender, amount, bankAccountRef, redemptionId);
    }

    /// @inheritdoc IYenCoin
    function redemptionCount() external view returns (uint256) {
        return _redemptionCount;
    }

    // ------------------------------------------------------------------ controls

    /// @inheritdoc IYenCoin
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_config.paused) revert YenPaused();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IYenCoin
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_config.paused) revert YenNotPaused();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IYenCoin
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IYenCoin
    function freeze(address account) external onlyRole(BLOCKLISTER_ROLE) {
        if (_flags[account].frozen) revert YenAccountFrozen(account);
        _flags[account].frozen = true;
        emit AccountFrozen(account, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function unfreeze(address account) external onlyRole(BLOCKLISTER_ROLE) {
        if (!_flags[account].frozen) revert YenAccountNotFrozen(account);
        _flags[account].frozen = false;
        emit AccountUnfrozen(account, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function isFrozen(address account) external view returns (bool) {
        return _flags[account].frozen;
    }

    /// @inheritdoc IYenCoin
    /// @dev Requirements: not paused, `account` frozen with a non-zero balance, `to` may receive.
    /// The account stays frozen. Emits {Transfer} and {FrozenBalanceSeized}.
    function seizeFrozen(address account, address to, bytes32 reason)
        external
        onlyRole(SEIZER_ROLE)
        returns (uint256 amount)
    {
        Config memory config = _config;
        if (config.paused) revert YenPaused();
        if (!_flags[account].frozen) revert YenAccountNotFrozen(account);
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        _checkReceiver(to, config);
        amount = balanceOf(account);
        if (amount == 0) revert YenZeroAmount();
        ERC20._update(account, to, amount);
        emit FrozenBalanceSeized(account, to, amount, reason, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function rescueERC20(address token, address to, uint256 amount) external onlyRole(RESCUER_ROLE) nonReentrant {
        if (to == address(0)) revert YenZeroAddress();
        IERC20(token).safeTransfer(to, amount);
        emit TokensRescued(token, to, amount, msg.sender);
    }

    // ------------------------------------------------------------------ eligibility

    /// @inheritdoc IYenCoin
    function setRegistry(IInvestorRegistry registry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        IInvestorRegistry previous = _config.registry;
        if (registry_ == previous) revert YenUnchanged();
        if (address(registry_) == address(0) && _config.eligibilityRequired) revert YenRegistryNotSet();
        _config.registry = registry_;
        emit RegistryChanged(previous, registry_);
    }

    /// @inheritdoc IYenCoin
    function setEligibilityRequired(bool required) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Config memory config = _config;
        if (config.eligibilityRequired == required) revert YenUnchanged();
        if (required && address(config.registry) == address(0)) revert YenRegistryNotSet();
        _config.eligibilityRequired = required;
        emit EligibilityModeChanged(required, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function setSystemAccount(address account, bool exempt) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (account == address(0)) revert YenZeroAddress();
        if (_flags[account].system == exempt) revert YenUnchanged();
        _flags[account].system = exempt;
        emit SystemAccountSet(account, exempt, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function registry() external view returns (IInvestorRegistry) {
        return _config.registry;
    }

    /// @inheritdoc IYenCoin
    function eligibilityRequired() external view returns (bool) {
        return _config.eligibilityRequired;
    }

    /// @inheritdoc IYenCoin
    function isSystemAccount(address account) external view returns (bool) {
        return _flags[account].system;
    }

    // ------------------------------------------------------------------ the one hook

    /// @dev The rules of every mint, burn, redemption, transfer and signed transfer: not paused,
    /// neither party frozen, in eligibility mode both parties eligible or system accounts, and
    /// never to the coin contract itself. One config slot plus one flags slot per party.
    function _update(address from, address to, uint256 value) internal override {
        Config memory config = _config;
        if (config.paused) revert YenPaused();
        if (from != address(0)) _checkParty(from, config);
        if (to != address(0)) _checkReceiver(to, config);
        super._update(from, to, value);
    }

    /// @dev New approvals (approve, permit) need an unpaused coin and neither side frozen.
    /// Allowance spent by transferFrom (emitEvent == false) is checked in {_spendAllowance}.
    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (emitEvent) {
            if (_config.paused) revert YenPaused();
            if (_flags[owner].frozen) revert YenAccountFrozen(owner);
            if (_flags[spender].frozen) revert YenAccountFrozen(spender);
        }
        super._approve(owner, spender, value, emitEvent);
    }

    /// @dev A frozen spender cannot use allowances granted before it was frozen.
    function _spendAllowance(address owner, address spender, uint256 value) internal override {
        if (_flags[spender].frozen) revert YenAccountFrozen(spender);
        super._spendAllowance(owner, spender, value);
    }

    function _checkReceiver(address to, Config memory config) private view {
        if (to == address(this)) revert ERC20InvalidReceiver(to);
        _checkParty(to, config);
    }

    function _checkParty(address account, Config memory config) private view {
        AccountFlags memory flags = _flags[account];
        if (flags.frozen) revert YenAccountFrozen(account);
        if (config.eligibilityRequired && !flags.system && !config.registry.isEligible(account)) {
            revert YenNotEligible(account);
        }
    }
}
