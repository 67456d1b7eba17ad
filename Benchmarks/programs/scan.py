# Scans a 2M-character string by index, up to its length.
def scan():
    s = ""
    for i in range(1000000):
        s += "ab"
    n = 0
    i = 0
    while i < len(s):
        if s[i] == "a":
            n += 1
        i += 1
    return n


print(scan())
