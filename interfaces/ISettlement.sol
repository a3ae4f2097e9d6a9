// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ISettlement
/// @notice Bilateral delivery versus payment of a Kabuto security against a yen coin. The
/// seller's lock of the security to the settlement contract carries the instruction; the buyer's
/// acceptance moves the yen (buyer to seller) and the security (seller to buyer) in one
/// transaction, or nothing moves. Where the security needs the issuer's approval, an issuer
/// agent approves the instruction before acceptance, or rejects it.
///
/// Only the instruction's status is stored; the instruction itself travels in calldata and is
/// identified by its hash (`instructionId`). The {Instructed} event carries it in full, and
/// {Settled} / {Closed} record how it ended.
interface ISettlement {
    /// @dev The whole instruction, hashed into its id. `salt` is any value that makes the
    /// instruction unique (e.g. the seller's trade reference): two open instructions with the
    /// same fields and salt would share an id, so the second one is refused.
    struct Instruction {
        address token; // the security (an ISecurityToken)
        address seller;
        address buyer;
        uint256 quantity; // security units
        uint256 amount; // yen coin units (1 coin = 1 yen)
        uint40 expiry; // unix time; acceptance at or before it, release to the seller after it
        bytes32 salt;
    }

    /// @dev Storage holds None, Open or Approved; the final statuses appear in events only
    /// (the slot is deleted when an instruction settles or closes, refunding its gas).
    enum Status {
        None, // never instructed, or settled / closed
        Open, // instructed, security locked
        Approved, // open, and an issuer agent approved it
        Settled, // both legs moved
        Cancelled, // by the seller
        Refused, // by the buyer
        Rejected, // by an issuer agent
        Expired // released to the seller after expiry
    }

    error SettlementInvalidLockData(uint256 length);
    error SettlementInvalidBuyer(address buyer);
    error SettlementZeroValue(uint256 quantity, uint256 amount);
    error SettlementInvalidExpiry(uint40 expiry, uint256 timestamp);
    error SettlementExists(bytes32 id);
    error SettlementNotOpen(bytes32 id, Status status);
    error SettlementWrongCaller(bytes32 id, address caller, address expected);
    error SettlementNotIssuerAgent(bytes32 id, address token, address caller);
    error SettlementExpired(bytes32 id, uint40 expiry, uint256 timestamp);
    error SettlementNotExpired(bytes32 id, uint40 expiry, uint256 timestamp);
    error SettlementApprovalRequired(bytes32 id, address token);
    error SettlementInvalidCoin();
    /// A lock notice from a contract that is not one of the platform's tokens.
    error SettlementNotPlatformToken(address token);
    /// The token would refuse the buyer for a reason of its own (ERC-1404 code: not registered,
    /// not active, KYC expired, class not allowed, maximum balance, minimum holding, frozen).
    error SettlementBuyerRestricted(bytes32 id, address buyer, uint8 code);

    event Instructed(
        bytes32 indexed id,
        address indexed token,
        address indexed seller,
        address buyer,
        uint256 quantity,
        uint256 amount,
        uint40 expiry,
        bytes32 salt
    );
    event Approved(bytes32 indexed id, address indexed agent);
    event Settled(bytes32 indexed id, address indexed buyer);
    /// @notice The instruction closed without settling and its lock went back to the seller.
    /// `returned` can be less than the quantity only after an issuer's forced unlock.
    event Closed(bytes32 indexed id, Status indexed status, address indexed by, uint256 returned);

    /// @notice The yen coin this contract settles against (used only as an ERC-20).
    function coin() external view returns (address);

    function instructionId(Instruction calldata instruction) external pure returns (bytes32);

    function statusOf(bytes32 id) external view returns (Status);

    /// @notice What a seller puts in the `data` of `token.lock(settlement, quantity, data)`.
    function encodeInstruction(address buyer, uint256 amount, uint40 expiry, bytes32 salt)
        external
        pure
        returns (bytes memory);

    /// @notice Whether `token` needs the issuer's approval for a settlement now
    /// (excluded Class 2, or approval switched on in its rules).
    function approvalRequired(address token) external view returns (bool);

    /// @notice The buyer settles: yen buyer -> seller and security seller -> buyer, atomically.
    /// Requirements: caller is the buyer; open; not expired; approved if the token needs it;
    /// the coin allowance covers `amount`; every rule of the token and the coin passes.
    /// Emits {Settled}.
    function accept(Instruction calldata instruction) external;

    /// @notice {accept} with an EIP-2612 permit for exactly the instruction's amount.
    function acceptWithPermit(Instruction calldata instruction, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice An issuer agent of the token approves an open, unexpired instruction. Emits {Approved}.
    function approve(Instruction calldata instruction) external;

    /// @notice An issuer agent of the token refuses the instruction; the lock returns to the seller.
    function reject(Instruction calldata instruction) external;

    /// @notice The seller withdraws the instruction before acceptance; the lock returns.
    function cancel(Instruction calldata instruction) external;

    /// @notice The buyer declines the instruction; the lock returns to the seller.
    function refuse(Instruction calldata instruction) external;

    /// @notice After expiry anyone returns the lock to the seller.
    function release(Instruction calldata instruction) external;
}
