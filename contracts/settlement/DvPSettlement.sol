// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {IPlatformTokens} from "../../interfaces/IPlatformTokens.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {ILockReceiver} from "../../interfaces/ILockReceiver.sol";
import {ISettlement} from "../../interfaces/ISettlement.sol";

/// @title DvPSettlement
/// @notice Bilateral delivery versus payment: the seller's lock carries the instruction, the
/// buyer's acceptance moves both legs atomically, an issuer agent approves where the token
/// needs it, and cancel / refuse / reject / expiry return the lock to the seller.
/// @dev Tokens authorise this contract with `authorizeLockAddress(this, true, true)`: it may
/// unlock to another investor on approval-required tokens because it runs the approval step
/// itself. Its holdings on a token are exactly the locks of open instructions: every lock to it
/// arrives through {onTokensLocked}, which opens one instruction for it, and every close
/// unlocks it. Only the status of an open instruction is stored (one slot, deleted when it
/// settles or closes: the events are the record); the instruction itself is calldata.
/// Only the platform's tokens (listed in the registry) can open instructions, and the whole
/// instruction follows the parties' investors: the seller's or buyer's current wallet in the
/// registry accepts, cancels or refuses, pays and receives (yen, units or the returned lock),
/// a replaced wallet's key can do nothing.
contract DvPSettlement is ISettlement, ILockReceiver, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Length of the abi-encoded (buyer, amount, expiry, salt) a lock carries.
    uint256 private constant _LOCK_DATA_LENGTH = 128;

    /// ERC-1404 codes of a buyer the token would refuse whoever sells (see {approve}).
    uint256 private constant _BUYER_CODES = (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11) | (1 << 16);

    IERC20 private immutable _COIN;
    IInvestorRegistry private immutable _REGISTRY;
    mapping(bytes32 id => Status) private _status;

    constructor(address coin_, address registry_) {
        if (coin_ == address(0) || registry_ == address(0)) revert SettlementInvalidCoin();
        _COIN = IERC20(coin_);
        _REGISTRY = IInvestorRegistry(registry_);
    }

    /// @notice Opens an instruction for a lock: the calling token is the security, `account`
    /// the seller, `value` the quantity, `data` the rest (see {encodeInstruction}).
    /// @dev Only a platform token may call (one registry read; the token's lock has just read
    /// the same registry): nobody else can emit an instruction naming any seller.
    function onTokensLocked(address account, uint256 value, bytes calldata data) external returns (bytes4) {
        if (!IPlatformTokens(address(_REGISTRY)).isPlatformToken(msg.sender)) revert SettlementNotPlatformToken(msg.sender);
        if (data.length != _LOCK_DATA_LENGTH) revert SettlementInvalidLockData(data.length);
        (address buyer, uint256 amount, uint40 expiry, bytes32 salt) = abi.decode(data, (address, uint256, uint40, bytes32));
        if (buyer == address(0) || buyer == account) revert SettlementInvalidBuyer(buyer);
        if (value == 0 || amount == 0) revert SettlementZeroValue(value, amount);
        if (expiry <= block.timestamp) revert SettlementInvalidExpiry(expiry, block.timestamp);
        bytes32 id = keccak256(abi.encode(Instruction(msg.sender, account, buyer, value, amount, expiry, salt)));
        if (_status[id] != Status.None) revert SettlementExists(id);
        _status[id] = Status.Open;
        emit Instructed(id, msg.sender, account, buyer, value, amount, expiry, salt);
        return ILockReceiver.onTokensLocked.selector;
    }

    /// @inheritdoc ISettlement
    function accept(Instruction calldata instruction) external nonReentrant {
        _accept(instruction);
    }

    /// @inheritdoc ISettlement
    /// @dev A permit already used (e.g. front-run from the mempool) is ignored: the allowance
    /// it set is what the transfer then needs. The permit is the caller's: {_accept} accepts
    /// only from the buyer's current wallet.
    function acceptWithPermit(Instruction calldata instruction, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        try IERC20Permit(address(_COIN)).permit(msg.sender, address(this), instruction.amount, deadline, v, r, s) {}
            catch {}
        _accept(instruction);
    }

    /// @inheritdoc ISettlement
    function approve(Instruction calldata instruction) external nonReentrant {
        (bytes32 id, Status status) = _open(instruction);
        if (status != Status.Open) revert SettlementNotOpen(id, status);
        _requireIssuerAgent(id, instruction.token);
        if (block.timestamp > instruction.expiry) {
            revert SettlementExpired(id, instruction.expiry, block.timestamp);
        }
        // The buyer's own side now, as an issue to it would be checked: an approval for a buyer
        // the token refuses whoever sells would only fail at acceptance.
        // The buyer is its investor's current wallet (what {accept} delivers to).
        address buyer = _currentWallet(instruction.buyer);
        uint8 code = ISecurityToken(instruction.token).detectTransferRestriction(address(0), buyer, instruction.quantity);
        if ((_BUYER_CODES >> code) & 1 != 0) revert SettlementBuyerRestricted(id, buyer, code);
        _status[id] = Status.Approved;
        emit Approved(id, msg.sender);
    }

    /// @inheritdoc ISettlement
    function reject(Instruction calldata instruction) external nonReentrant {
        (bytes32 id,) = _open(instruction);
        _requireIssuerAgent(id, instruction.token);
        _close(instruction, id, Status.Rejected);
    }

    /// @inheritdoc ISettlement
    function cancel(Instruction calldata instruction) external nonReentrant {
        _closeByParty(instruction, instruction.seller, Status.Cancelled);
    }

    /// @inheritdoc ISettlement
    function refuse(Instruction calldata instruction) external nonReentrant {
        _closeByParty(instruction, instruction.buyer, Status.Refused);
    }

    /// @inheritdoc ISettlement
    function release(Instruction calldata instruction) external nonReentrant {
        (bytes32 id,) = _open(instruction);
        if (block.timestamp <= instruction.expiry) {
            revert SettlementNotExpired(id, instruction.expiry, block.timestamp);
        }
        _close(instruction, id, Status.Expired);
    }

    /// @notice The registry this contract takes the platform's tokens and investors from.
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc ISettlement
    function coin() external view returns (address) {
        return address(_COIN);
    }

    /// @inheritdoc ISettlement
    function instructionId(Instruction calldata instruction) external pure returns (bytes32) {
        return keccak256(abi.encode(instruction));
    }

    /// @inheritdoc ISettlement
    function statusOf(bytes32 id) external view returns (Status) {
        return _status[id];
    }

    /// @inheritdoc ISettlement
    function encodeInstruction(address buyer, uint256 amount, uint40 expiry, bytes32 salt)
        external
        pure
        returns (bytes memory)
    {
        return abi.encode(buyer, amount, expiry, salt);
    }

    /// @inheritdoc ISettlement
    function approvalRequired(address token) external view returns (bool) {
        return ISecurityToken(token).approvalRequired();
    }

    /// @dev Checks, then the status (effect), then the two legs. The coin and the token each
    /// apply their own rules and revert with their own error; the revert undoes both legs.
    /// Both parties act and receive through their investors' current wallets:
    /// - the buyer: its current wallet accepts, pays and receives the units. The named wallet
    ///   calling is the usual case and needs no registry read: a replaced (lost) wallet is no
    ///   longer registered, so the token refuses to deliver to it and the whole call reverts.
    ///   Any other caller must be the named buyer's investor's current wallet.
    /// - the seller: the units come from the lock wherever it is and the yen goes to that same
    ///   wallet. The named wallet's lock is the usual case; when a recovery has carried the lock
    ///   to the investor's new wallet, that wallet delivers and is paid. A replaced but not yet
    ///   recovered seller's lock is still the lost wallet's, and the token refuses to deliver
    ///   from an unregistered wallet: the call reverts and no yen reaches the lost key.
    function _accept(Instruction calldata instruction) private {
        (bytes32 id, Status status) = _open(instruction);
        address buyer = instruction.buyer;
        if (msg.sender != buyer) {
            buyer = _currentWallet(buyer);
            _requireCaller(id, buyer);
        }
        if (block.timestamp > instruction.expiry) {
            revert SettlementExpired(id, instruction.expiry, block.timestamp);
        }
        ISecurityToken token = ISecurityToken(instruction.token);
        if (status != Status.Approved && token.approvalRequired()) revert SettlementApprovalRequired(id, address(token));
        address seller = instruction.seller;
        if (token.lockedOf(address(this), seller) < instruction.quantity) seller = _currentWallet(seller);
        delete _status[id];
        emit Settled(id, buyer);
        _COIN.safeTransferFrom(buyer, seller, instruction.amount);
        token.unlock(seller, buyer, instruction.quantity, abi.encode(id));
    }

    /// @dev The party acts through its investor's current wallet: after a wallet replacement
    /// the new wallet may close, the lost key may not.
    function _closeByParty(Instruction calldata instruction, address party, Status status) private {
        (bytes32 id,) = _open(instruction);
        _requireCaller(id, _currentWallet(party));
        _close(instruction, id, status);
    }

    /// @dev Returns the seller's lock (or what an issuer's forced unlock left of it, so an
    /// instruction can always be closed) and records why the instruction closed. A lock a
    /// recovery moved to the seller's new wallet returns there: the instruction follows the
    /// investor, so no agent is needed.
    function _close(Instruction calldata instruction, bytes32 id, Status status) private {
        delete _status[id];
        ISecurityToken token = ISecurityToken(instruction.token);
        address seller = instruction.seller;
        uint256 returned = _returnLock(token, seller, instruction.quantity, id);
        address current = _currentWallet(seller);
        if (returned < instruction.quantity && current != seller) {
            returned += _returnLock(token, current, instruction.quantity - returned, id);
        }
        emit Closed(id, status, msg.sender, returned);
    }

    /// @dev Unlocks up to `wanted` of `account`'s lock back to it; returns what it unlocked.
    function _returnLock(ISecurityToken token, address account, uint256 wanted, bytes32 id) private returns (uint256 returned) {
        uint256 held = token.lockedOf(address(this), account);
        returned = held < wanted ? held : wanted;
        if (returned != 0) token.unlock(account, account, returned, abi.encode(id));
    }

    /// @dev The investor's current wallet for `wallet` (itself when the registry does not know it).
    function _currentWallet(address wallet) private view returns (address) {
        (bytes32 investorId, address current,) = _REGISTRY.payeeOf(wallet);
        return investorId == bytes32(0) ? wallet : current;
    }

    function _open(Instruction calldata instruction) private view returns (bytes32 id, Status status) {
        id = keccak256(abi.encode(instruction));
        status = _status[id];
        if (status != Status.Open && status != Status.Approved) revert SettlementNotOpen(id, status);
    }

    function _requireCaller(bytes32 id, address expected) private view {
        if (msg.sender != expected) revert SettlementWrongCaller(id, msg.sender, expected);
    }

    function _requireIssuerAgent(bytes32 id, address token) private view {
        if (!ISecurityToken(token).isAgent(msg.sender)) revert SettlementNotIssuerAgent(id, token, msg.sender);
    }
}
