/// 2-D max pooling over `[batch, channels, height, width]` (PyTorch's `nn.MaxPool2d`).
/// See `Tensor/maxPool2d(kernel:stride:padding:)`.
public final class MaxPool2d: Layer {
    /// The window size `(height, width)`.
    public let kernelSize: (Int, Int)
    /// The step between windows `(height, width)`.
    public let stride: (Int, Int)
    /// The implicit −∞ border on both sides `(height, width)`.
    public let padding: (Int, Int)
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A max-pooling layer; the stride defaults to the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// A max-pooling layer with a square window; the stride defaults to the kernel size.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    /// The maximum of each window.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding)
    }
}

/// 2-D average pooling over `[batch, channels, height, width]` (PyTorch's `nn.AvgPool2d`).
/// See `Tensor/avgPool2d(kernel:stride:padding:countIncludingPadding:)`.
public final class AvgPool2d: Layer {
    /// The window size `(height, width)`.
    public let kernelSize: (Int, Int)
    /// The step between windows `(height, width)`.
    public let stride: (Int, Int)
    /// The implicit zero border on both sides `(height, width)`.
    public let padding: (Int, Int)
    /// Whether padding counts in each window's divisor.
    public let countIncludingPadding: Bool
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An average-pooling layer; the stride defaults to the kernel size.
    public init(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
        countIncludingPadding: Bool = true
    ) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludingPadding = countIncludingPadding
    }

    /// An average-pooling layer with a square window; the stride defaults to the kernel size.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludingPadding: Bool = true) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
            countIncludingPadding: countIncludingPadding)
    }

    /// The average of each window.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.avgPool2d(
            kernel: kernelSize, stride: stride, padding: padding, countIncludingPadding: countIncludingPadding)
    }
}

/// Adaptive 2-D average pooling to a fixed output size (PyTorch's `nn.AdaptiveAvgPool2d`);
/// `AdaptiveAvgPool2d(outputSize: 1)` is global average pooling. See
/// `Tensor/adaptiveAvgPool2d(outputSize:)`.
public final class AdaptiveAvgPool2d: Layer {
    /// The output size `(height, width)`.
    public let outputSize: (Int, Int)
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A layer pooling to `outputSize`.
    public init(outputSize: (Int, Int)) { self.outputSize = outputSize }

    /// A layer pooling to `outputSize × outputSize`.
    public convenience init(outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    /// `[batch, channels, height, width] → [batch, channels, outHeight, outWidth]`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.adaptiveAvgPool2d(outputSize: outputSize) }
}

/// Nearest-neighbour upsampling by integer factors (PyTorch's `nn.Upsample(scale_factor:,
/// mode: "nearest")`). See `Tensor/upsampleNearest2d(scale:)`.
public final class Upsample: Layer {
    /// The factors `(height, width)`.
    public let scaleFactor: (Int, Int)
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A layer upsampling by `scaleFactor` along height and width.
    public init(scaleFactor: (Int, Int)) {
        precondition(scaleFactor.0 >= 1 && scaleFactor.1 >= 1, "Upsample: scale factor \(scaleFactor) must be at least 1")
        self.scaleFactor = scaleFactor
    }

    /// A layer upsampling by `scaleFactor` along both axes.
    public convenience init(scaleFactor: Int) { self.init(scaleFactor: (scaleFactor, scaleFactor)) }

    /// `[batch, channels, height, width] → [batch, channels, height·scaleH, width·scaleW]`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.upsampleNearest2d(scale: scaleFactor) }
}
