/// A unit of account: an ISO 4217 currency or a custom unit declared by a
/// script (BTC with 8 decimals, ETH with 18, share counts with 0).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    /// Digits after the decimal point in the smallest unit (USD 2, JPY 0, BHD 3).
    public let minorUnits: Int

    public init(code: String, minorUnits: Int) {
        self.code = code
        self.minorUnits = minorUnits
    }

    public var description: String { code }

    /// The ISO 4217 currency with this alphabetic code (case-sensitive, as
    /// published: "USD"), or nil.
    public static func iso(_ code: String) -> Currency? {
        isoMinorUnits[code].map { Currency(code: code, minorUnits: $0) }
    }

    /// Every ISO 4217 currency this module knows.
    public static var allISO: [Currency] {
        isoMinorUnits.map { Currency(code: $0.key, minorUnits: $0.value) }.sorted { $0.code < $1.code }
    }

    /// ISO 4217 list one: active codes with minor units (2024/2025 edition,
    /// including XCG and ZWG; withdrawn HRK excluded). Codes whose minor unit
    /// is "N.A." (XAU, XAG, XDR, XTS, XXX, …) are left out because they have
    /// no minor unit to round to; a script can register them as custom units.
    private static let isoMinorUnits: [String: Int] = {
        let groups: [(units: Int, codes: String)] = [
            (0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"),
            (3, "BHD IQD JOD KWD LYD OMR TND"),
            (4, "CLF UYW"),
            (2, """
                AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
                CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
                GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD \
                LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN \
                PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL \
                THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL
                """),
        ]
        var table: [String: Int] = [:]
        for group in groups {
            for code in group.codes.split(separator: " ") { table[String(code)] = group.units }
        }
        return table
    }()
}

/// The currencies a script can use: all of ISO 4217 plus the custom units it
/// declares. A value type, so each script run owns its own registry.
public struct CurrencyRegistry: Sendable {
    /// Largest number of minor units a custom unit may declare.
    public static let maxMinorUnits = 36
    private var custom: [String: Currency] = [:]

    public init() {}

    /// Declares a custom unit such as `BTC` (8) or `SHARES` (0). Re-declaring
    /// with the same minor units is allowed; redefining an ISO code or an
    /// existing unit with different minor units is an error.
    @discardableResult
    public mutating func register(code: String, minorUnits: Int) throws(MoneyError) -> Currency {
        let isValidCode = !code.isEmpty && code.count <= 16
            && code.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "_" }
        guard isValidCode else { throw .invalidCurrency("invalid currency code '\(code)'") }
        guard (0...Self.maxMinorUnits).contains(minorUnits) else {
            throw .invalidCurrency("minor units of \(code) must be between 0 and \(Self.maxMinorUnits)")
        }
        let currency = Currency(code: code, minorUnits: minorUnits)
        if let existing = self.currency(code) {
            guard existing == currency else {
                throw .invalidCurrency("\(code) is already defined with \(existing.minorUnits) minor units")
            }
            return existing
        }
        custom[code] = currency
        return currency
    }

    /// The ISO or custom currency with this code, or nil.
    public func currency(_ code: String) -> Currency? {
        Currency.iso(code) ?? custom[code]
    }
}
