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
/// @dev Every balance change flows through the one `_update` override; seizure alone applies its
/// own checks and then {_applyMove} (its sender is frozen by definition). Balances live in this
/// contract's account words (with the account's flags), not in ERC20's private mapping.
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

    /// One word per account: the balance in the low 240 bits, then the frozen flag (bit 240) and
    /// the system flag (bit 248: exempt from the eligibility check: settlement contracts, the bank's
    /// treasury, paying agents). A movement reads each party's flags with its balance, one slot
    /// per party as in a plain ERC-20 (they were two: -4,200 gas per transfer).
    uint256 private constant _BALANCE_MASK = (1 << 240) - 1;
    uint256 private constant _FROZEN = 1 << 240;
    uint256 private constant _SYSTEM = 1 << 248;

    /// @dev A minter's state. Fits into a single slot (16 + 1 bytes).
    struct MinterState {
        uint128 allowance;
        bool active;
    }

    Config private _config;
    mapping(address account => uint256) private _accounts;
    uint256 private _supply;
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

    /// The total supply would no longer fit an account word's 240-bit balance.
    error YenSupplyOverflow(uint256 supply);

    modifier onlyMinter() {
        if (!_minters[msg.sender].active) revert YenNotMinter(msg.sender);
        _;
    }

    function balanceOf(address account) public view override(ERC20, IERC20) returns (uint256) {
        return _accounts[account] & _BALANCE_MASK;
    }

    function totalSupply() public view override(ERC20, IERC20) returns (uint256) {
        return _supply;
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
        if (_isFrozen(msg.sender)) revert YenAccountFrozen(msg.sender);
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
        if (_isFrozen(account)) revert YenAccountFrozen(account);
        _accounts[account] |= _FROZEN;
        emit AccountFrozen(account, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function unfreeze(address account) external onlyRole(BLOCKLISTER_ROLE) {
        if (!_isFrozen(account)) revert YenAccountNotFrozen(account);
        _accounts[account] &= ~_FROZEN;
        emit AccountUnfrozen(account, msg.sender);
    }

    /// @inheritdoc IYenCoin
    function isFrozen(address account) external view returns (bool) {
        return _isFrozen(account);
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
        if (!_isFrozen(account)) revert YenAccountNotFrozen(account);
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        uint256 toWord = _checkReceiver(to, config);
        amount = balanceOf(account);
        if (amount == 0) revert YenZeroAmount();
        _applyMove(account, to, amount, _accounts[account], toWord);
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
        if ((_accounts[account] & _SYSTEM != 0) == exempt) revert YenUnchanged();
        _accounts[account] ^= _SYSTEM;
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
        return _accounts[account] & _SYSTEM != 0;
    }

    // ------------------------------------------------------------------ the one hook

    /// @dev The rules of every mint, burn, redemption, transfer and signed transfer: not paused,
    /// neither party frozen, in eligibility mode both parties eligible or system accounts, and
    /// never to the coin contract itself. One config slot plus one flags slot per party.
    function _update(address from, address to, uint256 value) internal override {
        Config memory config = _config;
        if (config.paused) revert YenPaused();
        uint256 fromWord;
        uint256 toWord;
        if (from != address(0)) {
            fromWord = _accounts[from];
            _checkParty(from, fromWord, config);
        }
        if (to != address(0)) toWord = _checkReceiver(to, config);
        _applyMove(from, to, value, fromWord, toWord);
    }

    /// @dev ERC20's own `_update` on the account words: the supply for a mint or burn, the
    /// balance fields otherwise (ERC20InsufficientBalance as OpenZeppelin's). `fromWord` and
    /// `toWord` are the parties' words as read by the caller.
    function _applyMove(address from, address to, uint256 value, uint256 fromWord, uint256 toWord) private {
        if (from == address(0)) {
            uint256 supply = _supply + value;
            if (supply > _BALANCE_MASK) revert YenSupplyOverflow(supply);
            _supply = supply;
        } else {
            uint256 balance = fromWord & _BALANCE_MASK;
            if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
            // Underflow not possible: value <= the balance field, so no flag bit is borrowed.
            unchecked {
                _accounts[from] = fromWord - value;
            }
            if (to == from) toWord = fromWord - value;
        }
        // Overflow not possible: every balance is at most the supply, below 2^240, so the field
        // never carries into the flags; a burn takes at most a balance out of the supply.
        unchecked {
            if (to == address(0)) _supply -= value;
            else _accounts[to] = toWord + value;
        }
        emit Transfer(from, to, value);
    }

    /// @dev New approvals (approve, permit) need an unpaused coin and neither side frozen.
    /// Allowance spent by transferFrom (emitEvent == false) is checked in {_spendAllowance}.
    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (emitEvent) {
            if (_config.paused) revert YenPaused();
            if (_isFrozen(owner)) revert YenAccountFrozen(owner);
            if (_isFrozen(spender)) revert YenAccountFrozen(spender);
        }
        super._approve(owner, spender, value, emitEvent);
    }

    /// @dev A frozen spender cannot use allowances granted before it was frozen.
    function _spendAllowance(address owner, address spender, uint256 value) internal override {
        if (_isFrozen(spender)) revert YenAccountFrozen(spender);
        super._spendAllowance(owner, spender, value);
    }

    /// Checks `to` may receive and returns its account word.
    function _checkReceiver(address to, Config memory config) private view returns (uint256 word) {
        if (to == address(this)) revert ERC20InvalidReceiver(to);
        word = _accounts[to];
        _checkParty(to, word, config);
    }

    function _checkParty(address account, uint256 word, Config memory config) private view {
        if (word & _FROZEN != 0) revert YenAccountFrozen(account);
        if (config.eligibilityRequired && word & _SYSTEM == 0 && !config.registry.isEligible(account)) {
            revert YenNotEligible(account);
        }
    }

    function _isFrozen(address account) private view returns (bool) {
        return _accounts[account] & _FROZEN != 0;
    }
}
