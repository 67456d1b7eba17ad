-- Builds a string from 2M pieces (Lua's idiom: a table of pieces, then table.concat;
-- `s = s .. tostring(...)` copies the whole string at every step).
local pieces = {}
for i = 0, 999999 do pieces[#pieces + 1] = tostring(i % 10) .. tostring(i % 7) end
print(#table.concat(pieces))
