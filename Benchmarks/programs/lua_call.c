/* The Lua anchor for Keel's host -> script call cost: a tiny C host calls a Lua function
   add(a, b) through lua_pcall one million times and prints nanoseconds per call. */
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (luaL_dostring(L, "function add(a, b) return a + b end")) return 1;
    const int calls = 1000000;
    double best = 1e9;
    for (int round = 0; round < 3; round++) {
        struct timespec t0, t1;
        long long sum = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < calls; i++) {
            lua_getglobal(L, "add");
            lua_pushinteger(L, i);
            lua_pushinteger(L, 1);
            if (lua_pcall(L, 2, 1, 0) != LUA_OK) return 1;
            sum += lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / calls;
        if (ns < best) best = ns;
        if (sum == 42) puts("");
    }
    printf("%.0f\n", best);
    lua_close(L);
    return 0;
}
