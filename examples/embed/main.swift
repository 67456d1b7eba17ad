// fraud-rules: an example host that embeds Keel to run fraud rules (questions 811 and 820).
//
//   fraud-rules [RULE.keel | DIR]... < transactions.jsonl
//
// Reads one JSON transaction per line on stdin,
//   {"id": "t01", "account": "acct-a", "amount": "25.00", "currency": "USD",
//    "device": "d-a1", "account_age_days": 400, "at_ms": 0}
// runs it through every rule and prints one decision per transaction:
//   t01: allow|challenge|hold|block (reason; reason...)
//
// Rules are Keel files (default: the `rules` folder next to this source file). Each one
// defines `decide` with the signature in `Rule.signature`, returning a `Verdict` record
// `{ action: Action, reason: String }`. The host keeps all the state (each account's
// recent payment times and known devices) and passes it in, so a rule is a pure function
// that also runs on its own with `keel run`.
//
// Each rule gets its own Engine with tight limits and no output, on a thread of its own.
// A rule that does not load (syntax or type error, wrong signature) is reported on stderr
// and left out; a rule that fails at run time (a runtime error, or a runaway loop stopped
// by the step or time limit) is reported and skipped for that transaction, and disabled
// after a few failures; a rule that overruns its limits anyway is abandoned. The host
// itself never stops on a rule's account.

import Foundation
import Keel

/// One input line.
struct Transaction: Decodable {
    let id: String
    let account: String
    let amount: String
    let currency: String
    let device: String
    let accountAgeDays: Int
    let atMs: Int
}

/// What the host remembers about an account between transactions.
struct AccountState {
    /// Times of earlier payments within `keep`, oldest first.
    var recent: [Int] = []
    /// Devices the account has used, in first-use order.
    var devices: [String] = []
    /// Longer than any window a rule may reasonably look at.
    static let keep = 24 * 3_600_000
    /// Times are milliseconds since an epoch; anything past the year 10000 is a mistake.
    static let latest = 253_402_300_800_000
}

/// The decisions, least severe first.
enum Action: String, CaseIterable, Comparable {
    case allow, challenge, hold, block
    static func < (a: Action, b: Action) -> Bool { a.severity < b.severity }
    var severity: Int { Action.allCases.firstIndex(of: self)! }
}

func warn(_ message: String) {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
}

/// A thread of its own for one rule's engine. The engine's step and time limits are
/// checked between units of work, so a rule that spends its time inside one expensive
/// built-in call can overrun them; the host then stops waiting, cancels the engine and
/// drops the rule instead of hanging. The large stack turns deep recursion into the
/// engine's clean call-depth error rather than a crash.
final class Worker {
    private let ready = DispatchSemaphore(value: 0)
    private var job: (() -> Void)?

    init() {
        let thread = Thread { [self] in
            while true {
                ready.wait()
                job?()
            }
        }
        thread.stackSize = 1 << 30
        thread.start()
    }

    /// The body's result, or nil when it did not finish within `seconds` (it goes on
    /// running on the worker, which must not be given anything else).
    func run<T>(within seconds: Double, _ body: @escaping () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let result = Box<T>()
        job = {
            result.value = body()
            done.signal()
        }
        ready.signal()
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return result.value
    }

    private final class Box<T> { var value: T? }
}

final class Rule {
    /// The Keel type every rule's `decide` must have.
    static let signature = "fn(Money, String, Int, Duration, List[Duration], List[String]) -> Verdict"
    static let limits = Limits(steps: 100_000, milliseconds: 50)
    /// How long the host waits for a load or a call before it gives up on the rule: far
    /// above the engine's own time limit, which normally stops a runaway rule first.
    static let patience = 1.0
    /// Run-time failures after which a rule is switched off.
    static let maxFailures = 3

    let path: String
    let engine: Engine
    let worker: Worker
    var failures = 0
    var disabled = false

    private init(path: String, engine: Engine, worker: Worker) {
        self.path = path
        self.engine = engine
        self.worker = worker
    }

    /// Loads a rule in an engine of its own, or reports why it cannot be used.
    static func load(path: String) -> Rule? {
        guard let bytes = Engine.readFile(path) else {
            warn("fraud-rules: cannot read rule \(path)")
            return nil
        }
        let engine: Engine
        do {
            // The rule prints nothing anyone sees: its output goes nowhere.
            engine = try Engine(limits: limits, output: OutputBuffer { _ in })
        } catch {
            warn("fraud-rules: rule \(path) not loaded: no engine: \(error)")
            return nil
        }
        let worker = Worker()
        let loaded = worker.run(within: patience) { () -> Result<Engine, Error> in
            Result {
                switch SourceFile.decode(name: path, bytes: bytes) {
                case .success(let file): try engine.load(file: file)
                case .failure(let diagnostic): throw KeelError.rejected([diagnostic])
                }
                return engine
            }
        }
        switch loaded {
        case nil:
            engine.vm.cancellation.cancel()
            warn("fraud-rules: rule \(path) not loaded: its top-level code did not finish within \(Int(patience * 1000)) ms")
            return nil
        case .failure(let error)?:
            warn("fraud-rules: rule \(path) not loaded:\n\(error)")
            return nil
        case .success(let engine)?:
            // `Engine.call` trusts its arguments, so the host checks the type once here.
            guard let type = engine.typeOf(global: "decide") else {
                warn("fraud-rules: rule \(path) not loaded: it defines no function 'decide'")
                return nil
            }
            guard type.description == signature else {
                warn("fraud-rules: rule \(path) not loaded: 'decide' has type \(type), expected \(signature)")
                return nil
            }
            return Rule(path: path, engine: engine, worker: worker)
        }
    }

    /// The rule's verdict, or nil (reported on stderr) when it failed.
    func decide(_ tx: Transaction, _ arguments: [Value]) -> (Action, String)? {
        guard !disabled else { return nil }
        let engine = self.engine
        let outcome = worker.run(within: Self.patience) { Result { try engine.call("decide", arguments) } }
        switch outcome {
        case nil:
            // Still running: stop it at its next checkpoint, and never touch it again.
            engine.vm.cancellation.cancel()
            disabled = true
            warn("fraud-rules: \(tx.id): rule \(path) skipped and disabled: it did not return within "
                 + "\(Int(Self.patience * 1000)) ms (its time limit is \(Self.limits.milliseconds ?? 0) ms)")
            return nil
        case .success(let result)?:
            guard let verdict = Self.verdict(result) else { return fail(tx, "returned \(result), not a Verdict") }
            return verdict
        case .failure(KeelError.runtime(let diagnostic, let limit))?:
            let what = limit.map { "hit its \($0 == .steps ? "step" : $0.rawValue) limit" } ?? "failed"
            return fail(tx, "\(what):\n\(diagnostic)")
        case .failure(let error)?:
            return fail(tx, "failed:\n\(error)")
        }
    }

    private func fail(_ tx: Transaction, _ message: String) -> (Action, String)? {
        failures += 1
        warn("fraud-rules: \(tx.id): rule \(path) skipped: it \(message)")
        if failures >= Self.maxFailures {
            disabled = true
            warn("fraud-rules: rule \(path) disabled after \(failures) failures")
        }
        return nil
    }

    /// Reads `Verdict { action: Action.X, reason: "..." }`.
    static func verdict(_ value: Value) -> (Action, String)? {
        guard case .record(let record) = value,
              let a = record.shape.fields.firstIndex(of: "action"),
              let r = record.shape.fields.firstIndex(of: "reason"),
              case .variant(let variant) = record.fields[a],
              let action = Action(rawValue: variant.shape.variants[variant.tag]),
              case .string(let reason) = record.fields[r] else { return nil }
        return (action, reason)
    }
}

/// The rule files named on the command line (files, or folders of `.keel` files).
func rulePaths(_ arguments: [String]) -> [String] {
    var targets = arguments
    if targets.isEmpty {
        let beside = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("rules").path
        targets = [FileManager.default.fileExists(atPath: beside) ? beside : "examples/embed/rules"]
    }
    var paths: [String] = []
    for target in targets {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
            let base = target.hasSuffix("/") ? target : target + "/"
            paths += names.filter { $0.hasSuffix(".keel") }.sorted().map { base + $0 }
        } else {
            paths.append(target)
        }
    }
    return paths
}

/// Parses a decimal string such as "250.00" (digits, optionally a point and more digits).
func parseAmount(_ text: String, _ currency: String) -> Value? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
          let dec = try? Dec(parsing: text),
          let id = CurrencyTable.shared.id(currency) else { return nil }
    return .money(dec, id)
}

func run() -> Int32 {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.contains("-h") || arguments.contains("--help") {
        print("usage: fraud-rules [RULE.keel | DIR]... < transactions.jsonl")
        return 0
    }
    let rules = rulePaths(arguments).compactMap(Rule.load)
    guard !rules.isEmpty else {
        warn("fraud-rules: no usable rules; refusing to decide anything")
        return 1
    }

    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    var accounts: [String: AccountState] = [:]
    var lineNumber = 0
    while let line = readLine(strippingNewline: true) {
        lineNumber += 1
        if line.allSatisfy(\.isWhitespace) { continue }
        let tx: Transaction
        do {
            tx = try decoder.decode(Transaction.self, from: Data(line.utf8))
        } catch {
            warn("fraud-rules: stdin:\(lineNumber): not a transaction: \(error)")
            continue
        }
        // Fail closed: a payment the rules cannot even read is not let through.
        guard let amount = parseAmount(tx.amount, tx.currency) else {
            print("\(tx.id): block (unreadable amount '\(tx.amount)' '\(tx.currency)')")
            continue
        }
        guard (0...AccountState.latest).contains(tx.atMs) else {
            print("\(tx.id): block (time \(tx.atMs) ms out of range)")
            continue
        }

        var state = accounts[tx.account] ?? AccountState()
        state.recent.removeAll { $0 <= tx.atMs - AccountState.keep }
        let arguments: [Value] = [
            amount, .string(tx.device), .int(tx.accountAgeDays), .duration(tx.atMs),
            .list(state.recent.filter { $0 <= tx.atMs }.map(Value.duration)), .list(state.devices.map(Value.string)),
        ]

        var verdicts: [(Action, String)] = []
        var skipped = 0
        for rule in rules {
            if let verdict = rule.decide(tx, arguments) { verdicts.append(verdict) } else { skipped += 1 }
        }
        // The most severe verdict decides; every rule that fired gives its reason,
        // most severe first (rules of equal severity in file order).
        let fired = verdicts.enumerated().filter { $0.element.0 != .allow }
            .sorted { ($0.element.0, $1.offset) > ($1.element.0, $0.offset) }.map(\.element)
        let decision = fired.first?.0 ?? .allow
        var reasons = fired.map { $0.1.isEmpty ? "no reason given" : $0.1 }
        if reasons.isEmpty { reasons = ["no rule fired"] }
        if skipped > 0 { reasons.append("\(skipped) rule\(skipped == 1 ? "" : "s") skipped") }
        print("\(tx.id): \(decision.rawValue) (\(reasons.joined(separator: "; ")))")

        state.recent.append(tx.atMs)
        if !state.devices.contains(tx.device) { state.devices.append(tx.device) }
        accounts[tx.account] = state
    }
    return 0
}

exit(run())
