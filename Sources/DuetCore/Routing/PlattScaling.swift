import Foundation

/// Platt scaling (Platt, 1999): P(right) = σ(a · logit(c) + b) for a model's confidence c, fitted on
/// held-out (confidence, right) pairs by Newton's method with a small ridge. A model that is sure on
/// every item it is asked about (a Dawid–Skene posterior of 0.999 on the hardest items) is told how
/// often it really is right. Strictly increasing (a > 0), so it never changes a ranking; nil when the
/// pairs cannot support a fit (fewer than `minimumPairs`, all right or all wrong, or a ≤ 0).
public struct PlattScaling: Sendable, Hashable {
    public static let minimumPairs = 10
    public let a: Double
    public let b: Double

    public init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    public init?(_ pairs: [(confidence: Double, right: Bool)], ridge: Double = 1e-2) {
        let right = pairs.filter(\.right).count
        guard pairs.count >= Self.minimumPairs, right > 0, right < pairs.count else { return nil }
        let x = pairs.map { Self.logit($0.confidence) }, y = pairs.map { $0.right ? 1.0 : 0.0 }
        var a = 1.0, b = 0.0
        // The penalised negative log-likelihood; Newton steps are halved until it falls (separable pairs
        // would otherwise send a and b off to infinity).
        func loss(_ a: Double, _ b: Double) -> Double {
            var l = ridge * (a * a + b * b) / 2
            for (xi, yi) in zip(x, y) {
                let z = a * xi + b
                l += max(z, 0) - z * yi + Foundation.log(1 + Foundation.exp(-abs(z)))
            }
            return l
        }
        var current = loss(a, b)
        for _ in 0..<100 {
            // Gradient and Hessian of the penalised negative log-likelihood.
            var ga = ridge * a, gb = ridge * b, haa = ridge, hab = 0.0, hbb = ridge
            for (xi, yi) in zip(x, y) {
                let p = 1 / (1 + Foundation.exp(-(a * xi + b)))
                let w = max(p * (1 - p), 1e-12)
                ga += (p - yi) * xi
                gb += p - yi
                haa += w * xi * xi
                hab += w * xi
                hbb += w
            }
            let det = haa * hbb - hab * hab
            guard det > 1e-18 else { break }
            let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            var step = 1.0
            while step > 1e-6, loss(a - step * da, b - step * db) > current { step /= 2 }
            guard step > 1e-6 else { break }
            a -= step * da
            b -= step * db
            current = loss(a, b)
            if abs(step * da) < 1e-10 && abs(step * db) < 1e-10 { break }
        }
        guard a > 0, a.isFinite, b.isFinite else { return nil }
        self.a = a
        self.b = b
    }

    /// A model's uncertainty (1 − its confidence) as the chance its label is wrong, calibrated by `calibration`
    /// when there is one; an infinite uncertainty (nothing parsed: unknown) stays infinite.
    public static func chanceOfError(_ uncertainty: Double, _ calibration: PlattScaling?) -> Double {
        guard uncertainty.isFinite, let calibration else { return uncertainty }
        return 1 - calibration(1 - uncertainty)
    }

    /// The calibrated chance of being right at `confidence`.
    public func callAsFunction(_ confidence: Double) -> Double {
        1 / (1 + Foundation.exp(-(a * Self.logit(confidence) + b)))
    }

    static func logit(_ p: Double) -> Double {
        let q = min(1 - 1e-9, max(1e-9, p))
        return Foundation.log(q / (1 - q))
    }
}
