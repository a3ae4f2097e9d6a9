// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IPlatformTokens} from "../../interfaces/IPlatformTokens.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {ILockReceiver} from "../../interfaces/ILockReceiver.sol";
import {IBatchSettlement} from "../../interfaces/IBatchSettlement.sol";

/// @title BatchSettlement
/// @notice One venue's (PTS) settlement contract: its settlement agents submit execution
/// batches that settle all or nothing, securities per trade, yen netted per participant.
/// @dev Deployed once per venue; the venue holds the admin role and grants {AGENT_ROLE}.
/// Issuers authorise it as a lock address on each token the venue may trade. A token that
/// needs the issuer's approval is settled only when the submitting agent is also an issuer
/// agent of it (the submission is then the approval), and only if the token authorised this
/// contract with `carriesApproval`; otherwise the trade fails with its index. Every token of a
/// batch must be one of the platform's (listed in the registry), so the yen a batch pulls is the
/// netted price of units that really moved from sellers' locks to buyers.
contract BatchSettlement is IBatchSettlement, ILockReceiver, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");

    IERC20 private immutable _COIN;
    IPlatformTokens private immutable _REGISTRY;
    mapping(bytes32 batchId => bool) private _settled;

    constructor(address coin_, address registry_, address venue) {
        if (coin_ == address(0) || registry_ == address(0) || venue == address(0)) revert BatchInvalidAddress();
        _COIN = IERC20(coin_);
        _REGISTRY = IPlatformTokens(registry_);
        _grantRole(DEFAULT_ADMIN_ROLE, venue);
    }

    /// @notice Locks to the venue are participants' standing authorisations: nothing to record.
    function onTokensLocked(address, uint256, bytes calldata) external pure returns (bytes4) {
        return ILockReceiver.onTokensLocked.selector;
    }

    /// @inheritdoc IBatchSettlement
    function settleBatch(bytes32 batchId, address[] calldata participants, address[] calldata tokens, Trade[] calldata trades)
        external
        nonReentrant
        onlyRole(AGENT_ROLE)
    {
        if (_settled[batchId]) revert BatchAlreadySettled(batchId);
        if (trades.length == 0) revert BatchEmpty(batchId);
        for (uint256 i = 1; i < participants.length; ++i) {
            if (participants[i] <= participants[i - 1]) revert BatchParticipantsNotSorted(i);
        }
        _settled[batchId] = true;

        bool[] memory refused = _approvalRefused(tokens);
        int256[] memory net = new int256[](participants.length);
        uint256 gross;
        for (uint256 i = 0; i < trades.length; ++i) {
            Trade calldata trade = trades[i];
            _checkTrade(i, trade, participants.length, tokens.length);
            if (refused[trade.token]) revert BatchApprovalRequired(i, tokens[trade.token], msg.sender);
            // Overflow not possible: |net| and gross are at most 2^32 trades * 2^128 yen < 2^255.
            unchecked {
                net[trade.seller] += int256(uint256(trade.amount));
                net[trade.buyer] -= int256(uint256(trade.amount));
                gross += trade.amount;
            }
            _deliver(batchId, i, trade, participants, tokens[trade.token]);
        }
        uint256 moved = _settleYen(participants, net);
        emit BatchSettled(batchId, msg.sender, trades.length, participants.length, gross, moved);
    }

    /// @inheritdoc IBatchSettlement
    function withdraw(address token, uint256 value) external nonReentrant {
        ISecurityToken(token).unlock(msg.sender, msg.sender, value, "");
    }

    /// @notice The registry this contract takes the platform's tokens from.
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc IBatchSettlement
    function coin() external view returns (address) {
        return address(_COIN);
    }

    /// @inheritdoc IBatchSettlement
    function isSettled(bytes32 batchId) external view returns (bool) {
        return _settled[batchId];
    }

    /// @dev The security leg of trade `index`: the seller's lock to the buyer, under every rule
    /// of the token; a failure reverts the batch with the index and the token's own error.
    function _deliver(bytes32 batchId, uint256 index, Trade calldata trade, address[] calldata participants, address token)
        private
    {
        try ISecurityToken(token).unlock(
            participants[trade.seller], participants[trade.buyer], trade.quantity, abi.encode(batchId, index, trade.amount)
        ) {} catch (bytes memory reason) {
            revert BatchTradeFailed(index, reason);
        }
    }

    /// @dev Pulls every net payer's amount, then pays every net receiver; the nets sum to zero,
    /// so the contract ends holding exactly what it held before (checked).
    function _settleYen(address[] calldata participants, int256[] memory net) private returns (uint256 moved) {
        uint256 before = _COIN.balanceOf(address(this));
        for (uint256 p = 0; p < net.length; ++p) {
            if (net[p] >= 0) continue;
            uint256 amount = uint256(-net[p]);
            moved += amount;
            if (!_COIN.trySafeTransferFrom(participants[p], address(this), amount)) {
                revert BatchPaymentFailed(
                    p, participants[p], amount, _COIN.allowance(participants[p], address(this)), _COIN.balanceOf(participants[p])
                );
            }
        }
        for (uint256 p = 0; p < net.length; ++p) {
            if (net[p] <= 0) continue;
            if (!_COIN.trySafeTransfer(participants[p], uint256(net[p]))) {
                revert BatchPayoutFailed(p, participants[p], uint256(net[p]));
            }
        }
        uint256 afterwards = _COIN.balanceOf(address(this));
        if (afterwards != before) revert BatchYenNotBalanced(before, afterwards);
    }

    /// @dev For each token: true when it needs the issuer's approval and the caller cannot give it.
    /// Reverts at the first token that is not the platform's.
    function _approvalRefused(address[] calldata tokens) private view returns (bool[] memory refused) {
        refused = new bool[](tokens.length);
        for (uint256 t = 0; t < tokens.length; ++t) {
            if (!_REGISTRY.isPlatformToken(tokens[t])) revert BatchNotPlatformToken(t, tokens[t]);
            ISecurityToken token = ISecurityToken(tokens[t]);
            refused[t] = token.approvalRequired() && !token.isAgent(msg.sender);
        }
    }

    function _checkTrade(uint256 index, Trade calldata trade, uint256 participantCount, uint256 tokenCount) private pure {
        if (
            trade.seller >= participantCount || trade.buyer >= participantCount || trade.token >= tokenCount
                || trade.seller == trade.buyer || trade.quantity == 0 || trade.amount == 0
        ) revert BatchInvalidTrade(index);
    }
}
