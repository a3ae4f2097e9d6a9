// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";

/// @title IssueFloor
/// @notice Measurement reference, not a product: the least work an issue to a new holder does
/// under the gas target's conditions, with no rule evaluated (TransferFloor's counterpart). It
/// checks the caller's role (one slot per member, as AccessControl keeps it), reads the rules
/// word that holds the holder count (which every transfer reads, so the count lives there), the
/// recipient's record from the shared registry in one staticcall, the supply word and the
/// recipient's balance; it writes the supply, the balance and, for a new holder, the count; and
/// it emits what the security token emits: ERC-20's Transfer from the zero address and Issued
/// with the caller's data (the tranche id the operators' tooling reads). Any design with a role
/// check, a shared registry, a counted holder cap and those two events pays at least this;
/// tests/unit/token/test_gas.py and the bench (floor.issue.new_holder) report the token against it.
contract IssueFloor {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Issued(address indexed operator, address indexed to, uint256 value, bytes data);

    error FloorRefused();

    IInvestorRegistry private immutable _REGISTRY;
    uint256 private _rules; // low 8 bits: allowed classes; bits 8..31: holder count
    uint256 private _supply;
    mapping(address account => bool) private _agents;
    mapping(address account => uint256) private _balances;

    constructor(IInvestorRegistry registry_, address agent) {
        _REGISTRY = registry_;
        _rules = 0xff;
        _agents[agent] = true;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function totalSupply() external view returns (uint256) {
        return _supply;
    }

    function issue(address to, uint256 value, bytes calldata data) external {
        if (!_agents[msg.sender]) revert FloorRefused();
        uint256 rules = _rules;
        (, uint256 toRecord) = _REGISTRY.packedInvestorsOf(address(0), to);
        uint256 balance = _balances[to];
        // The only check: the record exists (so neither the call nor the reads can be optimised away).
        if (toRecord == 0) revert FloorRefused();
        unchecked {
            _supply += value;
            _balances[to] = balance + value;
        }
        if (balance == 0) _rules = rules + (1 << 8);
        emit Transfer(address(0), to, value);
        emit Issued(msg.sender, to, value, data);
    }
}
