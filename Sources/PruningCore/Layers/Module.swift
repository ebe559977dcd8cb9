import Foundation

/// A neural-network component with named parameters and submodules.
///
/// A conforming type lists its own parameters in ``ownParameters`` and its direct children in
/// ``children``; everything else — dotted names such as `layers.3.mlp.down_proj.weight`,
/// train/eval mode, freezing, loading and saving by name — is provided here. Modules are classes:
/// a model is mutable state that optimizers and pruning methods update in place.
///
/// ```swift
/// final class TwoLayer: Module {
///     var isTraining = true
///     let first: Linear, second: Linear
///     var children: [(String, any Module)] { [("first", first), ("second", second)] }
///     ...
/// }
/// ```
public protocol Module: AnyObject {
    /// The module's own parameters and buffers, named relative to it (no dots).
    var ownParameters: [(String, Parameter)] { get }
    /// The module's direct submodules, named relative to it.
    var children: [(String, any Module)] { get }
    /// Whether the module is in training mode (dropout active, BatchNorm updating statistics).
    var isTraining: Bool { get set }
}

/// A module with a single-tensor forward pass, usable in ``Sequential``.
public protocol Layer: Module {
    /// The forward pass.
    func callAsFunction(_ input: Tensor) -> Tensor
}

extension Module {
    /// No own parameters by default.
    public var ownParameters: [(String, Parameter)] { [] }
    /// No children by default.
    public var children: [(String, any Module)] { [] }

    /// Every parameter and buffer of this module and its descendants, with dotted names, in a
    /// stable order (own parameters first, then children in declaration order).
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var result: [(name: String, parameter: Parameter)] = []
        collectParameters(prefix: "", into: &result)
        return result
    }

    private func collectParameters(prefix: String, into result: inout [(name: String, parameter: Parameter)]) {
        for (name, parameter) in ownParameters { result.append((prefix + name, parameter)) }
        for (name, child) in children { child.collectParametersExistential(prefix: prefix + name + ".", into: &result) }
    }

    fileprivate func collectParametersExistential(prefix: String, into result: inout [(name: String, parameter: Parameter)]) {
        collectParameters(prefix: prefix, into: &result)
    }

    /// The trainable parameters (not buffers, not frozen).
    public func trainableParameters() -> [Parameter] {
        namedParameters().map(\.parameter).filter(\.isTrainable)
    }

    /// The number of scalar weights in trainable and frozen parameters (buffers excluded).
    public var parameterCount: Int {
        namedParameters().filter { !$0.parameter.isBuffer }.reduce(0) { $0 + $1.parameter.value.count }
    }

    /// Calls `body` on this module and every descendant.
    public func visitModules(_ body: (any Module) -> Void) {
        body(self)
        for (_, child) in children { child.visitModules(body) }
    }

    /// Switches this module and all descendants to training mode.
    public func train() { visitModules { $0.isTraining = true } }

    /// Switches this module and all descendants to evaluation mode.
    public func eval() { visitModules { $0.isTraining = false } }

    /// Freezes every parameter: optimizers leave them unchanged.
    public func freeze() { for (_, p) in namedParameters() { p.isFrozen = true } }

    /// Unfreezes every parameter.
    public func unfreeze() { for (_, p) in namedParameters() { p.isFrozen = false } }

    /// The current values of all parameters and buffers by dotted name.
    public func stateDictionary() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, p) in namedParameters() { result[name] = p.value }
        return result
    }

    /// Replaces parameter values by name.
    ///
    /// - Parameters:
    ///   - values: tensors by dotted parameter name.
    ///   - strict: when true, every parameter must be present in `values` and every
    ///     entry of `values` must name a parameter.
    /// - Throws: ``ModuleError`` naming the missing, unexpected or mis-shaped entry.
    public func load(_ values: [String: Tensor], strict: Bool = true) throws {
        let named = namedParameters()
        var known = Set<String>()
        for (name, parameter) in named {
            known.insert(name)
            guard let value = values[name] else {
                if strict { throw ModuleError.missingParameter(name) }
                continue
            }
            guard value.shape == parameter.shape else {
                throw ModuleError.shapeMismatch(name: name, expected: parameter.shape, found: value.shape)
            }
            parameter.value = value.detached()
        }
        if strict, let extra = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw ModuleError.unexpectedParameter(extra)
        }
    }
}

/// Errors raised when parameters are loaded into a module.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    /// The module has a parameter the source does not provide.
    case missingParameter(String)
    /// The source has an entry that names no parameter of the module.
    case unexpectedParameter(String)
    /// An entry's shape differs from the parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A loaded value holds NaN or an infinity (at row-major `index`).
    case nonFiniteValue(name: String, index: Int)
    /// One of the errors above, found while loading `file`.
    indirect case inFile(file: String, error: ModuleError)

    /// A sentence naming the parameter and the problem.
    public var description: String {
        switch self {
        case .missingParameter(let name): "parameter '\(name)' is missing from the loaded values"
        case .unexpectedParameter(let name): "loaded value '\(name)' names no parameter of the module"
        case .shapeMismatch(let name, let expected, let found):
            "parameter '\(name)' has shape \(expected) but the loaded value has shape \(found)"
        case .nonFiniteValue(let name, let index): "loaded value '\(name)' holds NaN or infinity at element \(index)"
        case .inFile(let file, let error): "\(file): \(error.description)"
        }
    }
}
