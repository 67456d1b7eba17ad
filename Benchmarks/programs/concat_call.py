# Builds a string from 2M pieces written out as `s = s + str(...)` (in a function: CPython
# appends in place only to a local, and only for a single `s = s + x`: the Keel program's
# `s = s + a + b` would copy the whole string at every step here).
def build():
    s = ""
    for i in range(1000000):
        s = s + str(i % 10)
        s = s + str(i % 7)
    return s


print(len(build()))
