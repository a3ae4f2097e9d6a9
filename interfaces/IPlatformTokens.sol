// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IPlatformTokens
/// @notice The platform's list of its own security tokens, kept by the platform admin in the
/// investor registry (`ape run issue` lists each token it deploys). Every contract that moves
/// yen or units on someone's behalf (PrimaryOffering, DvPSettlement, BatchSettlement,
/// CorporateActions) deals only in listed tokens, and takes investors' wallets and tax status
/// from this registry, never from a registry a token names (docs/settlement.md, "Platform tokens").
interface IPlatformTokens {
    error RegistryTokenNotBound(address token, address tokenRegistry);

    /// @notice `token` was listed (or delisted) by `admin`.
    event PlatformTokenListed(address indexed token, bool listed, address indexed admin);

    /// @notice Lists (or delists) `token` as one of the platform's securities (platform admin).
    /// A token is listed only if it reads this registry; delisting stops new offerings,
    /// settlement instructions, venue batches and payment declarations in it, and nothing else.
    function setPlatformToken(address token, bool listed) external;

    function isPlatformToken(address token) external view returns (bool);
}
