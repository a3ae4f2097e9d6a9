// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IBatchSettlement
/// @notice Settles a venue's (PTS) execution batch all or nothing. Sellers lock their
/// securities to the venue's settlement contract in advance; payers give it a coin allowance.
/// Security legs move per trade from the seller's lock to the buyer under every rule of the
/// token; yen legs are netted so each participant pays or receives once. The contract holds
/// yen only inside a batch and none after it. The batch names wallets only.
interface IBatchSettlement {
    /// @dev One matched trade; parties and security by index into the batch's arrays, so
    /// netting is one pass. The types bound every sum (2^32 trades of < 2^128 yen fit int256).
    struct Trade {
        uint32 seller; // index into participants
        uint32 buyer; // index into participants
        uint32 token; // index into tokens
        uint96 quantity; // security units
        uint128 amount; // yen
    }

    error BatchAlreadySettled(bytes32 batchId);
    error BatchEmpty(bytes32 batchId);
    /// Participants must be strictly ascending addresses: no participant appears twice.
    error BatchParticipantsNotSorted(uint256 index);
    error BatchInvalidTrade(uint256 index);
    error BatchApprovalRequired(uint256 index, address token, address agent);
    /// The security leg of trade `index` failed; `reason` is the token's revert data.
    error BatchTradeFailed(uint256 index, bytes reason);
    error BatchPaymentFailed(uint256 participant, address wallet, uint256 amount, uint256 allowance, uint256 balance);
    error BatchPayoutFailed(uint256 participant, address wallet, uint256 amount);
    error BatchYenNotBalanced(uint256 before, uint256 afterwards);
    error BatchInvalidAddress();
    /// Trade tokens must be the platform's own (listed in the registry).
    error BatchNotPlatformToken(uint256 tokenIndex, address token);

    /// @notice `trades` trades among `participants` wallets settled; `yenMoved` is the sum of
    /// the net payments (what actually moved, against `grossYen` traded).
    event BatchSettled(
        bytes32 indexed batchId, address indexed agent, uint256 trades, uint256 participants, uint256 grossYen, uint256 yenMoved
    );

    function coin() external view returns (address);

    function isSettled(bytes32 batchId) external view returns (bool);

    /// @notice Settles every trade or none. Requirements: caller holds the agent role; batch id
    /// not settled before; participants strictly ascending; for a token that needs the
    /// issuer's approval the caller is also an issuer agent of it. Emits {BatchSettled}.
    function settleBatch(bytes32 batchId, address[] calldata participants, address[] calldata tokens, Trade[] calldata trades)
        external;

    /// @notice A participant takes back `value` of its own lock on `token` (e.g. no open orders).
    function withdraw(address token, uint256 value) external;
}
