-- Builds a 2 MB string one small piece at a time (Lua's idiom: a table of pieces, then
-- table.concat; `s = s .. piece` copies the whole string at every step).
local pieces = {}
for i = 0, 999999 do pieces[#pieces + 1] = "x" .. (i % 10) end
print(#table.concat(pieces))
