// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271TestWallet
/// @notice TEST ONLY. A contract wallet (like a bank's multisig) that accepts a digest signed by
/// its single owner key, to show EIP-3009 authorizations from contract wallets.
contract ERC1271TestWallet is IERC1271 {
    address private immutable _OWNER;

    constructor(address owner_) {
        _OWNER = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == _OWNER ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
