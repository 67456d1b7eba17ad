"""Times Python's decimal (libmpdec) on the operations and operands of dec-bench.

Run by `swift run -c release --package-path Benchmarks dec-bench`, which
compares its numbers with Keel's Dec; can also be run alone. Prints one
machine-readable line per measurement:

    info python=3.11.7 libmpdec=2.5.1
    add_inline 12345678.9          (ops/s, best of 3 runs of >= 0.3 s each)
    check_add_inline 2345.67       (exact sum of one pass of results)

The operands come from the same generator as dec-bench (a 64-bit LCG), so
both sides compute the same 512 operations; the check lines let dec-bench
confirm that they also get the same results.
"""
import decimal
import sys
import time
from collections import deque
from decimal import Decimal, getcontext
from itertools import repeat
from operator import add, mul, truediv

COUNT = 512  # operands per set (dec-bench uses the same)
MIN_SECONDS = 0.3
RUNS = 3
MASK = (1 << 64) - 1


class Lcg:
    """Knuth's MMIX LCG; `next` returns the top 31 bits, like dec-bench's."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return self.state >> 33


def money_text(rng):
    """A 2-decimal amount from 0.01 to 99999.99."""
    cents = 1 + rng.next() % 9_999_999
    return "%d.%02d" % (cents // 100, cents % 100)


def forty_digit_text(rng):
    """A 40-digit value with 20 decimals (first digit non-zero)."""
    digits = "%05d" % (10_000 + rng.next() % 90_000)
    for _ in range(7):
        digits += "%05d" % (rng.next() % 100_000)
    return digits[:20] + "." + digits[20:]


def operand_sets():
    rng = Lcg(20240601)
    xs = [Decimal(money_text(rng)) for _ in range(COUNT)]
    ys = [Decimal(money_text(rng)) for _ in range(COUNT)]
    bxs = [Decimal(forty_digit_text(rng)) for _ in range(COUNT)]
    bys = [Decimal(forty_digit_text(rng)) for _ in range(COUNT)]
    return xs, ys, bxs, bys


def consume(iterator):
    deque(iterator, maxlen=0)


def ops_per_second(make_pass):
    """Best ops/s over RUNS runs, each of whole passes lasting >= MIN_SECONDS."""
    passes = 1
    while True:
        start = time.perf_counter()
        for _ in range(passes):
            consume(make_pass())
        elapsed = time.perf_counter() - start
        if elapsed >= MIN_SECONDS:
            break
        passes = max(passes * 2, int(passes * MIN_SECONDS * 1.2 / max(elapsed, 1e-9)) + 1)
    best = elapsed
    for _ in range(RUNS - 1):
        start = time.perf_counter()
        for _ in range(passes):
            consume(make_pass())
        best = min(best, time.perf_counter() - start)
    return passes * COUNT / best


def main():
    # Exact add/mul: 40-digit x 40-digit products have 80 digits, and the
    # check sums below stay well under 200.
    exact_precision = 200
    getcontext().prec = exact_precision
    getcontext().rounding = decimal.ROUND_HALF_EVEN
    xs, ys, bxs, bys = operand_sets()
    cent = Decimal("0.01")
    sets = {
        # quantize: 4-decimal products of money amounts (rate x amount) to 2 places;
        # 40-digit values with 20 decimals to 2 places.
        "inline": (xs, ys, [x * y for x, y in zip(xs, ys)]),
        "big": (bxs, bys, bxs),
    }
    print("info python=%s libmpdec=%s" % (sys.version.split()[0], decimal.__libmpdec_version__), flush=True)
    for name, (left, right, quantize_inputs) in sets.items():
        operations = [
            ("add", exact_precision, lambda: map(add, left, right)),
            ("mul", exact_precision, lambda: map(mul, left, right)),
            ("div", 34, lambda: map(truediv, left, right)),
            ("quantize", exact_precision, lambda: map(Decimal.quantize, quantize_inputs, repeat(cent))),
        ]
        for op, precision, make_pass in operations:
            getcontext().prec = precision
            rate = ops_per_second(make_pass)
            results = list(make_pass())
            getcontext().prec = exact_precision
            check = sum(results, Decimal(0))
            print("%s_%s %.1f" % (op, name, rate))
            print("check_%s_%s %s" % (op, name, check), flush=True)


if __name__ == "__main__":
    main()
