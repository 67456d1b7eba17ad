from decimal import Decimal
total = Decimal("0.00")
cent = Decimal("0.01")
for i in range(1000000):
    total += cent
print(total, "USD")
