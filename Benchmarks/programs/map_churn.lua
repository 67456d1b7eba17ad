-- A table as a sliding window of 100,000 live keys: each new key pushes out the oldest.
local m, n, t = {}, 0, 0
for i = 0, 999999 do
  m[i] = i
  n = n + 1
  if i >= 100000 then
    t = t + m[i - 100000]
    m[i - 100000] = nil
    n = n - 1
  end
end
print(string.format("%d", t + n))
