// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @notice PROOF HARNESS ONLY: an investor registry answering
/// {IInvestorRegistry-packedInvestorsOf} with two arbitrary (symbolic) records, zero for the
/// zero address as the real registry does.
contract SymbolicRegistry {
    uint256 private _fromRecord;
    uint256 private _toRecord;

    function set(uint256 fromRecord, uint256 toRecord) external {
        _fromRecord = fromRecord;
        _toRecord = toRecord;
    }

    function packedInvestorsOf(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord) {
        fromRecord = from == address(0) ? 0 : _fromRecord;
        toRecord = to == address(0) ? 0 : _toRecord;
    }
}
