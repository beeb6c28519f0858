// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.20;

/// The Xclera referral matrix. Members register once under a registered referrer (or the root)
/// and then upgrade one level at a time; each payment is a payable call of exactly the level's
/// price (plus the service fee on registration). Part of every price goes at once to an upline:
/// for level L the L-th upline, or the root when the tree above is shallower. The rest stays here
/// as the matrix treasury, which only the owner can withdraw.
contract XcleraMatrix {
    address public immutable root;
    address public owner;
    bool public paused;
    uint256 public immutable serviceFee;
    uint16 public immutable rewardBps;
    uint256[] private prices;

    mapping(address => address) public referrerOf;
    mapping(address => uint8) public levelOf;

    event Registered(address indexed member, address indexed referrer, uint256 paid, address indexed upline, uint256 reward);
    event LevelUpgraded(address indexed member, uint8 level, uint256 paid, address indexed upline, uint256 reward);
    event Paused(bool paused);
    event Withdrawn(address indexed to, uint256 amount);

    error NotOwner();
    error ContractPaused();
    error AlreadyRegistered();
    error UnknownReferrer();
    error NotRegistered();
    error WrongLevel(uint8 expected);
    error WrongValue(uint256 expected);
    error TransferFailed();

    constructor(uint256[] memory levelPrices, uint256 fee, uint16 bps) {
        require(levelPrices.length > 0 && levelPrices.length < 256 && bps <= 10000, "bad parameters");
        root = msg.sender;
        owner = msg.sender;
        prices = levelPrices;
        serviceFee = fee;
        rewardBps = bps;
        levelOf[msg.sender] = uint8(levelPrices.length);
    }

    function levelCount() external view returns (uint8) {
        return uint8(prices.length);
    }

    function priceOf(uint8 level) public view returns (uint256) {
        return prices[level - 1];
    }

    function register(address referrer) external payable {
        if (paused) revert ContractPaused();
        if (levelOf[msg.sender] != 0) revert AlreadyRegistered();
        if (referrer == msg.sender || levelOf[referrer] == 0) revert UnknownReferrer();
        uint256 expected = prices[0] + serviceFee;
        if (msg.value != expected) revert WrongValue(expected);
        referrerOf[msg.sender] = referrer;
        levelOf[msg.sender] = 1;
        (address upline, uint256 reward) = payUpline(msg.sender, 1);
        emit Registered(msg.sender, referrer, msg.value, upline, reward);
    }

    function upgrade(uint8 level) external payable {
        if (paused) revert ContractPaused();
        uint8 current = levelOf[msg.sender];
        if (current == 0) revert NotRegistered();
        if (level != current + 1 || level > prices.length) revert WrongLevel(current + 1);
        uint256 expected = prices[level - 1];
        if (msg.value != expected) revert WrongValue(expected);
        levelOf[msg.sender] = level;
        (address upline, uint256 reward) = payUpline(msg.sender, level);
        emit LevelUpgraded(msg.sender, level, msg.value, upline, reward);
    }

    /// The member's L-th upline, or the root when fewer than L members stand above.
    function uplineFor(address member, uint8 level) public view returns (address) {
        address current = member;
        for (uint8 i = 0; i < level; i++) {
            address next = referrerOf[current];
            if (next == address(0)) return root;
            current = next;
        }
        return current;
    }

    function setPaused(bool value) external {
        if (msg.sender != owner) revert NotOwner();
        paused = value;
        emit Paused(value);
    }

    function withdraw(address payable to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner();
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit Withdrawn(to, amount);
    }

    function payUpline(address member, uint8 level) private returns (address upline, uint256 reward) {
        upline = uplineFor(member, level);
        reward = (prices[level - 1] * rewardBps) / 10000;
        (bool ok, ) = payable(upline).call{value: reward}("");
        if (!ok) revert TransferFailed();
    }
}
