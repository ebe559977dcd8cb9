import PruningCore

/// The two demo classifiers.
enum Classifiers {
    /// 784-256-128-10 with ReLU.
    static func mlp(using random: inout RandomGenerator) -> Sequential {
        Sequential([
            Linear(inputCount: 784, outputCount: 256, using: &random), Activation(.relu),
            Linear(inputCount: 256, outputCount: 128, using: &random), Activation(.relu),
            Linear(inputCount: 128, outputCount: 10, using: &random),
        ])
    }

    /// conv3×3(32) ReLU maxpool → conv3×3(64) ReLU maxpool → 3136 → 128 → 10.
    static func cnn(using random: inout RandomGenerator) -> Sequential {
        Sequential([
            Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, padding: 1, using: &random), Activation(.relu),
            MaxPool2d(kernelSize: 2),
            Conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, padding: 1, using: &random), Activation(.relu),
            MaxPool2d(kernelSize: 2),
            Flatten(),
            Linear(inputCount: 3136, outputCount: 128, using: &random), Activation(.relu),
            Linear(inputCount: 128, outputCount: 10, using: &random),
        ])
    }
}
