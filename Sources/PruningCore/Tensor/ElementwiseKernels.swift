import CPruningKernels
import Foundation

/// A scalar binary function applied elementwise by ``Tensor``'s broadcasting kernel; kernels
/// with a vectorized counterpart in `CPruningKernels` name it in `simdOperation`.
protocol BinaryKernel {
    static func apply(_ a: Float, _ b: Float) -> Float
    static var simdOperation: PKBinaryOp? { get }
}

extension BinaryKernel {
    static var simdOperation: PKBinaryOp? { nil }
}

/// A scalar unary function applied elementwise; kernels with a vectorized counterpart in
/// `CPruningKernels` name it in `simdOperation` (and run it at the active ``KernelLevel``).
protocol UnaryKernel {
    static func apply(_ x: Float) -> Float
    static var simdOperation: PKUnaryOp? { get }
}

extension UnaryKernel {
    static var simdOperation: PKUnaryOp? { nil }
}

enum Kernels {
    /// Splits `count` iterations over the available cores when the work is large enough to be
    /// worth a thread hand-off.
    @inline(__always)
    static func parallelFor(_ count: Int, minimumPerThread: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
        let threads = ThreadPolicy.maximumThreads
        if threads <= 1 || count < 2 * minimumPerThread {
            body(0..<count)
            return
        }
        let chunks = min(threads, count / minimumPerThread)
        let chunkSize = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * chunkSize
                let end = min(count, start + chunkSize)
                if start < end { box.value(start..<end) }
            }
        }
    }

    /// `out[i] = K(a[i])` for contiguous buffers.
    @inline(__always)
    static func unary<K: UnaryKernel>(
        _: K.Type, _ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        if let operation = K.simdOperation {
            let kernel = SIMDKernels.active.unary!
            parallelFor(count) { range in
                kernel(Int32(operation.rawValue), a + range.lowerBound, out + range.lowerBound, range.count)
            }
            return
        }
        parallelFor(count) { range in
            for i in range { out[i] = K.apply(a[i]) }
        }
    }

    /// `out = K(a, b)` with NumPy broadcasting; `outShape` is the broadcast shape.
    static func binary<K: BinaryKernel>(
        _: K.Type, _ a: Tensor, _ b: Tensor, outShape: [Int], _ out: UnsafeMutablePointer<Float>
    ) {
        let pa = UnsafePointer(a.storage.pointer)
        let pb = UnsafePointer(b.storage.pointer)
        let total = Tensor.elementCount(of: outShape)
        if let operation = K.simdOperation {
            let op = Int32(operation.rawValue)
            let kernel = SIMDKernels.active.binary!
            if a.count == total && (b.count == total || b.count == 1) {
                let sb = b.count == total ? 1 : 0
                parallelFor(total) { range in
                    kernel(op, pa + range.lowerBound, 1, pb + sb * range.lowerBound, sb, out + range.lowerBound, range.count)
                }
                return
            }
            if a.count == 1 && b.count == total {
                parallelFor(total) { range in
                    kernel(op, pa, 0, pb + range.lowerBound, 1, out + range.lowerBound, range.count)
                }
                return
            }
        }
        if a.shape == b.shape && a.count == total {
            parallelFor(total) { range in
                for i in range { out[i] = K.apply(pa[i], pb[i]) }
            }
            return
        }
        if b.count == 1 && a.count == total {
            let s = pb[0]
            parallelFor(total) { range in
                for i in range { out[i] = K.apply(pa[i], s) }
            }
            return
        }
        if a.count == 1 && b.count == total {
            let s = pa[0]
            parallelFor(total) { range in
                for i in range { out[i] = K.apply(s, pb[i]) }
            }
            return
        }
        let (shape, strides) = Broadcasting.coalesce(
            shape: outShape,
            strides: [
                Broadcasting.strides(of: a.shape, broadcastTo: outShape),
                Broadcasting.strides(of: b.shape, broadcastTo: outShape),
            ])
        let inner = shape[shape.count - 1]
        let sa = strides[0][shape.count - 1]
        let sb = strides[1][shape.count - 1]
        let outer = total / max(inner, 1)
        let outerShape = Array(shape.dropLast())
        let outerStridesA = Array(strides[0].dropLast())
        let outerStridesB = Array(strides[1].dropLast())
        parallelFor(outer, minimumPerThread: max(1, (1 << 16) / max(inner, 1))) { range in
            var index = [Int](repeating: 0, count: outerShape.count)
            // Position the odometer at range.lowerBound.
            var rest = range.lowerBound
            for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                index[axis] = rest % outerShape[axis]
                rest /= outerShape[axis]
            }
            for row in range {
                var offA = 0
                var offB = 0
                for axis in 0..<outerShape.count {
                    offA += index[axis] * outerStridesA[axis]
                    offB += index[axis] * outerStridesB[axis]
                }
                let o = out + row * inner
                let x = pa + offA
                let y = pb + offB
                switch (sa, sb) {
                case (1, 1) where K.simdOperation != nil, (1, 0) where K.simdOperation != nil,
                    (0, 1) where K.simdOperation != nil:
                    SIMDKernels.active.binary!(Int32(K.simdOperation!.rawValue), x, sa, y, sb, o, inner)
                case (1, 1): for i in 0..<inner { o[i] = K.apply(x[i], y[i]) }
                case (1, 0):
                    let s = y[0]
                    for i in 0..<inner { o[i] = K.apply(x[i], s) }
                case (0, 1):
                    let s = x[0]
                    for i in 0..<inner { o[i] = K.apply(s, y[i]) }
                default:
                    for i in 0..<inner { o[i] = K.apply(x[i * sa], y[i * sb]) }
                }
                var axis = outerShape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < outerShape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// Carries a value into a concurrent loop whose iterations touch disjoint memory.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// How many threads the elementwise and reduction loops of ``Tensor`` may use.
///
/// Defaults to the number of active processors. BLAS has its own setting (see
/// ``BLAS/setThreadCount(_:)``).
public enum ThreadPolicy {
    nonisolated(unsafe) private static var storedMaximum = ProcessInfo.processInfo.activeProcessorCount
    private static let lock = NSLock()

    /// The largest number of threads a single elementwise or reduction loop may use (at least 1).
    /// Safe to read and set from any thread.
    public static var maximumThreads: Int {
        get { lock.withLock { storedMaximum } }
        set { lock.withLock { storedMaximum = max(1, newValue) } }
    }
}

// MARK: - Kernels

/// Copies the first operand (broadcast copies).
enum FirstOperandKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a }
}
enum AddKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinaryAdd }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}
enum SubtractKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinarySubtract }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}
enum MultiplyKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinaryMultiply }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}
enum DivideKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinaryDivide }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}
enum PowerKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) }
}
enum MaximumKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinaryMaximum }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b }
}
enum MinimumKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinaryMinimum }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? a : b }
}
enum EqualKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
}
enum LessKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 }
}
enum LessOrEqualKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
}
enum GreaterKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
}
enum GreaterOrEqualKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
}
enum NotEqualKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a != b ? 1 : 0 }
}
