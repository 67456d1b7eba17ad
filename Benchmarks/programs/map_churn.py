# A dict as a sliding window of 100,000 live keys: each new key pushes out the oldest.
m = {}
t = 0
for i in range(1000000):
    m[i] = i
    if i >= 100000:
        t += m.pop(i - 100000)
print(t + len(m))
