import Foundation
import Keel

/// Runs each benchmark program in Keel (in process, release build) and, when installed, in
/// CPython and Lua 5.4, checks they print the same answer, and prints times and ratios.
let programs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../programs").standardized.path

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func runKeel(_ name: String) throws -> (Double, String) {
    var printed: [UInt8] = []
    let source = try String(contentsOfFile: "\(programs)/\(name).keel", encoding: .utf8)
    let engine = try Engine(output: OutputBuffer { printed += $0 })
    let t = try onLargeStack { () -> Result<Double, Error> in
        Result { try seconds { try engine.load(source: source, name: name) } }
    }.get()
    return (t, String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}

func runExternal(_ tool: String, _ file: String) -> (Double, String)? {
    guard FileManager.default.fileExists(atPath: file),
          let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ "\($0)/\(tool)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = [file]
    let pipe = Pipe()
    process.standardOutput = pipe
    var out = ""
    let t = seconds {
        try? process.run()
        out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
    }
    return (t, out.trimmingCharacters(in: .whitespacesAndNewlines))
}

func best<T>(_ runs: Int, _ body: () throws -> (Double, T)) rethrows -> (Double, T) {
    var result = try body()
    for _ in 1..<runs {
        let next = try body()
        if next.0 < result.0 { result = next }
    }
    return result
}

let benchmarks = [("fib", "recursive fib(30)"), ("loop", "20M-iteration Int loop"),
                  ("map", "500k-key String map fill+lookup"), ("map_churn", "100k-key map window, 900k removals"),
                  ("concat", "2 MB string built by 1M +="), ("concat_call", "2 MB via 1M s = s + str() + str()"),
                  ("scan", "2M-char string scanned by s[i]"), ("money", "1M-iteration money sum")]
print("benchmark                         keel (s)   python3 (s)   lua5.4 (s)   python/keel   keel/lua")
var failures = 0
for (name, title) in benchmarks {
    let (k, kout) = try best(3) { try runKeel(name) }
    let py = best(3) { runExternal("python3", "\(programs)/\(name).py") ?? (.nan, "") }
    let lua = best(3) { runExternal("lua5.4", "\(programs)/\(name).lua") ?? (.nan, "") }
    let pyCell = py.0.isNaN ? "-" : String(format: "%.3f", py.0)
    let luaCell = lua.0.isNaN ? "-" : String(format: "%.3f", lua.0)
    let ratioPy = py.0.isNaN ? "-" : String(format: "%.2fx", py.0 / k)
    let ratioLua = lua.0.isNaN ? "-" : String(format: "%.2fx", k / lua.0)
    print(title.padding(toLength: 34, withPad: " ", startingAt: 0)
          + String(format: "%8.3f", k) + "   " + pyCell.padding(toLength: 12, withPad: " ", startingAt: 0)
          + "  " + luaCell.padding(toLength: 11, withPad: " ", startingAt: 0) + "  " + ratioPy.padding(toLength: 12, withPad: " ", startingAt: 0)
          + "  " + ratioLua)
    for (tool, output) in [("python3", py.1), ("lua5.4", lua.1)] where !output.isEmpty && output != kout {
        print("  MISMATCH: keel printed \(kout), \(tool) printed \(output)")
        failures += 1
    }
}

// Embedding: the cost of one host -> script call, and of compiling a 1,000-line script.
let callScript = try Script.compile(source: "fn add(a: Int, b: Int) -> Int { a + b }")
let instance = try callScript.instantiate()
let calls = 1_000_000
let callSeconds = try best(3) { () throws -> (Double, Int) in
    var sum = 0
    let t = try seconds { for i in 0..<calls { sum &+= try instance.call("add", [.int(i), .int(1)]).intValue ?? 0 } }
    return (t, sum)
}.0
/// Lua's lua_pcall through a tiny C host, when a C compiler and liblua5.4-dev are installed.
func luaCallNanoseconds() -> String? {
    let binary = NSTemporaryDirectory() + "keel-lua-call"
    let compile = Process()
    compile.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
    compile.arguments = ["-O2", "-I/usr/include/lua5.4", "\(programs)/lua_call.c", "-llua5.4", "-o", binary]
    compile.standardError = FileHandle.nullDevice
    guard (try? compile.run()) != nil else { return nil }
    compile.waitUntilExit()
    guard compile.terminationStatus == 0 else { return nil }
    let run = Process()
    run.executableURL = URL(fileURLWithPath: binary)
    let pipe = Pipe()
    run.standardOutput = pipe
    guard (try? run.run()) != nil else { return nil }
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    run.waitUntilExit()
    return out.trimmingCharacters(in: .whitespacesAndNewlines)
}
let keelCallNs = callSeconds / Double(calls) * 1e9
if let lua = luaCallNanoseconds(), let luaNs = Double(lua) {
    print(String(format: "host -> script call (fn add(a, b)): %.0f ns per call; Lua lua_pcall: %.0f ns (keel/lua %.2fx)",
                 keelCallNs, luaNs, keelCallNs / luaNs))
} else {
    print(String(format: "host -> script call (fn add(a, b)): %.0f ns per call (Lua C host not built: needs cc and liblua5.4-dev)", keelCallNs))
}
var lines: [String] = []
for i in 0..<250 {
    lines.append("fn f\(i)(x: Int) -> Int {")
    lines.append("  let y = x * \(i) + [1, 2, 3].map(fn(v) => v + \(i)).sum()")
    lines.append("  if y > 100 { y - \(i) } else { y + f\(max(0, i - 1))(0) * 0 }")
    lines.append("}")
}
let bigSource = lines.joined(separator: "\n")
let compileSeconds = try best(3) { () throws -> (Double, Int) in
    (try seconds { _ = try Script.compile(source: bigSource, name: "big.keel") }, 0)
}.0
print(String(format: "compile a %d-line script (parse, check, compile): %.1f ms", lines.count, compileSeconds * 1000))

/// Resident memory in bytes, from /proc.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = Int(statm.split(separator: " ")[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
let engine = try Engine()
let before = residentBytes()
try engine.load(source: "let xs = range(0, 10000000)\nassert len(xs) == 10000000")
let perElement = Double(residentBytes() - before) / 10_000_000
print(String(format: "10M-element List[Int]: %.1f bytes per element", perElement))
exit(failures == 0 ? 0 : 1)
