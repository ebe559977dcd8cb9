extension Tensor {
    /// The gradients of this tensor with respect to each of `inputs`.
    ///
    /// `self` is usually a scalar loss; for a non-scalar tensor the seed is a tensor of ones (the
    /// gradient of the sum of its elements). Each input must be a tensor that was made a leaf with
    /// ``requiringGradient()`` (or a tensor computed from one); an input that `self` does not
    /// depend on gets zeros.
    ///
    /// ```swift
    /// let x = Tensor([1, 2, 3]).requiringGradient()
    /// let loss = (x * x).sum()
    /// let dx = loss.gradients(withRespectTo: [x])[0]   // [2, 4, 6]
    /// ```
    public func gradients(withRespectTo inputs: [Tensor], seed: Tensor? = nil) -> [Tensor] {
        let gradients = backpropagate(seed: seed)
        return inputs.map { input in
            if let node = input.node, let gradient = gradients[ObjectIdentifier(node)] {
                return gradient
            }
            return Tensor.zeros(input.shape)
        }
    }

    /// Runs reverse-mode differentiation from this tensor and returns the gradient of every node
    /// reached, keyed by node identity.
    func backpropagate(seed: Tensor?) -> [ObjectIdentifier: Tensor] {
        guard let root = node else { return [:] }
        let order = Tensor.topologicalOrder(from: root)
        var gradients: [ObjectIdentifier: Tensor] = [:]
        let initial = seed ?? Tensor.ones(shape)
        precondition(initial.shape == shape, "gradient seed shape \(initial.shape) differs from \(shape)")
        gradients[ObjectIdentifier(root)] = initial.detached()
        withoutGradients {
            for current in order.reversed() {
                guard let backward = current.backward,
                    let gradient = gradients[ObjectIdentifier(current)]
                else { continue }
                let inputGradients = backward(gradient)
                for (input, inputGradient) in zip(current.inputs, inputGradients) {
                    guard let input, let inputGradient else { continue }
                    precondition(
                        inputGradient.shape == input.shape,
                        "autodiff: gradient shape \(inputGradient.shape) differs from input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if var existing = gradients.removeValue(forKey: key) {
                        existing.accumulateGradient(inputGradient)
                        gradients[key] = existing
                    } else {
                        gradients[key] = inputGradient
                    }
                }
                // Free interior gradients as soon as they have been propagated.
                if !current.isLeaf { gradients[ObjectIdentifier(current)] = nil }
            }
        }
        return gradients
    }

    /// Nodes reachable from `root`, each after all of its inputs (iterative, so deep graphs such
    /// as unrolled recurrences do not overflow the stack).
    static func topologicalOrder(from root: GradientNode) -> [GradientNode] {
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradientNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (current, next) = stack.last {
            if next < current.inputs.count {
                stack[stack.count - 1].1 += 1
                if let input = current.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                stack.removeLast()
                order.append(current)
            }
        }
        return order
    }
}

extension Tensor {
    /// Adds `other` (same shape) to this gradient: in place when this tensor owns its buffer
    /// alone, as a new tensor otherwise (a gradient an op handed to several inputs, say).
    mutating func accumulateGradient(_ other: Tensor) {
        precondition(shape == other.shape, "autodiff: accumulating gradient \(other.shape) into \(shape)")
        guard isKnownUniquelyReferenced(&storage), storage.isOwned, storage !== other.storage else {
            self = Tensor.broadcastingApply(AddKernel.self, self, other)
            return
        }
        let accumulate = SIMDKernels.active.accumulate!
        let (destination, source) = (storage.pointer, UnsafePointer(other.storage.pointer))
        Kernels.parallelFor(count) { range in
            accumulate(destination + range.lowerBound, source + range.lowerBound, range.count)
        }
    }
}
