m = {}
for i in range(500000):
    m["k%d" % i] = i
t = 0
for i in range(500000):
    t += m["k%d" % i]
print(t)
