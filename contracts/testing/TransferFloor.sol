// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";

/// @title TransferFloor
/// @notice Measurement reference, not a product: the least work a transfer does under the gas
/// targets' conditions, with no rule evaluated. It reads an issuer-settable rules word that
/// holds the holder count (a cap and a class rule are active), both parties' records from the
/// shared registry in one staticcall, both balances, and writes the balances and, for a new
/// holder, the count. Any design with a shared registry and a counted holder cap pays at least
/// this; tests/unit/token/test_gas.py reports the security token against it.
contract TransferFloor {
    event Transfer(address indexed from, address indexed to, uint256 value);

    error FloorRefused();

    IInvestorRegistry private immutable _REGISTRY;
    uint256 private _rules; // low 8 bits: allowed classes; bits 8..31: holder count
    mapping(address account => uint256) private _balances;

    constructor(IInvestorRegistry registry_, address holder, uint256 supply) {
        _REGISTRY = registry_;
        _rules = 0xff | (1 << 8);
        _balances[holder] = supply;
        emit Transfer(address(0), holder, supply);
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function transfer(address to, uint256 value) external returns (bool) {
        uint256 rules = _rules;
        (uint256 fromRecord, uint256 toRecord) = _REGISTRY.packedInvestorsOf(msg.sender, to);
        uint256 fromBalance = _balances[msg.sender];
        uint256 toBalance = _balances[to];
        // The only check: both records exist and the balance covers the value (so neither the
        // call nor the reads can be optimised away).
        if (fromRecord == 0 || toRecord == 0 || fromBalance < value) revert FloorRefused();
        unchecked {
            _balances[msg.sender] = fromBalance - value;
            _balances[to] = toBalance + value;
        }
        if (toBalance == 0) _rules = rules + (1 << 8);
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
