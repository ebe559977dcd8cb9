import PruningCore

/// RLAL's model of the changing reward: one learnable embedding per training epoch, a GRU over
/// the embeddings so far whose last hidden state is the environment code `z_e`, and a decoder
/// `D(s, a, z_e) → r̂` trained to reconstruct the observed rewards.
///
/// The decoder's mean squared error is back-propagated **into the GRU and the embeddings**
/// (tested against finite differences): computing `z` without gradients — the pitfall of a
/// public reproduction — would leave both at their initialization. Without the code
/// (``usesCode`` false: the ablation) the decoder is `D(s, a)` and has to explain rewards of
/// every epoch with one function.
///
/// Our choices where the paper is silent: a new epoch's embedding starts as a copy of the previous
/// one (the network changes little between epochs, so the code of a new epoch starts where the
/// last one was); the decoder is an MLP with ReLU hidden layers on `[s, a, z]`; and a transition's
/// target is its episode's reward (every step of an episode shares it, as in AMC).
public final class RewardDynamicsModel: Module {
    /// One embedding per epoch, `[epochCapacity, embeddingSize]`.
    public let embeddings: Embedding
    /// The recurrent model over the embeddings.
    public let recurrent: GRU
    /// `D`: `[state, action, code] → reward`.
    public let decoder: Sequential
    /// Whether the decoder sees the environment code.
    public let usesCode: Bool
    /// The length of a state.
    public let stateSize: Int
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A model for `epochCapacity` epochs of states of `stateSize` numbers.
    public init(
        stateSize: Int, epochCapacity: Int, embeddingSize: Int = 16, codeSize: Int = 16, hidden: [Int] = [64, 64],
        usesCode: Bool = true, using generator: inout RandomGenerator
    ) {
        precondition(stateSize > 0 && epochCapacity > 0 && embeddingSize > 0 && codeSize > 0, "RewardDynamicsModel: sizes must be positive")
        self.stateSize = stateSize
        self.usesCode = usesCode
        embeddings = Embedding(count: epochCapacity, dimension: embeddingSize, using: &generator)
        recurrent = GRU(inputSize: embeddingSize, hiddenSize: codeSize, using: &generator)
        var layers: [any Layer] = []
        var width = stateSize + 1 + (usesCode ? codeSize : 0)
        for size in hidden {
            layers.append(Linear(inputCount: width, outputCount: size, using: &generator))
            layers.append(Activation(.relu))
            width = size
        }
        layers.append(Linear(inputCount: width, outputCount: 1, using: &generator))
        decoder = Sequential(layers)
    }

    /// The parts.
    public var children: [(String, any Module)] {
        usesCode ? [("embeddings", embeddings), ("recurrent", recurrent), ("decoder", decoder)] : [("decoder", decoder)]
    }

    /// The number of epochs the model has embeddings for.
    public var epochCapacity: Int { embeddings.count }
    /// The length of a code.
    public var codeSize: Int { recurrent.hiddenSize }

    /// `z_0 … z_{count−1}`, `[count, codeSize]`: row `e` is the GRU's state after the embeddings of
    /// epochs `0…e` (differentiable in the embeddings and the GRU).
    public func codes(epochs count: Int) -> Tensor {
        precondition(count >= 1 && count <= epochCapacity, "RewardDynamicsModel: \(count) epochs, capacity \(epochCapacity)")
        let sequence = embeddings(Array(0..<count)).reshaped(to: [1, count, embeddings.dimension])
        return recurrent(sequence).output.reshaped(to: [count, codeSize])
    }

    /// Starts epoch `epoch`'s embedding as a copy of the previous epoch's.
    public func beginEpoch(_ epoch: Int) {
        precondition(epoch >= 0 && epoch < epochCapacity, "RewardDynamicsModel: epoch \(epoch) outside 0..<\(epochCapacity)")
        guard epoch > 0 else { return }
        let d = embeddings.dimension
        var values = embeddings.weight.value.scalars
        for j in 0..<d { values[epoch * d + j] = values[(epoch - 1) * d + j] }
        embeddings.weight.value = Tensor(shape: embeddings.weight.shape, scalars: values)
    }

    /// `r̂` for each row: `states [n, stateSize]`, `actions [n, 1]`, `codes [n, codeSize]` (ignored
    /// without ``usesCode``); `[n]`.
    public func predict(states: Tensor, actions: Tensor, codes: Tensor?) -> Tensor {
        var inputs = [states, actions]
        if usesCode, let codes { inputs.append(codes) }
        return decoder(Tensor.concatenate(inputs, alongAxis: 1)).reshaped(to: [states.shape[0]])
    }

    /// The mean squared reconstruction error of `transitions` (each with its epoch's code).
    public func loss(_ transitions: [PruningTransition]) -> Tensor {
        let (states, actions, rewards) = packed(transitions)
        let latest = (transitions.map(\.epoch).max() ?? 0) + 1
        let codes = usesCode ? self.codes(epochs: latest).indexSelect(transitions.map(\.epoch), alongAxis: 0) : nil
        return meanSquaredError(predict(states: states, actions: actions, codes: codes), rewards)
    }
}

/// One step of an episode as the replay buffer keeps it: the state, the taken ratio, the
/// episode's reward and the epoch it was observed in.
public struct PruningTransition: Sendable, Codable, Equatable {
    /// The state before the action.
    public var state: [Float]
    /// The taken ratio.
    public var action: Float
    /// The episode's reward.
    public var reward: Float
    /// The training epoch (index of the embedding).
    public var epoch: Int

    /// A transition.
    public init(state: [Float], action: Float, reward: Float, epoch: Int) {
        self.state = state
        self.action = action
        self.reward = reward
        self.epoch = epoch
    }
}

/// States `[n, s]`, actions `[n, 1]` and rewards `[n]` of `transitions`.
func packed(_ transitions: [PruningTransition]) -> (Tensor, Tensor, Tensor) {
    let size = transitions.first?.state.count ?? 0
    return (Tensor(shape: [transitions.count, size], scalars: transitions.flatMap(\.state)),
            Tensor(shape: [transitions.count, 1], scalars: transitions.map(\.action)),
            Tensor(transitions.map(\.reward)))
}
