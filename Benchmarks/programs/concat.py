# Builds a 2 MB string one small piece at a time (in a function: CPython appends in
# place only to a local; at module level this copies the whole string at every step).
def build():
    s = ""
    for i in range(1000000):
        s += "x%d" % (i % 10)
    return s


print(len(build()))
