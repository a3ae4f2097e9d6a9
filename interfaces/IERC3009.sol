// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IERC3009
/// @notice EIP-3009 "Transfer With Authorization": the holder signs an EIP-712 message off-chain and
/// anyone (a relayer, a venue, a settlement agent) submits it. Nonces are random bytes32 values kept
/// in a used-nonce map, so authorizations may be created and used in any order.
interface IERC3009 {
    /// @notice The authorization `nonce` of `authorizer` was used for a transfer.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    /// @notice `authorizer` cancelled the unused authorization `nonce`.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /// @notice The authorization is only valid after `validAfter`; the block time is `blockTime`.
    error AuthorizationNotYetValid(uint256 validAfter, uint256 blockTime);
    /// @notice The authorization was valid only before `validBefore`; the block time is `blockTime`.
    error AuthorizationExpired(uint256 validBefore, uint256 blockTime);
    /// @notice `nonce` of `authorizer` was already used or cancelled.
    error AuthorizationAlreadyUsed(address authorizer, bytes32 nonce);
    /// @notice The signature was not made by `authorizer` (EOA key or ERC-1271 wallet).
    error AuthorizationInvalidSignature(address authorizer);
    /// @notice receiveWithAuthorization must be called by the payee `payee`, not `caller`.
    error AuthorizationCallerNotPayee(address caller, address payee);

    /// @notice True when `nonce` of `authorizer` has been used or cancelled.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);

    /// @notice Moves `value` from `from` to `to` on `from`'s signed authorization.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As above with a packed or ERC-1271 signature (contract wallets).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Like transferWithAuthorization, but only the payee `to` may submit it (prevents
    /// front-running a deposit into a contract that pulls the authorization).
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Cancels an unused authorization of `authorizer`, signed by `authorizer`.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external;
}
