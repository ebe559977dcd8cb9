import Foundation

/// Records the convolution and linear layers a forward pass runs, with the shapes they see —
/// what a cost model needs (a layer's output size depends on its input size, which only a
/// forward pass knows).
///
/// ```swift
/// let (_, calls) = LayerCallRecorder.recording { model(Tensor.zeros([1, 1, 28, 28])) }
/// for call in calls { print(call.weight.shape, call.outputShape) }
/// ```
///
/// Recording is scoped to the body (a task-local value) and costs one task-local read per layer
/// call otherwise.
public final class LayerCallRecorder: @unchecked Sendable {
    /// One layer call.
    public struct Call {
        /// What ran.
        public enum Kind {
            /// A 2-D convolution with this many groups.
            case convolution(groups: Int)
            /// A linear (fully connected) layer.
            case linear
        }
        /// What ran.
        public var kind: Kind
        /// The layer's weight (its identity names the layer in a model's parameter list).
        public var weight: Parameter
        /// The input shape.
        public var inputShape: [Int]
        /// The output shape.
        public var outputShape: [Int]
    }

    /// The recorder of the running task, if any.
    @TaskLocal public static var current: LayerCallRecorder?

    private let lock = NSLock()
    private var calls: [Call] = []

    private init() {}

    /// Runs `body` and returns its result with every layer call it made, in order.
    public static func recording<R>(_ body: () throws -> R) rethrows -> (result: R, calls: [Call]) {
        let recorder = LayerCallRecorder()
        let result = try $current.withValue(recorder) { try body() }
        return (result, recorder.lock.withLock { recorder.calls })
    }

    /// Appends a call (layers call this).
    func record(_ kind: Call.Kind, weight: Parameter, input: [Int], output: [Int]) {
        lock.withLock { calls.append(Call(kind: kind, weight: weight, inputShape: input, outputShape: output)) }
    }
}
