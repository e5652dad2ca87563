import DuetCore
import Foundation

/// How each ensemble member is trained.
public struct LocalTrainingOptions: Sendable, Hashable {
    /// Passes over the member's (shuffled) bootstrap sample.
    public var epochs: Int
    /// AdaGrad's base step size.
    public var learningRate: Float
    /// L2 penalty, applied to the weights an example touches (the usual sparse approximation).
    public var l2: Float

    public init(epochs: Int = 5, learningRate: Float = 0.2, l2: Float = 1e-5) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2 = l2
    }
}

/// SplitMix64, one stream per (seed, stream): the same on every platform.
struct LocalRNG: RandomNumberGenerator {
    var base: SplitMix64

    init(seed: Int, stream: Int) {
        base = SplitMix64(seed: UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(bitPattern: Int64(stream)) &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    mutating func next() -> UInt64 { base.next() }

    /// Uniform in 0..<n (n > 0), by 128-bit multiply (Lemire, without the rejection step; bias < n / 2^64).
    mutating func below(_ n: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    mutating func shuffle(_ a: inout [Int32]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    }
}

/// One member: multinomial logistic regression over hashed features.
struct LocalSoftmaxModel: Sendable {
    let classes: Int
    let dim: Int
    /// Feature-major: the weight of feature j for class c is `weights[j * classes + c]`.
    let weights: [Float]
    let bias: [Float]

    /// Writes the class probabilities of the row `lo..<hi` of (indices, values) into `p`.
    @inline(__always)
    func probabilities(_ idx: UnsafeBufferPointer<Int32>, _ val: UnsafeBufferPointer<Float>, _ lo: Int, _ hi: Int,
                       into p: UnsafeMutableBufferPointer<Float>) {
        weights.withUnsafeBufferPointer { w in
            let c = classes
            for k in 0..<c { p[k] = bias[k] }
            for q in lo..<hi {
                let base = Int(idx[q]) &* c
                let x = val[q]
                for k in 0..<c { p[k] += w[base &+ k] * x }
            }
            LocalSoftmaxTrainer.softmax(p, c)
        }
    }
}

enum LocalSoftmaxTrainer {
    @inline(__always)
    static func softmax(_ z: UnsafeMutableBufferPointer<Float>, _ c: Int) {
        var m = z[0]
        for k in 1..<c where z[k] > m { m = z[k] }
        var s: Float = 0
        for k in 0..<c {
            z[k] = expf(z[k] - m)
            s += z[k]
        }
        let inv = 1 / s
        for k in 0..<c { z[k] *= inv }
    }

    /// A bootstrap sample: `groups` draws with replacement from 0..<groups, each group
    /// standing for `groupSize` consecutive rows (pairs use 2: both orientations).
    static func bootstrap(groups: Int, groupSize: Int, rng: inout LocalRNG) -> [Int32] {
        var rows: [Int32] = []
        rows.reserveCapacity(groups * groupSize)
        for _ in 0..<groups {
            let g = rng.below(groups)
            for k in 0..<groupSize { rows.append(Int32(g * groupSize + k)) }
        }
        return rows
    }

    /// Trains one member by AdaGrad on the rows listed in `sample` (repeats allowed).
    static func train(rows: LocalSparseRows, labels: [Int32], sample: [Int32], classes c: Int, dim: Int, useBias: Bool,
                      options: LocalTrainingOptions, rng: inout LocalRNG) -> LocalSoftmaxModel {
        var w = [Float](repeating: 0, count: dim * c)
        var g = [Float](repeating: 0, count: dim * c)
        var b = [Float](repeating: 0, count: c)
        var gb = [Float](repeating: 0, count: c)
        var z = [Float](repeating: 0, count: c)
        var order = sample
        let eta = options.learningRate, lambda = options.l2
        let delta: Float = 1e-6
        for _ in 0..<max(1, options.epochs) {
            rng.shuffle(&order)
            w.withUnsafeMutableBufferPointer { W in
                g.withUnsafeMutableBufferPointer { G in
                    z.withUnsafeMutableBufferPointer { Z in
                        rows.indices.withUnsafeBufferPointer { I in
                            rows.values.withUnsafeBufferPointer { V in
                                for r32 in order {
                                    let r = Int(r32)
                                    let lo = rows.offsets[r], hi = rows.offsets[r + 1]
                                    for k in 0..<c { Z[k] = b[k] }
                                    for q in lo..<hi {
                                        let base = Int(I[q]) &* c
                                        let x = V[q]
                                        for k in 0..<c { Z[k] += W[base &+ k] * x }
                                    }
                                    softmax(Z, c)
                                    // Z now holds the gradient of the loss w.r.t. the scores: p − onehot(y).
                                    Z[Int(labels[r])] -= 1
                                    for q in lo..<hi {
                                        let base = Int(I[q]) &* c
                                        let x = V[q]
                                        for k in 0..<c {
                                            let i = base &+ k
                                            let grad = Z[k] * x + lambda * W[i]
                                            if grad == 0 { continue }
                                            G[i] += grad * grad
                                            W[i] -= eta * grad / (G[i].squareRoot() + delta)
                                        }
                                    }
                                    if useBias {
                                        for k in 0..<c {
                                            gb[k] += Z[k] * Z[k]
                                            b[k] -= eta * Z[k] / (gb[k].squareRoot() + delta)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return LocalSoftmaxModel(classes: c, dim: dim, weights: w, bias: b)
    }
}

/// Runs independent jobs on all cores (Dispatch's `concurrentPerform`), results in job order.
enum LocalParallel {
    static var width: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return count == 1 ? [body(0)] : [] }
        let slots = LocalSlots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, body(i)) }
        return slots.values
    }

    /// `0..<n` cut into contiguous chunks: about `width × 2` of them, of at least
    /// `minimum` elements (fewer chunks for small n) and at most `maximum` (more for large n).
    static func chunks(_ n: Int, minimum: Int = 64, maximum: Int = .max) -> [Range<Int>] {
        guard n > 0 else { return [] }
        let parts = max(1, min(width * 2, n / max(1, minimum)), n / max(1, maximum) + (n % max(1, maximum) == 0 ? 0 : 1))
        let size = (n + parts - 1) / parts
        return stride(from: 0, to: n, by: size).map { $0..<min(n, $0 + size) }
    }
}

/// Write-once result slots shared by parallel jobs; each job writes only its own slot.
private final class LocalSlots<T: Sendable>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: T) { lock.withLock { slots[i] = v } }
    var values: [T] { lock.withLock { slots.map { $0! } } }
}
