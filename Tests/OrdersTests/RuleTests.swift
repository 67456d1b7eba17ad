import Money
import Orders
import XCTest

/// The rules public engines keep getting wrong, each against hand-computed events.
final class RuleTests: XCTestCase {
    var book: OrderBook!

    override func setUpWithError() throws {
        book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 64)
    }

    @discardableResult
    func run(_ commands: Command...) -> [Event] { book.process(commands) }

    func limit(_ id: UInt64, _ side: Side, _ price: Int64, _ quantity: Int64, type: OrderType = .limit,
               display: Int64 = 0, trader: UInt32 = 0, stp: SelfTradePrevention = .none, stop: Int64 = 0) -> Command {
        .new(NewOrder(id: id, side: side, type: type, price: price, quantity: quantity, stopPrice: stop,
                      display: display, trader: trader, selfTrade: stp))
    }

    func accepted(_ id: UInt64, _ price: Int64, _ quantity: Int64) -> Event {
        Event(kind: .accepted, id: id, price: price, quantity: quantity)
    }

    func trade(_ sequence: UInt64, _ taker: UInt64, _ maker: UInt64, _ price: Int64, _ quantity: Int64) -> Event {
        Event(kind: .trade, id: taker, maker: maker, price: price, quantity: quantity, sequence: sequence)
    }

    func cancelled(_ id: UInt64, _ price: Int64, _ quantity: Int64, _ reason: Reason) -> Event {
        Event(kind: .cancelled, id: id, price: price, quantity: quantity, reason: reason)
    }

    func rejected(_ id: UInt64, _ reason: Reason) -> Event { Event(kind: .rejected, id: id, reason: reason) }

    /// (id, price, open) of the resting orders, bids then asks, best first, FIFO.
    var l3: [[Int64]] { book.restingOrders().map { [Int64($0.id), $0.price, $0.quantity] } }

    func testFillsExecuteAtTheMakersPrice() {
        run(limit(1, .sell, 100, 5))
        XCTAssertEqual(run(limit(2, .buy, 105, 5)), [accepted(2, 105, 5), trade(1, 2, 1, 100, 5)])
        run(limit(3, .buy, 90, 5))
        XCTAssertEqual(run(limit(4, .sell, 80, 2)), [accepted(4, 80, 2), trade(2, 4, 3, 90, 2)])
        XCTAssertEqual(book.lastTradePrice, 90)
    }

    func testAPartialFillKeepsTheMakersQueuePosition() {
        run(limit(1, .sell, 100, 10), limit(2, .sell, 100, 10))
        XCTAssertEqual(run(limit(3, .buy, 100, 4)), [accepted(3, 100, 4), trade(1, 3, 1, 100, 4)])
        XCTAssertEqual(l3, [[1, 100, 6], [2, 100, 10]])
        XCTAssertEqual(run(limit(4, .buy, 100, 8)), [accepted(4, 100, 8), trade(2, 4, 1, 100, 6), trade(3, 4, 2, 100, 2)])
        XCTAssertEqual(l3, [[2, 100, 8]])
    }

    func testFIFOHoldsAfterACancelFromTheMiddleOfALevel() {
        run(limit(1, .buy, 50, 1), limit(2, .buy, 50, 1), limit(3, .buy, 50, 1), limit(4, .buy, 50, 1))
        XCTAssertEqual(run(.cancel(id: 2)), [cancelled(2, 50, 1, .requested)])
        XCTAssertEqual(l3, [[1, 50, 1], [3, 50, 1], [4, 50, 1]])
        XCTAssertEqual(run(limit(5, .sell, 50, 3)),
                       [accepted(5, 50, 3), trade(1, 5, 1, 50, 1), trade(2, 5, 3, 50, 1), trade(3, 5, 4, 50, 1)])
        XCTAssertEqual(book.restingCount, 0)
    }

    func testMatchingNeverPassesTheTakersLimit() {
        run(limit(1, .sell, 100, 5), limit(2, .sell, 101, 5), limit(3, .sell, 102, 5))
        XCTAssertEqual(run(limit(4, .buy, 101, 20)),
                       [accepted(4, 101, 20), trade(1, 4, 1, 100, 5), trade(2, 4, 2, 101, 5)])
        XCTAssertEqual(l3, [[4, 101, 10], [3, 102, 5]])
        XCTAssertEqual(run(limit(5, .sell, 101, 20, type: .ioc)),
                       [accepted(5, 101, 20), trade(3, 5, 4, 101, 10), cancelled(5, 101, 10, .unfilled)])
    }

    func testAnIOCRemainderIsCancelledNeverRested() {
        run(limit(1, .sell, 100, 3))
        XCTAssertEqual(run(limit(2, .buy, 100, 10, type: .ioc)),
                       [accepted(2, 100, 10), trade(1, 2, 1, 100, 3), cancelled(2, 100, 7, .unfilled)])
        XCTAssertEqual(run(limit(3, .buy, 100, 10, type: .ioc)), [accepted(3, 100, 10), cancelled(3, 100, 10, .unfilled)])
        XCTAssertTrue(l3.isEmpty)
    }

    func testAMarketRemainderIsCancelledNeverRested() {
        run(limit(1, .sell, 100, 3), limit(2, .sell, 1_000_000, 3))
        XCTAssertEqual(run(limit(3, .buy, 0, 10, type: .market)),
                       [accepted(3, 0, 10), trade(1, 3, 1, 100, 3), trade(2, 3, 2, 1_000_000, 3),
                        cancelled(3, 0, 4, .unfilled)])
        XCTAssertTrue(l3.isEmpty)
    }

    func testFOKFillsEntirelyOrNotAtAll() {
        run(limit(1, .sell, 100, 5), limit(2, .sell, 101, 5), limit(3, .sell, 103, 5))
        let before = l3
        XCTAssertEqual(run(limit(4, .buy, 101, 11, type: .fok)), [rejected(4, .fokUnfilled)])
        XCTAssertEqual(l3, before)
        XCTAssertEqual(book.tradeSequence, 0)
        XCTAssertEqual(run(limit(5, .buy, 101, 10, type: .fok)),
                       [accepted(5, 101, 10), trade(1, 5, 1, 100, 5), trade(2, 5, 2, 101, 5)])
        XCTAssertEqual(l3, [[3, 103, 5]])
    }

    /// A FOK the book could not fill even counting the taker's own orders is `fok_unfilled`,
    /// whoever's orders come first; one the book could fill is refused for meeting its own
    /// order first. Neither touches the book.
    func testFOKThatCannotFillIsUnfilledBeforeSelfTradeIsConsidered() {
        run(limit(1, .sell, 100, 5, trader: 7), limit(2, .sell, 100, 5), limit(3, .sell, 102, 50))
        let before = l3
        for stp in [SelfTradePrevention.cancelTaker, .cancelBoth] {
            XCTAssertEqual(run(limit(10 + UInt64(stp.rawValue), .buy, 101, 11, type: .fok, trader: 7, stp: stp)),
                           [rejected(10 + UInt64(stp.rawValue), .fokUnfilled)])
            XCTAssertEqual(run(limit(20 + UInt64(stp.rawValue), .buy, 101, 10, type: .fok, trader: 7, stp: stp)),
                           [rejected(20 + UInt64(stp.rawValue), .selfTrade)])
        }
        XCTAssertEqual(l3, before)
    }

    /// An iceberg's refill queues behind the taker's own order, which stops the taker:
    /// only the displayed slice counts, so this FOK must be rejected untouched.
    func testFOKCountsOnlyWhatItCanReachBeforeItsOwnOrder() {
        run(limit(1, .sell, 100, 100, display: 10), limit(2, .sell, 100, 5, trader: 7))
        XCTAssertEqual(run(limit(3, .buy, 100, 50, type: .fok, trader: 7, stp: .cancelTaker)), [rejected(3, .selfTrade)])
        XCTAssertEqual(l3, [[1, 100, 100], [2, 100, 5]])
        XCTAssertEqual(run(limit(4, .buy, 100, 10, type: .fok, trader: 7, stp: .cancelTaker)),
                       [accepted(4, 100, 10), trade(1, 4, 1, 100, 10)])
    }

    /// With cancel-maker, the taker's own orders do not count and do not stop it, on any
    /// level: the check adds up the others' lots level by level, stopping once enough.
    func testFOKWithCancelMakerCountsOnlyOthersOrders() {
        run(limit(1, .sell, 100, 5, trader: 7), limit(2, .sell, 100, 5), limit(3, .sell, 101, 5, trader: 7),
            limit(4, .sell, 101, 5), limit(5, .sell, 101, 5))
        let before = l3
        XCTAssertEqual(run(limit(6, .buy, 101, 16, type: .fok, trader: 7, stp: .cancelMaker)), [rejected(6, .fokUnfilled)])
        XCTAssertEqual(l3, before)
        XCTAssertEqual(run(limit(7, .buy, 101, 10, type: .fok, trader: 7, stp: .cancelMaker)),
                       [accepted(7, 101, 10), cancelled(1, 100, 5, .selfTrade), trade(1, 7, 2, 100, 5),
                        cancelled(3, 101, 5, .selfTrade), trade(2, 7, 4, 101, 5)])
        XCTAssertEqual(l3, [[5, 101, 5]])
    }

    func testPostOnlyThatWouldTakeIsRejected() {
        run(limit(1, .sell, 100, 5))
        XCTAssertEqual(run(limit(2, .buy, 100, 5, type: .postOnly)), [rejected(2, .wouldTake)])
        XCTAssertEqual(run(limit(3, .buy, 99, 5, type: .postOnly)), [accepted(3, 99, 5)])
        XCTAssertEqual(l3, [[3, 99, 5], [1, 100, 5]])
    }

    func testACancelOrModifyOfAnUnknownIdIsRejectedAndTouchesNothing() {
        run(limit(1, .buy, 99, 5), limit(2, .sell, 101, 5))
        let before = book.restingOrders(), depth = book.depth()
        XCTAssertEqual(run(.cancel(id: 9), .modify(id: 9, price: 100, quantity: 1)),
                       [rejected(9, .unknownId), rejected(9, .unknownId)])
        XCTAssertEqual(book.restingOrders(), before)
        XCTAssertEqual(book.depth(), depth)
        // A filled order's id is unknown to cancel as well.
        run(limit(3, .buy, 101, 5))
        XCTAssertEqual(run(.cancel(id: 2)), [rejected(2, .unknownId)])
    }

    func testAnIdSeenBeforeIsADuplicateWhetherAcceptedRejectedOrGone() {
        run(limit(1, .buy, 99, 5), limit(2, .buy, 0, 5), limit(3, .buy, 99, 5))
        run(.cancel(id: 3))
        XCTAssertEqual(run(limit(1, .sell, 200, 1), limit(2, .buy, 99, 1), limit(3, .buy, 99, 1)),
                       [rejected(1, .duplicateId), rejected(2, .duplicateId), rejected(3, .duplicateId)])
        XCTAssertEqual(l3, [[1, 99, 5]])
        // Large ids take the sparse path.
        let big = UInt64.max - 1
        XCTAssertEqual(run(limit(big, .buy, 98, 1), limit(big, .buy, 98, 1)),
                       [accepted(big, 98, 1), rejected(big, .duplicateId)])
    }

    func testModifyKeepsPriorityForTheSamePriceAndASmallerOrEqualQuantity() {
        run(limit(1, .buy, 50, 10), limit(2, .buy, 50, 10))
        XCTAssertEqual(run(.modify(id: 1, price: 50, quantity: 4)), [Event(kind: .modified, id: 1, price: 50, quantity: 4)])
        XCTAssertEqual(run(.modify(id: 1, price: 50, quantity: 4)).count, 1)
        XCTAssertEqual(l3, [[1, 50, 4], [2, 50, 10]])
        XCTAssertEqual(book.depth().bids, [DepthLevel(price: 50, quantity: 14, orders: 2)])
    }

    func testModifyLosesPriorityOnALargerQuantityOrANewPrice() {
        run(limit(1, .buy, 50, 10), limit(2, .buy, 50, 10), limit(3, .buy, 49, 1))
        run(.modify(id: 1, price: 50, quantity: 11))
        XCTAssertEqual(l3, [[2, 50, 10], [1, 50, 11], [3, 49, 1]])
        run(.modify(id: 2, price: 49, quantity: 10))
        XCTAssertEqual(l3, [[1, 50, 11], [3, 49, 1], [2, 49, 10]])
    }

    func testModifyToACrossingPriceMatchesFirstThenRests() {
        run(limit(1, .sell, 100, 3, type: .postOnly), limit(2, .buy, 98, 5, type: .postOnly))
        XCTAssertEqual(run(.modify(id: 2, price: 100, quantity: 5)),
                       [Event(kind: .modified, id: 2, price: 100, quantity: 5), trade(1, 2, 1, 100, 3)])
        XCTAssertEqual(l3, [[2, 100, 2]])
    }

    func testModifyToZeroCancelsAndBadModifiesChangeNothing() {
        run(limit(1, .buy, 50, 10))
        XCTAssertEqual(run(.modify(id: 1, price: 50, quantity: -1), .modify(id: 1, price: 0, quantity: 5)),
                       [rejected(1, .badQuantity), rejected(1, .badPrice)])
        XCTAssertEqual(l3, [[1, 50, 10]])
        XCTAssertEqual(run(.modify(id: 1, price: 50, quantity: 0)), [cancelled(1, 50, 10, .requested)])
        XCTAssertTrue(l3.isEmpty)
    }

    func testBadNewOrdersAreRejectedWithSpecificReasons() {
        XCTAssertEqual(run(limit(1, .buy, 50, 0), limit(2, .buy, 50, -3), limit(3, .buy, 0, 1), limit(4, .buy, -5, 1),
                           limit(5, .buy, 50, Limits.maxQuantity + 1), limit(6, .buy, Limits.maxPrice + 1, 1),
                           limit(7, .buy, 50, 5, type: .ioc, display: 2), limit(8, .buy, 50, 5, display: -1),
                           limit(9, .buy, 50, 5, type: .stopLimit, stop: 0),
                           limit(10, .buy, 50, Limits.maxQuantity, display: Limits.maxDisplay + 1)),
                       [rejected(1, .badQuantity), rejected(2, .badQuantity), rejected(3, .badPrice),
                        rejected(4, .badPrice), rejected(5, .badQuantity), rejected(6, .badPrice),
                        rejected(7, .badQuantity), rejected(8, .badQuantity), rejected(9, .badPrice),
                        rejected(10, .badQuantity)])
        XCTAssertEqual(book.restingCount, 0)
    }

    func testExtremeValuesNeitherTrapNorOverflow() {
        let big = Limits.maxQuantity, top = Limits.maxPrice
        // The largest iceberg slice.
        run(limit(99, .sell, top, big, display: Limits.maxDisplay))
        XCTAssertEqual(book.depth().asks, [DepthLevel(price: top, quantity: Limits.maxDisplay, orders: 1)])
        run(.cancel(id: 99))
        for id in 1...40 { run(limit(UInt64(id), .sell, top, big)) }
        XCTAssertEqual(book.depth().asks, [DepthLevel(price: top, quantity: big * 40, orders: 40)])
        let events = run(limit(100, .buy, top, big, type: .fok), limit(101, .buy, 0, big, type: .market))
        XCTAssertEqual(events.filter { $0.kind == .trade }.map(\.quantity), [big, big])
        XCTAssertEqual(book.price(ofTicks: top), Dec(Int(top)))
    }

    func testBuyStopsTriggerAtOrAboveAndSellStopsAtOrBelowTheLastTrade() {
        run(limit(1, .sell, 101, 10), limit(2, .buy, 99, 10))
        XCTAssertEqual(run(limit(3, .buy, 0, 4, type: .stop, stop: 101)), [accepted(3, 0, 4)])
        XCTAssertEqual(run(limit(4, .sell, 98, 2, type: .stopLimit, stop: 99)), [accepted(4, 98, 2)])
        XCTAssertEqual(book.pendingStops.count, 2)
        // A trade at 101 fires the buy stop (101 ≥ 101), which buys at 101 too.
        XCTAssertEqual(run(limit(5, .buy, 101, 1)),
                       [accepted(5, 101, 1), trade(1, 5, 1, 101, 1),
                        Event(kind: .triggered, id: 3, price: 101, quantity: 4), trade(2, 3, 1, 101, 4)])
        // 101 is not at or below 99: the sell stop keeps waiting.
        XCTAssertEqual(book.pendingStops.map(\.id), [4])
    }

    /// Stops reached together fire oldest first, each checked against the last trade of its
    /// turn: one whose trigger an older stop's fill has moved the price away from waits on.
    func testStopsReachedTogetherFireOldestFirstAtTheirTurnsPrice() {
        run(limit(1, .sell, 100, 1), limit(2, .buy, 100, 1, type: .ioc))
        run(limit(3, .buy, 104, 1, type: .stopLimit, stop: 102), limit(4, .buy, 0, 1, type: .stop, stop: 105),
            limit(5, .buy, 105, 1))
        // The sell fills 1 at 105 (reaching both stops) and rests 1 at 104, which stop 3 takes.
        XCTAssertEqual(run(limit(6, .sell, 104, 2)),
                       [accepted(6, 104, 2), trade(2, 6, 5, 105, 1),
                        Event(kind: .triggered, id: 3, price: 105, quantity: 1), trade(3, 3, 6, 104, 1)])
        XCTAssertEqual(book.pendingStops.map(\.id), [4])
        XCTAssertEqual(run(limit(7, .sell, 105, 1), limit(8, .buy, 105, 1, type: .ioc)),
                       [accepted(7, 105, 1), accepted(8, 105, 1), trade(4, 8, 7, 105, 1),
                        Event(kind: .triggered, id: 4, price: 105, quantity: 1), cancelled(4, 0, 1, .unfilled)])
    }

    func testSellStopLimitTriggersAtOrBelowAndRestsAtItsLimit() {
        run(limit(1, .buy, 99, 1), limit(2, .buy, 95, 1))
        run(limit(3, .sell, 97, 5, type: .stopLimit, stop: 99))
        XCTAssertEqual(run(limit(4, .sell, 99, 1)),
                       [accepted(4, 99, 1), trade(1, 4, 1, 99, 1),
                        Event(kind: .triggered, id: 3, price: 99, quantity: 5)])
        XCTAssertEqual(l3, [[2, 95, 1], [3, 97, 5]])
        XCTAssertEqual(run(.cancel(id: 3)), [cancelled(3, 97, 5, .requested)])
    }

    func testAPendingStopCanBeCancelledButNotModified() {
        run(limit(1, .buy, 0, 4, type: .stop, stop: 101))
        XCTAssertEqual(run(.modify(id: 1, price: 5, quantity: 1), .cancel(id: 1)),
                       [rejected(1, .notModifiable), cancelled(1, 0, 4, .requested)])
        XCTAssertTrue(book.pendingStops.isEmpty)
    }

    func testAnIcebergShowsItsDisplayAndRefillsAtTheBackOfItsLevel() {
        run(limit(1, .sell, 100, 25, display: 10), limit(2, .sell, 100, 5))
        XCTAssertEqual(book.depth().asks, [DepthLevel(price: 100, quantity: 15, orders: 2)])
        XCTAssertEqual(run(limit(3, .buy, 100, 12)),
                       [accepted(3, 100, 12), trade(1, 3, 1, 100, 10), trade(2, 3, 2, 100, 2)])
        // The refilled iceberg went behind order 2.
        XCTAssertEqual(l3, [[2, 100, 3], [1, 100, 15]])
        XCTAssertEqual(book.restingOrders().last?.visible, 10)
        // The last slice of a tail iceberg is taken straight after its refill.
        XCTAssertEqual(run(limit(4, .buy, 100, 30)),
                       [accepted(4, 100, 30), trade(3, 4, 2, 100, 3), trade(4, 4, 1, 100, 10), trade(5, 4, 1, 100, 5)])
        XCTAssertEqual(l3, [[4, 100, 12]])
    }

    func testSelfTradePreventionModes() {
        // cancel-taker: the maker stays, the taker's rest is cancelled, never rested.
        run(limit(1, .sell, 100, 5, trader: 7), limit(2, .sell, 100, 5))
        XCTAssertEqual(run(limit(3, .buy, 100, 8, trader: 7, stp: .cancelTaker)),
                       [accepted(3, 100, 8), cancelled(3, 100, 8, .selfTrade)])
        XCTAssertEqual(l3, [[1, 100, 5], [2, 100, 5]])
        // cancel-maker: the own order goes, matching goes on.
        XCTAssertEqual(run(limit(4, .buy, 100, 8, trader: 7, stp: .cancelMaker)),
                       [accepted(4, 100, 8), cancelled(1, 100, 5, .selfTrade), trade(1, 4, 2, 100, 5)])
        XCTAssertEqual(l3, [[4, 100, 3]])
        // cancel-both.
        XCTAssertEqual(run(limit(6, .sell, 100, 9, trader: 7, stp: .cancelBoth)),
                       [accepted(6, 100, 9), cancelled(4, 100, 3, .selfTrade), cancelled(6, 100, 9, .selfTrade)])
        XCTAssertTrue(l3.isEmpty)
        // Mode none: trades with itself.
        run(limit(7, .sell, 101, 2, trader: 7))
        XCTAssertEqual(run(limit(8, .buy, 101, 2, trader: 7)), [accepted(8, 101, 2), trade(2, 8, 7, 101, 2)])
    }

    func testBookFullCancelsWhatCannotRest() throws {
        book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 2)
        run(limit(1, .buy, 10, 1), limit(2, .buy, 11, 1))
        XCTAssertEqual(run(limit(3, .buy, 12, 1)), [accepted(3, 12, 1), cancelled(3, 12, 1, .bookFull)])
        XCTAssertEqual(run(limit(4, .sell, 11, 1)), [accepted(4, 11, 1), trade(1, 4, 2, 11, 1)])
        XCTAssertEqual(run(limit(5, .buy, 12, 1)), [accepted(5, 12, 1)])
    }

    func testDepthAndRestingOrdersAreBestFirstAndFIFO() {
        run(limit(1, .buy, 98, 1), limit(2, .buy, 99, 2), limit(3, .buy, 99, 3),
            limit(4, .sell, 102, 4), limit(5, .sell, 101, 5), limit(6, .sell, 101, 6, display: 2))
        XCTAssertEqual(book.depth(), Depth(bids: [DepthLevel(price: 99, quantity: 5, orders: 2),
                                                 DepthLevel(price: 98, quantity: 1, orders: 1)],
                                          asks: [DepthLevel(price: 101, quantity: 7, orders: 2),
                                                 DepthLevel(price: 102, quantity: 4, orders: 1)]))
        XCTAssertEqual(book.depth(levels: 1).asks.count, 1)
        XCTAssertEqual(l3, [[2, 99, 2], [3, 99, 3], [1, 98, 1], [5, 101, 5], [6, 101, 6], [4, 102, 4]])
    }

    func testReasonAndEventNamesAreStable() {
        XCTAssertEqual(Reason.allCases.map(\.name),
                       ["none", "duplicate_id", "unknown_id", "off_tick", "off_lot", "bad_quantity", "bad_price",
                        "would_take", "fok_unfilled", "self_trade", "book_full", "not_modifiable", "requested",
                        "unfilled"])
        XCTAssertEqual(EventKind.allCases.map(\.name),
                       ["accepted", "rejected", "trade", "cancelled", "triggered", "modified"])
    }
}
