// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";

/// @title HoldingsReader
/// @notice The register's per-wallet facts for many wallets in one `eth_call`, on any node: it is
/// never deployed. Its creation code is sent as an `eth_call` without a recipient; the constructor
/// reads each wallet's investor id, balance (now or at a record date) and its investor's tax
/// status, and returns them in place of runtime code. A register of 100,000 holders takes 400
/// calls instead of 300,000 (kabuto.ops.export).
/// @dev Returned bytes: one zero byte (returned code may not start with 0xEF, EIP-3541), then per
/// wallet three words: investor id (0: none), balance, tax status (0 when there is no investor).
/// At most MAX_WALLETS wallets, so the returned bytes stay under the 24,576-byte code size limit.
contract HoldingsReader {
    uint256 public constant MAX_WALLETS = 250;

    error HoldingsReaderTooManyWallets(uint256 count, uint256 max);

    constructor(
        IInvestorRegistry registry,
        ISecurityToken token,
        address[] memory wallets,
        bool atRecordDate,
        uint256 recordIndex
    ) {
        uint256 count = wallets.length;
        if (count > MAX_WALLETS) revert HoldingsReaderTooManyWallets(count, MAX_WALLETS);
        bytes memory out = new bytes(1 + 96 * count);
        for (uint256 i = 0; i < count; ++i) {
            address wallet = wallets[i];
            bytes32 investorId = registry.investorIdOf(wallet);
            uint256 units =
                atRecordDate ? token.balanceOfAtRecordDate(wallet, recordIndex) : token.balanceOf(wallet);
            uint256 taxStatus = investorId == bytes32(0) ? 0 : uint256(registry.taxStatusOf(investorId));
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                let at := add(add(out, 33), mul(i, 96))
                mstore(at, investorId)
                mstore(add(at, 32), units)
                mstore(add(at, 64), taxStatus)
            }
        }
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            return(add(out, 32), mload(out))
        }
    }
}
