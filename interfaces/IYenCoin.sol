// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC3009} from "./IERC3009.sol";
import {IInvestorRegistry} from "./IInvestorRegistry.sol";

/// @title IYenCoin
/// @notice A trust-type yen stablecoin (1 unit = 1 yen, decimals 0) issued by a trust bank.
/// Settlement contracts and venues need only IERC20 (+ optionally IERC20Permit / IERC3009), so
/// another bank's coin can be plugged in; the rest is the bank's operating surface (see docs/yen-coin.md).
interface IYenCoin is IERC20Metadata, IERC20Permit, IERC3009 {
    // ---------------------------------------------------------------- errors
    /// @notice Every balance change and new approval is stopped while the coin is paused.
    error YenPaused();
    error YenNotPaused();
    /// @notice `account` is frozen: it can neither send, receive, approve nor spend an allowance.
    error YenAccountFrozen(address account);
    error YenAccountNotFrozen(address account);
    /// @notice Eligibility mode is on and `account` is neither eligible in the registry nor a system account.
    error YenNotEligible(address account);
    /// @notice `caller` is not a configured minter.
    error YenNotMinter(address caller);
    /// @notice The minter `minter` may mint only `allowance` more, not `amount`.
    error YenMintAllowanceExceeded(address minter, uint256 allowance, uint256 amount);
    /// @notice Minter allowances are kept in 128 bits.
    error YenMinterAllowanceTooLarge(uint256 allowance);
    error YenZeroAmount();
    error YenZeroAddress();
    /// @notice A redemption needs the bank account reference the trust bank pays the yen out to.
    error YenMissingBankAccountRef();
    /// @notice Eligibility mode cannot be on without a registry.
    error YenRegistryNotSet();
    /// @notice The setting already has the requested value: nothing would change.
    error YenUnchanged();

    // ---------------------------------------------------------------- events
    event MinterConfigured(address indexed minter, uint256 allowance, address indexed masterMinter);
    event MinterRemoved(address indexed minter, address indexed masterMinter);
    /// @notice `minter` created `amount` yen for `to` (its allowance fell by `amount`).
    event Mint(address indexed minter, address indexed to, uint256 amount);
    /// @notice `burner` (a minter) destroyed `amount` yen it held, e.g. coins returned for redemption.
    event Burn(address indexed burner, uint256 amount);
    /// @notice `holder` burned `amount` yen; the trust bank pays `amount` yen to the bank account
    /// identified by `bankAccountRef`. `redemptionId` is unique and increasing: the bank's key.
    event RedemptionRequested(address indexed holder, uint256 amount, bytes32 bankAccountRef, uint256 indexed redemptionId);
    event Paused(address account);
    event Unpaused(address account);
    event AccountFrozen(address indexed account, address indexed blocklister);
    event AccountUnfrozen(address indexed account, address indexed blocklister);
    /// @notice The whole balance `amount` of the frozen `account` was moved to `to` under `reason`
    /// (e.g. the hash or reference of a court order).
    event FrozenBalanceSeized(address indexed account, address indexed to, uint256 amount, bytes32 reason, address seizer);
    event TokensRescued(address indexed token, address indexed to, uint256 amount, address rescuer);
    event RegistryChanged(IInvestorRegistry indexed previousRegistry, IInvestorRegistry indexed newRegistry);
    event EligibilityModeChanged(bool required, address admin);
    /// @notice `account` is (or no longer is) a system account exempt from the eligibility check.
    event SystemAccountSet(address indexed account, bool exempt, address admin);

    // ---------------------------------------------------------------- supply
    /// @notice Sets `minter`'s remaining mint allowance (adds it as a minter if new). MASTER_MINTER only.
    function configureMinter(address minter, uint256 allowance) external;

    function removeMinter(address minter) external;

    function isMinter(address account) external view returns (bool);

    function minterAllowance(address minter) external view returns (uint256);

    /// @notice Mints `amount` to `to` within the caller's minter allowance.
    function mint(address to, uint256 amount) external;

    /// @notice A minter burns `amount` of its own balance (coins the bank holds after redemption).
    function burn(uint256 amount) external;

    /// @notice Burns `amount` of the caller's coins and asks the trust bank to pay `amount` yen
    /// to `bankAccountRef`. Returns the redemption id carried by {RedemptionRequested}.
    function redeem(uint256 amount, bytes32 bankAccountRef) external returns (uint256 redemptionId);

    // ---------------------------------------------------------------- controls
    function pause() external;

    function unpause() external;

    function paused() external view returns (bool);

    function freeze(address account) external;

    function unfreeze(address account) external;

    function isFrozen(address account) external view returns (bool);

    /// @notice Moves the whole balance of the frozen `account` to `to`. SEIZER only.
    function seizeFrozen(address account, address to, bytes32 reason) external returns (uint256 amount);

    /// @notice Returns `amount` of an outside ERC-20 `token` sent here by mistake to `to`. RESCUER only.
    function rescueERC20(address token, address to, uint256 amount) external;

    // ---------------------------------------------------------------- eligibility
    function setRegistry(IInvestorRegistry registry) external;

    function setEligibilityRequired(bool required) external;

    function setSystemAccount(address account, bool exempt) external;

    function registry() external view returns (IInvestorRegistry);

    function eligibilityRequired() external view returns (bool);

    function isSystemAccount(address account) external view returns (bool);

    /// @notice Redemptions requested so far (the next id is this plus one).
    function redemptionCount() external view returns (uint256);
}
