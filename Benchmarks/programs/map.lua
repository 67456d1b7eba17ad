local m = {}
for i = 0, 499999 do m["k" .. i] = i end
local t = 0
for i = 0, 499999 do t = t + m["k" .. i] end
print(t)
