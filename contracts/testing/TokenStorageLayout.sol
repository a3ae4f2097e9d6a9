// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TokenStorage} from "../token/TokenStorage.sol";

/// @title TokenStorageLayout
/// @notice TESTING ONLY: the storage slots of the token's hot state, taken from TokenStorage
/// itself (the layout the token and its extension inherit), for the storage-layout test
/// (tests/unit/token/test_storage_layout.py), which reads the token's words with eth_getStorageAt.
contract TokenStorageLayout is TokenStorage {
    function slots() external pure returns (uint256 config, uint256 accounts, uint256 supply) {
        assembly ("memory-safe") {
            config := _config.slot
            accounts := _accounts.slot
            supply := _supply.slot
        }
    }
}
