-- Scans a 2M-character string by index, up to its length (built with table.concat).
local pieces = {}
for i = 1, 1000000 do pieces[i] = "ab" end
local s = table.concat(pieces)
local n, i = 0, 1
while i <= #s do
  if string.sub(s, i, i) == "a" then n = n + 1 end
  i = i + 1
end
print(n)
